"""Pages of one's own account: sign-up, the recovery card, recovery, adding a role."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import services as account_services
from haven.accounts.enums import SELF_CHOSEN_ROLES, Role
from haven.accounts.forms import RecoverForm, SignupForm
from haven.accounts.pseudonyms import generate_pseudonym
from haven.accounts.types import AuthedRequest
from haven.core import ratelimit
from haven.core.errors import HavenError
from haven.web.redirects import safe_next

# Where the welcome page sends the person once they have saved their card.
AFTER_WELCOME = "after_welcome"


def _start_welcome(request: HttpRequest, code: str, next_url: str = "") -> HttpResponse:
    request.session["recovery_code"] = code
    request.session[AFTER_WELCOME] = next_url
    return redirect("web:welcome")


def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    context = {"next": next_url}
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                ratelimit.limit("signup", account_services.address_key(request))
            except HavenError as error:
                form.add_error(None, error.message)
                return render(request, "web/signup.html", {"form": form, **context}, status=error.status)
            try:
                user, code = account_services.user_signup(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    role=form.cleaned_data["role"],
                    language=request.LANGUAGE_CODE,
                )
            except HavenError as error:
                form.add_error("username", error.message)
            else:
                login(request, user, backend="haven.accounts.backends.HavenBackend")
                return _start_welcome(request, code, next_url)
    else:
        # "I can help" links here with ?role=host; anything unknown is the default.
        role = request.GET.get("role", "")
        chosen = role if role in SELF_CHOSEN_ROLES else Role.SEEKER
        form = SignupForm(initial={"username": generate_pseudonym(), "role": chosen})
    return render(request, "web/signup.html", {"form": form, **context})


@login_required
def welcome(request: AuthedRequest) -> HttpResponse:
    """The recovery card: the pseudonym and the code together. The code is shown exactly
    once and forgotten by the server as this page is made; the page itself carries it to
    the "save as a file" form (checked against its hash there) and is never cached."""
    code = request.session.pop("recovery_code", None)
    next_url = request.session.pop(AFTER_WELCOME, "")
    if code is None:
        return redirect("web:dashboard")
    context = {
        "code": code,
        "next": next_url or reverse("web:dashboard"),
        "recover_url": request.build_absolute_uri(reverse("web:recover")),
    }
    response = render(request, "web/welcome.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def recovery_card(request: AuthedRequest) -> HttpResponse:
    """The recovery card as a plain-text file, for the code the welcome page holds. Only
    the person's current code is written out; anything else makes no file."""
    code = str(request.POST.get("code", ""))[:40]
    if not account_services.user_recovery_code_matches(user=request.user, code=code):
        messages.error(request, _("This recovery code is not your current one, so no file was made."))
        return redirect("web:dashboard")
    text = render_to_string(
        "web/recovery_card.txt",
        {
            "pseudonym": request.user.username,
            "code": code,
            "recover_url": request.build_absolute_uri(reverse("web:recover")),
        },
        request=request,
    )
    response = HttpResponse(text.replace("\n", "\r\n"), content_type="text/plain; charset=utf-8")
    name = re.sub(r"[^A-Za-z0-9_-]", "", request.user.username) or "account"
    response["Content-Disposition"] = f'attachment; filename="haven-recovery-{name}.txt"'
    response["Cache-Control"] = "no-store"
    return response


def recover(request: HttpRequest) -> HttpResponse:
    form = RecoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, code = account_services.user_recover(
                username=form.cleaned_data["username"],
                recovery_code=form.cleaned_data["recovery_code"],
                new_password=form.cleaned_data["new_password"],
            )
        except HavenError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend="haven.accounts.backends.HavenBackend")
            messages.success(request, _("Your password is changed. Here is your new recovery code."))
            return _start_welcome(request, code)
    return render(request, "web/recover.html", {"form": form})


def role_missing(request: AuthedRequest, role: str) -> HttpResponse:
    """Someone opened a form their roles do not allow: say why and, where they may add
    the role themselves, where to do it (their page's "What I do on Haven")."""
    if request.user.role_to_add == role == Role.HOST:
        messages.error(request, _("To offer help, first choose “Also offer help as a private host” on your page."))
    elif request.user.role_to_add == role == Role.SEEKER:
        messages.error(request, _("To ask for help, first choose “Also ask for help” on your page."))
    else:
        messages.error(request, HavenError("wrong_role").message)
    return redirect(reverse("web:dashboard") + "#roles")


@login_required
@require_POST
def role_add(request: AuthedRequest) -> HttpResponse:
    """A seeker also offers as a private host; a host also asks for help."""
    role = str(request.POST.get("role", ""))
    try:
        account_services.user_add_role(user=request.user, role=role)
    except HavenError as error:
        messages.error(request, error.message)
    else:
        if role == Role.HOST:
            messages.success(
                request,
                _("You can now offer help as a private host. Haven never proposes your own offer to you."),
            )
        else:
            messages.success(
                request, _("You can now ask for help too. Haven never proposes your own offer to you.")
            )
    return redirect("web:dashboard")
