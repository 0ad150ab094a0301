"""Only coordinators moderate, and only at the checkpoints of their own regions.
cora coordinates West Kazakhstan (Syrym), dmitri Almaty's region; alice is a traveller."""

import datetime as dt

import pytest
from django.core.management import call_command

from haven.borders import selectors, services
from haven.borders.models import BorderReport, FlagDecision, ReporterTrust
from haven.core.errors import HavenError
from tests.borders.helpers import ago, make_reporters, submit_timed

pytestmark = pytest.mark.django_db

DECIDE = {"direction": "entry", "flag": "closed", "verdict": "refute"}


@pytest.fixture
def report(syrym):
    return submit_timed(make_reporters(1, prefix="liar")[0], syrym, 0.2)


def flags_of(slug):
    item = next(c for c in selectors.board()["checkpoints"] if c["slug"] == slug)
    return [(f["flag"], f["status"], f["decided_by"]) for f in item["flags"]]


def test_a_coordinator_of_the_region_confirms_a_flag_and_the_board_shows_it(client_for, cora, report):
    response = client_for(cora).post("/border/syrym/flags/", {**DECIDE, "verdict": "confirm", "flag": "no_water"})
    assert response.status_code == 302
    decision = FlagDecision.objects.get()
    assert (decision.coordinator, decision.flag, decision.verdict) == (cora, "no_water", "confirm")
    assert flags_of("syrym") == [("no_water", "confirmed", "coordinator")]


@pytest.mark.parametrize("who", ["dmitri", "alice"])
def test_others_cannot_decide_a_flag(request, client_for, who, report):
    user = request.getfixturevalue(who)
    response = client_for(user).post("/border/syrym/flags/", DECIDE, follow=True)
    assert "You are not allowed to do this." in response.content.decode()
    assert FlagDecision.objects.count() == 0


def test_a_coordinator_cannot_decide_at_a_checkpoint_outside_their_regions(cora, lars):
    with pytest.raises(HavenError) as caught:
        services.flag_decide(checkpoint=lars, by=cora, **DECIDE)
    assert caught.value.code == "forbidden"
    assert FlagDecision.objects.count() == 0


def test_a_coordinator_hides_a_report_and_it_stops_counting(client_for, cora, report):
    assert selectors.board_checkpoint(slug="syrym")["estimates"][0]["reports"] == 1
    response = client_for(cora).post(f"/border/reports/{report.public_id}/hide/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.hidden_by, report.hidden_at is not None) == (cora, True)
    assert selectors.board_checkpoint(slug="syrym")["estimates"] == []


@pytest.mark.parametrize("who", ["dmitri", "alice"])
def test_others_cannot_hide_a_report(request, client_for, who, report):
    client_for(request.getfixturevalue(who)).post(f"/border/reports/{report.public_id}/hide/")
    report.refresh_from_db()
    assert report.hidden_at is None


def test_a_coordinator_freezes_a_lying_reporter(client_for, cora, report):
    response = client_for(cora).post(f"/border/reports/{report.public_id}/freeze/", {"reason": "fake waits"})
    assert response.status_code == 302
    report.reporter.refresh_from_db()
    assert report.reporter.frozen_at is not None
    assert report.reporter.frozen_reason == "fake waits"
    assert selectors.board_checkpoint(slug="syrym")["estimates"] == []


@pytest.mark.parametrize("who", ["dmitri", "alice"])
def test_others_cannot_freeze_a_reporter(request, client_for, who, report):
    client_for(request.getfixturevalue(who)).post(f"/border/reports/{report.public_id}/freeze/")
    report.reporter.refresh_from_db()
    assert report.reporter.frozen_at is None


def test_a_coordinator_cannot_freeze_another_coordinator(cora, syrym, dmitri):
    dmitris_report = submit_timed(dmitri, syrym, 3)
    with pytest.raises(HavenError):
        services.reporter_freeze(report=dmitris_report, by=cora)
    dmitri.refresh_from_db()
    assert dmitri.frozen_at is None


def test_only_the_regions_coordinator_sees_who_reported(client_for, cora, dmitri, alice, report):
    pseudonym = report.reporter.username
    assert pseudonym in client_for(cora).get("/border/syrym/").content.decode()
    for viewer in (dmitri, alice, None):
        html = client_for(viewer).get("/border/syrym/").content.decode()
        assert 'id="moderation"' not in html
        assert pseudonym not in html
        assert report.public_id not in html


def test_purge_deletes_old_reports_and_keeps_the_reputation(syrym):
    people = make_reporters(4)
    old = [submit_timed(user, syrym, 5) for user in people[:3]]
    recent = submit_timed(people[3], syrym, 5)
    BorderReport.objects.filter(pk__in=[r.pk for r in old]).update(
        submitted_at=ago(days=8), passed_at=ago(days=8), joined_at=ago(days=8, hours=5), created_at=ago(days=8)
    )
    stale_clock = BorderReport.objects.create(
        checkpoint=syrym, direction="entry", mode="car", kind="timed", joined_at=ago(days=15),
        reporter=people[0], created_at=ago(days=15),
    )
    counts = services.border_reports_purge(older_than=dt.timedelta(days=7))
    assert (counts["reports"], counts["pending"]) == (3, 1)
    assert list(BorderReport.objects.all()) == [recent]
    assert not BorderReport.objects.filter(pk=stale_clock.pk).exists()
    assert ReporterTrust.objects.count() == 4


def test_the_purge_command_refuses_to_delete_what_is_still_shown(syrym, capsys):
    with pytest.raises(SystemExit):
        call_command("border_purge", "--hours", "24")
    call_command("border_purge")
    assert "purged 0 reports" in capsys.readouterr().out


def test_the_demo_has_a_surge_liars_a_refuted_rumour_and_a_confirmed_flag(cora):
    from django.utils import timezone

    from haven.borders.demo import load_border_demo

    counts = load_border_demo(now=timezone.now(), coordinator=cora)
    assert counts["reports"] > 300
    assert counts["decisions"] == 1
    assert load_border_demo(now=timezone.now()) == {"reports": 0, "decisions": 0}
    board = selectors.board()
    busy = {c["slug"] for c in board["checkpoints"] if c["estimates"]}
    assert {"syrym", "verkhny-lars", "taskala"} <= busy
    assert ("no_water", "confirmed", "coordinator") in flags_of("syrym")
    assert ("closed", "refuted", "reporters") in flags_of("verkhny-lars")


def test_freezing_a_reporter_from_the_border_page_also_withdraws_their_proposals(client_for, cora, bob, report):
    from haven.matching import services as matching
    from haven.matching.models import Proposal
    from tests.matching.conftest import post_need, post_offer

    post_need(report.reporter)
    post_offer(bob)
    matching.matching_run(trigger="test", time_limit_s=20)
    assert Proposal.objects.get().status == "proposed"
    client_for(cora).post(f"/border/reports/{report.public_id}/freeze/", {"reason": "fake waits"})
    assert Proposal.objects.get().status == "withdrawn"
