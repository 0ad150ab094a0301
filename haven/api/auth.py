from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from haven.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer hvn_...`` for partners and apps."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The site's own session (CSRF-checked for writes)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and not getattr(user, "frozen_at", None):
            return user
        return None


AUTH = [TokenAuth(), SessionAuth()]
