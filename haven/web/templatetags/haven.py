from django import forms, template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.accounts.enums import Tier
from haven.aid.enums import Language

register = template.Library()


@register.filter
def people(count: int) -> str:
    return ngettext("%(count)d person", "%(count)d people", count) % {"count": count}


@register.filter
def places(count: int) -> str:
    return ngettext("%(count)d place", "%(count)d places", count) % {"count": count}


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
