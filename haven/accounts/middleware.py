from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class FrozenAccountMiddleware:
    """A frozen account is logged out on its next request: the freeze takes effect at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "frozen_at", None):
            logout(request)
        return self.get_response(request)
