"""The coordinators' read audit in the console: administrators (superusers) only, read-only,
nothing can be added, changed or deleted here (only the retention purge removes rows).

django-otp's own TOTP device page is removed from the console: it would show and edit the
sealed secret as if it were hex, and an administrator has no business with another
person's second factor. A lost authenticator is reset with ``haven grant`` instead."""

from django.contrib import admin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.privacy.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin[AccessLog]):
    list_display = ("at", "viewer_name", "kind", "object_public_id", "view")
    list_filter = ("kind",)
    search_fields = ("viewer_name", "object_public_id")
    fields = readonly_fields = ("at", "viewer_name", "kind", "object_public_id", "view")
    date_hierarchy = "at"
    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
