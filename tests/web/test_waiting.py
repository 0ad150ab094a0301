"""Problem 5 of issue #11: /me/ and the header show what waits for an answer, with its
expiry in words in the region's time, and the Telegram item works or is hidden."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from haven.matching import services
from haven.matching.models import Proposal
from haven.privacy import services as privacy
from tests.factories import make_user
from tests.matching.conftest import post_need, post_offer

pytestmark = pytest.mark.django_db

# 09:00 in Almaty: a proposal made now expires at 09:00 three days later.
MORNING = dt.datetime.fromisoformat("2026-04-01T09:00:00+05:00")


@pytest.fixture
def dave(db):
    return make_user("dave", "host")


@pytest.fixture
def made_in_the_morning(alice, bob, dave, uralsk):
    """Two proposals for Alice's one request (a choice and an alternative), made at MORNING."""
    with time_machine.travel(MORNING, tick=False):
        need = post_need(alice)
        offers = (post_offer(bob, title="Room by the river"), post_offer(dave, title="Sofa in the centre"))
        return services.proposals_create(planned=services.Planned(need=need, offers=tuple((o, 1.0) for o in offers)))


def waiting_block(page: str) -> str:
    match = re.search(r'<section class="waiting" id="waiting".*?</section>', page, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize(
    ("language", "at", "expected"),
    [
        ("en", MORNING, "Answer by 4 April, 09:00, 72 hours left"),
        ("ru", MORNING, "Ответьте до 4 апреля, 09:00, осталось 72 часа"),
        ("ru", MORNING + dt.timedelta(hours=51), "Ответьте до 4 апреля, 09:00, остался 21 час"),
        ("ru", MORNING + dt.timedelta(hours=67), "Ответьте до 09:00, осталось 5 часов"),
        ("en", MORNING + dt.timedelta(hours=71, minutes=30), "Answer by 09:00, 30 minutes left"),
        ("ru", MORNING + dt.timedelta(hours=71, minutes=59), "Ответьте до 09:00, осталась 1 минута"),
    ],
)
def test_the_seeker_sees_at_the_top_of_my_page_a_choice_to_make_and_its_deadline_in_words(
    client_for, alice, made_in_the_morning, language, at, expected
):
    with time_machine.travel(at, tick=False):
        page = client_for(alice, language).get("/me/").content.decode()
    block = waiting_block(page)
    assert page.index('id="waiting"') < page.index("<h1>")
    need = made_in_the_morning[0].need
    assert f'href="/needs/{need.public_id}/"' in block
    assert {"en": "2 places proposed: choose one", "ru": "Предложено 2 места: выберите одно"}[language] in block
    assert f'<div class="deadline">{expected}</div>' in block


def test_the_host_sees_the_party_to_accept_with_the_deadline_from_the_seekers_choice(
    client_for, bob, made_in_the_morning
):
    proposal = made_in_the_morning[0]
    with time_machine.travel(MORNING + dt.timedelta(hours=10), tick=False):
        services.proposal_pick(proposal=proposal)
        page = client_for(bob, "ru").get("/me/").content.decode()
        detail = client_for(bob, "ru").get(f"/proposals/{proposal.public_id}/").content.decode()
    block = waiting_block(page)
    assert f'href="/proposals/{proposal.public_id}/"' in block
    assert "Группа из 3 человек выбрала ваше предложение" in block
    assert '<div class="deadline">Ответьте до 4 апреля, 19:00, осталось 72 часа</div>' in block
    assert '<p class="deadline" id="answer-by">Ответьте до 4 апреля, 19:00, осталось 72 часа</p>' in detail


def test_nothing_waiting_shows_no_block_and_no_badge(client_for, charlie):
    page = client_for(charlie).get("/me/").content.decode()
    assert 'id="waiting"' not in page
    assert 'id="waiting-badge"' not in page


def test_expired_and_answered_proposals_wait_for_nobody(client_for, alice, made_in_the_morning):
    with time_machine.travel(MORNING + dt.timedelta(hours=72, minutes=1), tick=False):
        page = client_for(alice).get("/me/").content.decode()
    assert 'id="waiting"' not in page
    services.proposal_decline_by_seeker(proposal=made_in_the_morning[0])
    services.proposal_decline_by_seeker(proposal=made_in_the_morning[1])
    assert 'id="waiting"' not in client_for(alice).get("/me/").content.decode()


def test_the_header_counts_one_choice_per_request_and_links_to_it_on_every_page(
    client_for, alice, made_in_the_morning
):
    with time_machine.travel(MORNING, tick=False):
        client = client_for(alice, "ru")
        page = client.get("/border/").content.decode()
    badge = re.search(r'<a href="/me/#waiting" id="nav-me">.*?</a>', page, re.S)
    assert badge is not None
    assert '<span aria-hidden="true">1</span><span class="visually-hidden">1 ответ ждёт вас</span>' in badge.group(0)


def test_anonymous_pages_have_no_badge_and_ask_nothing_about_anyone(client, made_in_the_morning):
    page = client.get("/offers/").content.decode()
    assert 'id="waiting-badge"' not in page
    assert 'href="/me/' not in page


def test_the_badge_costs_one_query(alice, made_in_the_morning, django_assert_num_queries):
    from haven.web.templatetags.reach import waiting_count

    with time_machine.travel(MORNING, tick=False), django_assert_num_queries(1):
        assert waiting_count(alice) == 1


def test_a_due_safety_check_in_waits_on_my_page(client_for, alice, bob, made_in_the_morning):
    from haven.bot.models import SafetyCheckIn

    proposal = made_in_the_morning[0]
    privacy.contacts_choose_desk(user=alice)
    services.proposal_pick(proposal=proposal)
    services.proposal_host_answer(proposal=proposal, accept=True)
    services.proposal_moved_in(proposal=proposal, by=bob)
    proposal.refresh_from_db()
    SafetyCheckIn.objects.create(token="t1", proposal=proposal, stage="arrival", due_at=proposal.moved_in_at)
    SafetyCheckIn.objects.create(token="t2", proposal=proposal, stage="week", due_at=proposal.moved_in_at + dt.timedelta(days=7))
    block = waiting_block(client_for(alice).get("/me/").content.decode())
    assert block.count("Safety check-in: are you safe where you are staying?") == 1
    assert f'id="waiting-checkin-{proposal.public_id}"' in block


def test_connect_telegram_is_hidden_when_the_bot_is_not_configured(client_for, alice, settings):
    settings.TELEGRAM_BOT_USERNAME = ""
    assert "/telegram/connect/" not in client_for(alice).get("/me/").content.decode()
    # Opened anyway: no promise of a link that is not there.
    connect = client_for(alice).get("/telegram/connect/").content.decode()
    assert "with this link" not in connect
    assert "Send this to the Haven bot: /start " in connect


def test_connect_telegram_opens_the_bot_by_a_one_time_link_when_it_is_configured(client_for, alice, settings):
    settings.TELEGRAM_BOT_USERNAME = "haven_test_bot"
    client = client_for(alice)
    page = client.get("/me/").content.decode()
    assert '<p id="connect-telegram"><a href="/telegram/connect/">Connect Telegram</a></p>' in page
    connect = client.get("/telegram/connect/").content.decode()
    assert re.search(r'href="https://t\.me/haven_test_bot\?start=[A-Za-z0-9_-]{16,}"', connect)


def test_the_api_gives_the_deadline_of_a_proposal(client_for, alice, made_in_the_morning):
    proposal: Proposal = made_in_the_morning[0]
    got = client_for(alice).get(f"/api/proposals/{proposal.public_id}").json()
    assert dt.datetime.fromisoformat(got["answer_by"]) == MORNING + dt.timedelta(hours=72)


# Made 71 hours before each pinned instant, so it expires one hour after it.
DEADLINE_AT = {
    "23:30-almaty": "Answer by 1 April, 00:30, 1 hour left",  # tomorrow in Almaty: the day is named
    "00:30-almaty": "Answer by 01:30, 1 hour left",  # still 31 March in UTC, today in Almaty
    "00:00-utc": "Answer by 06:00, 1 hour left",
}


@pytest.mark.region_midnight
def test_the_deadline_is_told_in_the_regions_time_and_names_the_day_only_when_it_is_not_today(
    request, client_for, alice, bob, uralsk, region_instant
):
    with time_machine.travel(region_instant - dt.timedelta(hours=71), tick=False):
        need, offer = post_need(alice), post_offer(bob)
        services.proposals_create(planned=services.Planned(need=need, offers=((offer, 1.0),)))
    with time_machine.travel(region_instant, tick=False):
        block = waiting_block(client_for(alice).get("/me/").content.decode())
    assert f'<div class="deadline">{DEADLINE_AT[request.node.callspec.params["region_instant"]]}</div>' in block


def test_a_proposal_to_a_shelter_stops_waiting_when_its_short_window_ends(client_for, alice, alices_need, olgas_shelter):
    from haven.matching.selectors import waiting_count

    (proposal,) = services.proposals_create(planned=services.Planned(need=alices_need, offers=((olgas_shelter, 1.0),)))
    assert waiting_count(user=alice) == 1
    with time_machine.travel(proposal.created_at + dt.timedelta(hours=6, minutes=1), tick=False):
        assert waiting_count(user=alice) == 0
        assert f"/proposals/{proposal.public_id}/" not in client_for(alice).get("/me/").content.decode()
