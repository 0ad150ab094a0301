"""Notifications from the worker through the outbox: new proposal, the host's turn,
acceptance, reminders, expiry, safety check-ins; retries with backoff; a blocked bot
recorded and never retried."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from haven.bot import services
from haven.bot.models import Outbox, SafetyCheckIn, TelegramLink
from haven.bot.transport import Transport
from haven.matching import services as matching
from haven.matching.models import Proposal
from haven.matching.services import Planned, proposals_create
from haven.privacy.services import Contacts, contacts_set
from haven.safety.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def transport(fake_telegram: Any) -> Any:
    bot = Transport(token="123456:TEST-TOKEN", base_url=fake_telegram.url)
    yield bot
    bot.close()


@pytest.fixture
def proposal(alices_need: Any, bobs_offer: Any) -> Proposal:
    return proposals_create(planned=Planned(need=alices_need, offers=((bobs_offer, 1.0),)))[0]


def _round(transport: Transport, now: dt.datetime | None = None) -> dict[str, int]:
    services.notifications_collect(now=now)
    return services.outbox_drain(transport=transport, now=now)


def test_a_new_proposal_is_sent_once_with_its_buttons(
    linked: Any, alice: Any, bob: Any, proposal: Proposal, transport: Transport
) -> None:
    seeker, host = linked(alice, 1001), linked(bob, 1002)
    host_messages = len(host.texts())
    assert _round(transport) == {"sent": 1, "retry": 0, "failed": 0}
    assert seeker.last_text().startswith("We found a place for you:")
    assert seeker.buttons() == [f"p:pick:{proposal.public_id}", f"p:decline:{proposal.public_id}"]
    assert len(host.texts()) == host_messages  # the host hears nothing until the party chooses
    assert _round(transport) == {"sent": 0, "retry": 0, "failed": 0}


def test_the_host_hears_when_chosen_and_both_hear_of_the_acceptance(
    linked: Any, alice: Any, bob: Any, proposal: Proposal, transport: Transport, fake_telegram: Any
) -> None:
    contacts_set(user=alice, contacts=Contacts(phone="+7 701 555 0199", telegram="@canary_seeker"))
    contacts_set(user=bob, contacts=Contacts(phone="+7 702 555 0188", telegram="@canary_host"))
    seeker, host = linked(alice, 1001), linked(bob, 1002)
    matching.proposal_pick(proposal=proposal)
    _round(transport)
    assert host.last_text().startswith("A party chose your place:")
    assert host.buttons() == [f"p:accept:{proposal.public_id}", f"p:refuse:{proposal.public_id}"]
    matching.proposal_host_answer(proposal=proposal, accept=True)
    _round(transport)
    assert seeker.last_text().startswith("Both sides accepted.")
    assert host.last_text().startswith("Both sides accepted.")
    sent = fake_telegram.all_outgoing_text()
    assert "555 01" not in sent
    assert "canary" not in sent


def test_reminders_and_expiry_reach_the_one_who_must_answer(
    linked: Any, alice: Any, proposal: Proposal, transport: Transport
) -> None:
    seeker = linked(alice, 1001)
    _round(transport)
    later = timezone.now() + dt.timedelta(hours=25)
    matching.proposals_housekeeping(now=later)
    _round(transport, later)
    assert (
        seeker.last_text()
        == "A proposal is waiting for your answer. Without an answer it expires soon."
    )
    much_later = timezone.now() + dt.timedelta(hours=73)
    matching.proposals_housekeeping(now=much_later)
    _round(transport, much_later)
    assert seeker.last_text() == (
        "A proposal expired because nobody answered in time. We will look for another match."
    )


def test_a_blocked_bot_is_recorded_and_never_retried(
    linked: Any, alice: Any, proposal: Proposal, transport: Transport, fake_telegram: Any
) -> None:
    linked(alice, 1001)
    fake_telegram.fail[1001] = (403, "Forbidden: bot was blocked by the user")
    assert _round(transport) == {"sent": 0, "retry": 0, "failed": 1}
    row = Outbox.objects.get()
    assert (row.status, row.attempts, row.last_error) == (
        "failed",
        1,
        "403 Forbidden: bot was blocked by the user",
    )
    assert TelegramLink.objects.get(user=alice).blocked_at is not None
    calls = len(fake_telegram.calls)
    assert _round(transport, timezone.now() + dt.timedelta(days=1)) == {
        "sent": 0,
        "retry": 0,
        "failed": 0,
    }
    assert len(fake_telegram.calls) == calls


def test_a_passing_failure_is_retried_with_backoff(
    linked: Any, alice: Any, proposal: Proposal, transport: Transport, fake_telegram: Any
) -> None:
    seeker = linked(alice, 1001)
    now = timezone.now()
    fake_telegram.fail_next = [(502, "Bad Gateway"), (429, "Too Many Requests")]
    assert _round(transport, now) == {"sent": 0, "retry": 1, "failed": 0}
    row = Outbox.objects.get()
    assert row.attempts == 1
    assert row.next_attempt_at == now + dt.timedelta(seconds=30)
    assert (
        services.outbox_drain(transport=transport, now=now + dt.timedelta(seconds=10))["retry"] == 0
    )
    assert (
        services.outbox_drain(transport=transport, now=now + dt.timedelta(seconds=31))["retry"] == 1
    )
    row.refresh_from_db()
    assert row.next_attempt_at == now + dt.timedelta(seconds=31 + 60)
    assert (
        services.outbox_drain(transport=transport, now=now + dt.timedelta(seconds=95))["sent"] == 1
    )
    assert seeker.last_text().startswith("We found a place for you:")
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 3)


def test_safety_check_ins_after_arrival_and_a_silent_alert(
    linked: Any, alice: Any, bob: Any, proposal: Proposal, transport: Transport, fake_telegram: Any
) -> None:
    seeker, host = linked(alice, 1001), linked(bob, 1002)
    matching.proposal_pick(proposal=proposal)
    matching.proposal_host_answer(proposal=proposal, accept=True)
    matching.proposal_moved_in(proposal=proposal, by=bob)
    _round(transport)
    assert SafetyCheckIn.objects.count() == 3
    arrival = SafetyCheckIn.objects.get(stage="arrival")
    assert seeker.last_text().startswith("You have arrived. Are you safe where you are staying?")
    assert seeker.buttons() == [f"c:safe:{arrival.token}", f"c:unsafe:{arrival.token}"]
    host_calls = len(fake_telegram.messages(1002))
    seeker.press(f"c:unsafe:{arrival.token}")
    alert = Report.objects.get()  # an urgent report in the region's triage queue
    assert (alert.reporter, alert.subject, alert.target_public_id) == (alice, bob, proposal.public_id)
    assert (alert.reason, alert.priority, alert.status) == ("unsafe_checkin", 1, "open")
    assert seeker.last_text().startswith("Thank you for telling us.")
    seeker.press(f"c:safe:{arrival.token}")  # a second answer changes nothing
    assert seeker.last_answer() == "This button is out of date."
    assert Report.objects.count() == 1
    host.press(f"c:unsafe:{arrival.token}")  # the host cannot answer for the guest
    assert Report.objects.count() == 1
    _round(transport)
    assert len(fake_telegram.messages(1002)) == host_calls + 0  # the host was told nothing
    assert SafetyCheckIn.objects.filter(queued_at__isnull=False).count() == 1
    _round(transport, timezone.now() + dt.timedelta(hours=25))
    assert seeker.last_text().startswith("You have stayed one day.")
    _round(transport, timezone.now() + dt.timedelta(days=7, hours=1))
    assert seeker.last_text().startswith("You have stayed one week.")


def test_the_worker_command_sends_notifications(
    linked: Any, alice: Any, proposal: Proposal
) -> None:
    seeker = linked(alice, 1001)
    call_command("bot", "--notify")
    assert seeker.last_text().startswith("We found a place for you:")
    assert Outbox.objects.get().status == "sent"


def test_who_accepted_in_the_chat_is_not_told_again_but_the_other_side_is(
    linked: Any, alice: Any, bob: Any, proposal: Proposal, transport: Transport
) -> None:
    seeker, host = linked(alice, 1001), linked(bob, 1002)
    seeker.press(f"p:pick:{proposal.public_id}")
    host.press(f"p:accept:{proposal.public_id}")
    host_messages = len(host.texts())
    assert _round(transport)["sent"] == 1
    assert seeker.last_text().startswith("Both sides accepted.")
    assert len(host.texts()) == host_messages


def test_a_not_safe_answer_outlives_the_hosts_erasure(
    linked: Any, alice: Any, bob: Any, proposal: Proposal, transport: Transport
) -> None:
    from haven.safety.services import person_erase

    seeker = linked(alice, 1001)
    matching.proposal_pick(proposal=proposal)
    matching.proposal_host_answer(proposal=proposal, accept=True)
    matching.proposal_moved_in(proposal=proposal, by=bob)
    _round(transport)
    seeker.press(f"c:unsafe:{SafetyCheckIn.objects.get(stage='arrival').token}")
    host_name = bob.username
    person_erase(user=bob)  # the host deletes their account at once
    alert = Report.objects.get()
    assert (alert.status, alert.subject, alert.subject_pseudonym) == ("open", None, host_name)
    assert alert.reporter == alice
