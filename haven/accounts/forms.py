from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from haven.accounts.enums import SELF_CHOSEN_ROLES, Role
from haven.accounts.services import client_address, login_allowed

PSEUDONYM_HELP = _("Letters, digits and dashes. Not your real name.")


class HavenForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignupForm(HavenForm):
    username = forms.RegexField(
        regex=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$",
        max_length=40,
        label=_("Pseudonym"),
        help_text=PSEUDONYM_HELP,
        error_messages={"invalid": _("Use 3–40 Latin letters, digits, dashes or underscores.")},
    )
    password = forms.CharField(widget=forms.PasswordInput, label=_("Password"), max_length=200)
    role = forms.ChoiceField(
        choices=[(r.value, r.label) for r in SELF_CHOSEN_ROLES],
        widget=forms.RadioSelect,
        initial=Role.SEEKER,
        label=_("I am here to"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password"):
            try:
                password_validation.validate_password(data["password"])
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class RecoverForm(HavenForm):
    username = forms.CharField(max_length=40, label=_("Pseudonym"))
    recovery_code = forms.CharField(max_length=40, label=_("Recovery code"))
    new_password = forms.CharField(widget=forms.PasswordInput, label=_("New password"), max_length=200)

    def clean_new_password(self) -> str:
        password: str = self.cleaned_data["new_password"]
        password_validation.validate_password(password)
        return password


class ApiTokenForm(HavenForm):
    name = forms.CharField(max_length=60, label=_("Token name"))


def _refuse_if_locked_out(form: Any) -> None:
    username = form.data.get("username", "")
    if username and not login_allowed(username=username, address=client_address(form.request)):
        raise forms.ValidationError(
            _("Too many failed attempts. Please wait a few minutes and try again."), code="too_many_attempts"
        )


def _name_the_pseudonym(form: AuthenticationForm) -> None:
    """The username field is a pseudonym, labelled and explained in the page's language
    (the model's verbose name is not translated)."""
    form.fields["username"].label = _("Pseudonym")
    form.fields["username"].help_text = _("The pseudonym you chose when you signed up, for example quiet-river-1234.")


class LoginForm(AuthenticationForm):
    """The site's login form: says so when the lockout (P7) is in force."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _name_the_pseudonym(self)

    def clean(self) -> dict[str, Any]:
        _refuse_if_locked_out(self)
        return super().clean()


class AdminLoginForm(AdminAuthenticationForm):
    """The console's login form, with the same lockout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_the_pseudonym(self)

    def clean(self) -> dict[str, Any]:
        _refuse_if_locked_out(self)
        return super().clean()


class TokenForm(HavenForm):
    otp_token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        label=_("Code from your authenticator app"),
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EnrolmentCodeForm(HavenForm):
    enrolment_code = forms.CharField(
        max_length=40,
        label=_("Enrolment code"),
        help_text=_("The one-time code the administrator who gave you access handed you."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class EnrolmentConfirmForm(TokenForm):
    """The second enrolment step: the code from the newly scanned app, with the enrolment
    code carried over from the first step (it is checked again and spent here)."""

    enrolment_code = forms.CharField(max_length=40, widget=forms.HiddenInput)


class DeleteMeForm(HavenForm):
    password = forms.CharField(widget=forms.PasswordInput, label=_("Your password"), max_length=200)
