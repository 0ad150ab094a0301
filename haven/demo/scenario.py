"""A seeded, deterministic demo: a few hundred needs and offers across ten cities, the
shape of the September 2022 arrivals from Russia (mostly men of draft age, many couples
and families, some elderly parents and pets), private hosts, organisations' shelters
(a cinema in Uralsk offering 80 floor places), volunteer drivers, and a demo account
for every role. Everything is written through the services, as a person would."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from haven.accounts import services as accounts
from haven.accounts.enums import Role, Tier
from haven.accounts.models import User
from haven.aid import services as aid
from haven.aid.enums import HostKind, HostPreference, NeedKind, OfferKind
from haven.borders.demo import load_border_demo
from haven.core import clock
from haven.geo.models import City, District, Region
from haven.matching import services as matching
from haven.matching.enums import ProposalStatus
from haven.matching.models import Proposal
from haven.privacy import services as privacy

DEMO_PASSWORD = "haven-demo-2022"
SEED = 2022

# Where people arrived in 2022, weighted by how many (Uralsk via Syrym first).
CITY_WEIGHTS = {
    "uralsk": 22, "kostanay": 12, "petropavl": 12, "aktobe": 10, "astana": 10, "almaty": 10,
    "pavlodar": 7, "semey": 6, "oskemen": 6, "aktau": 5,
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    what: str


DEMO_ACCOUNTS = (
    DemoAccount("demo-seeker", Role.SEEKER, "a family from Saratov looking for a room in Uralsk"),
    DemoAccount("demo-host", Role.HOST, "a host in Uralsk with two offers and a guest party to answer"),
    DemoAccount("demo-cinema", Role.ORGANISATION, "the Uralsk cinema offering 80 floor places"),
    DemoAccount("demo-driver", Role.DRIVER, "a volunteer driver, Uralsk → Aktobe"),
    DemoAccount("demo-coordinator", Role.COORDINATOR, "a coordinator for West Kazakhstan and Aktobe"),
    DemoAccount("demo-admin", Role.ADMIN, "an administrator (everything)"),
)

PARTIES = (
    # (weight, adults, children, elderly, pets, women_only, label)
    (34, 1, 0, 0, 0, False, "single"),
    (14, 2, 0, 0, 0, False, "couple"),
    (10, 2, 1, 0, 0, False, "family1"),
    (8, 2, 2, 0, 0, False, "family2"),
    (5, 2, 3, 0, 0, False, "family3"),
    (6, 1, 1, 0, 0, True, "mother_child"),
    (3, 1, 2, 0, 0, True, "mother_children"),
    (5, 2, 0, 0, 1, False, "couple_dog"),
    (4, 1, 0, 0, 1, False, "single_cat"),
    (4, 2, 0, 2, 0, False, "with_parents"),
    (3, 3, 0, 0, 0, False, "friends"),
    (2, 0, 0, 2, 0, False, "elderly_couple"),
    (2, 1, 0, 0, 0, True, "woman"),
)

NEED_NOTES = (
    "Приехали через Сырым, ищем жильё на первое время.",
    "Нужна комната на неделю, пока оформляем ИИН.",
    "Работаю удалённо, нужен интернет.",
    "С нами собака, спокойная, приучена к квартире.",
    "Мама пожилая, тяжело подниматься по лестнице.",
    "Можем помочь по хозяйству.",
    "Arrived yesterday, need a place for a few nights.",
    "",
    "",
)
OFFER_NOTES = (
    "Диван в гостиной, есть Wi-Fi и стиральная машина.",
    "Отдельная комната, хозяева — семья с двумя детьми.",
    "Квартира свободна, пока мы на даче. Просим не курить.",
    "Можно с животными, у нас свой кот.",
    "Помогу с оформлением ИИН и сим-карты.",
    "Quiet flat near the centre, tea and breakfast.",
    "",
)
LANG_SETS = (["ru"], ["ru"], ["ru"], ["ru", "en"], ["ru", "kk"], ["ru", "uk"])


def _district(rng: random.Random, city: City) -> District | None:
    districts = list(city.districts.all())
    return rng.choice(districts) if districts and rng.random() < 0.7 else None


def _dates(rng: random.Random, today: dt.date, nights: tuple[int, int]) -> tuple[dt.date, dt.date]:
    start = today + dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 7)))
    return start, start + dt.timedelta(days=rng.randint(*nights))


def _user(username: str, role: str, *, tier: int = Tier.SELF_DECLARED, password: str | None = None) -> User:
    user = User.objects.create_user(username=username, password=password, role=role, tier=tier)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _need_data(rng: random.Random, city: City, today: dt.date) -> dict[str, Any]:
    party = rng.choices(PARTIES, weights=[p[0] for p in PARTIES])[0]
    _, adults, children, elderly, pets, women_only, _label = party
    start, end = _dates(rng, today, (3, 30))
    free_only = rng.random() < 0.55
    kind = rng.choices(
        [NeedKind.HOUSING, NeedKind.TRANSPORT, NeedKind.LEGAL, NeedKind.INFORMATION, NeedKind.MEDICAL],
        weights=[80, 6, 6, 6, 2],
    )[0]
    preference = HostPreference.ANY
    if women_only:
        preference = rng.choice([HostPreference.WOMEN_OR_FAMILIES, HostPreference.COLLECTIVE])
    elif children and rng.random() < 0.3:
        preference = HostPreference.WOMEN_OR_FAMILIES
    return {
        "kind": kind, "city": city, "district": None,
        "destination": City.objects.get(slug="astana") if kind == NeedKind.TRANSPORT else None,
        "date_from": start, "date_to": end, "adults": adults, "children": children,
        "elderly": elderly, "pets": pets, "women_only": women_only,
        "step_free": elderly > 0 and rng.random() < 0.5, "disability": rng.random() < 0.04,
        "languages": rng.choice(LANG_SETS), "free_only": free_only,
        "max_price": None if free_only else rng.choice((3000, 5000, 7000, 10000, 15000)),
        "host_preference": preference,
        "min_tier": rng.choices([0, 1, 2], weights=[60, 25, 15])[0],
        "notes": rng.choice(NEED_NOTES),
    }


def _home_offer(rng: random.Random, city: City, today: dt.date) -> dict[str, Any]:
    kind = rng.choices([OfferKind.BED, OfferKind.ROOM, OfferKind.FLAT], weights=[45, 40, 15])[0]
    capacity = {OfferKind.BED: rng.randint(1, 2), OfferKind.ROOM: rng.randint(2, 4), OfferKind.FLAT: rng.randint(3, 8)}[kind]
    start, end = _dates(rng, today, (7, 45))
    host_kind = rng.choices(
        [HostKind.FAMILY, HostKind.COUPLE, HostKind.WOMAN, HostKind.MAN], weights=[40, 25, 20, 15]
    )[0]
    titles = {
        OfferKind.BED: ("Диван в квартире", "Раскладушка в гостиной", "Sofa in a quiet flat"),
        OfferKind.ROOM: ("Отдельная комната", "Комната в доме", "Room in a family home"),
        OfferKind.FLAT: ("Квартира целиком", "Дом на время", "Whole flat"),
    }
    return {
        "kind": kind, "service_kind": "", "title": rng.choice(titles[kind]), "host_kind": host_kind,
        "city": city, "district": _district(rng, city), "destination": None,
        "date_from": start, "date_to": end, "capacity": capacity,
        "exclusive": kind == OfferKind.FLAT or rng.random() < 0.2,
        "pets_ok": rng.random() < 0.35, "children_ok": rng.random() < 0.8,
        "smoking": rng.random() < 0.1, "step_free": rng.random() < 0.2,
        "languages": rng.choice(LANG_SETS),
        "price_per_night": 0 if rng.random() < 0.6 else rng.choice((2000, 3000, 5000, 8000, 12000)),
        "notes": rng.choice(OFFER_NOTES),
    }


SHELTERS = (
    ("uralsk", "Кинотеатр: 80 мест на полу, матрасы и чай", 80, "demo-cinema"),
    ("uralsk", "Спортзал колледжа: раскладушки", 120, None),
    ("aktobe", "Мечеть: ночлег и горячая еда", 40, None),
    ("kostanay", "Общественный центр: места в зале", 60, None),
    ("petropavl", "Спорткомплекс: временный приют", 150, None),
    ("astana", "Хостел волонтёров", 50, None),
    ("almaty", "Культурный центр: 100 мест", 100, None),
)
RIDES = (
    ("uralsk", "aktobe"), ("petropavl", "astana"), ("kostanay", "astana"), ("uralsk", "astana"),
    ("pavlodar", "almaty"), ("semey", "almaty"), ("oskemen", "almaty"), ("aktobe", "aktau"),
)


@transaction.atomic
def load_demo(*, needs: int = 300, homes: int = 220) -> dict[str, int]:
    """Create the scenario once. Returns counts. Idempotent: does nothing if loaded."""
    if User.objects.filter(username="demo-admin").exists():
        return {"needs": 0, "offers": 0, "accounts": 0}
    rng = random.Random(SEED)
    today = clock.today()
    cities = {c.slug: c for c in City.objects.filter(slug__in=CITY_WEIGHTS)}
    missing = set(CITY_WEIGHTS) - set(cities)
    if missing:
        raise RuntimeError(f"geography lacks demo cities: {sorted(missing)}")
    slugs = list(CITY_WEIGHTS)
    weights = [CITY_WEIGHTS[s] for s in slugs]

    people: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        tier = Tier.CHECKED if account.role in (Role.ORGANISATION, Role.COORDINATOR, Role.ADMIN) else Tier.SELF_DECLARED
        if account.username == "demo-host":
            tier = Tier.VOUCHED
        people[account.username] = _user(account.username, account.role if account.role not in (Role.COORDINATOR, Role.ADMIN) else Role.SEEKER, tier=tier, password=DEMO_PASSWORD)
    admin = people["demo-admin"]
    accounts.coordinator_grant(user=admin, regions=Region.objects.filter(country_id="KZ"), role=Role.ADMIN)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    accounts.coordinator_grant(
        user=people["demo-coordinator"], regions=Region.objects.filter(pk__in=[cities["uralsk"].region_id, cities["aktobe"].region_id])
    )

    offer_count = 0
    # The demo host, the cinema, the driver: what a visitor logs in to see.
    host = people["demo-host"]
    for data in (_home_offer(rng, cities["uralsk"], today), _home_offer(rng, cities["uralsk"], today)):
        aid.offer_create(owner=host, data=data)
        offer_count += 1
    org_owner: dict[str, User] = {}
    for index, (slug, title, places, owner_name) in enumerate(SHELTERS):
        owner = people[owner_name] if owner_name else _user(f"org-{index + 1:02d}", Role.ORGANISATION, tier=Tier.CHECKED)
        org_owner[slug] = owner
        start = today
        offer = aid.offer_create(owner=owner, data={
            "kind": OfferKind.SHELTER, "service_kind": "", "title": title, "host_kind": HostKind.ORGANISATION,
            "city": cities[slug], "district": _district(rng, cities[slug]), "destination": None,
            "date_from": start, "date_to": start + dt.timedelta(days=60), "capacity": places,
            "exclusive": False, "pets_ok": slug == "uralsk" and index == 0, "children_ok": True,
            "smoking": False, "step_free": True, "languages": ["ru", "kk"], "price_per_night": 0,
            "notes": "Возьмите с собой спальник, если есть.",
            # A public venue may say where it is (the demo's address is made up).
            "address": "ул. Примерная, 1 (демо-адрес), кинотеатр" if owner_name == "demo-cinema" else "",
            "directions": "Вход со двора, дверь открыта всю ночь." if owner_name == "demo-cinema" else "",
        })
        aid.shelter_check_in(offer=offer, by=owner, count=rng.randint(places // 4, places - 5))
        offer_count += 1
    driver = people["demo-driver"]
    drivers = [driver] + [_user(f"driver-{i:02d}", Role.DRIVER) for i in range(1, 8)]
    for i, (origin, destination) in enumerate(RIDES):
        start, _ = _dates(rng, today, (0, 0))
        aid.offer_create(owner=drivers[i % len(drivers)], data={
            "kind": OfferKind.RIDE, "service_kind": "", "title": "Поездка / ride", "host_kind": HostKind.MAN,
            "city": cities[origin], "district": None, "destination": cities[destination],
            "date_from": start, "date_to": start + dt.timedelta(days=1), "capacity": rng.randint(2, 4),
            "exclusive": False, "pets_ok": False, "children_ok": True, "smoking": False,
            "step_free": False, "languages": ["ru"], "price_per_night": 0, "notes": "",
        })
        offer_count += 1
    hosts = [_user(f"host-{i:03d}", Role.HOST, tier=rng.choices([0, 1, 2], weights=[55, 30, 15])[0]) for i in range(1, 91)]
    for i in range(homes):
        city = cities[rng.choices(slugs, weights=weights)[0]]
        aid.offer_create(owner=hosts[i % len(hosts)], data=_home_offer(rng, city, today))
        offer_count += 1
    for slug in ("uralsk", "astana", "almaty"):
        aid.offer_create(owner=org_owner.get(slug) or hosts[0], data={
            "kind": OfferKind.SERVICE, "service_kind": "legal", "title": "Консультация: ИИН, регистрация, ВНЖ",
            "host_kind": HostKind.ORGANISATION, "city": cities[slug], "district": None, "destination": None,
            "date_from": today, "date_to": today + dt.timedelta(days=30), "capacity": 20, "exclusive": False,
            "pets_ok": False, "children_ok": True, "smoking": False, "step_free": True,
            "languages": ["ru", "en"], "price_per_night": 0, "notes": "",
        })
        offer_count += 1

    seeker = people["demo-seeker"]
    aid.need_create(owner=seeker, data={
        **_need_data(rng, cities["uralsk"], today),
        "kind": NeedKind.HOUSING, "adults": 2, "children": 2, "elderly": 0, "pets": 0, "women_only": False,
        "host_preference": HostPreference.WOMEN_OR_FAMILIES, "notes": "Семья с двумя детьми (4 и 9 лет).",
    })
    seekers = [_user(f"seeker-{i:03d}", Role.SEEKER) for i in range(1, needs)]
    for i in range(needs - 1):
        city = cities[rng.choices(slugs, weights=weights)[0]]
        aid.need_create(owner=seekers[i], data=_need_data(rng, city, today))
    coordinator = people["demo-coordinator"]
    aid.need_create(owner=coordinator, on_behalf=True, behalf_reference="help point, railway station", data={
        **_need_data(rng, cities["uralsk"], today), "adults": 0, "elderly": 2, "children": 0,
        "women_only": False, "step_free": True, "notes": "Пожилая пара без телефона, помощь на вокзале.",
    })
    load_border_demo(now=clock.now(), coordinator=people["demo-coordinator"])
    for index, account in enumerate(DEMO_ACCOUNTS):
        # Obviously fake numbers (the 000 block), so the reveal can be tried safely.
        privacy.contacts_set(
            user=people[account.username],
            contacts=privacy.Contacts(phone=f"+7 700 000 00{index + 1:02d}", telegram=f"haven_demo_{index + 1}"),
        )
    return {"needs": needs + 1, "offers": offer_count, "accounts": User.objects.count()}


def stage_demo_proposals() -> int:
    """After the first matching run: a seeker has chosen one of the demo host's offers,
    so the demo host has a guest party to accept."""
    proposal = (
        Proposal.objects.filter(offer__owner__username="demo-host", status=ProposalStatus.PROPOSED)
        .order_by("pk")
        .first()
    )
    if proposal is None:
        return 0
    matching.proposal_pick(proposal=proposal)
    return 1
