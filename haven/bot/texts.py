"""What the bot says: every sentence translatable and whole, rendered in the active
language (the caller activates the person's language). Contacts, names, addresses and
free-text notes are never put into a message: proposals are described by their
structured fields only, and contacts are reached through a one-time link to the site."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.accounts.enums import Tier
from haven.accounts.models import User
from haven.aid.enums import (
    HostKind,
    HostPreference,
    Language,
    NeedKind,
    OfferKind,
    OfferStatus,
    ServiceKind,
)
from haven.aid.forms import NeedForm, OfferForm
from haven.aid.models import Offer
from haven.borders.enums import FlagName, FlagStatus, Mode
from haven.borders.forms import direction_labels
from haven.bot.models import SafetyCheckIn
from haven.geo.models import Checkpoint
from haven.matching.enums import ProposalStatus
from haven.matching.models import Proposal

Buttons = list[list[dict[str, str]]]


def button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}


def safety_guidance() -> str:
    return _(
        "Stay safe:\n"
        "• Help through Haven is free. Never pay to be given a place or a ride.\n"
        "• Nobody but an official may take your passport or documents.\n"
        "• Do not travel alone with a stranger; tell someone you trust where you are going.\n"
        "• Haven never gives directions for crossing a border outside a checkpoint.\n"
        "• If something feels wrong, say so: a coordinator will help."
    )


def welcome() -> str:
    return _(
        "Haven helps people on the move find a bed, a ride or advice, and shows the waits at "
        "border checkpoints. You stay pseudonymous: we never ask for your name or phone number, "
        "and contacts are shared only when both sides accept."
    )


def help_text() -> str:
    return _(
        "What I can do:\n"
        "/need — ask for help (a bed, a ride, advice)\n"
        "/offer — offer a place, a ride or a service (hosts and organisations)\n"
        "/offers — pause, resume or close your offers\n"
        "/proposals — see and answer proposals\n"
        "/border — tell others about a border checkpoint: a timer, the queue, rules\n"
        "/board — waiting times at a checkpoint\n"
        "/shelter — check people in and out of your shelter (organisations)\n"
        "/language — change the language\n"
        "/safety — safety advice\n"
        "/cancel — stop what you are doing"
    )


def menu_buttons(user: User) -> Buttons:
    role = user.role
    rows: Buttons = []
    if user.can_ask:
        rows.append([button(_("Ask for help"), "m:need")])
    if user.can_offer:
        rows.append([button(_("Offer help"), "m:offer"), button(_("My offers"), "m:offers")])
    rows.append([button(_("My proposals"), "m:proposals")])
    if role == "organisation":
        rows.append([button(_("Shelter check-in"), "m:shelter")])
    rows.append([button(_("Border report"), "m:border"), button(_("Border waits"), "m:board")])
    return rows


def language_buttons() -> Buttons:
    # Each language is named in itself, so anyone can find their own.
    return [[button("Русский", "l:ru"), button("English", "l:en")]]


def _dates(start: Any, end: Any) -> str:
    return _("from %(start)s to %(end)s") % {
        "start": date_format(start, "SHORT_DATE_FORMAT"),
        "end": date_format(end, "SHORT_DATE_FORMAT"),
    }


def _price(price: int) -> str:
    if not price:
        return _("free")
    return _("%(price)d tenge a night") % {"price": price}


def _place(p: Proposal) -> str:
    offer = p.offer
    where = str(offer.city.name)
    if offer.district is not None:
        where = _("%(city)s, %(district)s") % {
            "city": offer.city.name,
            "district": offer.district.name,
        }
    return _("%(kind)s in %(where)s, %(dates)s, %(price)s.\nHost: %(host)s (%(tier)s).") % {
        "kind": OfferKind(offer.kind).label,
        "where": where,
        "dates": _dates(offer.date_from, offer.date_to),
        "price": _price(offer.price_per_night),
        "host": HostKind(offer.host_kind).label if offer.host_kind else OfferKind(offer.kind).label,
        "tier": Tier(offer.owner.tier).label,
    }


def _party(p: Proposal) -> str:
    need = p.need
    text = ngettext(
        "A party of %(count)d person, %(dates)s.",
        "A party of %(count)d people, %(dates)s.",
        need.people,
    ) % {"count": need.people, "dates": _dates(need.date_from, need.date_to)}
    details = []
    if need.children:
        details.append(
            ngettext("%(count)d child", "%(count)d children", need.children)
            % {"count": need.children}
        )
    if need.elderly:
        details.append(
            ngettext("%(count)d elderly person", "%(count)d elderly people", need.elderly)
            % {"count": need.elderly}
        )
    if need.pets:
        details.append(
            ngettext("%(count)d pet", "%(count)d pets", need.pets) % {"count": need.pets}
        )
    if details:
        text = _("%(party)s Among them: %(details)s.") % {
            "party": text,
            "details": ", ".join(details),
        }
    return text


def proposal_for_seeker(p: Proposal, *, fresh: bool = False) -> tuple[str, Buttons]:
    lines = [_("We found a place for you:")] if fresh else []
    lines.append(_place(p))
    lines.append(_("Status: %(status)s") % {"status": ProposalStatus(p.status).label})
    buttons: Buttons = []
    if p.status == ProposalStatus.PROPOSED:
        buttons = [
            [
                button(_("Choose this place"), f"p:pick:{p.public_id}"),
                button(_("Decline"), f"p:decline:{p.public_id}"),
            ]
        ]
    elif p.status == ProposalStatus.SEEKER_ACCEPTED:
        buttons = [[button(_("Withdraw my choice"), f"p:decline:{p.public_id}")]]
    elif p.status in (ProposalStatus.ACCEPTED, ProposalStatus.MOVED_IN):
        buttons = [[button(_("Get the link to the contacts"), f"p:contacts:{p.public_id}")]]
    return "\n".join(lines), buttons


def proposal_for_host(p: Proposal, *, fresh: bool = False) -> tuple[str, Buttons]:
    lines = [_("A party chose your place:")] if fresh else []
    lines.append(_party(p))
    lines.append(
        _("Your offer: %(kind)s in %(city)s.")
        % {"kind": OfferKind(p.offer.kind).label, "city": p.offer.city.name}
    )
    lines.append(_("Status: %(status)s") % {"status": ProposalStatus(p.status).label})
    buttons: Buttons = []
    if p.status == ProposalStatus.SEEKER_ACCEPTED:
        buttons = [
            [
                button(_("Accept"), f"p:accept:{p.public_id}"),
                button(_("Decline"), f"p:refuse:{p.public_id}"),
            ]
        ]
    elif p.status in (ProposalStatus.ACCEPTED, ProposalStatus.MOVED_IN):
        buttons = [[button(_("Get the link to the contacts"), f"p:contacts:{p.public_id}")]]
    return "\n".join(lines), buttons


def proposal_accepted(p: Proposal) -> tuple[str, Buttons]:
    text = _(
        "Both sides accepted. You can now see each other's contacts on the Haven site. "
        "Before you travel, read the safety advice (/safety)."
    )
    return text, [[button(_("Get the link to the contacts"), f"p:contacts:{p.public_id}")]]


def proposal_reminder(p: Proposal) -> tuple[str, Buttons]:
    text = _("A proposal is waiting for your answer. Without an answer it expires soon.")
    if p.status == ProposalStatus.PROPOSED:
        _body, buttons = proposal_for_seeker(p)
    else:
        _body, buttons = proposal_for_host(p)
    return text, buttons


def proposal_expired(p: Proposal) -> tuple[str, Buttons]:
    return _(
        "A proposal expired because nobody answered in time. We will look for another match."
    ), []


def checkin_question(c: SafetyCheckIn) -> tuple[str, Buttons]:
    text = {
        SafetyCheckIn.Stage.ARRIVAL: _("You have arrived. Are you safe where you are staying?"),
        SafetyCheckIn.Stage.DAY: _("You have stayed one day. Are you safe where you are staying?"),
        SafetyCheckIn.Stage.WEEK: _(
            "You have stayed one week. Are you safe where you are staying?"
        ),
    }[SafetyCheckIn.Stage(c.stage)]
    note = _("Your answer is seen only by coordinators, never by your host.")
    return f"{text}\n{note}", [
        [
            button(_("I am safe"), f"c:safe:{c.token}"),
            button(_("I am not safe"), f"c:unsafe:{c.token}"),
        ]
    ]


def need_kind_buttons() -> Buttons:
    items = [button(str(label), f"n:kind:{value}") for value, label in NeedKind.choices]
    return [items[i : i + 2] for i in range(0, len(items), 2)]


def need_summary(data: dict[str, Any], city_names: dict[str, str]) -> str:
    people = sum(int(data.get(k) or 0) for k in ("adults", "children", "elderly"))
    lines = [
        _("Please check your request:"),
        _("What: %(kind)s") % {"kind": NeedKind(data["kind"]).label},
        _("Where: %(city)s") % {"city": city_names.get(data.get("city", ""), "")},
    ]
    if data.get("destination"):
        lines.append(_("To: %(city)s") % {"city": city_names.get(data["destination"], "")})
    lines.append(
        _("When: %(dates)s")
        % {
            "dates": _("from %(start)s to %(end)s")
            % {"start": data.get("date_from"), "end": data.get("date_to")}
        }
    )
    lines.append(
        ngettext("Party: %(count)d person", "Party: %(count)d people", people) % {"count": people}
    )
    if int(data.get("pets") or 0):
        pets = int(data["pets"])
        lines.append(ngettext("With %(count)d pet", "With %(count)d pets", pets) % {"count": pets})
    if data.get("free_only"):
        lines.append(_("Budget: free only"))
    else:
        lines.append(_("Budget: up to %(price)s tenge a night") % {"price": data.get("max_price")})
    for name in ("women_only", "step_free", "disability"):
        if data.get(name):
            lines.append(str(NeedForm.base_fields[name].label))
    lines.append(_languages(data.get("languages") or []))
    if data.get("host_preference") and data["host_preference"] != HostPreference.ANY:
        lines.append(str(HostPreference(data["host_preference"]).label))
    if "min_tier" in data:
        lines.append(_("Hosts: %(tier)s or higher") % {"tier": Tier(int(data["min_tier"])).label})
    if data.get("notes"):
        # Not echoed: the chat is not the place for free text that may hold personal details.
        lines.append(_("With a short note."))
    return "\n".join(lines)


def _languages(codes: list[str]) -> str:
    names = ", ".join(str(Language(c).label) for c in codes if c in Language.values)
    return _("Languages: %(languages)s") % {"languages": names or "—"}


def offer_summary(data: dict[str, Any], city_names: dict[str, str]) -> str:
    """The offer before it is published. The title and the notes are free text and are
    not repeated in the chat (they may hold personal details)."""
    kind = OfferKind(data["kind"])
    lines = [_("Please check your offer:"), _("What: %(kind)s") % {"kind": kind.label}]
    if data.get("service_kind"):
        lines.append(
            _("Kind of service: %(kind)s") % {"kind": ServiceKind(data["service_kind"]).label}
        )
    if data.get("host_kind") and kind != OfferKind.SHELTER:
        lines.append(_("Who hosts: %(host)s") % {"host": HostKind(data["host_kind"]).label})
    lines.append(_("Where: %(city)s") % {"city": city_names.get(data.get("city", ""), "")})
    if data.get("destination"):
        lines.append(_("To: %(city)s") % {"city": city_names.get(data["destination"], "")})
    lines.append(
        _("When: %(dates)s")
        % {
            "dates": _("from %(start)s to %(end)s")
            % {"start": data.get("date_from"), "end": data.get("date_to")}
        }
    )
    capacity = int(data.get("capacity") or 0)
    lines.append(
        ngettext("%(count)d place or seat", "%(count)d places or seats", capacity)
        % {"count": capacity}
    )
    for name in ("pets_ok", "children_ok", "smoking", "step_free", "exclusive"):
        if data.get(name) and name in OfferForm.base_fields:
            lines.append(str(OfferForm.base_fields[name].label))
    lines.append(_languages(data.get("languages") or []))
    lines.append(_("Price: %(price)s") % {"price": _price(int(data.get("price_per_night") or 0))})
    lines.append(_("With a title (not repeated here)."))
    if data.get("notes"):
        lines.append(_("With a short note."))
    return "\n".join(lines)


def offer_line(offer: Offer) -> str:
    """One of a person's offers, by its structured fields only (no title, no notes)."""
    where = str(offer.city.name)
    if offer.district is not None:
        where = _("%(city)s, %(district)s") % {
            "city": offer.city.name,
            "district": offer.district.name,
        }
    text = _("%(kind)s in %(where)s, %(dates)s, %(price)s.") % {
        "kind": OfferKind(offer.kind).label,
        "where": where,
        "dates": _dates(offer.date_from, offer.date_to),
        "price": _price(offer.price_per_night),
    }
    places = (
        ngettext(
            "%(free)d place of %(capacity)d is free.",
            "%(free)d places of %(capacity)d are free.",
            int(offer.free_places or 0),
        )
        % {"free": int(offer.free_places or 0), "capacity": offer.capacity}
        if offer.is_shelter
        else ngettext("%(count)d place or seat.", "%(count)d places or seats.", offer.capacity)
        % {"count": offer.capacity}
    )
    status = _("Status: %(status)s") % {"status": OfferStatus(offer.status).label}
    return f"{text}\n{places}\n{status}"


def offer_buttons(offer: Offer) -> Buttons:
    """The owner's status buttons, named by the actions of aid.enums.OFFER_STATUS_ACTIONS."""
    if offer.status == OfferStatus.ACTIVE:
        row = [button(_("Pause"), f"o:pause:{offer.public_id}")]
    elif offer.status == OfferStatus.PAUSED:
        row = [button(_("Resume"), f"o:resume:{offer.public_id}")]
    else:
        return []
    return [[*row, button(_("Close"), f"o:close:{offer.public_id}")]]


def _hours(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


def board_text(item: dict[str, Any], checkpoint: Checkpoint) -> str:
    labels = direction_labels(checkpoint)
    lines = [str(checkpoint.name)]
    if checkpoint.counterpart:
        lines[0] = _("%(name)s (opposite: %(counterpart)s)") % {
            "name": checkpoint.name,
            "counterpart": checkpoint.counterpart,
        }
    estimates = item.get("estimates") or []
    for e in estimates:
        reports = ngettext("%(count)d report", "%(count)d reports", e["reports"]) % {
            "count": e["reports"]
        }
        lines.append(
            _("%(direction)s, %(mode)s: about %(wait)s h (%(low)s–%(high)s h), %(reports)s.")
            % {
                "direction": labels.get(e["direction"], e["direction"]),
                "mode": Mode(e["mode"]).label if e["mode"] in Mode.values else e["mode"],
                "wait": _hours(e["wait_h"]),
                "low": _hours(e["low_h"]),
                "high": _hours(e["high_h"]),
                "reports": reports,
            }
        )
    if not estimates:
        lines.append(_("No recent reports for this checkpoint."))
    for f in item.get("flags") or []:
        if f["flag"] not in FlagName.values or f["status"] not in FlagStatus.values:
            continue
        lines.append(
            _("%(flag)s — %(status)s")
            % {"flag": FlagName(f["flag"]).label, "status": FlagStatus(f["status"]).label}
        )
    lines.append(_("Haven never gives directions for crossing a border outside a checkpoint."))
    return "\n".join(lines)

