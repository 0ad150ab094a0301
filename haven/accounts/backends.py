from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from haven.accounts import services


class HavenBackend(ModelBackend):
    """Frozen accounts cannot log in, and a locked-out pseudonym or address gets no
    password check at all (P7). Every login path (the site, the console, the API's
    password confirmations) goes through here or through the same lockout service."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = services.client_address(request)
        if not services.login_allowed(username=username, address=address):
            # PermissionDenied stops Django trying any other backend.
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.login_failed(username=username, address=address)
        else:
            services.login_succeeded(username=username)
        return user

    def user_can_authenticate(self, user):  # type: ignore[no-untyped-def]
        return super().user_can_authenticate(user) and getattr(user, "frozen_at", None) is None
