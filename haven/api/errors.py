"""Every API error is ``{"code": ..., "message": ..., "fields": {...}}`` with a stable code
and a message in the caller's language (Accept-Language). Nothing answers 500 for bad input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from haven.core.errors import HavenError

# Translated messages for the checks the schema layer (pydantic) makes before a form sees the data.
PYDANTIC_MESSAGES = {
    "missing": lambda: _("This field is required."),
    "int_parsing": lambda: _("Enter a whole number."),
    "int_type": lambda: _("Enter a whole number."),
    "int_from_float": lambda: _("Enter a whole number."),
    "bool_parsing": lambda: _("Enter true or false."),
    "bool_type": lambda: _("Enter true or false."),
    "date_parsing": lambda: _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": lambda: _("Enter a date as YYYY-MM-DD."),
    "date_type": lambda: _("Enter a date as YYYY-MM-DD."),
    "string_type": lambda: _("Enter text."),
    "string_too_long": lambda: _("This text is too long."),
    "list_type": lambda: _("Enter a list."),
    "extra_forbidden": lambda: _("This field is not known."),
    "json_invalid": lambda: _("The request body is not valid JSON."),
    "literal_error": lambda: _("This value is not one of the allowed choices."),
    "enum": lambda: _("This value is not one of the allowed choices."),
    "greater_than_equal": lambda: _("This number is too small."),
    "less_than_equal": lambda: _("This number is too large."),
}


def error_body(code: str, message: str, fields: dict[str, list[dict[str, str]]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


class FormInvalid(Exception):
    def __init__(self, form: forms.BaseForm) -> None:
        super().__init__("invalid form")
        self.form = form


def form_fields_errors(form: forms.BaseForm) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for field, errors in form.errors.as_data().items():
        name = "district" if field == "district_slug" else field
        out[name] = [
            {"code": error.code or "invalid", "message": " ".join(str(m) for m in error.messages)}
            for error in errors
        ]
    return out


def install(api: NinjaAPI) -> None:
    @api.exception_handler(HavenError)
    def haven_error(request: HttpRequest, exc: HavenError) -> HttpResponse:
        return api.create_response(request, error_body(exc.code, exc.message), status=exc.status)

    @api.exception_handler(FormInvalid)
    def form_invalid(request: HttpRequest, exc: FormInvalid) -> HttpResponse:
        body = error_body("invalid", _("Some fields are not valid."), form_fields_errors(exc.form))
        return api.create_response(request, body, status=422)

    @api.exception_handler(ValidationError)
    def schema_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, list[dict[str, str]]] = {}
        for error in exc.errors:
            loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
            kind = str(error.get("type", "invalid"))
            message = PYDANTIC_MESSAGES.get(kind, lambda: _("This value is not valid."))()
            fields.setdefault(".".join(loc) or "body", []).append({"code": kind, "message": message})
        return api.create_response(
            request, error_body("invalid", _("Some fields are not valid."), fields), status=422
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body("not_authenticated", _("Please log in first.")), status=401
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403:
            body = error_body("csrf_failed", _("The security check failed. Reload the page and try again."))
        elif exc.status_code == 429:
            body = error_body("rate_limited", _("Too many requests. Please wait a little."))
        else:
            body = error_body("bad_request", _("The request could not be understood."))
        return api.create_response(request, body, status=exc.status_code)
