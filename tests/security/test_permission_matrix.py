"""The permission matrix: every role × every page or API operation on needs, offers,
proposals, shelters, border reports and abuse reports × an object that is the viewer's
own, another person's in the viewer's region, or another person's in another region.
Every cell is asserted: the status code, and for writes whether the object changed (for
reads of a public page, whether the object shows).

Roles: anonymous, seeker, host, organisation, coordinator (of Uralsk's region, West
Kazakhstan, whose checkpoints include Syrym). "Another" objects are in Uralsk or at
Syrym, "other region" objects in Almaty or at Kurmangazy (Atyrau's region). A role owns
only what it can post: a seeker no offer, a host or an organisation no request, only an
organisation a shelter, a coordinator no proposal; nobody "owns" a checkpoint.

Border reports are never listed to their authors, and there is no "delete my report"
(only "stop my running clock", and erasure of the whole account): the one place an
individual report is shown is the moderation list on its checkpoint's page, to the
coordinators of the checkpoint's region. So only its reporter and those coordinators may
open anything about a report; for everyone else it does not exist (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.borders.helpers import submit_timed
from tests.factories import clean, offer_form
from tests.security.conftest import chosen_proposal, post_need, post_offer

ROLES = ("anonymous", "seeker", "host", "organisation", "coordinator")
RELATIONS = ("own", "another", "other_region")
# Who can own what (see the module docstring); "own" cells exist only for these.
OWNERS = {
    "need": {"seeker", "coordinator"},
    "offer": {"host", "organisation", "coordinator"},
    "proposal": {"seeker", "host", "organisation"},
    "shelter": {"organisation"},
    "border_report": {"seeker", "host", "organisation", "coordinator"},
    "clock": {"seeker", "host", "organisation", "coordinator"},
    "checkpoint": set(),
}
CHECKPOINTS = {"own": "syrym", "another": "syrym", "other_region": "kurmangazy"}
MATRIX_SIZE = 435


@dataclass(frozen=True)
class Op:
    name: str
    kind: str  # a key of OWNERS
    api: bool
    # what the op does: (client, object) -> response
    call: Callable[[Any, Any], Any]
    # who may: (role, relation) -> bool
    allows: Callable[[str, str], bool]
    # for writes: did it change? (state before, state now) -> bool
    changed: Callable[[Any, Any], bool] | None = None
    # the state compared by `changed`; by default the object read again
    state: Callable[[Any], Any] | None = None
    # the status when allowed; by default 200 for reads and the API, 302 for web forms
    ok: int | None = None
    # the status when not allowed: a number, or (role, relation) -> number
    refused: int | Callable[[str, str], int] = 404
    # a public page: anonymous visitors get it too (200), and `allows` says whether the
    # object shows on it
    public: bool = False
    # the API answers with the object itself
    returns_id: bool = False


# ----- who may ---------------------------------------------------------------------------------


def personal(role: str, relation: str) -> bool:
    """Needs (and changing offers, shelters): the owner, and a coordinator of the object's region."""
    return relation == "own" or (relation == "another" and role == "coordinator")


def anyone(role: str, relation: str) -> bool:
    return True


def anyone_logged_in(role: str, relation: str) -> bool:
    return role != "anonymous"


def proposal_party_or_coordinator(role: str, relation: str) -> bool:
    return relation == "own" or (relation == "another" and role == "coordinator")


def host_side(role: str, relation: str) -> bool:
    return relation == "own" and role in ("host", "organisation")


def coordinator_of_the_region(role: str, relation: str) -> bool:
    return role == "coordinator" and relation == "another"


def moderator(role: str, relation: str) -> bool:
    """A coordinator of the report's checkpoint's region: their own report too."""
    return role == "coordinator" and relation in ("own", "another")


def own_only(role: str, relation: str) -> bool:
    return relation == "own"


# ----- refusals that are not a 404 -----------------------------------------------------------------


def own_refused_in_the_form(status: int) -> Callable[[str, str], int]:
    """Reporting one's own target: the form answers with a message (web 200, API 403);
    anything else one cannot see is a 404."""
    return lambda role, relation: status if relation == "own" else 404


def own_report_refused(role: str, relation: str) -> int:
    """Moderating a border report one can see but may not act on (one's own) answers with
    a message and a redirect; a report one cannot see is a 404."""
    return 302 if relation == "own" else 404


# ----- states -----------------------------------------------------------------------------------


def _confirmed_later(before: Any, now: Any) -> bool:
    return bool(now.confirmed_at > before.confirmed_at)


def _more(before: int, now: int) -> bool:
    return now > before


def _reports_about(obj: Any) -> int:
    from haven.safety.models import Report

    return Report.objects.filter(target_public_id=obj.public_id).count()


def _border_reports_at(checkpoint: Any) -> int:
    from haven.borders.models import BorderReport

    return BorderReport.objects.filter(checkpoint=checkpoint).count()


def _decisions_at(checkpoint: Any) -> int:
    from haven.borders.models import FlagDecision

    return FlagDecision.objects.filter(checkpoint=checkpoint).count()


def _still_there(obj: Any) -> bool:
    return bool(type(obj).objects.filter(pk=obj.pk).exists())


def _author_frozen(report: Any) -> bool:
    from haven.accounts.models import User

    return User.objects.get(pk=report.reporter_id).frozen_at is not None


def _free_places(offer: Any) -> int:
    return int(type(offer).objects.values_list("free_places", flat=True).get(pk=offer.pk))


def _report_body(kind: str, obj: Any) -> dict[str, str]:
    return {"target_kind": kind, "target_id": obj.public_id, "reason": "spam"}


JSON = "application/json"
QUEUE_FORM = {
    "action": "queue", "queue-direction": "entry", "queue-mode": "car", "queue-at_checkpoint": "on",
    "queue-vehicles_ahead": "40",
}
FLAG_DECISION = {"direction": "entry", "flag": "closed", "verdict": "refute"}

OPS = [
    # needs
    Op("web: open a request", "need", False, lambda c, o: c.get(f"/needs/{o.public_id}/"), personal),
    Op("web: open a request's edit form", "need", False, lambda c, o: c.get(f"/needs/{o.public_id}/edit/"), personal),
    Op("web: confirm a request", "need", False, lambda c, o: c.post(f"/needs/{o.public_id}/confirm/"), personal,
       _confirmed_later),
    Op("web: close a request", "need", False,
       lambda c, o: c.post(f"/needs/{o.public_id}/close/", {"reason": "not_needed"}), personal,
       lambda b, n: n.status == "closed"),
    Op("api: read a request", "need", True, lambda c, o: c.get(f"/api/needs/{o.public_id}"), personal, returns_id=True),
    Op("api: confirm a request", "need", True, lambda c, o: c.post(f"/api/needs/{o.public_id}/confirm"), personal,
       _confirmed_later, returns_id=True),
    Op("api: change a request", "need", True,
       lambda c, o: c.patch(f"/api/needs/{o.public_id}", {"notes": "changed"}, content_type=JSON),
       personal, lambda b, n: n.notes == "changed", returns_id=True),
    # reporting a request (P4): whoever sees it, except its owner
    Op("web: open the report form for a request", "need", False, lambda c, o: c.get(f"/needs/{o.public_id}/report/"),
       personal),
    Op("web: report a request", "need", False,
       lambda c, o: c.post(f"/needs/{o.public_id}/report/", {"reason": "spam"}), coordinator_of_the_region,
       _more, _reports_about, refused=own_refused_in_the_form(200)),
    Op("api: report a request", "need", True, lambda c, o: c.post("/api/reports", _report_body("need", o), content_type=JSON),
       coordinator_of_the_region, _more, _reports_about, ok=201, refused=own_refused_in_the_form(403)),
    # offers
    # A listed offer is public (issue #11): anonymous visitors see the list's facts of it.
    Op("web: open an offer", "offer", False, lambda c, o: c.get(f"/offers/{o.public_id}/"), anyone, public=True),
    Op("web: open an offer's edit form", "offer", False, lambda c, o: c.get(f"/offers/{o.public_id}/edit/"), personal),
    Op("web: pause an offer", "offer", False, lambda c, o: c.post(f"/offers/{o.public_id}/pause/"), personal,
       lambda b, n: n.status == "paused"),
    Op("web: confirm an offer", "offer", False, lambda c, o: c.post(f"/offers/{o.public_id}/confirm/"), personal,
       _confirmed_later),
    Op("api: read an offer", "offer", True, lambda c, o: c.get(f"/api/offers/{o.public_id}"), anyone_logged_in,
       returns_id=True),
    Op("api: change an offer", "offer", True,
       lambda c, o: c.patch(f"/api/offers/{o.public_id}", {"notes": "changed"}, content_type=JSON),
       personal, lambda b, n: n.notes == "changed", returns_id=True),
    Op("api: pause an offer", "offer", True,
       lambda c, o: c.post(f"/api/offers/{o.public_id}/status", {"action": "pause"}, content_type=JSON),
       personal, lambda b, n: n.status == "paused", returns_id=True),
    # shelter counts (N3): the organisation, and coordinators of the shelter's region
    Op("web: check people into a shelter", "shelter", False,
       lambda c, o: c.post(f"/offers/{o.public_id}/shelter/in/", {"count": "2"}), personal,
       lambda b, n: n == b - 2, _free_places),
    Op("web: check people out of a shelter", "shelter", False,
       lambda c, o: c.post(f"/offers/{o.public_id}/shelter/out/", {"count": "2"}), personal,
       lambda b, n: n == b + 2, _free_places),
    Op("api: check people into a shelter", "shelter", True,
       lambda c, o: c.post(f"/api/offers/{o.public_id}/check-in", {"count": 2}, content_type=JSON), personal,
       lambda b, n: n == b - 2, _free_places),
    Op("api: check people out of a shelter", "shelter", True,
       lambda c, o: c.post(f"/api/offers/{o.public_id}/check-out", {"count": 2}, content_type=JSON), personal,
       lambda b, n: n == b + 2, _free_places),
    # proposals (the seeker has picked, so the host may see it)
    Op("web: open a proposal", "proposal", False, lambda c, o: c.get(f"/proposals/{o.public_id}/"),
       proposal_party_or_coordinator),
    Op("api: read a proposal", "proposal", True, lambda c, o: c.get(f"/api/proposals/{o.public_id}"),
       proposal_party_or_coordinator, returns_id=True),
    Op("api: refuse a proposal as the host", "proposal", True, lambda c, o: c.post(f"/api/proposals/{o.public_id}/refuse"),
       host_side, lambda b, n: n.status == "declined_host", returns_id=True),
    Op("web: refuse a proposal as the host", "proposal", False,
       lambda c, o: c.post(f"/proposals/{o.public_id}/refuse/"), host_side, lambda b, n: n.status == "declined_host"),
    # border reports at a checkpoint (B2): anyone logged in, anywhere
    Op("web: send a border report", "checkpoint", False, lambda c, o: c.post(f"/border/{o.slug}/report/", QUEUE_FORM),
       anyone_logged_in, _more, _border_reports_at),
    Op("api: send a border report", "checkpoint", True,
       lambda c, o: c.post("/api/border/reports", {"checkpoint": o.slug, "kind": "queue", "direction": "entry",
                                                   "mode": "car", "vehicles_ahead": 40}, content_type=JSON),
       anyone_logged_in, _more, _border_reports_at, ok=201),
    Op("web: stop a running clock", "clock", False,
       lambda c, o: c.post(f"/border/{o.checkpoint.slug}/report/", {"action": "cancel"}), own_only,
       lambda b, n: b and not n, _still_there, refused=302),  # it stops the caller's own clock only
    # moderation (B3): the coordinators of the checkpoint's region
    Op("web: see a border report on its checkpoint's page", "border_report", False,
       lambda c, o: c.get(f"/border/{o.checkpoint.slug}/"), moderator, public=True),
    Op("web: decide a flag", "checkpoint", False, lambda c, o: c.post(f"/border/{o.slug}/flags/", FLAG_DECISION),
       coordinator_of_the_region, _more, _decisions_at, refused=302),  # a public page: refused with a message
    Op("web: hide a border report", "border_report", False,
       lambda c, o: c.post(f"/border/reports/{o.public_id}/hide/"), moderator,
       lambda b, n: b.hidden_at is None and n.hidden_at is not None, refused=own_report_refused),
    Op("web: freeze a border report's author", "border_report", False,
       lambda c, o: c.post(f"/border/reports/{o.public_id}/freeze/"), coordinator_of_the_region,
       lambda b, n: not b and n, _author_frozen, refused=own_report_refused),
    # reporting a border report (P4): whoever sees it, except its author
    Op("web: open the report form for a border report", "border_report", False,
       lambda c, o: c.get(f"/border/reports/{o.public_id}/report/"),
       lambda role, relation: relation == "own" or coordinator_of_the_region(role, relation)),
    Op("web: report a border report", "border_report", False,
       lambda c, o: c.post(f"/border/reports/{o.public_id}/report/", {"reason": "spam"}), coordinator_of_the_region,
       _more, _reports_about, refused=own_refused_in_the_form(200)),
    Op("api: report a border report", "border_report", True,
       lambda c, o: c.post("/api/reports", _report_body("border_report", o), content_type=JSON),
       coordinator_of_the_region, _more, _reports_about, ok=201, refused=own_refused_in_the_form(403)),
]

def _cells() -> list[Any]:
    cells = []
    for op in OPS:
        for role in ROLES:
            for relation in RELATIONS:
                if relation == "own" and role not in OWNERS[op.kind]:
                    continue
                if relation == "own" and role == "anonymous":
                    continue
                if op.kind == "checkpoint" and relation == "own":
                    continue
                cells.append(pytest.param(op, role, relation, id=f"{op.name}|{role}|{relation}"))
    return cells


def test_the_matrix_size_is_recorded() -> None:
    """435 cells: 35 operations (276 web cells, 159 API cells) over 5 roles × own/another's/
    another region's, less the "own" cells of what a role cannot own. The 18 operations of
    the first matrix keep their 180 cells and gain 47 for organisations; the 17 new ones
    (reporting requests and border reports, shelter counts, border reports and their
    moderation) add 208."""
    cells = _cells()
    assert len(cells) == MATRIX_SIZE
    assert len({c.id for c in cells}) == MATRIX_SIZE
    assert len(OPS) == 35


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Border reports are rate-limited per account in the cache; start every cell afresh."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(make_person: Any, uralsk: Any, almaty: Any) -> dict[str, Any]:
    from haven.accounts.services import coordinator_grant

    people = {
        "seeker": make_person("sam"),
        "host": make_person("hana", "host"),
        "organisation": make_person("orla", "organisation", 2),
        "coordinator": make_person("cora"),
        "other_seeker": make_person("olly"),
        "other_host": make_person("omar", "host"),
        "other_organisation": make_person("otto", "organisation", 2),
        "far_seeker": make_person("alma"),
        "far_host": make_person("aziz", "host"),
        "far_organisation": make_person("arman", "organisation", 2),
    }
    coordinator_grant(user=people["coordinator"], regions=[uralsk.region])
    return people


def _shelter(owner: Any, city: str) -> Any:
    """An organisation's shelter of 80 places with 10 people checked in."""
    from haven.aid import services
    from haven.aid.forms import OfferForm
    from haven.aid.models import Offer

    data = offer_form(kind="shelter", title="Cinema floor", capacity="80", host_kind="organisation", city=city)
    shelter = services.offer_create(owner=owner, data=clean(OfferForm, data, role="organisation"))
    Offer.objects.filter(pk=shelter.pk).update(free_places=70)
    return shelter


def _clock(owner: Any, checkpoint: Any) -> Any:
    """A running "I joined the queue" clock."""
    from haven.borders import services
    from haven.borders.forms import JoinForm

    data = clean(JoinForm, {"direction": "entry", "mode": "car"}, checkpoint=checkpoint, reporter=owner)
    return services.report_join(reporter=owner, data=data, limit=False)


def _object(world: dict[str, Any], kind: str, role: str, relation: str) -> Any:
    from haven.geo.models import Checkpoint

    checkpoint = Checkpoint.objects.get(slug=CHECKPOINTS[relation])
    if kind == "checkpoint":
        return checkpoint
    if relation == "own":
        me = world[role]
        if kind == "need":
            return post_need(me)
        if kind == "offer":
            return post_offer(me)
        if kind == "shelter":
            return _shelter(me, "uralsk")
        if kind == "border_report":
            return submit_timed(me, checkpoint, 2)
        if kind == "clock":
            return _clock(me, checkpoint)
        seeker, host = (me, world["other_host"]) if role == "seeker" else (world["other_seeker"], me)
        return chosen_proposal(post_need(seeker), post_offer(host))
    prefix, city = ("other", "uralsk") if relation == "another" else ("far", "almaty")
    if kind == "need":
        return post_need(world[f"{prefix}_seeker"], city=city)
    if kind == "offer":
        return post_offer(world[f"{prefix}_host"], city=city)
    if kind == "shelter":
        return _shelter(world[f"{prefix}_organisation"], city)
    if kind == "border_report":
        return submit_timed(world[f"{prefix}_seeker"], checkpoint, 2)
    if kind == "clock":
        return _clock(world[f"{prefix}_seeker"], checkpoint)
    return chosen_proposal(post_need(world[f"{prefix}_seeker"], city=city), post_offer(world[f"{prefix}_host"], city=city))


def _state(op: Op, obj: Any) -> Any:
    if op.state is not None:
        return op.state(obj)
    return type(obj).objects.get(pk=obj.pk)


@pytest.mark.parametrize(("op", "role", "relation"), _cells())
def test_permission_matrix(op: Op, role: str, relation: str, world: dict[str, Any], client_for: Any, api_for: Any) -> None:
    obj = _object(world, op.kind, role, relation)
    model = type(obj)
    if hasattr(obj, "confirmed_at"):  # so that a confirmation visibly moves it
        model.objects.filter(pk=obj.pk).update(confirmed_at=obj.confirmed_at - dt.timedelta(days=3))
    before = _state(op, obj)
    user = None if role == "anonymous" else world[role]
    client = api_for(user) if op.api else client_for(user)

    response = op.call(client, obj)

    now = _state(op, obj)
    allowed = op.allows(role, relation)
    if op.public:
        assert response.status_code == 200
        assert (obj.public_id in response.content.decode()) is allowed
    elif role == "anonymous":
        if op.api:
            assert response.status_code == 401
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/login/")
        allowed = False
    elif allowed:
        default = 200 if op.api or response.request["REQUEST_METHOD"] == "GET" else 302
        assert response.status_code == (op.ok or default)
    else:
        refused = op.refused(role, relation) if callable(op.refused) else op.refused
        assert response.status_code == refused
    if op.changed is not None:
        assert op.changed(before, now) is allowed
    if allowed and op.returns_id:
        assert response.json()["id"] == obj.public_id
