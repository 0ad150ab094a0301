"""The permission matrix: every role × every page or API operation on needs, offers and
proposals × an object that is the viewer's own, another person's in the viewer's region,
or another person's in another region. Every cell is asserted: the status code, and for
writes whether the object changed.

Roles: anonymous, seeker, host, coordinator (of Uralsk's region). "Another" objects are
in Uralsk, "other region" objects in Almaty. A seeker owns no offer and a host no
request, so those "own" cells do not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.security.conftest import chosen_proposal, post_need, post_offer

ROLES = ("anonymous", "seeker", "host", "coordinator")
RELATIONS = ("own", "another", "other_region")


@dataclass(frozen=True)
class Op:
    name: str
    kind: str  # need / offer / proposal
    api: bool
    # what the op does: (client, object) -> response
    call: Callable[[Any, Any], Any]
    # who may: (role, relation) -> bool
    allows: Callable[[str, str], bool]
    # for writes: did the object change? (object before, object now) -> bool
    changed: Callable[[Any, Any], bool] | None = None


def personal(role: str, relation: str) -> bool:
    """Needs (and changing offers): the owner, and a coordinator of the object's region."""
    return relation == "own" or (relation == "another" and role == "coordinator")


def anyone_logged_in(role: str, relation: str) -> bool:
    return True


def proposal_party_or_coordinator(role: str, relation: str) -> bool:
    return relation == "own" or (relation == "another" and role == "coordinator")


def host_only(role: str, relation: str) -> bool:
    return relation == "own" and role == "host"


def _confirmed_later(before: Any, now: Any) -> bool:
    return bool(now.confirmed_at > before.confirmed_at)


OPS = [
    # needs
    Op("web: open a request", "need", False, lambda c, o: c.get(f"/needs/{o.public_id}/"), personal),
    Op("web: open a request's edit form", "need", False, lambda c, o: c.get(f"/needs/{o.public_id}/edit/"), personal),
    Op("web: confirm a request", "need", False, lambda c, o: c.post(f"/needs/{o.public_id}/confirm/"), personal,
       _confirmed_later),
    Op("web: close a request", "need", False,
       lambda c, o: c.post(f"/needs/{o.public_id}/close/", {"reason": "not_needed"}), personal,
       lambda b, n: n.status == "closed"),
    Op("api: read a request", "need", True, lambda c, o: c.get(f"/api/needs/{o.public_id}"), personal),
    Op("api: confirm a request", "need", True, lambda c, o: c.post(f"/api/needs/{o.public_id}/confirm"), personal,
       _confirmed_later),
    Op("api: change a request", "need", True,
       lambda c, o: c.patch(f"/api/needs/{o.public_id}", {"notes": "changed"}, content_type="application/json"),
       personal, lambda b, n: n.notes == "changed"),
    # offers
    Op("web: open an offer", "offer", False, lambda c, o: c.get(f"/offers/{o.public_id}/"), anyone_logged_in),
    Op("web: open an offer's edit form", "offer", False, lambda c, o: c.get(f"/offers/{o.public_id}/edit/"), personal),
    Op("web: pause an offer", "offer", False, lambda c, o: c.post(f"/offers/{o.public_id}/pause/"), personal,
       lambda b, n: n.status == "paused"),
    Op("web: confirm an offer", "offer", False, lambda c, o: c.post(f"/offers/{o.public_id}/confirm/"), personal,
       _confirmed_later),
    Op("api: read an offer", "offer", True, lambda c, o: c.get(f"/api/offers/{o.public_id}"), anyone_logged_in),
    Op("api: change an offer", "offer", True,
       lambda c, o: c.patch(f"/api/offers/{o.public_id}", {"notes": "changed"}, content_type="application/json"),
       personal, lambda b, n: n.notes == "changed"),
    Op("api: pause an offer", "offer", True,
       lambda c, o: c.post(f"/api/offers/{o.public_id}/status", {"action": "pause"}, content_type="application/json"),
       personal, lambda b, n: n.status == "paused"),
    # proposals (the seeker has picked, so the host may see it)
    Op("web: open a proposal", "proposal", False, lambda c, o: c.get(f"/proposals/{o.public_id}/"),
       proposal_party_or_coordinator),
    Op("api: read a proposal", "proposal", True, lambda c, o: c.get(f"/api/proposals/{o.public_id}"),
       proposal_party_or_coordinator),
    Op("api: refuse a proposal as the host", "proposal", True, lambda c, o: c.post(f"/api/proposals/{o.public_id}/refuse"),
       host_only, lambda b, n: n.status == "declined_host"),
    Op("web: refuse a proposal as the host", "proposal", False,
       lambda c, o: c.post(f"/proposals/{o.public_id}/refuse/"), host_only, lambda b, n: n.status == "declined_host"),
]


def _cells() -> list[Any]:
    cells = []
    for op in OPS:
        for role in ROLES:
            for relation in RELATIONS:
                if role == "anonymous" and relation == "own":
                    continue
                if relation == "own" and op.kind == "need" and role == "host":
                    continue
                if relation == "own" and op.kind == "offer" and role == "seeker":
                    continue
                if relation == "own" and op.kind == "proposal" and role == "coordinator":
                    continue
                cells.append(pytest.param(op, role, relation, id=f"{op.name}|{role}|{relation}"))
    return cells


@pytest.fixture
def world(make_person: Any, uralsk: Any, almaty: Any) -> dict[str, Any]:
    from haven.accounts.services import coordinator_grant

    people = {
        "seeker": make_person("sam"),
        "host": make_person("hana", "host"),
        "coordinator": make_person("cora"),
        "other_seeker": make_person("olly"),
        "other_host": make_person("omar", "host"),
        "far_seeker": make_person("alma"),
        "far_host": make_person("aziz", "host"),
    }
    coordinator_grant(user=people["coordinator"], regions=[uralsk.region])
    return people


def _object(world: dict[str, Any], kind: str, role: str, relation: str) -> Any:
    if relation == "own":
        me = world[role]
        if kind == "need":
            return post_need(me)
        if kind == "offer":
            return post_offer(me)
        seeker, host = (me, world["other_host"]) if role == "seeker" else (world["other_seeker"], me)
        return chosen_proposal(post_need(seeker), post_offer(host))
    prefix, city = ("other", "uralsk") if relation == "another" else ("far", "almaty")
    if kind == "need":
        return post_need(world[f"{prefix}_seeker"], city=city)
    if kind == "offer":
        return post_offer(world[f"{prefix}_host"], city=city)
    return chosen_proposal(post_need(world[f"{prefix}_seeker"], city=city), post_offer(world[f"{prefix}_host"], city=city))


@pytest.mark.parametrize(("op", "role", "relation"), _cells())
def test_permission_matrix(op: Op, role: str, relation: str, world: dict[str, Any], client_for: Any, api_for: Any) -> None:
    obj = _object(world, op.kind, role, relation)
    model = type(obj)
    if hasattr(obj, "confirmed_at"):  # so that a confirmation visibly moves it
        model.objects.filter(pk=obj.pk).update(confirmed_at=obj.confirmed_at - dt.timedelta(days=3))
    before = model.objects.get(pk=obj.pk)
    user = None if role == "anonymous" else world[role]
    client = api_for(user) if op.api else client_for(user)

    response = op.call(client, obj)

    now = model.objects.get(pk=obj.pk)
    if role == "anonymous":
        if op.api:
            assert response.status_code == 401
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/login/")
        allowed = False
    else:
        allowed = op.allows(role, relation)
        if allowed:
            assert response.status_code in ((200,) if response.request["REQUEST_METHOD"] == "GET" or op.api else (302,))
        else:
            assert response.status_code == 404
    if op.changed is not None:
        assert op.changed(before, now) is allowed
    if allowed and op.api:
        assert response.json()["id"] == obj.public_id
