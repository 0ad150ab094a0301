"""Error responses for what no view handled: the same ``{code, message}`` body as the API
everywhere under /api/, and a short translated page elsewhere.

A database that is restarting or unreachable is not a server bug: the request gets a 503
with ``Retry-After`` (nothing was saved, and clients and the bot retry), never a 500.
Nothing here touches the database: it may be the thing that is down.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from haven.core.errors import MESSAGES

RETRY_AFTER_SECONDS = 5
_UNAVAILABLE = (OperationalError, InterfaceError)


def _machine_client(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/telegram/"))


def error_response(request: HttpRequest, code: str) -> HttpResponse:
    message, status = MESSAGES[code]
    if _machine_client(request):
        response: HttpResponse = JsonResponse({"code": code, "message": str(message)}, status=status)
    else:
        page = loader.get_template("core/error.html").render({"message": message, "status": status})
        response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it while handling the exception, so it can tell a
    database outage (503, try again) from a bug (500)."""
    error = sys.exc_info()[1]
    return error_response(request, "unavailable" if isinstance(error, _UNAVAILABLE) else "server_error")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: JSON under /api/, the site's translated page elsewhere."""
    if _machine_client(request):
        return error_response(request, "not_found")
    return defaults.page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: on a cheap phone a form left open overnight is the usual
    cause; say what to do instead of Django's technical page."""
    return error_response(request, "csrf_failed")
