from __future__ import annotations

import hashlib
from typing import Any, Literal

from django.core.cache import cache
from django.db.models import Model
from django.http import Http404
from django.utils import translation
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from haven.accounts import services as account_services
from haven.accounts.forms import SignupForm
from haven.accounts.models import User
from haven.accounts.pseudonyms import generate_pseudonym
from haven.accounts.types import AuthedRequest
from haven.aid import selectors, services
from haven.aid.enums import OFFER_STATUS_ACTIONS
from haven.aid.forms import NeedCloseForm, NeedForm, OfferFilterForm, OfferForm, ShelterCountForm
from haven.aid.models import Need, Offer
from haven.api import errors
from haven.api.auth import AUTH
from haven.api.borders import router as borders_router
from haven.api.schemas import (
    CityOut,
    ContactChannelIn,
    ContactChannelOut,
    ContactsIO,
    CountIn,
    EndIn,
    ErrorOut,
    MeOut,
    NeedCloseIn,
    NeedIn,
    NeedOut,
    OfferIn,
    OfferOut,
    OfferStatusIn,
    PlaceOut,
    ProposalOut,
    PseudonymOut,
    RevealOut,
    ShelterCountOut,
    SignupIn,
    SignupOut,
)
from haven.core import ratelimit
from haven.core.errors import HavenError
from haven.core.listings import CACHE_SECONDS, listings_version
from haven.geo.models import City
from haven.geo.names import by_name
from haven.matching import selectors as matching_selectors
from haven.matching import services as matching
from haven.matching.enums import EndReason
from haven.matching.models import Proposal
from haven.privacy import services as privacy
from haven.privacy.enums import AccessKind
from haven.privacy.forms import ContactsForm
from haven.safety import services as safety_services
from haven.safety.enums import ReportReason, TargetKind

api = NinjaAPI(
    title="Haven API",
    version="1",
    description=(
        "Needs, offers and shelters. Authenticate with `Authorization: Bearer <token>` "
        "(create a token on your account page) or the site's session. Errors are "
        '`{"code", "message", "fields"}` with stable codes; messages follow Accept-Language.'
    ),
    urls_namespace="api",
    auth=AUTH,
)
errors.install(api)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# Routes under a rate limit (P6) also answer 429 {"code": "rate_limited", ...}.
LIMITED: dict[int, Any] = {**ERRORS, 429: ErrorOut}


def _by_account(request: AuthedRequest) -> str:
    return f"user:{request.user.pk}"


def _place(obj: Need | Offer) -> PlaceOut:
    return PlaceOut(
        city=obj.city.slug,
        city_name=obj.city.name,
        district=obj.district.slug if obj.district else None,
        district_name=obj.district.name if obj.district else None,
    )


def need_out(need: Need) -> dict[str, Any]:
    return {
        "id": need.public_id, "kind": need.kind, "status": need.status, "place": _place(need),
        "destination": need.destination.slug if need.destination else None,
        "date_from": need.date_from, "date_to": need.date_to, "adults": need.adults,
        "children": need.children, "elderly": need.elderly, "pets": need.pets,
        "women_only": need.women_only, "step_free": need.step_free, "disability": need.disability,
        "languages": need.languages, "free_only": need.free_only, "max_price": need.max_price,
        "host_preference": need.host_preference, "min_tier": need.min_tier, "notes": need.notes,
        "on_behalf": need.on_behalf, "confirmed_at": need.confirmed_at, "created_at": need.created_at,
    }


def offers_out(offers: Any) -> list[dict[str, Any]]:
    """Several offers, their shelters' held places counted in one query."""
    rows = list(offers)
    matching_selectors.shelter_places(offers=rows)
    return [offer_out(o) for o in rows]


def offer_out(offer: Offer) -> dict[str, Any]:
    if offer.is_shelter and not hasattr(offer, "free_now"):
        matching_selectors.shelter_places(offers=[offer])
    return {
        "id": offer.public_id, "kind": offer.kind, "service_kind": offer.service_kind,
        "title": offer.title, "host_kind": offer.host_kind, "host_tier": offer.owner.tier,
        "place": _place(offer), "destination": offer.destination.slug if offer.destination else None,
        "date_from": offer.date_from, "date_to": offer.date_to, "capacity": offer.capacity,
        "free_places": offer.free_places, "shelter_status": offer.shelter_status,
        "held_places": getattr(offer, "held", None), "free_now": getattr(offer, "free_now", None),
        "venue_address": offer.address, "venue_directions": offer.directions,
        "exclusive": offer.exclusive, "pets_ok": offer.pets_ok, "children_ok": offer.children_ok,
        "smoking": offer.smoking, "step_free": offer.step_free, "languages": offer.languages,
        "price_per_night": offer.price_per_night, "notes": offer.notes, "status": offer.status,
        "confirmed_at": offer.confirmed_at,
    }


def _current(instance: Model, form_class: type[NeedForm] | type[OfferForm]) -> dict[str, Any]:
    """An instance's values in the shape its form accepts, for partial updates."""
    data: dict[str, Any] = {}
    for name in form_class._meta.fields or ():
        if name == "district_slug":
            district = getattr(instance, "district", None)
            data["district_slug"] = district.slug if district else ""
        elif name in ("city", "destination"):
            city = getattr(instance, name) if getattr(instance, f"{name}_id") else None
            data[name] = city.slug if city else ""
        else:
            value = getattr(instance, name)
            data[name] = "" if value is None else value
    return data


# API names that differ from the form's field names.
API_TO_FORM = {"district": "district_slug", "venue_address": "address", "venue_directions": "directions"}


def _form_data(payload: NeedIn | OfferIn, base: dict[str, Any]) -> dict[str, Any]:
    """The payload over ``base`` (the current values, or a new object's defaults)."""
    data = dict(base)
    for key, value in payload.model_dump(exclude_unset=True).items():
        key = API_TO_FORM.get(key, key)
        data[key] = "" if value is None else value
    # An unticked checkbox is an absent key, exactly as a browser sends it.
    return {k: v for k, v in data.items() if v is not False}


accounts = Router(tags=["accounts"])


@accounts.get("/pseudonym", response=PseudonymOut, auth=None)
def suggest_pseudonym(request: AuthedRequest) -> dict[str, str]:
    """A fresh pseudonym suggestion; nothing is reserved."""
    return {"pseudonym": generate_pseudonym()}


@accounts.post("/signup", response={201: SignupOut, **LIMITED}, auth=None)
def signup(request: AuthedRequest, payload: SignupIn) -> Status[dict[str, Any]]:
    """Create a pseudonymous account and an API token. The recovery code and the token
    are shown only in this response."""
    form = SignupForm(data={"username": payload.pseudonym, "password": payload.password, "role": payload.role})
    if not form.is_valid():
        raise errors.FormInvalid(form)
    ratelimit.limit("signup", account_services.address_key(request))
    user, code = account_services.user_signup(
        username=form.cleaned_data["username"],
        password=form.cleaned_data["password"],
        role=form.cleaned_data["role"],
        language=getattr(request, "LANGUAGE_CODE", "ru"),
    )
    _token, raw = account_services.api_token_create(user=user, name="signup")
    return Status(201, {"pseudonym": user.username, "role": user.role, "recovery_code": code, "token": raw})


@accounts.get("/me", response={200: MeOut, **ERRORS})
def me(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    return {
        "pseudonym": user.username, "role": user.role, "added_role": user.added_role, "tier": user.tier,
        "language": user.language, "regions": [r.code for r in user.regions.all()],
    }


geo = Router(tags=["geography"])


@geo.get("/cities", response=list[CityOut], auth=None)
def cities(request: AuthedRequest) -> list[dict[str, Any]]:
    return [
        {
            "slug": c.slug, "name": c.name, "region": c.region_id, "lat": c.lat, "lon": c.lon,
            "districts": [{"slug": d.slug, "name": d.name} for d in by_name(c.districts.all())],
        }
        for c in by_name(City.objects.prefetch_related("districts"))
    ]


offers = Router(tags=["offers"])


@offers.get("", response={200: list[OfferOut], **LIMITED}, auth=None)
@paginate(LimitOffsetPagination)
def offer_list(
    request: AuthedRequest,
    city: str = "",
    kind: str = "",
    pets: bool = False,
    children: bool = False,
    step_free: bool = False,
    free: bool = False,
    language: str = "",
) -> Any:
    """Browse listed offers, newest confirmation first. Coarse location only. Limited per
    client address (`rate_limited`, 429)."""
    ratelimit.limit("browse", account_services.address_key(request))
    form = OfferFilterForm(
        data={k: v for k, v in {
            "city": city, "kind": kind, "pets": pets, "children": children,
            "step_free": step_free, "free": free, "language": language,
        }.items() if v}
    )
    if not form.is_valid():
        raise errors.FormInvalid(form)
    # Everyone browsing sees the same list: it is built once per filter and language every
    # few seconds, under the listings version every change moves on (haven.core.listings).
    filters = sorted((k, str(getattr(v, "slug", v))) for k, v in form.cleaned_data.items())
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
    key = f"api:offers:{listings_version()}:{translation.get_language()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = offers_out(selectors.offer_browse(**form.cleaned_data))
        cache.set(key, found, timeout=CACHE_SECONDS)
    return found


@offers.get("/mine", response={200: list[OfferOut], **ERRORS})
def offer_mine(request: AuthedRequest) -> list[dict[str, Any]]:
    return offers_out(selectors.offers_of(user=request.user).select_related("owner"))


@offers.post("", response={201: OfferOut, **LIMITED})
def offer_create(request: AuthedRequest, payload: OfferIn) -> Status[dict[str, Any]]:
    form = OfferForm(data=_form_data(payload, _current(Offer(), OfferForm)), role=request.user.offer_role)
    if not form.is_valid():
        raise errors.FormInvalid(form)
    ratelimit.limit("offer", _by_account(request))
    offer = services.offer_create(owner=request.user, data=form.cleaned_data)
    return Status(201, offer_out(offer))


@offers.get("/{offer_id}", response={200: OfferOut, **ERRORS})
def offer_get(request: AuthedRequest, offer_id: str) -> dict[str, Any]:
    offer = selectors.offer_get_visible(viewer=request.user, public_id=offer_id)
    if offer is None:
        raise Http404
    return offer_out(offer)


def _editable_offer(request: AuthedRequest, offer_id: str) -> Offer:
    offer = selectors.offer_get_editable(user=request.user, public_id=offer_id)
    if offer is None:
        raise Http404
    return offer


@offers.patch("/{offer_id}", response={200: OfferOut, **ERRORS})
def offer_update(request: AuthedRequest, offer_id: str, payload: OfferIn) -> dict[str, Any]:
    offer = _editable_offer(request, offer_id)
    data = _form_data(payload, _current(offer, OfferForm))
    form = OfferForm(data=data, instance=offer, role=offer.owner.offer_role)
    if data.get("kind") != offer.kind:
        raise HavenError("not_editable")
    if not form.is_valid():
        raise errors.FormInvalid(form)
    offer = services.offer_update(offer=offer, data=form.cleaned_data)
    return offer_out(offer)




@offers.post("/{offer_id}/status", response={200: OfferOut, **ERRORS})
def offer_status(request: AuthedRequest, offer_id: str, payload: OfferStatusIn) -> dict[str, Any]:
    offer = _editable_offer(request, offer_id)
    if payload.action not in OFFER_STATUS_ACTIONS:
        raise HavenError("invalid")
    services.offer_set_status(offer=offer, status=OFFER_STATUS_ACTIONS[payload.action])
    return offer_out(offer)


@offers.post("/{offer_id}/confirm", response={200: OfferOut, **ERRORS})
def offer_confirm(request: AuthedRequest, offer_id: str) -> dict[str, Any]:
    offer = _editable_offer(request, offer_id)
    services.offer_confirm(offer=offer)
    return offer_out(offer)


def _shelter(request: AuthedRequest, offer_id: str, payload: CountIn, direction: str) -> dict[str, Any]:
    offer = _editable_offer(request, offer_id)
    form = ShelterCountForm(data={"count": payload.count})
    if not form.is_valid():
        raise errors.FormInvalid(form)
    move = services.shelter_check_in if direction == "in" else services.shelter_check_out
    free = move(offer=offer, by=request.user, count=form.cleaned_data["count"])
    return {"free_places": free, "shelter_status": offer.shelter_status}


@offers.post("/{offer_id}/check-in", response={200: ShelterCountOut, **ERRORS})
def shelter_check_in(request: AuthedRequest, offer_id: str, payload: CountIn) -> dict[str, Any]:
    """Check people into a shelter; fails with `shelter_full` rather than overbooking."""
    return _shelter(request, offer_id, payload, "in")


@offers.post("/{offer_id}/check-out", response={200: ShelterCountOut, **ERRORS})
def shelter_check_out(request: AuthedRequest, offer_id: str, payload: CountIn) -> dict[str, Any]:
    return _shelter(request, offer_id, payload, "out")


needs = Router(tags=["needs"])


@needs.get("", response={200: list[NeedOut], **ERRORS})
@paginate(LimitOffsetPagination)
def need_list(request: AuthedRequest, status: str = "") -> Any:
    """Your own needs; for a coordinator also the needs of their regions."""
    return [need_out(n) for n in selectors.need_list_visible(viewer=request.user, status=status)]


@needs.post("", response={201: NeedOut, **LIMITED})
def need_create(request: AuthedRequest, payload: NeedIn) -> Status[dict[str, Any]]:
    form = NeedForm(data=_form_data(payload, _current(Need(), NeedForm)))
    if not form.is_valid():
        raise errors.FormInvalid(form)
    ratelimit.limit("need", _by_account(request))
    need = services.need_create(owner=request.user, data=form.cleaned_data)
    return Status(201, need_out(need))


def _need(request: AuthedRequest, need_id: str) -> Need:
    need = selectors.need_get_visible(viewer=request.user, public_id=need_id)
    if need is None:
        raise Http404
    privacy.access_log_opened(request=request, kind=AccessKind.NEED, public_id=need.public_id)  # P7 read audit
    return need


@needs.get("/{need_id}", response={200: NeedOut, **ERRORS})
def need_get(request: AuthedRequest, need_id: str) -> dict[str, Any]:
    return need_out(_need(request, need_id))


@needs.patch("/{need_id}", response={200: NeedOut, **ERRORS})
def need_update(request: AuthedRequest, need_id: str, payload: NeedIn) -> dict[str, Any]:
    need = _need(request, need_id)
    form = NeedForm(data=_form_data(payload, _current(need, NeedForm)), instance=need)
    if not form.is_valid():
        raise errors.FormInvalid(form)
    return need_out(services.need_update(need=need, data=form.cleaned_data))


@needs.post("/{need_id}/close", response={200: NeedOut, **ERRORS})
def need_close(request: AuthedRequest, need_id: str, payload: NeedCloseIn) -> dict[str, Any]:
    need = _need(request, need_id)
    form = NeedCloseForm(data={"reason": payload.reason})
    if not form.is_valid():
        raise errors.FormInvalid(form)
    services.need_close(need=need, reason=form.cleaned_data["reason"])
    return need_out(need)


@needs.post("/{need_id}/confirm", response={200: NeedOut, **ERRORS})
def need_confirm(request: AuthedRequest, need_id: str) -> dict[str, Any]:
    need = _need(request, need_id)
    services.need_confirm(need=need)
    return need_out(need)


proposals = Router(tags=["proposals"])


def _help_desk(p: Proposal) -> dict[str, Any] | None:
    region = p.need.city.region
    if not region.has_desk:
        return None
    return {
        "name": region.desk_name, "address": region.desk_address, "hours": region.desk_hours,
        "phone": region.desk_phone, "demo": region.desk_is_demo,
    }


def proposal_out(p: Proposal, viewer: User, channel: str | None = None) -> dict[str, Any]:
    side = "seeker" if p.need.owner_id == viewer.pk else "host" if p.offer.owner_id == viewer.pk else "coordinator"
    need = p.need
    return {
        "id": p.public_id, "status": p.status, "rank": p.rank, "places": p.places,
        "offer": offer_out(p.offer), "my_side": side, "created_at": p.created_at,
        "answer_by": p.answer_by, "help_desk": _help_desk(p),
        "my_contact_channel": channel if channel is not None else privacy.contacts_channel(user=viewer),
        "party": {
            "adults": need.adults, "children": need.children, "elderly": need.elderly, "pets": need.pets,
            "date_from": need.date_from, "date_to": need.date_to, "languages": need.languages,
        },
    }


def _proposal(request: AuthedRequest, proposal_id: str, side: str) -> Proposal:
    """The proposal if the caller is on ``side`` (seeker, host, either); else 404."""
    proposal = matching_selectors.proposal_get_visible(viewer=request.user, public_id=proposal_id)
    if proposal is None:
        raise Http404
    mine = matching.proposal_side(proposal=proposal, user=request.user)
    if side != "any" and not (mine and side in (mine, "either")):
        raise Http404
    privacy.access_log_opened(request=request, kind=AccessKind.PROPOSAL, public_id=proposal.public_id)  # P7 read audit
    return proposal


@proposals.get("", response={200: list[ProposalOut], **ERRORS})
@paginate(LimitOffsetPagination)
def proposal_list(request: AuthedRequest) -> Any:
    """Proposals for my needs, and those for my offers that a seeker has chosen."""
    channel = privacy.contacts_channel(user=request.user)
    rows = matching_selectors.proposals_of(user=request.user)
    return [proposal_out(p, request.user, channel) for p in rows]


@proposals.get("/{proposal_id}", response={200: ProposalOut, **ERRORS})
def proposal_get(request: AuthedRequest, proposal_id: str) -> dict[str, Any]:
    return proposal_out(_proposal(request, proposal_id, "any"), request.user)


@proposals.post("/{proposal_id}/end", response={200: ProposalOut, **ERRORS})
def proposal_end(request: AuthedRequest, proposal_id: str, payload: EndIn) -> dict[str, Any]:
    proposal = _proposal(request, proposal_id, "either")
    if payload.reason not in EndReason.values:
        raise HavenError("invalid")
    matching.proposal_end(proposal=proposal, reason=payload.reason, by=request.user)
    proposal.refresh_from_db()
    return proposal_out(proposal, request.user)


@proposals.post("/{proposal_id}/contacts", response={200: ContactsIO, **LIMITED})
def proposal_contacts(request: AuthedRequest, proposal_id: str) -> dict[str, Any]:
    """The other side's contacts, once both accepted. Every call is logged and shown to
    the owner of the contacts. Read the safety guidance first (see /proposals/<id>/contacts/)."""
    proposal = _proposal(request, proposal_id, "either")
    ratelimit.limit("reveal", _by_account(request))
    contacts = matching.proposal_contacts(proposal=proposal, viewer=request.user)
    return {"phone": contacts.phone, "telegram": contacts.telegram, "email": contacts.email}


@proposals.post("/{proposal_id}/{action}", response={200: ProposalOut, **ERRORS})
def proposal_act(
    request: AuthedRequest, proposal_id: str, action: str, require_contact_channel: bool = False
) -> dict[str, Any]:
    """pick / decline (the seeker), accept / refuse / no-show (the host), moved-in (either).

    Picking or accepting while the caller has no way to be reached (`my_contact_channel`
    is `none`: no contacts saved and the coordinator desk not chosen) still works, as it
    always did; with `require_contact_channel=true` it is refused instead with 409
    `no_contact_channel` and nothing changes. Save contacts (PUT /accounts/contacts) or
    choose the desk (PUT /accounts/contact-channel) first."""
    if action not in matching.PROPOSAL_ACTIONS:
        raise Http404
    proposal = _proposal(request, proposal_id, matching.PROPOSAL_ACTIONS[action][0])
    if (
        require_contact_channel
        and action in matching.COMMITTING_ACTIONS
        and privacy.contacts_channel(user=request.user) == privacy.Channel.NONE
    ):
        raise HavenError("no_contact_channel")
    matching.proposal_act(proposal=proposal, user=request.user, action=action)
    proposal.refresh_from_db()
    return proposal_out(proposal, request.user)


@accounts.get("/contacts", response={200: ContactsIO, **ERRORS})
def my_contacts(request: AuthedRequest) -> dict[str, Any]:
    c = privacy.contacts_get_own(user=request.user)
    return {"phone": c.phone, "telegram": c.telegram, "email": c.email}


@accounts.put("/contacts", response={200: ContactsIO, **ERRORS})
def set_my_contacts(request: AuthedRequest, payload: ContactsIO) -> dict[str, Any]:
    form = ContactsForm(data=payload.model_dump())
    if not form.is_valid():
        raise errors.FormInvalid(form)
    privacy.contacts_set(user=request.user, contacts=privacy.Contacts(**form.cleaned_data))
    return dict(form.cleaned_data)


@accounts.get("/contact-channel", response={200: ContactChannelOut, **ERRORS})
def my_contact_channel(request: AuthedRequest) -> dict[str, Any]:
    """How I can be reached once both sides accept: contacts, desk or none."""
    return {"channel": privacy.contacts_channel(user=request.user)}


@accounts.put("/contact-channel", response={200: ContactChannelOut, **ERRORS})
def set_my_contact_channel(request: AuthedRequest, payload: ContactChannelIn) -> dict[str, Any]:
    """Choose (via_desk=true) or stop choosing the region's coordinator desk as the way to
    reach me. Stores no contact; saved contacts, if any, still come first."""
    privacy.contacts_choose_desk(user=request.user, via_desk=payload.via_desk)
    return {"channel": privacy.contacts_channel(user=request.user)}


@accounts.get("/reveals", response={200: list[RevealOut], **ERRORS})
def my_reveals(request: AuthedRequest) -> list[dict[str, Any]]:
    """Who has seen my contacts, and when."""
    return [{"viewer": r.viewer.username, "at": r.at} for r in privacy.reveals_of(owner=request.user)]


class PasswordIn(Schema):
    password: str = Field(max_length=200)


class ReportIn(Schema):
    target_kind: TargetKind
    target_id: str = Field(max_length=16)
    reason: ReportReason
    note: str = Field(default="", max_length=1000)


class ReportOut(Schema):
    id: str
    status: str


@accounts.delete("/me", response={204: None, **ERRORS})
def delete_me(request: AuthedRequest, payload: PasswordIn) -> Status[None]:
    """Delete my data now (P5): confirm with the password; the account and everything
    it posted are erased at once, contacts crypto-shredded. Wrong passwords count
    towards the login lockout."""
    account_services.user_confirm_password(
        user=request.user, password=payload.password, address=account_services.client_address(request)
    )
    safety_services.person_erase(user=request.user)
    return Status(204, None)


reports = Router(tags=["safety"])


@reports.post("", response={201: ReportOut, **ERRORS})
def report_create(request: AuthedRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    """Report an offer, a request, a proposal, a border report or an account (P4) to the
    coordinators of its region. The reported person is never told who reported them."""
    report = safety_services.report_submit(
        reporter=request.user, target_kind=payload.target_kind, target_public_id=payload.target_id,
        reason=payload.reason, note=payload.note,
    )
    return Status(201, {"id": report.public_id, "status": report.status})


class BlockIn(Schema):
    target_kind: Literal["proposal", "offer", "need"]
    target_id: str = Field(max_length=16)


class BlockOut(Schema):
    created: bool
    proposals_withdrawn: int


blocks = Router(tags=["safety"])


@blocks.post("", response={200: BlockOut, 201: BlockOut, **ERRORS})
def block_create(request: AuthedRequest, payload: BlockIn) -> Status[dict[str, Any]]:
    """Block the other side of a proposal, or the owner of an offer or request you can
    see (P4): proposals between you that have not started are withdrawn at once, and you
    are never proposed to each other again. The blocked person is never told. Idempotent:
    201 the first time, 200 (`created: false`) after."""
    outcome = safety_services.block_create(
        blocker=request.user, target_kind=payload.target_kind, target_public_id=payload.target_id
    )
    body = {"created": outcome.created, "proposals_withdrawn": outcome.proposals_withdrawn}
    return Status(201 if outcome.created else 200, body)


api.add_router("/accounts", accounts)
api.add_router("/blocks", blocks)
api.add_router("/reports", reports)
api.add_router("/", geo)
api.add_router("/offers", offers)
api.add_router("/needs", needs)
api.add_router("/proposals", proposals)
api.add_router("/border", borders_router)

__all__ = ["api"]
