from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from haven.accounts.forms import HavenForm


class ContactsForm(HavenForm):
    phone = forms.CharField(
        required=False, max_length=32, label=_("Phone"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        validators=[RegexValidator(r"^\+?[0-9 ()-]{5,30}$", _("Enter a phone number with digits, like +7 701 123 4567."), "phone_invalid")],
    )
    telegram = forms.CharField(
        required=False, max_length=33, label=_("Telegram username"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
        validators=[RegexValidator(r"^@?[A-Za-z0-9_]{5,32}$", _("A Telegram username has 5–32 letters, digits or underscores."), "telegram_invalid")],
    )
    email = forms.EmailField(
        required=False, max_length=254, label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def clean_telegram(self) -> str:
        value: str = self.cleaned_data.get("telegram", "")
        return value.lstrip("@")
