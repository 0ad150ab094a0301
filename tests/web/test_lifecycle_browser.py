import pytest

from haven.matching import services
from haven.matching.models import Proposal
from haven.privacy import services as privacy
from haven.privacy.models import Reveal
from tests.factories import PASSWORD
from tests.matching.conftest import post_need, post_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_url(f"{base}/me/")


def test_seeker_chooses_host_accepts_and_both_see_contacts_after_the_advice(browser, live_server, alice, bob, uralsk):
    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="+7 701 555 0101"))
    privacy.contacts_set(user=alice, contacts=privacy.Contacts(telegram="alice_on_the_move"))
    need = post_need(alice)
    post_offer(bob, title="Room by the river")
    services.matching_run(trigger="test", time_limit_s=20)
    base = live_server.url
    seeker = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()
    host = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()

    log_in(seeker, base, "alice")
    seeker.goto(f"{base}/needs/{need.public_id}/")
    seeker.click("#proposals a")
    seeker.click("button:has-text('Choose this place')")
    assert seeker.text_content("#proposal-status").strip() == "Waiting for the host's answer"

    log_in(host, base, "bob")
    host.click("#host-proposals a")
    host.click("button:has-text('Accept these guests')")
    assert host.text_content("#proposal-status").strip() == "Accepted by both"

    seeker.reload()
    seeker.click("a:has-text('Contacts')")
    assert seeker.is_visible("#safety-guidance")
    assert not seeker.is_visible("text=+7 701 555 0101")
    seeker.click("#reveal")
    assert seeker.text_content("#contacts").count("+7 701 555 0101") == 1
    assert Reveal.objects.filter(viewer=alice, owner=bob).count() == 1
    assert Proposal.objects.get().status == "accepted"
    seeker.context.close()
    host.context.close()
