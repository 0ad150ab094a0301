"""The coordinators' read audit (P7): opening a person-level page in the console, on the
site or through the API writes exactly one access-log row (who, what kind, its public
id, which view, when; never contacts); lists write none; only administrators can read the
log, and nobody can change or delete it in the console."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from haven.privacy import services as privacy
from haven.privacy.enums import AccessKind
from haven.privacy.models import AccessLog
from tests.api.conftest import api  # noqa: F401  (the live-server API client fixture)
from tests.borders.helpers import submit_timed
from tests.security.conftest import chosen_proposal

CANARY_PHONE = "+7 701 555 0199"


@pytest.fixture
def ada(db: Any) -> Any:
    """An administrator (superuser)."""
    from haven.accounts.models import User

    return User.objects.create_superuser("ada", "correct-horse-battery-staple")


@pytest.fixture
def things(alice: Any, bob: Any, alices_need: Any, bobs_offer: Any) -> dict[str, Any]:
    """One of each person-level object the console shows, all about alice and bob."""
    from haven.geo.models import Checkpoint
    from haven.safety import services as safety

    proposal = chosen_proposal(alices_need, bobs_offer)
    report = safety.report_submit(
        reporter=alice, target_kind="offer", target_public_id=bobs_offer.public_id, reason="fake", note="odd"
    )
    checkpoint = Checkpoint.objects.filter(region=alices_need.city.region).first() or Checkpoint.objects.first()
    border_report = submit_timed(alice, checkpoint, 2.0)
    privacy.contacts_set(user=alice, contacts=privacy.Contacts(phone=CANARY_PHONE))
    return {
        "accounts/user": alice, "aid/need": alices_need, "aid/offer": bobs_offer,
        "matching/proposal": proposal, "safety/report": report, "borders/borderreport": border_report,
    }


KINDS = {
    "accounts/user": AccessKind.ACCOUNT, "aid/need": AccessKind.NEED, "aid/offer": AccessKind.OFFER,
    "matching/proposal": AccessKind.PROPOSAL, "safety/report": AccessKind.ABUSE_REPORT,
    "borders/borderreport": AccessKind.BORDER_REPORT,
}


def _rows() -> list[tuple[str, str, str, str]]:
    return list(AccessLog.objects.order_by("pk").values_list("viewer_name", "kind", "object_public_id", "view"))


@pytest.mark.parametrize("page", sorted(KINDS))
def test_opening_a_person_level_console_page_writes_exactly_one_row(
    client_for: Callable[..., Any], ada: Any, things: dict[str, Any], page: str
) -> None:
    obj = things[page]
    before = timezone.now()
    response = client_for(ada).get(f"/coordinate/{page}/{obj.pk}/change/")
    assert response.status_code == 200
    app, model = page.split("/")
    assert _rows() == [("ada", KINDS[page], obj.public_id, f"admin:{app}_{model}_change")]
    row = AccessLog.objects.get()
    assert row.viewer == ada
    assert before <= row.at <= timezone.now()


def test_a_coordinator_opening_a_need_in_the_console_is_logged_once_per_opening(
    client_for: Callable[..., Any], cora: Any, alices_need: Any
) -> None:
    client = client_for(cora)
    assert client.get(f"/coordinate/aid/need/{alices_need.pk}/change/").status_code == 200
    assert client.get(f"/coordinate/aid/need/{alices_need.pk}/history/").status_code == 200
    assert _rows() == [
        ("cora", AccessKind.NEED, alices_need.public_id, "admin:aid_need_change"),
        ("cora", AccessKind.NEED, alices_need.public_id, "admin:aid_need_history"),
    ]


def test_console_lists_write_no_rows(client_for: Callable[..., Any], ada: Any, cora: Any, things: dict[str, Any]) -> None:
    for page in sorted(KINDS):
        assert client_for(ada).get(f"/coordinate/{page}/").status_code == 200
    assert client_for(cora).get("/coordinate/aid/need/").status_code == 200
    assert client_for(cora).get("/coordinate/").status_code == 200
    assert _rows() == []


def test_a_page_outside_the_coordinators_region_is_not_shown_and_not_logged(
    client_for: Callable[..., Any], dmitri: Any, alices_need: Any
) -> None:
    response = client_for(dmitri).get(f"/coordinate/aid/need/{alices_need.pk}/change/")
    assert response.status_code == 302  # the console's "does not exist" redirect
    assert _rows() == []


def test_a_coordinator_opening_someones_need_on_the_site_is_logged_and_its_owner_is_not(
    client_for: Callable[..., Any], alice: Any, cora: Any, alices_need: Any
) -> None:
    assert client_for(alice).get(f"/needs/{alices_need.public_id}/").status_code == 200
    assert _rows() == []
    assert client_for(cora).get(f"/needs/{alices_need.public_id}/").status_code == 200
    assert _rows() == [("cora", AccessKind.NEED, alices_need.public_id, "web:need_detail")]


def test_a_coordinator_opening_a_proposal_on_the_site_is_logged(
    client_for: Callable[..., Any], alice: Any, cora: Any, alices_need: Any, bobs_offer: Any
) -> None:
    proposal = chosen_proposal(alices_need, bobs_offer)
    assert client_for(alice).get(f"/proposals/{proposal.public_id}/").status_code == 200
    assert client_for(cora).get(f"/proposals/{proposal.public_id}/").status_code == 200
    assert _rows() == [("cora", AccessKind.PROPOSAL, proposal.public_id, "web:proposal_detail")]


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_reading_a_need_or_proposal_through_the_api_is_logged_and_lists_are_not(
    api: Callable[..., Any], alice: Any, cora: Any, alices_need: Any, bobs_offer: Any  # noqa: F811
) -> None:
    proposal = chosen_proposal(alices_need, bobs_offer)
    coordinator, owner = api(cora), api(alice)
    assert owner.get(f"/needs/{alices_need.public_id}").status_code == 200
    assert coordinator.get("/needs").status_code == 200
    assert _rows() == []
    need = coordinator.get(f"/needs/{alices_need.public_id}")
    assert need.status_code == 200
    assert need.json()["id"] == alices_need.public_id
    assert coordinator.get(f"/proposals/{proposal.public_id}").status_code == 200
    rows = _rows()
    assert [row[:3] for row in rows] == [
        ("cora", AccessKind.NEED, alices_need.public_id),
        ("cora", AccessKind.PROPOSAL, proposal.public_id),
    ]
    assert all(row[3].startswith("api") for row in rows)


def test_only_administrators_read_the_log_and_it_holds_no_contacts(
    client_for: Callable[..., Any], ada: Any, cora: Any, things: dict[str, Any]
) -> None:
    alice = things["accounts/user"]
    need = things["aid/need"]
    client_for(cora).get(f"/coordinate/accounts/user/{alice.pk}/change/")
    client_for(cora).get(f"/coordinate/aid/need/{need.pk}/change/")
    assert len(_rows()) == 2  # there is something to leak

    listing = client_for(ada).get("/coordinate/privacy/accesslog/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert alice.public_id in html
    assert need.public_id in html
    assert CANARY_PHONE not in html
    assert "0199" not in html
    assert "/coordinate/privacy/accesslog/add/" not in html
    # Reading the log is not itself a person-level page: it writes nothing.
    assert len(_rows()) == 2

    assert client_for(cora).get("/coordinate/privacy/accesslog/").status_code == 403
    assert "privacy/accesslog" not in client_for(cora).get("/coordinate/").content.decode()


def test_nobody_can_add_change_or_delete_log_rows_in_the_console(client_for: Callable[..., Any], ada: Any, cora: Any, alices_need: Any) -> None:
    client_for(cora).get(f"/coordinate/aid/need/{alices_need.pk}/change/")
    row = AccessLog.objects.get()
    admin = client_for(ada)
    assert admin.get(f"/coordinate/privacy/accesslog/{row.pk}/change/").status_code == 200  # read-only view
    assert admin.post(f"/coordinate/privacy/accesslog/{row.pk}/change/", {"viewer_name": "x"}).status_code == 403
    assert admin.post(f"/coordinate/privacy/accesslog/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get("/coordinate/privacy/accesslog/add/").status_code == 403
    assert _rows() == [("cora", AccessKind.NEED, alices_need.public_id, "admin:aid_need_change")]


def test_people_reading_their_own_data_are_never_logged(alice: Any, alices_need: Any) -> None:
    assert privacy.access_log_record(viewer=alice, kind=AccessKind.NEED, public_id=alices_need.public_id, view="x") is None
    assert _rows() == []


def test_the_purge_removes_rows_past_the_retention_period_only(cora: Any, settings: Any) -> None:
    now = timezone.now()
    days = settings.HAVEN_RETENTION_ACCESS_LOG_DAYS
    old = privacy.access_log_record(viewer=cora, kind=AccessKind.NEED, public_id="old", view="x")
    recent = privacy.access_log_record(viewer=cora, kind=AccessKind.NEED, public_id="recent", view="x")
    assert old is not None
    assert recent is not None
    AccessLog.objects.filter(pk=old.pk).update(at=now - dt.timedelta(days=days, minutes=1))
    AccessLog.objects.filter(pk=recent.pk).update(at=now - dt.timedelta(days=days - 1))
    from haven.safety.services import retention_purge

    assert retention_purge(now=now)["access_log"] == 1  # the daily retention job runs it
    assert list(AccessLog.objects.values_list("object_public_id", flat=True)) == ["recent"]


def test_the_trail_outlives_the_coordinators_account(cora: Any, alices_need: Any) -> None:
    privacy.access_log_record(viewer=cora, kind=AccessKind.NEED, public_id=alices_need.public_id, view="x")
    cora.delete()
    assert list(AccessLog.objects.values_list("viewer_id", "viewer_name")) == [(None, "cora")]
