"""Reports survive erasure and retention (P4, P5): a guest's "I am not safe" at a
check-in becomes an urgent report at the top of the region's triage queue, silently;
every report keeps a snapshot, so it stays useful when the host erases their account,
when the reporter erases theirs, or when retention purges the proposal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.safety.conftest import chosen_proposal, post_need, post_offer


@pytest.fixture
def stay(alice: Any, bob: Any, uralsk: Any) -> Any:
    """alice's party has moved in with bob."""
    from haven.matching import services as matching

    proposal = chosen_proposal(post_need(alice), post_offer(bob, title="Room of bob-canary-title", notes="bob-canary-note"))
    proposal = matching.proposal_host_answer(proposal=proposal, accept=True)
    matching.proposal_moved_in(proposal=proposal, by=alice)
    proposal.refresh_from_db()
    return proposal


def _safety_report_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM safety_report")
        return " ".join(str(v) for row in cursor.fetchall() for v in row)


def test_an_unsafe_check_in_files_a_silent_urgent_report_about_the_host(alice: Any, bob: Any, stay: Any) -> None:
    from haven.bot.models import Outbox
    from haven.safety.models import Report
    from haven.safety.services import report_unsafe_checkin

    report = report_unsafe_checkin(guest=alice, proposal=stay)

    stored = Report.objects.get()
    assert stored.pk == report.pk
    assert (
        stored.target_kind, stored.target_public_id, stored.reason, stored.priority, stored.status,
        stored.subject, stored.subject_pseudonym, stored.reporter, stored.region_id,
    ) == ("proposal", stay.public_id, "unsafe_checkin", 1, "open", bob, "bob", alice, stay.offer.city.region_id)
    assert stored.snapshot == {
        "kind": "room", "city": "uralsk", "people": 3, "status": "moved_in",
        "date_from": stay.need.date_from.isoformat(), "date_to": stay.need.date_to.isoformat(),
    }
    # Silent: nothing queued for anyone, the stay and the offer untouched.
    assert Outbox.objects.count() == 0
    stay.refresh_from_db()
    stay.offer.refresh_from_db()
    assert (stay.status, stay.offer.hidden_at) == ("moved_in", None)


def test_only_the_guest_can_file_the_check_in_alert(bob: Any, charlie: Any, stay: Any) -> None:
    from haven.core.errors import HavenError
    from haven.safety.models import Report
    from haven.safety.services import report_unsafe_checkin

    for somebody in (bob, charlie):
        with pytest.raises(HavenError) as refused:
            report_unsafe_checkin(guest=somebody, proposal=stay)
        assert refused.value.code == "forbidden"
    assert Report.objects.count() == 0


def test_nobody_can_choose_the_check_in_reason_themselves(client_for: Any, api_for: Any, alice: Any, bobs_offer: Any) -> None:
    from haven.safety.models import Report

    page = client_for(alice).get(f"/offers/{bobs_offer.public_id}/report/").content.decode()
    assert 'value="trafficking"' in page
    assert 'value="unsafe_checkin"' not in page
    posted = client_for(alice).post(f"/offers/{bobs_offer.public_id}/report/", {"reason": "unsafe_checkin"})
    assert posted.status_code == 200
    response = api_for(alice).post(
        "/api/reports", {"target_kind": "offer", "target_id": bobs_offer.public_id, "reason": "unsafe_checkin"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert Report.objects.count() == 0


def test_the_check_in_alert_comes_first_in_the_regions_triage_queue(
    client_for: Any, alice: Any, charlie: Any, bob: Any, cora: Any, dmitri: Any, stay: Any
) -> None:
    from haven.safety.services import report_submit, report_unsafe_checkin

    urgent = report_unsafe_checkin(guest=alice, proposal=stay)
    later = report_submit(reporter=charlie, target_kind="offer", target_public_id=post_offer(bob, title="Sofa").public_id, reason="spam")
    assert later.created_at > urgent.created_at

    page = client_for(cora).get("/coordinate/safety/report/").content.decode()
    rows = [line for line in page.splitlines() if "action-select" in line]
    assert len(rows) == 2
    assert f'value="{urgent.pk}"' in rows[0]
    assert "Urgent" in rows[0]
    assert "Room in Uralsk" in rows[0]
    assert f'value="{later.pk}"' in rows[1]
    assert stay.public_id not in client_for(dmitri).get("/coordinate/safety/report/").content.decode()


def test_the_alert_survives_the_hosts_erasure_with_nothing_of_him_but_his_pseudonym(
    client_for: Any, alice: Any, bob: Any, cora: Any, stay: Any
) -> None:
    from haven.matching.models import Proposal
    from haven.safety.models import Report
    from haven.safety.services import person_erase, report_unsafe_checkin

    report = report_unsafe_checkin(guest=alice, proposal=stay)
    bobs_public_id = bob.public_id
    counts = person_erase(user=bob)

    assert counts["reports_about_kept"] == 1
    assert not Proposal.objects.filter(pk=stay.pk).exists()
    report.refresh_from_db()
    assert (report.status, report.subject, report.subject_pseudonym, report.reporter) == ("open", None, "bob", alice)
    assert report.snapshot["city"] == "uralsk"
    rows = _safety_report_rows()
    assert "bob-canary-title" not in rows
    assert "bob-canary-note" not in rows
    assert bobs_public_id not in rows
    triage = client_for(cora).get("/coordinate/safety/report/").content.decode()
    assert "bob (account erased after the report)" in triage
    assert "no longer exists (erased or purged after the report)" in triage
    assert Report.objects.count() == 1


def test_a_reporter_who_erases_themselves_leaves_the_report_without_their_name_or_words(
    alice: Any, bob: Any, bobs_offer: Any
) -> None:
    from haven.safety.models import Report
    from haven.safety.services import person_erase, report_submit

    report_submit(reporter=alice, target_kind="offer", target_public_id=bobs_offer.public_id, reason="trafficking", note="alice-canary")
    counts = person_erase(user=alice)

    assert counts["reports_filed"] == 1
    report = Report.objects.get()
    assert (report.status, report.reason, report.reporter, report.note, report.subject) == ("open", "trafficking", None, "", bob)
    assert "alice-canary" not in _safety_report_rows()


def test_retention_purges_the_proposal_but_never_an_open_report_about_it(alice: Any, bob: Any, cora: Any, stay: Any, settings: Any) -> None:
    from haven.matching import services as matching
    from haven.matching.models import Proposal
    from haven.safety.models import Report
    from haven.safety.services import report_resolve, report_unsafe_checkin, retention_purge

    still_open = report_unsafe_checkin(guest=alice, proposal=stay)
    handled_long_ago = report_unsafe_checkin(guest=alice, proposal=stay)
    handled_lately = report_unsafe_checkin(guest=alice, proposal=stay)
    for report in (handled_long_ago, handled_lately):
        report_resolve(report=report, by=cora, status="actioned")
    matching.proposal_end(proposal=stay, reason="safety", by=alice)
    long_ago = timezone.now() - dt.timedelta(days=settings.HAVEN_RETENTION_REPORT_DAYS + 1)
    Proposal.objects.update(updated_at=timezone.now() - dt.timedelta(days=settings.HAVEN_RETENTION_PROPOSAL_DAYS + 1))
    Report.objects.update(created_at=long_ago)
    Report.objects.filter(pk=handled_long_ago.pk).update(handled_at=long_ago)

    counts = retention_purge()

    assert counts["proposals"] == 1
    assert counts["reports"] == 1
    assert sorted(Report.objects.values_list("pk", flat=True)) == sorted([still_open.pk, handled_lately.pk])
    kept = Report.objects.get(pk=still_open.pk)
    assert (kept.subject_pseudonym, kept.snapshot["kind"], kept.target_public_id) == ("bob", "room", stay.public_id)
