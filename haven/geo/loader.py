"""Synchronise the geography tables with the checked-in data file (idempotent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "geography.json"


def read_geography(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def sync_geography(models: Any, data: dict[str, Any] | None = None) -> dict[str, int]:
    """Upsert every row of the data file in a few bulk statements (nothing is deleted).
    ``models`` resolves names to model classes (``django.apps.apps`` or a migration's
    historical ``apps``). Returns counts."""
    data = data if data is not None else read_geography()
    Country = models.get_model("geo", "Country")
    Region = models.get_model("geo", "Region")
    City = models.get_model("geo", "City")
    District = models.get_model("geo", "District")
    Checkpoint = models.get_model("geo", "Checkpoint")

    def upsert(model: Any, rows: list[Any], unique: list[str]) -> None:
        fields = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in unique]
        model.objects.bulk_create(rows, update_conflicts=True, unique_fields=unique, update_fields=fields)

    upsert(Country, [Country(code=c["code"], name_en=c["name_en"], name_ru=c["name_ru"]) for c in data["countries"]], ["code"])
    # A migration older than the help desks sees a Region without them: fill only what exists.
    has_desks = any(f.name == "desk_phone" for f in Region._meta.concrete_fields)

    def desk(r: dict[str, Any]) -> dict[str, Any]:
        d = r.get("desk") or {}
        if not has_desks:
            return {}
        return {
            **{f"desk_{key}_{lang}": d.get(key, {}).get(lang, "") for key in ("name", "address", "hours") for lang in ("en", "ru")},
            "desk_phone": d.get("phone", ""), "desk_is_demo": bool(d.get("demo")),
        }

    upsert(
        Region,
        [
            Region(code=r["code"], country_id=r["country"], name_en=r["name_en"], name_ru=r["name_ru"], **desk(r))
            for r in data["regions"]
        ],
        ["code"],
    )
    upsert(
        City,
        [
            City(slug=c["slug"], region_id=c["region"], name_en=c["name_en"], name_ru=c["name_ru"], lat=c["lat"], lon=c["lon"])
            for c in data["cities"]
        ],
        ["slug"],
    )
    city_ids = dict(City.objects.values_list("slug", "id"))
    upsert(
        District,
        [
            District(city_id=city_ids[c["slug"]], slug=d["slug"], name_en=d["name_en"], name_ru=d["name_ru"])
            for c in data["cities"]
            for d in c.get("districts", [])
        ],
        ["city", "slug"],
    )
    upsert(
        Checkpoint,
        [
            Checkpoint(
                slug=p["slug"], name_en=p["name_en"], name_ru=p["name_ru"],
                counterpart_en=p.get("counterpart_en") or "", counterpart_ru=p.get("counterpart_ru") or "",
                region_id=p.get("region"), type=p["type"], modes=p.get("modes", []),
                directions=p.get("directions", []), lat=p["lat"], lon=p["lon"],
                official_url=p.get("official_url") or "", busy_2022=bool(p.get("busy_2022")),
                note=p.get("note") or "",
            )
            for p in data["checkpoints"]
        ],
        ["slug"],
    )
    checkpoint_ids = dict(Checkpoint.objects.values_list("slug", "id"))
    Through = Checkpoint.countries.through
    Through.objects.filter(checkpoint_id__in=checkpoint_ids.values()).delete()
    Through.objects.bulk_create(
        [Through(checkpoint_id=checkpoint_ids[p["slug"]], country_id=code) for p in data["checkpoints"] for code in p["countries"]]
    )
    return {
        "countries": len(data["countries"]),
        "regions": len(data["regions"]),
        "cities": len(data["cities"]),
        "checkpoints": len(data["checkpoints"]),
    }
