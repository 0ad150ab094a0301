from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from haven.core.errors import HavenError


def is_staff_account(user: object) -> bool:
    """Coordinators, administrators and anyone with console access."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False) or getattr(user, "is_coordinator", False))
    )


class FrozenAccountMiddleware:
    """A frozen account is logged out on its next request: the freeze takes effect at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "frozen_at", None):
            logout(request)
        return self.get_response(request)


class StaffSessionMiddleware:
    """Coordinators' sessions end after a short idle time (P7): a console left open on a
    shared computer, or a seized laptop, is logged out soon. Each request slides it on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_staff_account(getattr(request, "user", None)) and hasattr(request, "session"):
            request.session.set_expiry(settings.HAVEN_STAFF_SESSION_IDLE_SECONDS)
        return self.get_response(request)


# Paths an unverified coordinator may still reach: the second-factor pages, logging out,
# static files and the language switch.
TWO_FACTOR_EXEMPT = ("/me/2fa/", "/logout/", "/coordinate/logout/", "/static/", "/i18n/")


class StaffTwoFactorMiddleware:
    """A coordinator or administrator who logged in with a password alone can do nothing
    until they confirm a TOTP code (P7): not the console, not the site, not the API by
    session. Runs after django_otp's OTPMiddleware (``user.is_verified``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.HAVEN_STAFF_2FA_REQUIRED
            and is_staff_account(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(TWO_FACTOR_EXEMPT)
        ):
            if request.path.startswith("/api/"):
                error = HavenError("two_factor_required")
                return JsonResponse({"code": error.code, "message": error.message, "fields": {}}, status=error.status)
            return redirect(f"{reverse('web:two_factor')}?next={request.path}")
        return self.get_response(request)
