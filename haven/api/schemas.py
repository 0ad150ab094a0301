from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field


class ErrorItem(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[ErrorItem]] = {}


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PlaceOut(Schema):
    city: str
    city_name: str
    district: str | None = None
    district_name: str | None = None


class DistrictOut(Schema):
    slug: str
    name: str


class CityOut(Schema):
    slug: str
    name: str
    region: str
    lat: float
    lon: float
    districts: list[DistrictOut]


class NeedIn(Strict):
    kind: str | None = None
    city: str | None = Field(None, description="City slug from /api/cities")
    district: str | None = Field(None, description="District slug within the city")
    destination: str | None = Field(None, description="City slug, for transport")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    adults: int | None = None
    children: int | None = None
    elderly: int | None = None
    pets: int | None = None
    women_only: bool | None = None
    step_free: bool | None = None
    disability: bool | None = None
    languages: list[str] | None = None
    free_only: bool | None = None
    max_price: int | None = None
    host_preference: str | None = None
    min_tier: int | None = None
    notes: str | None = Field(None, max_length=5000)


class NeedOnBehalfIn(NeedIn):
    behalf_reference: str = Field("", max_length=80)


class NeedOut(Schema):
    id: str
    kind: str
    status: str
    place: PlaceOut
    destination: str | None
    date_from: dt.date
    date_to: dt.date
    adults: int
    children: int
    elderly: int
    pets: int
    women_only: bool
    step_free: bool
    disability: bool
    languages: list[str]
    free_only: bool
    max_price: int | None
    host_preference: str
    min_tier: int
    notes: str
    on_behalf: bool
    confirmed_at: dt.datetime
    created_at: dt.datetime


class NeedCloseIn(Strict):
    reason: str


class OfferIn(Strict):
    kind: str | None = None
    service_kind: str | None = None
    title: str | None = Field(None, max_length=500)
    host_kind: str | None = None
    city: str | None = None
    district: str | None = None
    destination: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    capacity: int | None = None
    exclusive: bool | None = None
    pets_ok: bool | None = None
    children_ok: bool | None = None
    smoking: bool | None = None
    step_free: bool | None = None
    languages: list[str] | None = None
    price_per_night: int | None = None
    notes: str | None = Field(None, max_length=5000)
    venue_address: str | None = Field(None, max_length=500, description="organisations' shelters only")
    venue_directions: str | None = Field(None, max_length=5000, description="organisations' shelters only")


class OfferOut(Schema):
    """Coarse public information only: never contact details, never a private address
    (`venue_address` is only what an organisation published for its shelter, a public venue).
    Shelters: `free_places` are the places not checked in, `held_places` those kept for
    arriving parties (walk-in holds and proposals), `free_now` what anyone can still have."""

    id: str
    kind: str
    service_kind: str
    title: str
    host_kind: str
    host_tier: int
    place: PlaceOut
    destination: str | None
    date_from: dt.date
    date_to: dt.date
    capacity: int
    free_places: int | None
    held_places: int | None
    free_now: int | None
    shelter_status: str | None
    venue_address: str
    venue_directions: str
    exclusive: bool
    pets_ok: bool
    children_ok: bool
    smoking: bool
    step_free: bool
    languages: list[str]
    price_per_night: int
    notes: str
    status: str
    confirmed_at: dt.datetime


class OfferStatusIn(Strict):
    action: str = Field(description="pause, resume or close")


class CountIn(Strict):
    count: int = 1


class ShelterCountOut(Schema):
    free_places: int
    shelter_status: str


class SignupIn(Strict):
    pseudonym: str = Field(max_length=100)
    password: str = Field(max_length=200)
    role: str


class SignupOut(Schema):
    pseudonym: str
    role: str
    recovery_code: str
    token: str


class MeOut(Schema):
    pseudonym: str
    role: str
    added_role: str = Field("", description="a second role added later from the site's /me/ page, or empty")
    tier: int
    language: str
    regions: list[str]


class PseudonymOut(Schema):
    pseudonym: str


class PartyOut(Schema):
    adults: int
    children: int
    elderly: int
    pets: int
    date_from: dt.date
    date_to: dt.date
    languages: list[str]


class HelpDeskOut(Schema):
    """A region's coordinator desk: public organisational details, never a person's."""

    name: str
    address: str
    hours: str
    phone: str
    demo: bool = Field(description="true when the desk is invented demo data")


class ContactChannelIn(Strict):
    via_desk: bool = Field(description="true: reach me through the coordinator desk (stores no contact)")


class ContactChannelOut(Schema):
    channel: str = Field(description="contacts, desk or none")


class ProposalOut(Schema):
    id: str
    status: str
    rank: int
    places: int
    offer: OfferOut
    party: PartyOut
    my_side: str = Field(description="seeker, host or coordinator")
    created_at: dt.datetime
    answer_by: dt.datetime | None = Field(
        None, description="When the proposal expires if the awaited side does not answer; null when no answer is awaited."
    )
    my_contact_channel: str = Field(
        "none",
        description=(
            "How the caller can be reached once both accept: `contacts` (phone, Telegram or e-mail saved), "
            "`desk` (chose the region's coordinator desk) or `none`. With `none`, tell the person before "
            "they pick or accept; POST .../pick?require_contact_channel=true refuses with 409 `no_contact_channel`."
        ),
    )
    help_desk: HelpDeskOut | None = Field(None, description="The coordinator desk of the request's region, if listed.")


class EndIn(Strict):
    reason: str


class ContactsIO(Strict):
    phone: str = Field("", max_length=40)
    telegram: str = Field("", max_length=40)
    email: str = Field("", max_length=254)


class RevealOut(Schema):
    viewer: str
    at: dt.datetime
