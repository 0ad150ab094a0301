"""The JSON instance format (docs/matching.md): strict parsing with errors that name the
field, and the result as JSON-ready data."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from ._model import (
    HostKind,
    Instance,
    Need,
    Offer,
    Pair,
    Party,
    Result,
    Tier,
    Weights,
)
from ._problem import InstanceError, compile_problem

FORMAT = "haven.matching/1"
T = TypeVar("T")
_MISSING = object()


class _Obj:
    """A JSON object being read, remembering its path for error messages."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise InstanceError(f"{path}: must be an object")
        self.data: dict[str, Any] = data
        self.path = path
        self.used: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, parse: Callable[[Any, str], T], default: Any = _MISSING) -> T:
        self.used.add(key)
        if key not in self.data or (self.data[key] is None and default is not _MISSING):
            if default is _MISSING:
                raise InstanceError(f"{self.at(key)}: is required")
            out: T = default
            return out
        return parse(self.data[key], self.at(key))

    def done(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise InstanceError(f"{self.at(extra[0])}: unknown field")


def _int(minimum: int, maximum: int | None = None) -> Callable[[Any, str], int]:
    def parse(v: Any, path: str) -> int:
        if (
            isinstance(v, bool)
            or not isinstance(v, int)
            or v < minimum
            or (maximum is not None and v > maximum)
        ):
            span = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            raise InstanceError(f"{path}: must be an integer {span}")
        return v

    return parse


def _num(minimum: float | None = 0.0) -> Callable[[Any, str], float]:
    def parse(v: Any, path: str) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InstanceError(f"{path}: must be a number")
        if minimum is not None and v < minimum:
            raise InstanceError(f"{path}: must be a number >= {minimum:g}")
        return float(v)

    return parse


def _lat(v: Any, path: str) -> float:
    x = _num(None)(v, path)
    if not -90.0 <= x <= 90.0:
        raise InstanceError(f"{path}: must be a latitude between -90 and 90")
    return x


def _lon(v: Any, path: str) -> float:
    x = _num(None)(v, path)
    if not -180.0 <= x <= 180.0:
        raise InstanceError(f"{path}: must be a longitude between -180 and 180")
    return x


def _bool(v: Any, path: str) -> bool:
    if not isinstance(v, bool):
        raise InstanceError(f"{path}: must be true or false")
    return v


def _str(v: Any, path: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise InstanceError(f"{path}: must be a non-empty string")
    return v


def _text(v: Any, path: str) -> str:
    if not isinstance(v, str):
        raise InstanceError(f"{path}: must be a string")
    return v


def _langs(v: Any, path: str) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise InstanceError(f"{path}: must be a list of language codes")
    return tuple(_str(x, f"{path}[{i}]") for i, x in enumerate(v))


def _date(v: Any, path: str) -> date:
    try:
        if isinstance(v, str) and len(v) == 10:
            return date.fromisoformat(v)
    except ValueError:
        pass
    raise InstanceError(f"{path}: must be a date like 2022-09-27")


def _datetime(v: Any, path: str) -> datetime:
    try:
        if isinstance(v, str):
            d = datetime.fromisoformat(v)
            return d if d.tzinfo else d.replace(tzinfo=UTC)
    except ValueError:
        pass
    raise InstanceError(f"{path}: must be a date-time like 2022-09-27T12:00:00+00:00")


def _tier(v: Any, path: str) -> Tier:
    if isinstance(v, str) and v.upper() in Tier.__members__:
        return Tier[v.upper()]
    if isinstance(v, int) and not isinstance(v, bool) and v in {t.value for t in Tier}:
        return Tier(v)
    names = ", ".join(t.name.lower() for t in Tier)
    raise InstanceError(f"{path}: must be one of {names} (or 0, 1, 2)")


def _kind(v: Any, path: str) -> HostKind:
    try:
        return HostKind(v)
    except ValueError:
        names = ", ".join(k.value for k in HostKind)
        raise InstanceError(f"{path}: must be one of {names}") from None


def _party(v: Any, path: str) -> Party:
    o = _Obj(v, path)
    party = Party(
        adults=o.get("adults", _int(0)),
        children=o.get("children", _int(0), 0),
        elderly=o.get("elderly", _int(0), 0),
        pets=o.get("pets", _int(0), 0),
        disabled=o.get("disabled", _int(0), 0),
    )
    o.done()
    if party.size == 0:
        raise InstanceError(f"{path}: must have at least one person")
    if party.disabled > party.size:
        raise InstanceError(f"{o.at('disabled')}: cannot exceed the party's size")
    return party


def _need(v: Any, path: str) -> Need:
    o = _Obj(v, path)
    need = Need(
        id=o.get("id", _str),
        party=o.get("party", _party),
        city=o.get("city", _str),
        lat=o.get("lat", _lat),
        lon=o.get("lon", _lon),
        date_from=o.get("date_from", _date),
        date_to=o.get("date_to", _date),
        waiting_since=o.get("waiting_since", _datetime),
        max_distance_km=o.get("max_distance_km", _num(), 30.0),
        min_nights=o.get("min_nights", _int(1), None),
        budget_per_night=o.get("budget_per_night", _num(), None),
        min_tier=o.get("min_tier", _tier, Tier.SELF_DECLARED),
        languages=o.get("languages", _langs, ()),
        accessibility=o.get("accessibility", _bool, False),
        women_children_only=o.get("women_children_only", _bool, False),
        unaccompanied_minors=o.get("unaccompanied_minors", _bool, False),
        allow_any_host=o.get("allow_any_host", _bool, False),
        women_hosts_only=o.get("women_hosts_only", _bool, False),
        collective_only=o.get("collective_only", _bool, False),
        no_smoking=o.get("no_smoking", _bool, False),
        prefers_collective=o.get("prefers_collective", _bool, False),
    )
    o.done()
    if need.date_to <= need.date_from:
        raise InstanceError(f"{o.at('date_to')}: must be after date_from")
    if need.unaccompanied_minors and need.party.adults:
        raise InstanceError(f"{o.at('unaccompanied_minors')}: the party has adults")
    return need


def _offer(v: Any, path: str) -> Offer:
    o = _Obj(v, path)
    offer = Offer(
        id=o.get("id", _str),
        capacity=o.get("capacity", _int(1)),
        city=o.get("city", _str),
        lat=o.get("lat", _lat),
        lon=o.get("lon", _lon),
        date_from=o.get("date_from", _date),
        date_to=o.get("date_to", _date),
        host_kind=o.get("host_kind", _kind),
        tier=o.get("tier", _tier, Tier.SELF_DECLARED),
        exclusive=o.get("exclusive", _bool, False),
        district=o.get("district", _text, ""),
        price_per_night=o.get("price_per_night", _num(), 0.0),
        pets_allowed=o.get("pets_allowed", _bool, False),
        children_allowed=o.get("children_allowed", _bool, True),
        accessible=o.get("accessible", _bool, False),
        smoking=o.get("smoking", _bool, False),
        languages=o.get("languages", _langs, ()),
    )
    o.done()
    if offer.date_to <= offer.date_from:
        raise InstanceError(f"{o.at('date_to')}: must be after date_from")
    return offer


def _pair(v: Any, path: str) -> Pair:
    o = _Obj(v, path)
    pair = Pair(need=o.get("need", _str), offer=o.get("offer", _str))
    o.done()
    return pair


def _weights(v: Any, path: str) -> Weights:
    o = _Obj(v, path)
    values = {f.name: o.get(f.name, _num(), f.default) for f in fields(Weights)}
    o.done()
    return Weights(**values)


def _prices(v: Any, path: str) -> dict[str, float]:
    if not isinstance(v, dict):
        raise InstanceError(f"{path}: must be an object of offer id to price")
    return {str(k): _num()(x, f"{path}.{k}") for k, x in v.items()}


def _list(item: Callable[[Any, str], T]) -> Callable[[Any, str], tuple[T, ...]]:
    def parse(v: Any, path: str) -> tuple[T, ...]:
        if not isinstance(v, list):
            raise InstanceError(f"{path}: must be a list")
        return tuple(item(x, f"{path}[{i}]") for i, x in enumerate(v))

    return parse


def instance_from_dict(data: Any) -> Instance:
    """Parse and check an instance; raises :class:`InstanceError` naming the field."""
    o = _Obj(data, "")
    fmt = o.get("format", _str, FORMAT)
    if fmt != FORMAT:
        raise InstanceError(f"format: must be {FORMAT!r}")
    instance = Instance(
        now=o.get("now", _datetime),
        needs=o.get("needs", _list(_need)),
        offers=o.get("offers", _list(_offer)),
        locked=o.get("locked", _list(_pair), ()),
        forbidden=o.get("forbidden", _list(_pair), ()),
        weights=o.get("weights", _weights, Weights()),
        prices=o.get("prices", _prices, None),
    )
    o.done()
    for kind, ids in (
        ("needs", [n.id for n in instance.needs]),
        ("offers", [o.id for o in instance.offers]),
    ):
        seen: set[str] = set()
        for i, id_ in enumerate(ids):
            if id_ in seen:
                raise InstanceError(f"{kind}[{i}].id: duplicate id {id_!r}")
            seen.add(id_)
    compile_problem(instance)  # dangling or over-capacity locks, unknown ids
    if instance.prices:
        known = {x.id for x in instance.offers}
        for oid in instance.prices:
            if oid not in known:
                raise InstanceError(f"prices.{oid}: unknown offer")
    return instance


def load_instance(path: str | Path) -> Instance:
    """Read an instance from a JSON file; raises :class:`InstanceError` on any problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InstanceError(f"{path}: is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    return instance_from_dict(data)


def result_to_dict(result: Result) -> dict[str, Any]:
    """The plan, bound and certificate as JSON-ready data."""
    return {
        "format": FORMAT,
        "plan": [
            {"need": a.need, "offer": a.offer, "weight": a.weight} for a in result.assignments
        ],
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "proven_optimal": result.proven_optimal,
        "people_housed": result.people_housed,
        "flagged_for_coordinator": list(result.flagged),
        "method": result.method,
        "first_plan_s": result.first_plan_s,
        "final_plan_s": result.final_plan_s,
        "certificate": {
            "kind": "lagrangian",
            "prices": dict(result.certificate.prices),
            "lagrangian_bound": result.certificate.lagrangian_bound,
            "mip_bound": result.certificate.mip_bound,
        },
    }


def certificate_from_dict(data: Mapping[str, Any]) -> dict[str, float]:
    return _prices(data.get("prices", {}), "certificate.prices")
