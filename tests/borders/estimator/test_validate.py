"""Validation: every bad input gets a stable (field, code) problem, never an exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.borders.estimator import (
    InvalidReport,
    Kind,
    LoadError,
    Problem,
    load_jsonl,
    parse_report,
    report_to_record,
    validate,
)

from .helpers import NOW, record


def test_a_valid_timed_report_has_no_problems() -> None:
    assert validate(record(), now=NOW) == []


def test_a_valid_report_round_trips_through_its_record() -> None:
    report = parse_report(record(), now=NOW)
    assert parse_report(report_to_record(report), now=NOW) == report


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"passed_at": "2022-09-24T22:00:00+00:00"}, Problem("passed_at", "passed_before_joined")),
        ({"joined_at": "2022-09-05T00:00:00+00:00"}, Problem("passed_at", "wait_too_long")),
        ({"submitted_at": "2022-09-25T13:00:00+00:00"}, Problem("submitted_at", "from_future")),
        (
            {"passed_at": "2022-09-25T12:30:00+00:00", "submitted_at": None},
            Problem("submitted_at", "missing"),
        ),
        ({"kind": "rumour"}, Problem("kind", "unknown_kind")),
        ({"mode": "horse"}, Problem("mode", "unknown_mode")),
        ({"submitted_at": "yesterday"}, Problem("submitted_at", "bad_datetime")),
        ({"submitted_at": "2022-09-25T11:00:00"}, Problem("submitted_at", "naive_datetime")),
        ({"at_checkpoint": "yes"}, Problem("at_checkpoint", "wrong_type")),
        ({"reporter": ""}, Problem("reporter", "missing")),
        ({"reporter_created_at": None}, Problem("reporter_created_at", "missing")),
        (
            {"reporter_created_at": "2022-09-26T00:00:00+00:00"},
            Problem("reporter_created_at", "after_submitted"),
        ),
        ({"passed_at": "2022-09-25T11:30:00+00:00"}, Problem("passed_at", "after_submitted")),
    ],
)
def test_each_bad_timed_input_names_its_field_and_code(
    overrides: dict[str, object], expected: Problem
) -> None:
    assert expected in validate(record(**overrides), now=NOW)


def test_a_queue_report_needs_a_measure_and_refuses_negative_ones() -> None:
    base = {"kind": "queue", "joined_at": None, "passed_at": None}
    assert validate(record(**base), now=NOW) == [Problem("position", "missing_measure")]
    assert validate(record(**base, position=-3), now=NOW) == [Problem("position", "negative")]
    assert validate(record(**base, km=2.5), now=NOW) == []
    assert validate(record(**base, km=5000), now=NOW) == [Problem("km", "too_large")]
    assert validate(record(**base, vehicles_ahead=1.5), now=NOW) == [
        Problem("vehicles_ahead", "not_integer")
    ]


def test_a_queue_report_joined_in_the_future_is_refused() -> None:
    bad = record(kind="queue", passed_at=None, position=10, joined_at="2022-09-25T12:30:00+00:00")
    assert validate(bad, now=NOW) == [Problem("joined_at", "from_future")]


def test_a_flag_report_needs_a_known_flag_and_a_boolean_value() -> None:
    base = {"kind": "flag", "joined_at": None, "passed_at": None}
    assert validate(record(**base, flag="closed", value=True), now=NOW) == []
    assert validate(record(**base, flag="aliens", value=True), now=NOW) == [
        Problem("flag", "unknown_flag")
    ]
    assert validate(record(**base, flag="closed", value="true"), now=NOW) == [
        Problem("value", "wrong_type")
    ]


def test_account_age_may_be_given_in_days_instead_of_a_creation_time() -> None:
    report = parse_report(record(reporter_created_at=None, reporter_age_days=3), now=NOW)
    assert (report.submitted_at - report.reporter_created_at).days == 3
    assert validate(record(reporter_created_at=None, reporter_age_days=-1), now=NOW) == [
        Problem("reporter_age_days", "negative")
    ]


def test_parse_report_raises_with_every_problem() -> None:
    with pytest.raises(InvalidReport) as caught:
        parse_report(record(mode="horse", kind="rumour"), now=NOW)
    assert caught.value.problems == [
        Problem("mode", "unknown_mode"),
        Problem("kind", "unknown_kind"),
    ]


def test_load_jsonl_names_the_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    good = json.dumps(record())
    bad = json.dumps(record(id="r2", passed_at="2022-09-24T20:00:00+00:00"))
    path.write_text(f"{good}\n\n{bad}\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_jsonl(path, now=NOW)
    assert caught.value.line == 3
    assert caught.value.problems == [Problem("passed_at", "passed_before_joined")]
    assert str(caught.value) == "line 3: passed_at: passed_before_joined"


def test_load_jsonl_refuses_broken_json_and_duplicate_ids() -> None:
    with pytest.raises(LoadError, match="line 1: \\(line\\): bad_json"):
        load_jsonl(["{not json"], now=NOW)
    line = json.dumps(record())
    with pytest.raises(LoadError, match="line 2: id: duplicate_id"):
        load_jsonl([line, line], now=NOW)


def test_load_jsonl_returns_reports_in_submission_order() -> None:
    late = json.dumps(record(id="b", submitted_at="2022-09-25T11:30:00+00:00"))
    early = json.dumps(record(id="a"))
    reports = load_jsonl([late, early], now=NOW)
    assert [r.id for r in reports] == ["a", "b"]
    assert reports[0].kind is Kind.TIMED


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_fields = st.sampled_from(
    [
        "id",
        "checkpoint",
        "direction",
        "mode",
        "kind",
        "reporter",
        "reporter_created_at",
        "reporter_age_days",
        "at_checkpoint",
        "submitted_at",
        "joined_at",
        "passed_at",
        "position",
        "vehicles_ahead",
        "km",
        "flag",
        "value",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_fields, _json, max_size=8))
def test_any_garbage_yields_problems_not_exceptions(overrides: dict[str, object]) -> None:
    raw = record()
    raw.update(overrides)
    problems = validate(raw, now=NOW)
    assert all(isinstance(p, Problem) and p.code for p in problems)
    if not problems:
        assert parse_report(raw, now=NOW).id
