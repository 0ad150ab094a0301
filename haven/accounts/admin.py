from typing import cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from haven.accounts import services
from haven.accounts.enums import Tier
from haven.accounts.forms import AdminLoginForm
from haven.accounts.models import User, Verification


class VerificationInline(admin.TabularInline[Verification, User]):
    model = Verification
    fk_name = "subject"
    extra = 0
    can_delete = False
    readonly_fields = ("tier", "verified_by", "note", "created_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ("username", "role", "tier", "frozen_at", "date_joined")
    list_filter = ("role", "tier", ("frozen_at", admin.EmptyFieldListFilter))
    search_fields = ("username", "public_id")
    readonly_fields = (
        "username", "public_id", "role", "added_role", "added_role_at", "tier", "date_joined", "last_login",
        "frozen_at", "frozen_reason",
    )
    fields = (*readonly_fields, "regions")
    inlines = [VerificationInline]
    actions = ["verify_checked", "verify_vouched", "freeze", "unfreeze"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("regions")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # People sign up themselves; coordinators are granted with `haven grant`.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)

    def _set_tier(self, request: HttpRequest, queryset: QuerySet[User], tier: int) -> None:
        for subject in queryset:
            services.user_set_tier(subject=subject, by=cast(User, request.user), tier=tier, note="admin action")
        self.message_user(request, _("Verification updated."), messages.SUCCESS)

    @admin.action(description=_("Verify: checked by a coordinator"), permissions=["change"])
    def verify_checked(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_tier(request, queryset, Tier.CHECKED)

    @admin.action(description=_("Verify: vouched by a verified organisation"), permissions=["change"])
    def verify_vouched(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_tier(request, queryset, Tier.VOUCHED)

    @admin.action(description=_("Freeze the account now"), permissions=["change"])
    def freeze(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.exclude(pk=cast(User, request.user).pk):
            services.user_freeze(user=user, by=cast(User, request.user), reason="frozen by a coordinator")
        self.message_user(request, _("Frozen."), messages.WARNING)

    @admin.action(description=_("Unfreeze"), permissions=["change"])
    def unfreeze(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_unfreeze(user=user, by=cast(User, request.user))
        self.message_user(request, _("Unfrozen."), messages.SUCCESS)


# The console's login form counts failures like the site's (P7).
admin.site.login_form = AdminLoginForm
