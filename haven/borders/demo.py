"""Three days of border reports for the demo, in the shape of late September 2022: a surge
at Syrym (Kazakhstan) and at Upper Lars (Georgia), quieter crossings elsewhere, a handful
of brand-new accounts reporting suspiciously short waits at Syrym, a rumour that Upper
Lars is closed (refuted by the people passing), and a coordinator confirming that there
is no water in the Syrym queue. Everything goes through the services, as a person's
reports would (only the per-account rate limit is off)."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.db import transaction

from haven.accounts.models import User
from haven.borders import selectors, services
from haven.borders.enums import Direction, FlagName, FlagVerdict, Mode, ReportKind
from haven.geo.models import Checkpoint

SEED = 2209
HOURS = 72
TRAVELLERS = 90
LIARS = 5


@dataclass(frozen=True)
class Profile:
    """A wait that moves from ``base`` hours to ``peak`` around ``rise_h`` hours ago."""

    checkpoint: str
    direction: str
    mode: str
    base: float
    peak: float
    rise_h: float
    per_hour: float  # reports an hour

    def wait(self, hours_ago: float) -> float:
        surge = 1.0 / (1.0 + math.exp((hours_ago - self.rise_h) / 6.0))
        return self.base + (self.peak - self.base) * surge


PROFILES = (
    Profile("syrym", Direction.ENTRY, Mode.CAR, 2.0, 20.0, 40.0, 2.0),
    Profile("syrym", Direction.ENTRY, Mode.PEDESTRIAN, 1.0, 6.0, 40.0, 0.6),
    Profile("verkhny-lars", Direction.EXIT, Mode.CAR, 8.0, 44.0, 50.0, 1.5),
    Profile("taskala", Direction.ENTRY, Mode.CAR, 3.0, 9.0, 30.0, 1.0),
    Profile("kurmangazy", Direction.ENTRY, Mode.CAR, 4.0, 11.0, 36.0, 1.0),
    Profile("zhaisan", Direction.ENTRY, Mode.CAR, 1.0, 2.0, 30.0, 0.4),
    Profile("kairak", Direction.ENTRY, Mode.CAR, 1.5, 4.0, 30.0, 0.4),
    Profile("vaalimaa", Direction.EXIT, Mode.CAR, 0.7, 3.0, 24.0, 0.5),
)


def _traveller(name: str, joined: dt.datetime) -> User:
    user = User.objects.create_user(username=name, password=None, date_joined=joined)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def load_border_demo(*, now: dt.datetime, coordinator: User | None = None) -> dict[str, int]:
    """Create the reports once (idempotent). ``coordinator`` confirms a flag at Syrym;
    by default the demo coordinator, if the scenario created one. Returns counts."""
    if User.objects.filter(username="traveller-001").exists():
        return {"reports": 0, "decisions": 0}
    rng = random.Random(SEED)  # noqa: S311 - the demo is seeded pseudo-random on purpose
    checkpoints = {c.slug: c for c in Checkpoint.objects.filter(slug__in={p.checkpoint for p in PROFILES})}
    if coordinator is None:
        coordinator = User.objects.filter(username="demo-coordinator").first()
    count = decisions = 0
    with transaction.atomic():
        # Established travellers: accounts from a week to two months old.
        people = [
            _traveller(f"traveller-{i:03d}", now - dt.timedelta(days=rng.uniform(8, 60)))
            for i in range(1, TRAVELLERS + 1)
        ]
        liars = [_traveller(f"newcomer-{i:02d}", now - dt.timedelta(hours=rng.uniform(2, 20))) for i in range(1, LIARS + 1)]
        for profile in PROFILES:
            checkpoint = checkpoints.get(profile.checkpoint)
            if checkpoint is None:
                continue
            hours_ago = float(HOURS)
            while hours_ago > 0.2:
                hours_ago -= rng.expovariate(profile.per_hour)
                if hours_ago <= 0.1:
                    break
                at = now - dt.timedelta(hours=hours_ago)
                wait = profile.wait(hours_ago) * math.exp(rng.gauss(0.0, 0.18))
                reporter = rng.choice(people)
                base = {
                    "checkpoint": checkpoint, "direction": profile.direction, "mode": profile.mode,
                    "at_checkpoint": rng.random() < 0.9,
                }
                if rng.random() < 0.65:
                    data = {**base, "kind": ReportKind.TIMED, "joined_at": at - dt.timedelta(hours=wait), "passed_at": at}
                else:
                    # Someone in the queue now: about 50 cars an hour pass at a busy crossing.
                    ahead = max(1, round(wait * (40 if profile.mode == Mode.CAR else 120) * rng.uniform(0.8, 1.2)))
                    data = {**base, "kind": ReportKind.QUEUE, "vehicles_ahead": ahead}
                services.report_submit(reporter=reporter, data=data, now=at, limit=False)
                count += 1
        syrym = checkpoints.get("syrym")
        if syrym is not None:
            # New accounts claiming the Syrym queue is short: the estimator gives them little weight.
            for i, liar in enumerate(liars):
                at = now - dt.timedelta(hours=5 - i)
                services.report_submit(reporter=liar, data={
                    "checkpoint": syrym, "direction": Direction.ENTRY, "mode": Mode.CAR, "kind": ReportKind.TIMED,
                    "at_checkpoint": True, "joined_at": at - dt.timedelta(minutes=20), "passed_at": at,
                }, now=at, limit=False)
                count += 1
            for i in range(4):
                at = now - dt.timedelta(hours=6 - i)
                services.report_submit(reporter=people[i], data={
                    "checkpoint": syrym, "direction": Direction.ENTRY, "mode": Mode.CAR, "kind": ReportKind.FLAG,
                    "at_checkpoint": True, "flag": FlagName.NO_WATER, "value": True,
                }, now=at, limit=False)
                count += 1
            if coordinator is not None and selectors.can_moderate(viewer=coordinator, checkpoint=syrym):
                services.flag_decide(
                    checkpoint=syrym, direction=Direction.ENTRY, flag=FlagName.NO_WATER,
                    verdict=FlagVerdict.CONFIRM, by=coordinator, now=now - dt.timedelta(hours=1),
                )
                decisions += 1
        lars = checkpoints.get("verkhny-lars")
        if lars is not None:
            # A closure rumour from three people, contradicted by everyone passing control.
            for i, liar in enumerate(liars[:3]):
                at = now - dt.timedelta(hours=3, minutes=20 * i)
                services.report_submit(reporter=liar, data={
                    "checkpoint": lars, "direction": Direction.EXIT, "mode": Mode.CAR, "kind": ReportKind.FLAG,
                    "at_checkpoint": False, "flag": FlagName.CLOSED, "value": True,
                }, now=at, limit=False)
                count += 1
            for i in range(5):
                at = now - dt.timedelta(hours=10 - i)
                services.report_submit(reporter=people[10 + i], data={
                    "checkpoint": lars, "direction": Direction.EXIT, "mode": Mode.CAR, "kind": ReportKind.FLAG,
                    "at_checkpoint": True, "flag": FlagName.DRAFT_AGE_TURNED_BACK, "value": True,
                }, now=at, limit=False)
                count += 1
    return {"reports": count, "decisions": decisions}
