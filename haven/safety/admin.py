"""The triage queue for abuse reports (P4), region-scoped like the rest of the console,
and the account freeze switched to the freeze-everywhere service."""

from typing import cast

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from haven.accounts.admin import UserAdmin
from haven.accounts.models import User
from haven.safety import services
from haven.safety.enums import ReportStatus
from haven.safety.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ("created_at", "reason", "target_kind", "target_public_id", "subject", "region", "status")
    list_filter = ("status", "reason", "target_kind", "region")
    search_fields = ("public_id", "target_public_id")
    readonly_fields = (
        "public_id", "target_kind", "target_public_id", "subject", "region", "reason", "note", "reporter",
        "status", "created_at", "handled_by", "handled_at",
    )
    actions = ["freeze_subject", "mark_actioned", "dismiss"]
    list_select_related = ("subject", "region")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        qs = super().get_queryset(request)
        user = cast(User, request.user)
        if user.is_superuser:
            return qs
        # Reports about accounts carry no region; every coordinator may triage those.
        return qs.filter(Q(region__in=user.regions.all()) | Q(region__isnull=True))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)

    @admin.action(description=_("Freeze the reported accounts now"), permissions=["change"])
    def freeze_subject(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        frozen = sum(
            services.report_freeze_subject(report=report, by=cast(User, request.user))
            for report in queryset.select_related("subject")
        )
        self.message_user(
            request,
            ngettext("%(count)d account frozen.", "%(count)d accounts frozen.", frozen) % {"count": frozen},
            messages.WARNING,
        )

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_actioned(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        for report in queryset:
            services.report_resolve(report=report, by=cast(User, request.user), status=ReportStatus.ACTIONED)
        self.message_user(request, _("Marked as handled."), messages.SUCCESS)

    @admin.action(description=_("Dismiss"), permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        for report in queryset:
            services.report_resolve(report=report, by=cast(User, request.user), status=ReportStatus.DISMISSED)
        self.message_user(request, _("Dismissed."), messages.SUCCESS)


class SafetyUserAdmin(UserAdmin):
    """The accounts console, with "freeze" doing it everywhere (proposals withdrawn too)."""

    @admin.action(description=_("Freeze the account now"), permissions=["change"])
    def freeze(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.exclude(pk=cast(User, request.user).pk):
            services.account_freeze(user=user, by=cast(User, request.user), reason="frozen by a coordinator")
        self.message_user(request, _("Frozen."), messages.WARNING)


admin.site.unregister(User)
admin.site.register(User, SafetyUserAdmin)
