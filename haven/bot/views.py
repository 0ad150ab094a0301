"""HTTP doors of the bot: the Telegram webhook, the page that connects an existing
account to Telegram, and the one-time login links sent in chats."""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from haven.bot import handlers, services, transport
from haven.bot.models import OneTimeToken

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Telegram's webhook. Without the right secret header: 403 and nothing changes.
    A body that is not JSON: 400. Anything else: 200, even when the update is ignored,
    so Telegram never re-sends what we chose not to handle."""
    expected = str(getattr(settings, "TELEGRAM_WEBHOOK_SECRET", "") or "")
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return HttpResponseForbidden()
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest()
    handlers.process(payload, transport=transport.shared() if transport.configured() else None)
    return HttpResponse()


@login_required
@never_cache
def connect(request: HttpRequest) -> HttpResponse:
    """Give a logged-in person a one-time link that connects their account to Telegram
    (t.me/<bot>?start=<code>), valid for an hour."""
    raw = services.token_create(user=request.user, purpose=OneTimeToken.Purpose.CONNECT)  # type: ignore[arg-type]
    username = str(getattr(settings, "TELEGRAM_BOT_USERNAME", "") or "")
    deep_link = f"https://t.me/{quote(username)}?start={raw}" if username else ""
    return render(request, "bot/connect.html", {"deep_link": deep_link, "code": raw})


@never_cache
@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """A one-time login link from a chat. GET only shows a button (link previews and
    scanners must not spend it); POST spends it, logs the person in and opens the page."""
    if request.method == "GET":
        valid = services.token_peek(raw=token, purpose=OneTimeToken.Purpose.LOGIN) is not None
        return render(request, "bot/login.html", {"valid": valid}, status=200 if valid else 410)
    spent = services.token_spend(raw=token, purpose=OneTimeToken.Purpose.LOGIN)
    # Staff never log in by a chat link: their login needs the second factor (P7).
    user = spent.user if spent is not None else None
    if user is None or user.is_frozen or not user.is_active or user.is_staff or user.is_coordinator:
        return render(request, "bot/login.html", {"valid": False}, status=410)
    assert spent is not None  # noqa: S101
    login(request, user, backend="haven.accounts.backends.HavenBackend")
    target = spent.next_path
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith(
        "/"
    ):
        target = "/"
    return redirect(target)
