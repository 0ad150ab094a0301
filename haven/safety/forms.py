from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.forms import HavenForm
from haven.safety.enums import ReportReason


class ReportForm(HavenForm):
    reason = forms.ChoiceField(choices=ReportReason.choices, widget=forms.RadioSelect, label=_("What is wrong?"))
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Anything a coordinator should know (optional)"),
        help_text=_("Do not write anyone's phone number or address here."),
    )
