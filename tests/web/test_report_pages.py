"""Report pages for requests and border reports (P4): the link is where the target is
shown, the form files one report through safety.services.report_submit, and anyone who
cannot see the target gets a 404 and creates nothing. cora coordinates Uralsk's region
(Syrym is one of its checkpoints), dmitri Almaty's; alice owns the request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.borders.helpers import submit_timed
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def syrym(db: Any) -> Any:
    from haven.geo.models import Checkpoint

    return Checkpoint.objects.get(slug="syrym")


@pytest.fixture
def border_report(syrym: Any) -> Any:
    """A traveller's timed report at Syrym, in cora's region."""
    return submit_timed(make_user("traveller"), syrym, 3)


def _reports() -> list[tuple[str, str, str, str, str]]:
    from haven.safety.models import Report

    return list(
        Report.objects.order_by("pk").values_list(
            "target_kind", "target_public_id", "subject__username", "reporter__username", "reason"
        )
    )


# ----- requests --------------------------------------------------------------------------


def test_a_coordinator_reports_a_request_from_its_page(client_for: Any, cora: Any, alices_need: Any) -> None:
    from haven.safety.models import Report

    client = client_for(cora)
    page = client.get(f"/needs/{alices_need.public_id}/").content.decode()
    assert f'href="/needs/{alices_need.public_id}/report/"' in page

    form = client.get(f"/needs/{alices_need.public_id}/report/")
    assert form.status_code == 200
    assert "You are reporting: Request for help" in form.content.decode()

    response = client.post(f"/needs/{alices_need.public_id}/report/", {"reason": "fake", "note": "the same text in five cities"})
    assert response.status_code == 302
    assert response["Location"] == f"/needs/{alices_need.public_id}/"
    assert _reports() == [("need", alices_need.public_id, "alice", "cora", "fake")]
    report = Report.objects.get()
    assert (report.region, report.note, report.status) == (alices_need.city.region, "the same text in five cities", "open")


def test_the_owner_sees_no_report_link_and_cannot_report_their_own_request(client_for: Any, alice: Any, alices_need: Any) -> None:
    client = client_for(alice)
    assert "/report/" not in client.get(f"/needs/{alices_need.public_id}/").content.decode()
    response = client.post(f"/needs/{alices_need.public_id}/report/", {"reason": "spam"})
    assert response.status_code == 200
    assert "You are not allowed to do this." in response.content.decode()
    assert _reports() == []


@pytest.mark.parametrize("who", ["bob", "charlie", "dmitri"])
def test_whoever_cannot_see_a_request_cannot_report_it(request: Any, client_for: Any, who: str, alices_need: Any) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/needs/{alices_need.public_id}/").status_code == 404
    assert client.get(f"/needs/{alices_need.public_id}/report/").status_code == 404
    assert client.post(f"/needs/{alices_need.public_id}/report/", {"reason": "spam"}).status_code == 404
    assert _reports() == []


def test_reporting_an_unknown_request_is_a_404(client_for: Any, cora: Any) -> None:
    client = client_for(cora)
    assert client.get("/needs/nosuchrequest000/report/").status_code == 404
    assert client.post("/needs/nosuchrequest000/report/", {"reason": "spam"}).status_code == 404
    assert _reports() == []


def test_a_request_report_without_a_reason_is_refused_with_a_message(client_for: Any, cora: Any, alices_need: Any) -> None:
    response = client_for(cora).post(f"/needs/{alices_need.public_id}/report/", {"reason": "not-a-reason", "note": "x"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert _reports() == []


def test_the_request_report_page_is_translated(client_for: Any, cora: Any, alices_need: Any) -> None:
    page = client_for(cora, "ru").get(f"/needs/{alices_need.public_id}/report/").content.decode()
    assert "Сообщить о проблеме" in page  # the page's existing title, in Russian


def test_anonymous_visitors_are_sent_to_log_in(client_for: Any, alices_need: Any) -> None:
    response = client_for(None).post(f"/needs/{alices_need.public_id}/report/", {"reason": "spam"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert _reports() == []


# ----- border reports --------------------------------------------------------------------


def test_a_moderating_coordinator_reports_a_border_report_from_the_checkpoint_page(
    client_for: Any, cora: Any, border_report: Any
) -> None:
    from haven.safety.models import Report

    client = client_for(cora)
    page = client.get("/border/syrym/").content.decode()
    assert f'href="/border/reports/{border_report.public_id}/report/"' in page

    form = client.get(f"/border/reports/{border_report.public_id}/report/")
    assert form.status_code == 200
    assert "You are reporting: Border report" in form.content.decode()

    response = client.post(f"/border/reports/{border_report.public_id}/report/", {"reason": "agent"})
    assert response.status_code == 302
    assert response["Location"] == f"/border/syrym/#report-{border_report.public_id}"
    assert _reports() == [("border_report", border_report.public_id, "traveller", "cora", "agent")]
    assert Report.objects.get().region == border_report.checkpoint.region


def test_a_coordinators_own_border_report_has_no_report_link(client_for: Any, cora: Any, syrym: Any) -> None:
    own = submit_timed(cora, syrym, 2)
    page = client_for(cora).get("/border/syrym/").content.decode()
    assert f"report-{own.public_id}" in page  # listed for moderation ...
    assert f"/border/reports/{own.public_id}/report/" not in page  # ... but not reportable by its author
    response = client_for(cora).post(f"/border/reports/{own.public_id}/report/", {"reason": "spam"})
    assert response.status_code == 200
    assert "You are not allowed to do this." in response.content.decode()
    assert _reports() == []


@pytest.mark.parametrize("who", ["alice", "bob", "dmitri"])
def test_whoever_cannot_see_a_border_report_cannot_report_it(request: Any, client_for: Any, who: str, border_report: Any) -> None:
    client = client_for(request.getfixturevalue(who))
    page = client.get("/border/syrym/").content.decode()
    assert border_report.public_id not in page  # travellers never see individual reports
    assert client.get(f"/border/reports/{border_report.public_id}/report/").status_code == 404
    assert client.post(f"/border/reports/{border_report.public_id}/report/", {"reason": "spam"}).status_code == 404
    assert _reports() == []


def test_reporting_an_unknown_border_report_is_a_404(client_for: Any, cora: Any) -> None:
    client = client_for(cora)
    assert client.get("/border/reports/nosuchreport0000/report/").status_code == 404
    assert client.post("/border/reports/nosuchreport0000/report/", {"reason": "spam"}).status_code == 404
    assert _reports() == []


def test_a_border_report_report_without_a_reason_changes_nothing(client_for: Any, cora: Any, border_report: Any) -> None:
    response = client_for(cora).post(f"/border/reports/{border_report.public_id}/report/", {"note": "no reason"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert _reports() == []


@pytest.mark.parametrize("action", ["hide", "freeze"])
def test_moderation_of_a_report_one_cannot_see_is_a_404(client_for: Any, dmitri: Any, alice: Any, border_report: Any, action: str) -> None:
    for user in (dmitri, alice):
        assert client_for(user).post(f"/border/reports/{border_report.public_id}/{action}/").status_code == 404
    border_report.refresh_from_db()
    border_report.reporter.refresh_from_db()
    assert (border_report.hidden_at, border_report.reporter.frozen_at) == (None, None)
