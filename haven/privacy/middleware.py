"""The console's read audit (P7): every person-level page a coordinator or administrator
opens in the coordination console (the Django admin at /coordinate/) is logged through
``privacy.services.access_log_record``. One place for every app's console pages, so that a
new admin page of a listed model is audited without anyone remembering to."""

from collections.abc import Callable
from typing import Any

from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse

from haven.privacy.enums import CONSOLE_AUDITED_MODELS
from haven.privacy.services import access_log_record

# The admin views that show one object: the form, its history, its delete confirmation
# (which lists what is attached to it). Lists are not logged: they show summaries.
OBJECT_VIEWS = ("_change", "_history", "_delete")


class ConsoleAccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 200:
            self._record(request)
        return response

    def _record(self, request: HttpRequest) -> None:
        match = getattr(request, "resolver_match", None)
        if match is None or not str(match.url_name or "").endswith(OBJECT_VIEWS):
            return
        # Django's admin marks each of its views with the ModelAdmin that serves it.
        model_admin: Any = getattr(match.func, "model_admin", None)
        if model_admin is None or "object_id" not in match.kwargs:
            return
        kind = CONSOLE_AUDITED_MODELS.get(model_admin.model._meta.label_lower)
        if kind is None:
            return
        obj = model_admin.get_object(request, unquote(match.kwargs["object_id"]))
        if obj is None:
            return
        access_log_record(viewer=request.user, kind=kind, public_id=obj.public_id, view=match.view_name)  # type: ignore[arg-type]
