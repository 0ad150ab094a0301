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
    """Upsert every row of the data file. ``models`` resolves names to model classes
    (``django.apps.apps`` or a migration's historical ``apps``). Returns counts."""
    data = data if data is not None else read_geography()
    Country = models.get_model("geo", "Country")
    Region = models.get_model("geo", "Region")
    City = models.get_model("geo", "City")
    District = models.get_model("geo", "District")
    Checkpoint = models.get_model("geo", "Checkpoint")
    for c in data["countries"]:
        Country.objects.update_or_create(
            code=c["code"], defaults={"name_en": c["name_en"], "name_ru": c["name_ru"]}
        )
    for r in data["regions"]:
        Region.objects.update_or_create(
            code=r["code"],
            defaults={"country_id": r["country"], "name_en": r["name_en"], "name_ru": r["name_ru"]},
        )
    for c in data["cities"]:
        city, _ = City.objects.update_or_create(
            slug=c["slug"],
            defaults={
                "region_id": c["region"],
                "name_en": c["name_en"],
                "name_ru": c["name_ru"],
                "lat": c["lat"],
                "lon": c["lon"],
            },
        )
        for d in c.get("districts", []):
            District.objects.update_or_create(
                city=city, slug=d["slug"], defaults={"name_en": d["name_en"], "name_ru": d["name_ru"]}
            )
    for p in data["checkpoints"]:
        checkpoint, _ = Checkpoint.objects.update_or_create(
            slug=p["slug"],
            defaults={
                "name_en": p["name_en"],
                "name_ru": p["name_ru"],
                "counterpart_en": p.get("counterpart_en") or "",
                "counterpart_ru": p.get("counterpart_ru") or "",
                "region_id": p.get("region"),
                "type": p["type"],
                "modes": p.get("modes", []),
                "directions": p.get("directions", []),
                "lat": p["lat"],
                "lon": p["lon"],
                "official_url": p.get("official_url") or "",
                "busy_2022": bool(p.get("busy_2022")),
                "note": p.get("note") or "",
            },
        )
        checkpoint.countries.set(p["countries"])
    return {
        "countries": len(data["countries"]),
        "regions": len(data["regions"]),
        "cities": len(data["cities"]),
        "checkpoints": len(data["checkpoints"]),
    }
