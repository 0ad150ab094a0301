"""Seeing and answering proposals in the chat; contacts only through a one-time link
to the site, never in a message."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from haven.matching.models import Proposal
from haven.matching.services import Planned, proposals_create
from haven.privacy.services import Contacts, contacts_set
from tests.bot.leaks import assert_nothing_personal_sent

pytestmark = pytest.mark.django_db

PHONE, HANDLE = "+7 701 555 0199", "@canary_handle_x"


@pytest.fixture
def proposal(alices_need: Any, bobs_offer: Any, alice: Any, bob: Any) -> Proposal:
    contacts_set(
        user=alice, contacts=Contacts(phone=PHONE, telegram=HANDLE, email="canary@example.org")
    )
    contacts_set(user=bob, contacts=Contacts(phone="+7 702 555 0188", telegram="@canary_host_y"))
    return proposals_create(planned=Planned(need=alices_need, offers=((bobs_offer, 1.0),)))[0]


def _assert_no_contacts_sent(fake: Any) -> None:
    sent = fake.all_outgoing_text()
    for canary in (
        "555 0199",
        "555 0188",
        "canary_handle",
        "canary_host",
        "canary@example.org",
        "+7 70",
    ):
        assert canary not in sent


def test_seeker_picks_host_accepts_and_both_get_a_one_time_link_to_the_contacts(
    linked: Any, alice: Any, bob: Any, proposal: Proposal, fake_telegram: Any
) -> None:
    seeker, host = linked(alice, 1001), linked(bob, 1002)
    host.send("/proposals")
    assert (
        host.last_text() == "You have no open proposals right now."
    )  # hosts never see unchosen proposals
    seeker.send("/proposals")
    assert "Room in Uralsk" in seeker.last_text()
    assert seeker.buttons() == [f"p:pick:{proposal.public_id}", f"p:decline:{proposal.public_id}"]
    seeker.press(f"p:pick:{proposal.public_id}")
    proposal.refresh_from_db()
    assert proposal.status == "seeker_accepted"
    assert seeker.last_answer() == "Done. The host will answer soon."
    assert fake_telegram.calls[-1][0] == "editMessageText"
    host.send("/proposals")
    assert "A party of 3 people, from " in host.last_text()
    assert "Among them: 1 child." in host.last_text()
    assert host.buttons() == [f"p:accept:{proposal.public_id}", f"p:refuse:{proposal.public_id}"]
    host.press(f"p:accept:{proposal.public_id}")
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert host.last_text().startswith("Both sides accepted.")
    host.press(f"p:contacts:{proposal.public_id}")
    link = re.search(r"https://haven\.example(/telegram/login/[^/\s]+/)", host.last_text())
    assert link is not None
    browser = Client()
    assert browser.get(link.group(1)).status_code == 200
    response = browser.post(link.group(1))
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.public_id}/contacts/"
    assert browser.get("/telegram/connect/").status_code == 200  # logged in as bob now
    assert Client().post(link.group(1)).status_code == 410  # spent
    _assert_no_contacts_sent(fake_telegram)
    assert_nothing_personal_sent(fake_telegram)


def test_contacts_links_are_refused_before_both_accept(
    linked: Any, alice: Any, proposal: Proposal
) -> None:
    seeker = linked(alice, 1001)
    seeker.press(f"p:contacts:{proposal.public_id}")
    assert seeker.last_text() == "Contacts are shared only after both sides accept."
    assert "login" not in " ".join(seeker.texts())


def test_a_seeker_declines(linked: Any, alice: Any, proposal: Proposal) -> None:
    seeker = linked(alice, 1001)
    seeker.press(f"p:decline:{proposal.public_id}")
    proposal.refresh_from_db()
    assert proposal.status == "declined_seeker"
    assert seeker.last_answer() == "Declined. We will look for another place."


def test_a_host_declines(linked: Any, alice: Any, bob: Any, proposal: Proposal) -> None:
    seeker, host = linked(alice, 1001), linked(bob, 1002)
    seeker.press(f"p:pick:{proposal.public_id}")
    host.press(f"p:refuse:{proposal.public_id}")
    proposal.refresh_from_db()
    assert proposal.status == "declined_host"


def test_a_button_pressed_twice_answers_that_the_proposal_is_closed(
    linked: Any, alice: Any, proposal: Proposal
) -> None:
    seeker = linked(alice, 1001)
    seeker.press(f"p:decline:{proposal.public_id}")
    seeker.press(f"p:pick:{proposal.public_id}")
    assert seeker.last_text() == "This proposal is no longer open."
    proposal.refresh_from_db()
    assert proposal.status == "declined_seeker"


def test_a_host_cannot_answer_for_the_seeker_nor_a_stranger_for_anyone(
    linked: Any, alice: Any, bob: Any, charlie: Any, proposal: Proposal
) -> None:
    seeker, host, stranger = linked(alice, 1001), linked(bob, 1002), linked(charlie, 1003)
    stranger.press(f"p:pick:{proposal.public_id}")
    assert stranger.last_answer() == "This button is out of date."
    host.press(f"p:pick:{proposal.public_id}")  # a host does not see an unchosen proposal at all
    assert host.last_answer() == "This button is out of date."
    seeker.press(f"p:pick:{proposal.public_id}")
    host.press(f"p:decline:{proposal.public_id}")
    assert host.last_text() == "You are not allowed to do this."
    seeker.press(f"p:accept:{proposal.public_id}")
    assert seeker.last_text() == "You are not allowed to do this."
    proposal.refresh_from_db()
    assert proposal.status == "seeker_accepted"


def test_a_shelter_accepts_at_once(
    linked: Any, alice: Any, alices_need: Any, olgas_shelter: Any
) -> None:
    created = proposals_create(planned=Planned(need=alices_need, offers=((olgas_shelter, 1.0),)))[0]
    seeker = linked(alice, 1001)
    seeker.press(f"p:pick:{created.public_id}")
    created.refresh_from_db()
    assert created.status == "accepted"
    assert seeker.last_text().startswith("Both sides accepted.")


def test_a_login_link_never_logs_in_a_coordinator(cora: Any) -> None:
    from haven.bot import services

    url = services.login_link(user=cora, next_path="/")
    path = url.removeprefix("https://haven.example")
    browser = Client()
    assert browser.post(path).status_code == 410
    assert "_auth_user_id" not in browser.session


def test_a_login_link_only_opens_pages_of_this_site(alice: Any) -> None:
    from haven.bot import services

    url = services.login_link(user=alice, next_path="//evil.example/")
    response = Client().post(url.removeprefix("https://haven.example"))
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_coordinator_who_sees_a_proposal_still_cannot_answer_it(
    linked: Any, alice: Any, cora: Any, proposal: Proposal
) -> None:
    coordinator = linked(cora, 1005)
    for action in ("pick", "decline", "accept", "refuse"):
        coordinator.press(f"p:{action}:{proposal.public_id}")
        assert coordinator.last_text() == "You are not allowed to do this."
    coordinator.press(f"p:contacts:{proposal.public_id}")
    assert coordinator.last_text() == "Contacts are shared only after both sides accept."
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_answers_the_bot_never_offers_are_out_of_date(
    linked: Any, alice: Any, proposal: Proposal
) -> None:
    seeker = linked(alice, 1001)
    for action in ("moved-in", "no-show", "cancel"):
        seeker.press(f"p:{action}:{proposal.public_id}")
        assert seeker.last_answer() == "This button is out of date."
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
