"""The second login step for coordinators and administrators (P7), at /me/2fa/.

Enrolling an authenticator needs the one-time code from ``haven grant``, handed over out
of band: a password phished before the real person's first login enrols nothing. Step one
takes that code and only then shows the secret (QR code and text); step two confirms a
code from the app, which confirms the device and spends the enrolment code. Later logins
just confirm a code. Every failure counts towards the login lockout."""

from __future__ import annotations

import base64
from typing import Any

import qrcode
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import login as otp_login
from qrcode.image.svg import SvgPathImage

from haven.accounts import services as account_services
from haven.accounts.forms import EnrolmentCodeForm, EnrolmentConfirmForm, TokenForm
from haven.accounts.middleware import is_staff_account
from haven.accounts.types import AuthedRequest
from haven.core.errors import HavenError
from haven.privacy import services as privacy
from haven.privacy.models import StaffTOTPDevice
from haven.web.redirects import safe_next


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _scan_context(device: StaffTOTPDevice, form: EnrolmentConfirmForm) -> dict[str, Any]:
    return {
        "step": "scan", "form": form,
        "secret": base64.b32encode(device.bin_key).decode(), "qr": _qr_data_uri(device.config_url),
    }


def _page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    response = render(request, "web/two_factor.html", context)
    response["Cache-Control"] = "no-store"  # the secret and the enrolment code are on it
    return response


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not is_staff_account(user):
        return redirect("web:dashboard")
    next_url = safe_next(request) or reverse("admin:index")
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    address = account_services.client_address(request)
    enrolled = privacy.totp_device_confirmed(user=user) is not None
    step = request.POST.get("step", "") if request.method == "POST" else ""
    context: dict[str, Any] = {"next": next_url, "step": "verify" if enrolled else "code"}

    form: Any
    if enrolled:
        form = TokenForm(request.POST or None)
    elif step == "scan":
        form = EnrolmentConfirmForm(request.POST)
    else:
        form = EnrolmentCodeForm(request.POST or None)
    context["form"] = form
    if request.method != "POST":
        return _page(request, context)
    if not form.is_valid():
        return _rescan(request, context, form) if step == "scan" and not enrolled else _page(request, context)
    if not account_services.login_allowed(username=user.username, address=address):
        form.add_error(None, HavenError("too_many_attempts").message)
        return _page(request, context)

    try:
        if enrolled:
            device = privacy.totp_verify(user=user, token=form.cleaned_data["otp_token"].strip())
        elif step == "scan":
            device = privacy.totp_device_confirm(
                user=user, enrolment_code=form.cleaned_data["enrolment_code"],
                token=form.cleaned_data["otp_token"].strip(),
            )
        else:
            device = privacy.totp_device_start(user=user, enrolment_code=form.cleaned_data["enrolment_code"])
            scan_form = EnrolmentConfirmForm(initial={"enrolment_code": form.cleaned_data["enrolment_code"]})
            return _page(request, {**context, **_scan_context(device, scan_form)})
    except HavenError as error:
        account_services.login_failed(username=user.username, address=address)
        if error.code != "otp_wrong":
            return _code_step(request, context, form.cleaned_data["enrolment_code"], error)
        form.add_error("otp_token", error.message)
        return _rescan(request, context, form) if step == "scan" else _page(request, context)
    otp_login(request, device)
    account_services.login_succeeded(username=user.username)
    return redirect(next_url)


def _code_step(request: AuthedRequest, context: dict[str, Any], code: str, error: HavenError) -> HttpResponse:
    """Back to the first step, with the reason the enrolment code failed."""
    form = EnrolmentCodeForm({"enrolment_code": code})
    form.is_valid()
    form.add_error(None, error.message)
    return _page(request, {**context, "step": "code", "form": form})


def _rescan(request: AuthedRequest, context: dict[str, Any], form: EnrolmentConfirmForm) -> HttpResponse:
    """The scanning step again, with ``form``'s errors — the secret only if the enrolment
    code carried over from the first step is still valid."""
    code = str(request.POST.get("enrolment_code", ""))
    user, address = request.user, account_services.client_address(request)
    # Checking the code again is a guess like any other: under the lockout, and counted.
    if not account_services.login_allowed(username=user.username, address=address):
        return _code_step(request, context, code, HavenError("too_many_attempts"))
    try:
        device = privacy.totp_device_start(user=user, enrolment_code=code)
    except HavenError as error:
        account_services.login_failed(username=user.username, address=address)
        return _code_step(request, context, code, error)
    return _page(request, {**context, **_scan_context(device, form)})
