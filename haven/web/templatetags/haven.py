import datetime as dt

from django import forms, template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.accounts.enums import Tier
from haven.aid.enums import Language
from haven.core import clock

register = template.Library()


@register.filter
def people(count: int) -> str:
    return ngettext("%(count)d person", "%(count)d people", count) % {"count": count}


@register.filter
def places(count: int) -> str:
    return ngettext("%(count)d place", "%(count)d places", count) % {"count": count}


@register.filter
def stay_nights(obj: object) -> str:
    """The nights of a stay, "Until" being the last night (as the matcher counts them)."""
    date_from, date_to = getattr(obj, "date_from", None), getattr(obj, "date_to", None)
    if not isinstance(date_from, dt.date) or not isinstance(date_to, dt.date):
        return ""
    count = max(1, (date_to - date_from).days + 1)
    return ngettext("%(count)d night", "%(count)d nights", count) % {"count": count}


@register.filter
def ago(moment: dt.datetime | None) -> str:
    """How long ago something happened, as a whole phrase: "just now" under a minute, then
    "5 minutes ago", "3 hours ago", "2 days ago" with the language's plural forms. Used for
    every "confirmed ... ago"; a moment in the future (a clock a little ahead) is "just now"."""
    if not isinstance(moment, dt.datetime):
        return ""
    seconds = (clock.now() - moment).total_seconds()
    if seconds < 60:
        return _("just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {"count": minutes}
    hours = minutes // 60
    if hours < 24:
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    days = hours // 24
    return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}


@register.filter
def nights_price(price: int) -> str:
    if not price:
        return _("free")
    return _("%(price)s ₸ a night") % {"price": f"{price:,}".replace(",", "\u202f")}


@register.filter
def tier_badge(tier: int) -> str:
    return str(Tier(tier).label)


@register.filter
def language_names(codes: list[str]) -> str:
    labels = dict(Language.choices)
    return ", ".join(str(labels[c]) for c in codes if c in labels)


@register.filter
def is_checkbox(bound_field: forms.BoundField) -> bool:
    """A single tick box (label after it), as opposed to a list of them."""
    return isinstance(bound_field.field.widget, forms.CheckboxInput)
