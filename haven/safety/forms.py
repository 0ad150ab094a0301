from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.forms import HavenForm
from haven.safety.enums import CHOSEN_REASONS


class ReportForm(HavenForm):
    reason = forms.ChoiceField(
        choices=[(r.value, r.label) for r in CHOSEN_REASONS], widget=forms.RadioSelect, label=_("What is wrong?"),
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Anything a coordinator should know (optional)"),
        help_text=_("Do not write anyone's phone number or address here."),
    )
