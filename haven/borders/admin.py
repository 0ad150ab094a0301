"""Border reports in the coordination console: read-only, region-scoped; hiding goes
through the service like the moderation buttons on the checkpoint page."""

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from haven.accounts.models import User
from haven.borders import services
from haven.borders.models import BorderReport, FlagDecision
from haven.core.errors import HavenError


def _region_scoped(request: HttpRequest, qs: QuerySet[Any]) -> QuerySet[Any]:
    user = cast(User, request.user)
    if user.is_superuser:
        return qs
    return qs.filter(checkpoint__region__in=user.regions.all())


@admin.register(BorderReport)
class BorderReportAdmin(admin.ModelAdmin[BorderReport]):
    list_display = ("public_id", "checkpoint", "direction", "mode", "kind", "submitted_at", "reporter", "hidden_at")
    list_filter = ("kind", "mode", "direction", "checkpoint", ("hidden_at", admin.EmptyFieldListFilter))
    search_fields = ("public_id",)
    list_select_related = ("checkpoint", "reporter")
    actions = ["hide"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BorderReport]:
        return _region_scoped(request, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Hide the selected reports"))
    def hide(self, request: HttpRequest, queryset: QuerySet[BorderReport]) -> None:
        hidden = 0
        for report in queryset.select_related("checkpoint"):
            try:
                services.report_hide(report=report, by=cast(User, request.user))
                hidden += 1
            except HavenError as error:
                messages.error(request, error.message)
                return
        messages.success(
            request,
            ngettext("%(count)d report hidden.", "%(count)d reports hidden.", hidden) % {"count": hidden},
        )


@admin.register(FlagDecision)
class FlagDecisionAdmin(admin.ModelAdmin[FlagDecision]):
    list_display = ("checkpoint", "direction", "flag", "verdict", "coordinator", "at")
    list_filter = ("verdict", "flag", "checkpoint")
    list_select_related = ("checkpoint", "coordinator")

    def get_queryset(self, request: HttpRequest) -> QuerySet[FlagDecision]:
        return _region_scoped(request, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
