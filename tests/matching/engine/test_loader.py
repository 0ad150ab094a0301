"""The JSON instance format: a malformed or inconsistent instance gets a clear error that
names the field, never a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from haven.matching.engine import (
    HostKind,
    InstanceError,
    Tier,
    instance_from_dict,
    load_instance,
    result_to_dict,
    solve,
    verify_certificate,
)

VALID: dict[str, Any] = {
    "format": "haven.matching/1",
    "now": "2022-09-27T12:00:00+00:00",
    "needs": [
        {
            "id": "family",
            "party": {"adults": 2, "children": 2, "pets": 1},
            "city": "Uralsk",
            "lat": 51.23,
            "lon": 51.37,
            "date_from": "2022-09-27",
            "date_to": "2022-10-04",
            "waiting_since": "2022-09-25T08:00:00+00:00",
            "languages": ["ru"],
        },
        {
            "id": "mother",
            "party": {"adults": 1, "children": 1},
            "city": "Uralsk",
            "lat": 51.23,
            "lon": 51.37,
            "date_from": "2022-09-27",
            "date_to": "2022-09-30",
            "waiting_since": "2022-09-27T08:00:00+00:00",
            "women_children_only": True,
            "min_tier": "vouched",
        },
        {
            "id": "boys",
            "party": {"adults": 0, "children": 2},
            "city": "Uralsk",
            "lat": 51.23,
            "lon": 51.37,
            "date_from": "2022-09-27",
            "date_to": "2022-09-30",
            "waiting_since": "2022-09-27T08:00:00+00:00",
            "unaccompanied_minors": True,
        },
    ],
    "offers": [
        {
            "id": "cinema",
            "capacity": 60,
            "city": "Uralsk",
            "lat": 51.22,
            "lon": 51.38,
            "date_from": "2022-09-20",
            "date_to": "2022-11-01",
            "host_kind": "organisation",
            "tier": "checked",
            "pets_allowed": True,
        },
        {
            "id": "flat",
            "capacity": 2,
            "exclusive": True,
            "city": "Uralsk",
            "lat": 51.24,
            "lon": 51.36,
            "date_from": "2022-09-20",
            "date_to": "2022-11-01",
            "host_kind": "man",
            "price_per_night": 5000,
        },
    ],
}


def broken(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def test_a_valid_instance_loads_with_defaults() -> None:
    instance = instance_from_dict(VALID)
    mother = instance.needs[1]
    assert mother.min_tier is Tier.VOUCHED
    assert mother.max_distance_km == 30.0
    assert mother.budget_per_night is None
    assert instance.offers[0].host_kind is HostKind.ORGANISATION
    assert instance.offers[1].children_allowed is True


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["needs", 0, "party", "adults"], -1, "needs[0].party.adults: must be an integer >= 0"),
        (["needs", 0, "party", "adults"], "2", "needs[0].party.adults: must be an integer >= 0"),
        (["needs", 0, "party", "adults"], True, "needs[0].party.adults: must be an integer >= 0"),
        (["needs", 1, "city"], KeyError, "needs[1].city: is required"),
        (["needs", 1, "colour"], "red", "needs[1].colour: unknown field"),
        (["needs", 0, "date_to"], "2022-09-26", "needs[0].date_to: must be after date_from"),
        (
            ["needs", 0, "date_from"],
            "27/09/2022",
            "needs[0].date_from: must be a date like 2022-09-27",
        ),
        (["needs", 0, "lat"], 91, "needs[0].lat: must be a latitude between -90 and 90"),
        (["needs", 0, "budget_per_night"], -5, "needs[0].budget_per_night: must be a number >= 0"),
        (
            ["needs", 0, "min_tier"],
            "trusted",
            "needs[0].min_tier: must be one of self_declared, vouched, checked (or 0, 1, 2)",
        ),
        (["needs", 0, "party"], {"adults": 0}, "needs[0].party: must have at least one person"),
        (["needs", 0, "languages"], "ru", "needs[0].languages: must be a list of language codes"),
        (["needs", 2, "party", "adults"], 1, "needs[2].unaccompanied_minors: the party has adults"),
        (["needs", 1, "id"], "family", "needs[1].id: duplicate id 'family'"),
        (["offers", 1, "capacity"], 0, "offers[1].capacity: must be an integer >= 1"),
        (
            ["offers", 0, "host_kind"],
            "alien",
            "offers[0].host_kind: must be one of woman, family, couple, man, organisation",
        ),
        (
            ["offers", 0, "price_per_night"],
            float("nan"),
            "offers[0].price_per_night: must be a number",
        ),
        (["needs"], {}, "needs: must be a list"),
        (["now"], KeyError, "now: is required"),
        (["format"], "other/2", "format: must be 'haven.matching/1'"),
        (["locked"], [{"need": "ghost", "offer": "flat"}], "locked[0].need: unknown need 'ghost'"),
        (
            ["locked"],
            [{"need": "family", "offer": "flat"}],
            "locked[0].offer: offer 'flat' is over capacity with its locked needs",
        ),
        (
            ["forbidden"],
            [{"need": "family", "offer": "hotel"}],
            "forbidden[0].offer: unknown offer 'hotel'",
        ),
        (["weights"], {"child": "a lot"}, "weights.child: must be a number"),
        (["prices"], {"hotel": 1.0}, "prices.hotel: unknown offer"),
    ],
)
def test_a_broken_instance_names_the_field(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(InstanceError) as caught:
        instance_from_dict(broken(path, value))
    assert str(caught.value) == message


def test_a_file_that_is_not_json_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"needs": [}')
    with pytest.raises(InstanceError, match=r"bad.json: invalid JSON at line 1"):
        load_instance(bad)
    with pytest.raises(InstanceError, match=r"missing.json: cannot be read"):
        load_instance(tmp_path / "missing.json")
    top = tmp_path / "list.json"
    top.write_text("[]")
    with pytest.raises(InstanceError, match=r"^: must be an object$"):
        load_instance(top)


def test_a_file_solves_to_a_checkable_plan(tmp_path: Path) -> None:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(VALID))
    instance = load_instance(path)
    result = solve(instance)
    out = result_to_dict(result)
    # the mother goes to the shelter (not the man's flat), the minors to a coordinator
    assert {(a["need"], a["offer"]) for a in out["plan"]} == {
        ("family", "cinema"),
        ("mother", "cinema"),
    }
    assert out["flagged_for_coordinator"] == ["boys"]
    assert out["proven_optimal"] is True
    assert out["bound"] >= out["objective"]
    assert json.loads(json.dumps(out)) == out
    assert verify_certificate(instance, result.certificate) == pytest.approx(
        out["certificate"]["lagrangian_bound"]
    )
