"""The one place where needs and offers are validated.

The web pages render these forms; the API feeds its JSON through the same classes, so
a rule and its translated message exist once. Error codes are stable API codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from haven.accounts.enums import Role, Tier
from haven.accounts.forms import HavenForm
from haven.aid.enums import HostKind, HostPreference, Language, NeedCloseReason, NeedKind, OfferKind
from haven.aid.models import ADDRESS_MAX, NOTES_MAX, Need, Offer
from haven.core import clock
from haven.core.validators import no_contact_details
from haven.geo.models import City, District
from haven.geo.names import by_name
from haven.geo.selectors import districts_by_name

MAX_PARTY_MEMBERS = 20
MAX_PETS = 10
MAX_CAPACITY = 5000
MAX_PRICE = 1_000_000  # tenge a night; anything above is a typo or gouging
MAX_SPAN_DAYS = 366
def date_widgets() -> dict[str, forms.Widget]:
    """The browser's date picker for both dates; it reads ISO dates only, whatever the
    page language (a Russian "30.11.2026" would leave it empty on an edit page)."""
    return {name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in ("date_from", "date_to")}


DEFAULT_STAY = dt.timedelta(days=7)  # the dates a new form starts with: today and a week later
# The submit button that asks for the chosen city's districts (the step without JavaScript),
# and the hidden field naming the city whose districts the page lists.
DISTRICT_STEP = ("step", "district")
DISTRICTS_OF = "districts_of"

OFFER_KINDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.HOST: (OfferKind.BED, OfferKind.ROOM, OfferKind.FLAT, OfferKind.RIDE, OfferKind.SERVICE),
    Role.DRIVER: (OfferKind.RIDE,),
    Role.ORGANISATION: tuple(OfferKind.values),
    Role.COORDINATOR: tuple(OfferKind.values),
    Role.ADMIN: tuple(OfferKind.values),
}


class _ByNameIterator(ModelChoiceIterator):  # type: ignore[type-arg]
    """Choices in the page language's order (haven.geo.names), not the database's."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in by_name(self.queryset):
            yield self.choice(obj)


class CityField(forms.ModelChoiceField):  # type: ignore[type-arg]
    iterator = _ByNameIterator

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=City.objects.all(),
            to_field_name="slug",
            error_messages={"invalid_choice": _("Unknown city. Please choose one from the list.")},
            **{"empty_label": _("— choose a city —"), **kwargs},
        )

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DistrictSelect(forms.Select):
    """The chosen city's districts, and a button that shows another city's after the
    city is changed: the form comes back with everything typed kept. A static script
    (web/districts.js) hides the button and refreshes the list live instead."""

    template_name = "aid/widgets/district_select.html"
    listed_city = ""  # the slug of the city whose districts are the options

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["step_name"], context["step_value"] = DISTRICT_STEP
        context["listed_name"], context["listed_city"] = DISTRICTS_OF, self.listed_city
        return context


class DistrictField(forms.ChoiceField):
    """A select of the chosen city's districts; whether the district belongs to the
    city is checked by the form, with its own message."""

    widget = DistrictSelect

    def validate(self, value: Any) -> None:
        if len(str(value)) > 60:
            raise ValidationError(_("This district is not in the chosen city."), code="district_unknown")


class DatesAndPlaceMixin(forms.ModelForm):  # type: ignore[type-arg]
    """Rules shared by needs and offers: a known city, a district of that city, dates
    that are not in the past and not reversed."""

    district_slug = DistrictField(
        required=False, label=_("District (optional)"),
        help_text=_("Only the district, never a street address."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.district_step = self._asks_for_districts()
        if self.district_step:
            self._show_again_unvalidated()
        if not self.instance.pk:
            self.fields["date_from"].initial = clock.today
            self.fields["date_to"].initial = lambda: clock.today() + DEFAULT_STAY
        elif self.instance.district_id and "district_slug" not in self.initial:
            self.initial["district_slug"] = self.instance.district.slug
        district_field = cast(forms.ChoiceField, self.fields["district_slug"])
        city = self._chosen_city()
        district_field.choices = [("", "—"), *((d.slug, str(d.name)) for d in districts_by_name(city=city))]
        cast(DistrictSelect, district_field.widget).listed_city = city.slug if city else ""

    def _asks_for_districts(self) -> bool:
        """The district button was the submitter and the city is not the one whose
        districts the page listed. Pressing Enter in a field submits with the first button
        of the form, this one: with the city unchanged that is taken as sending the form."""
        if not self.is_bound or self.data.get(DISTRICT_STEP[0]) != DISTRICT_STEP[1]:
            return False
        return bool(self.data.get(self.add_prefix("city"), "") != self.data.get(DISTRICTS_OF, ""))

    def _show_again_unvalidated(self) -> None:
        """The person chose a city and asked for its districts: the same form comes back
        unbound, with what was typed as its initial values, so nothing is saved and no
        error is shown for fields not filled in yet."""
        for name, field in self.fields.items():
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if value is not None:  # a disabled or absent field keeps its current value
                self.initial[name] = value
        self.is_bound = False
        self.data = {}

    def _chosen_city(self) -> City | None:
        if self.is_bound:
            city_field = self.fields["city"]
            value = city_field.widget.value_from_datadict(self.data, self.files, self.add_prefix("city"))
        else:
            value = self.initial.get("city")  # a slug typed in, or the instance's primary key
        if value in (None, ""):
            return None
        if isinstance(value, City):
            return value
        if isinstance(value, int):
            return City.objects.filter(pk=value).first()
        return City.objects.filter(slug=str(value)[:60]).first()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # The region's day, less a day for a traveller whose phone is still on another zone.
        earliest = clock.earliest_start()
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        unchanged_start = self.instance.pk and start == self.instance.date_from
        if start and start < earliest and not unchanged_start:
            self.add_error("date_from", ValidationError(_("The start date is in the past."), code="date_past"))
        if end and end < earliest:
            self.add_error("date_to", ValidationError(_("The end date is in the past."), code="date_past"))
        if start and end and end < start:
            self.add_error(
                "date_to", ValidationError(_("The end date is before the start date."), code="dates_reversed")
            )
        elif start and end and (end - start).days > MAX_SPAN_DAYS:
            self.add_error(
                "date_to", ValidationError(_("Dates can cover at most one year."), code="dates_too_long")
            )
        city: City | None = data.get("city")
        slug = data.get("district_slug")
        data["district"] = None
        if city and slug:
            district = District.objects.filter(city=city, slug=slug).first()
            if district is None:
                self.add_error(
                    "district_slug",
                    ValidationError(_("This district is not in the chosen city."), code="district_unknown"),
                )
            data["district"] = district
        return data


class NeedForm(DatesAndPlaceMixin):
    city = CityField(label=_("City"))
    destination = CityField(label=_("Destination (for transport)"), required=False)
    languages = forms.MultipleChoiceField(
        choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Languages you speak"),
    )
    adults = forms.IntegerField(min_value=0, max_value=MAX_PARTY_MEMBERS, initial=1, label=_("Adults"))
    children = forms.IntegerField(min_value=0, max_value=MAX_PARTY_MEMBERS, initial=0, label=_("Children"))
    elderly = forms.IntegerField(min_value=0, max_value=MAX_PARTY_MEMBERS, initial=0, label=_("Elderly people"))
    pets = forms.IntegerField(min_value=0, max_value=MAX_PETS, initial=0, label=_("Pets"))
    max_price = forms.IntegerField(
        min_value=0, max_value=MAX_PRICE, required=False, label=_("Most you can pay per night (tenge)")
    )
    notes = forms.CharField(
        max_length=NOTES_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Short notes"),
        help_text=_("No names, phone numbers or addresses: contacts are shared only when both sides accept."),
        validators=[no_contact_details],
    )

    class Meta:
        model = Need
        fields = [
            "kind", "city", "district_slug", "destination", "date_from", "date_to",
            "adults", "children", "elderly", "pets", "women_only", "step_free", "disability",
            "languages", "free_only", "max_price", "host_preference", "min_tier", "notes",
        ]
        labels = {
            "kind": _("What do you need?"),
            "date_from": _("From"),
            "date_to": _("Until"),
            "women_only": _("The adults are women only"),
            "step_free": _("Step-free access needed"),
            "disability": _("Someone has a disability"),
            "free_only": _("Free only"),
            "host_preference": _("Who may host you"),
            "min_tier": _("Lowest host verification you accept"),
        }
        widgets = {
            **date_widgets(),
            "host_preference": forms.RadioSelect,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        people = sum(data.get(key) or 0 for key in ("adults", "children", "elderly"))
        if all(key in data for key in ("adults", "children", "elderly")) and people == 0:
            self.add_error(
                "adults", ValidationError(_("A party needs at least one person."), code="party_empty")
            )
        if data.get("kind") == NeedKind.TRANSPORT and not data.get("destination"):
            self.add_error(
                "destination", ValidationError(_("Where do you need to go?"), code="destination_required")
            )
        if data.get("kind") != NeedKind.TRANSPORT:
            data["destination"] = None  # only a ride goes somewhere; the field is hidden otherwise
        if not data.get("free_only") and data.get("max_price") is None and "max_price" not in self.errors:
            self.add_error(
                "max_price",
                ValidationError(_("Give the most you can pay, or tick “Free only”."), code="price_required"),
            )
        if data.get("free_only"):
            data["max_price"] = None
        return data


class OfferForm(DatesAndPlaceMixin):
    city = CityField(label=_("City"))
    destination = CityField(label=_("Destination (for rides)"), required=False)
    languages = forms.MultipleChoiceField(
        choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Languages spoken"),
    )
    capacity = forms.IntegerField(min_value=1, max_value=MAX_CAPACITY, initial=1, label=_("Places or seats"))
    price_per_night = forms.IntegerField(
        min_value=0, max_value=MAX_PRICE, initial=0, label=_("Price per night (tenge, 0 = free)")
    )
    title = forms.CharField(max_length=120, label=_("Short title"), validators=[no_contact_details])
    notes = forms.CharField(
        max_length=NOTES_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label=_("House rules and notes"),
        help_text=_("No phone numbers or exact address: contacts are shared only when both sides accept."),
        validators=[no_contact_details],
    )
    # Organisations' shelters only: a public venue may say where it is (not a private home).
    address = forms.CharField(
        max_length=ADDRESS_MAX, required=False, label=_("Address of the shelter (optional)"),
        help_text=_("Organisations only: a public venue may publish its street address. No phone numbers."),
        validators=[no_contact_details],
    )
    directions = forms.CharField(
        max_length=NOTES_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label=_("How to get there (optional)"),
        help_text=_("Buses, landmarks, which door to use at night. No phone numbers."),
        validators=[no_contact_details],
    )

    class Meta:
        model = Offer
        fields = [
            "kind", "service_kind", "title", "host_kind", "city", "district_slug", "destination",
            "date_from", "date_to", "capacity", "exclusive", "pets_ok", "children_ok", "smoking",
            "step_free", "languages", "price_per_night", "notes", "address", "directions",
        ]
        labels = {
            "kind": _("What do you offer?"),
            "service_kind": _("Kind of service"),
            "host_kind": _("Who hosts"),
            "date_from": _("From"),
            "date_to": _("Until"),
            "exclusive": _("For one party only (not shared with other guests)"),
            "pets_ok": _("Pets welcome"),
            "children_ok": _("Children welcome"),
            "smoking": _("Smoking allowed"),
            "step_free": _("Step-free access"),
        }
        widgets = date_widgets()

    def __init__(self, *args: Any, role: str = Role.HOST, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = OFFER_KINDS_BY_ROLE.get(role, ())
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        kind_field.choices = [(k, label) for k, label in OfferKind.choices if k in allowed]
        if role == Role.ORGANISATION:
            self.fields["host_kind"].initial = HostKind.ORGANISATION
        else:  # not shown to private hosts; still refused in clean() if sent
            del self.fields["address"]
            del self.fields["directions"]
        self.role = role
        self.fields["service_kind"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == OfferKind.RIDE and not data.get("destination"):
            self.add_error(
                "destination", ValidationError(_("Where does the ride go?"), code="destination_required")
            )
        if kind == OfferKind.SERVICE and not data.get("service_kind"):
            self.add_error(
                "service_kind", ValidationError(_("Choose the kind of service."), code="service_kind_required")
            )
        if kind != OfferKind.SERVICE:
            data["service_kind"] = ""
        if kind == OfferKind.SHELTER:
            data["host_kind"] = HostKind.ORGANISATION
        if kind not in (OfferKind.RIDE,):
            data["destination"] = None
        self._clean_address(kind)
        capacity = data.get("capacity")
        instance: Offer = self.instance
        if instance.pk and instance.is_shelter and capacity is not None:
            occupied = instance.capacity - (instance.free_places or 0)
            if capacity < occupied:
                self.add_error(
                    "capacity",
                    ValidationError(
                        _("More people are checked in than this capacity; check them out first."),
                        code="capacity_below_occupied",
                    ),
                )
        return data


    def _clean_address(self, kind: str | None) -> None:
        """Only an organisation's shelter may publish where it is: a private host's home
        stays a city and a district, whatever the request (web, API or bot) sends."""
        sent = any(str(self.data.get(self.add_prefix(name)) or "").strip() for name in ("address", "directions"))
        if self.role != Role.ORGANISATION:
            if sent:
                self.add_error(
                    None,
                    ValidationError(
                        _("Only organisations may publish an address; a private home shows its city and district only."),
                        code="address_organisations_only",
                    ),
                )
            return
        if kind != OfferKind.SHELTER:
            if sent:
                self.add_error(
                    "address",
                    ValidationError(_("Only a shelter may publish its address."), code="address_shelters_only"),
                )
            self.cleaned_data["address"] = ""
            self.cleaned_data["directions"] = ""


class NeedCloseForm(HavenForm):
    reason = forms.ChoiceField(choices=NeedCloseReason.choices, label=_("Why are you closing it?"))


class ShelterCountForm(HavenForm):
    count = forms.IntegerField(min_value=1, max_value=MAX_CAPACITY, initial=1, label=_("How many people"))


# The arrival windows a walk-in may choose, in hours (capped by HAVEN_SHELTER_HOLD_HOURS).
HOLD_HOURS_CHOICES = (1, 2, 3, 4, 6, 8, 12, 24)


class ShelterHoldForm(HavenForm):
    """"Ask for a place here": the party and when it will arrive. A request of the
    seeker's may prefill it (``need``: its public id, checked by the view)."""

    adults = forms.IntegerField(min_value=0, max_value=MAX_PARTY_MEMBERS, initial=1, label=_("Adults"))
    children = forms.IntegerField(min_value=0, max_value=MAX_PARTY_MEMBERS, initial=0, label=_("Children"))
    elderly = forms.IntegerField(min_value=0, max_value=MAX_PARTY_MEMBERS, initial=0, label=_("Elderly people"))
    pets = forms.IntegerField(min_value=0, max_value=MAX_PETS, initial=0, label=_("Pets"))
    hours = forms.TypedChoiceField(coerce=int, label=_("We will arrive"))
    need = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = max(1, int(settings.HAVEN_SHELTER_HOLD_HOURS))
        hours = sorted({h for h in HOLD_HOURS_CHOICES if h < longest} | {longest})
        field = cast(forms.TypedChoiceField, self.fields["hours"])
        field.choices = [
            (h, ngettext("within %(count)d hour", "within %(count)d hours", h) % {"count": h}) for h in hours
        ]
        field.initial = longest

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(key in data for key in ("adults", "children", "elderly")) and not (
            data["adults"] + data["children"] + data["elderly"]
        ):
            self.add_error("adults", ValidationError(_("A party needs at least one person."), code="party_empty"))
        return data


class ArrivalCodeForm(HavenForm):
    code = forms.CharField(
        max_length=20, label=_("Arrival code"), help_text=_("The eight digits the arriving party shows you.")
    )


class OfferFilterForm(HavenForm):
    """The browse filters. Unknown values are errors, not silently ignored."""

    city = CityField(required=False, label=_("City"), empty_label=_("All cities"))
    kind = forms.ChoiceField(
        choices=[("", _("Everything")), *list(OfferKind.choices)], required=False, label=_("Kind")
    )
    pets = forms.BooleanField(required=False, label=_("Pets welcome"))
    children = forms.BooleanField(required=False, label=_("Children welcome"))
    step_free = forms.BooleanField(required=False, label=_("Step-free access"))
    free = forms.BooleanField(required=False, label=_("Free only"))
    language = forms.ChoiceField(
        choices=[("", _("Any language")), *list(Language.choices)], required=False, label=_("Language")
    )


__all__ = [
    "ArrivalCodeForm",
    "HostPreference",
    "NeedCloseForm",
    "NeedForm",
    "OfferFilterForm",
    "OfferForm",
    "ShelterCountForm",
    "ShelterHoldForm",
    "Tier",
]
