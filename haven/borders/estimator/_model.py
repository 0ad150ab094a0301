"""Value types of the border estimator: frozen dataclasses and string enums only."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


class Kind(enum.StrEnum):
    TIMED = "timed"  # joined the queue at T0, passed control at T1
    QUEUE = "queue"  # in the queue now: position, vehicles ahead or kilometres
    FLAG = "flag"  # a rule or amenity flag asserted true or false


class Mode(enum.StrEnum):
    CAR = "car"
    BUS = "bus"
    PEDESTRIAN = "pedestrian"
    TRUCK = "truck"


class Flag(enum.StrEnum):
    CLOSED = "closed"
    PEDESTRIANS_NOT_ALLOWED = "pedestrians_not_allowed"
    DRAFT_AGE_TURNED_BACK = "draft_age_turned_back"
    NO_WATER = "no_water"
    NO_FUEL = "no_fuel"


class FlagStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # claimed, not (yet) backed by independent reporters
    CONFIRMED = "confirmed"  # the flag is true
    REFUTED = "refuted"  # the flag is false


class Trend(enum.StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"
    UNKNOWN = "unknown"


class Action(enum.StrEnum):
    CONFIRM_FLAG = "confirm_flag"
    REFUTE_FLAG = "refute_flag"
    CLEAR_FLAG = "clear_flag"  # hand the flag back to the reporters
    HIDE_REPORT = "hide_report"
    FREEZE_REPORTER = "freeze_reporter"
    UNFREEZE_REPORTER = "unfreeze_reporter"


class Problem(NamedTuple):
    """One validation problem: the offending field and a stable, translatable code."""

    field: str
    code: str


@dataclass(frozen=True, slots=True)
class Report:
    """One traveller report, already validated (see `parse_report`)."""

    id: str
    checkpoint: str
    direction: str
    mode: Mode
    kind: Kind
    reporter: str  # pseudonymous id, never a name
    reporter_created_at: datetime
    at_checkpoint: bool
    submitted_at: datetime
    joined_at: datetime | None = None
    passed_at: datetime | None = None
    position: int | None = None
    vehicles_ahead: int | None = None
    km: float | None = None
    flag: Flag | None = None
    value: bool | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A coordinator decision. It takes effect at `at` and is an input like a report.

    confirm_flag / refute_flag / clear_flag need checkpoint, direction and flag;
    hide_report needs report_id; freeze_reporter / unfreeze_reporter need reporter.
    """

    at: datetime
    action: Action
    coordinator: str = ""
    checkpoint: str | None = None
    direction: str | None = None
    flag: Flag | None = None
    report_id: str | None = None
    reporter: str | None = None


def _default_rates() -> dict[Mode, float]:
    # Units processed per hour per direction before any report says otherwise.
    return {Mode.CAR: 50.0, Mode.BUS: 5.0, Mode.PEDESTRIAN: 150.0, Mode.TRUCK: 10.0}


def _default_density() -> dict[Mode, float]:
    # Queue units per kilometre of queue (one lane; a car with its gap takes about 7.5 m).
    return {Mode.CAR: 130.0, Mode.BUS: 65.0, Mode.PEDESTRIAN: 1500.0, Mode.TRUCK: 50.0}


@dataclass(frozen=True, slots=True)
class Params:
    """Tuning knobs; the defaults are the ones the benchmark and the docs describe."""

    # validation
    max_wait_h: float = 14 * 24.0
    future_tolerance_s: float = 300.0
    max_position: int = 100_000
    max_km: float = 300.0
    # report weights
    weight_timed: float = 1.0
    weight_queue: float = 0.7
    weight_km: float = 0.45
    weight_join_guessed: float = 0.15  # queue report without joined_at: the join time is a guess
    weight_not_at_checkpoint: float = 0.5
    new_account_floor: float = 0.25  # age factor of a brand-new account; 1.0 once established_age
    # first-in, first-out consistency between reports
    fifo_check: bool = True
    fifo_min_gap_h: float = 0.25
    fifo_tolerance: float = 0.25
    fifo_slack_h: float = 0.5
    fifo_share_ok: float = 0.15
    fifo_share_out: float = 0.4
    fifo_keep_min: float = 0.25
    # recency: a report's weight halves with every target_n_eff newer reports, and with age
    target_n_eff: float = 4.0
    centre_quantile: float = 0.5
    max_half_life_h: float = 12.0
    max_obs_age_h: float = 48.0
    max_share_per_report: float = 0.25
    # new-account budget: share of weight newcomers may hold when established reporters exist
    newcomer_share: float = 0.4
    newcomer_share_full_at: int = 4  # established reporters needed for the full budget
    trend_correction: bool = True  # carry observations forward along the robust trend
    slope_min_gap_h: float = 0.5
    slope_min_spread_h: float = 1.0  # interquartile range of join times needed for a trend
    slope_window_h: float = 6.0
    slope_half_life_h: float = 1.5
    drain_slope: float = -0.8  # arrivals at a fifth of the processing rate
    falling_floor_h: float = 1.0  # a report carried down along a falling trend stops here
    slope_leave_out: int = 2
    slope_shrink: float = 2.0
    max_slope: float = 4.0  # hours of wait per hour; the floor is -1 (a queue drains no faster)
    # Little's law
    default_rate_per_h: Mapping[Mode, float] = field(default_factory=_default_rates)
    units_per_km: Mapping[Mode, float] = field(default_factory=_default_density)
    rate_half_life_h: float = 12.0
    rate_prior_weight: float = 0.3
    # reputation
    settle_h: float = 2.0  # a report is judged against the consensus this long after it arrives
    judge_window_h: float = 1.5
    judge_min_reporters: int = 3
    agree_ratio: float = 1.6
    disagree_ratio: float = 3.0
    disagree_penalty: float = 2.0
    established_age_days: float = 7.0
    established_min_score: float = 0.6
    earned_good: float = 3.0
    earned_min_score: float = 0.75
    # flags
    flag_window_h: float = 6.0
    flag_quorum: int = 3
    flag_majority: float = 2.0
    flag_settle_h: float = 1.0
    closed_contradicting_weight: float = 0.8  # about two trusted people passing control
    coordinator_hold_h: float = 24.0


DEFAULT_PARAMS = Params()


@dataclass(frozen=True, slots=True)
class ReporterTrust:
    """Persistable reputation of one reporter (good/bad are judged agreement counts)."""

    reporter: str
    created_at: datetime
    good: float = 0.0
    bad: float = 0.0
    judged: int = 0


@dataclass(frozen=True, slots=True)
class TrustState:
    """Reputation of every reporter, judged on reports that settled up to `as_of`."""

    as_of: datetime | None = None
    reporters: tuple[ReporterTrust, ...] = ()

    def get(self, reporter: str) -> ReporterTrust | None:
        for item in self.reporters:
            if item.reporter == reporter:
                return item
        return None


@dataclass(frozen=True, slots=True)
class FlagState:
    flag: Flag
    status: FlagStatus
    decided_by: str  # "coordinator", "reporters" or "" while unconfirmed
    reporters_for: int  # distinct reporters whose latest claim says the flag is true
    reporters_against: int  # ... says false (for "closed", people who passed control count)
    last_report_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "flag": str(self.flag),
            "status": str(self.status),
            "decided_by": self.decided_by,
            "reporters_for": self.reporters_for,
            "reporters_against": self.reporters_against,
            "last_report_at": _iso(self.last_report_at),
        }


@dataclass(frozen=True, slots=True)
class Estimate:
    """The wait estimate for one checkpoint, direction and mode at one moment."""

    checkpoint: str
    direction: str
    mode: Mode
    at: datetime
    wait_h: float | None  # expected wait for someone joining the queue now
    low_h: float | None  # about an 80% interval
    high_h: float | None
    reports: int  # wait reports behind the estimate (one per reporter)
    reporters: int
    newest_report_age_min: float | None
    median_report_age_min: float | None
    trend: Trend
    trend_h_per_h: float | None
    rate_per_h: float | None  # processing rate used for queue-length reports
    established_share: float  # share of the weight from established reporters
    flags: tuple[FlagState, ...] = ()
    # The reporters whose reports carry weight in this estimate (not in `as_dict`: the
    # board is public, reporters are not). Haven tells a reporter whether theirs counted.
    counted_reporters: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, object]:
        return {
            "checkpoint": self.checkpoint,
            "direction": self.direction,
            "mode": str(self.mode),
            "at": _iso(self.at),
            "wait_h": _round(self.wait_h),
            "low_h": _round(self.low_h),
            "high_h": _round(self.high_h),
            "reports": self.reports,
            "reporters": self.reporters,
            "newest_report_age_min": _round(self.newest_report_age_min, 1),
            "median_report_age_min": _round(self.median_report_age_min, 1),
            "trend": str(self.trend),
            "trend_h_per_h": _round(self.trend_h_per_h),
            "rate_per_h": _round(self.rate_per_h, 1),
            "established_share": round(self.established_share, 3),
            "flags": [f.as_dict() for f in self.flags],
        }


@dataclass(frozen=True, slots=True)
class Board:
    """Everything `estimate` knows at one moment."""

    at: datetime
    estimates: tuple[Estimate, ...]
    trust: TrustState


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)
