import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from haven.aid.models import Need, Offer
from haven.core.errors import HavenError
from haven.matching import services
from haven.matching.models import MatchRun, Proposal
from haven.privacy import services as privacy
from haven.privacy.models import Reveal
from tests.matching.conftest import post_need, post_offer

pytestmark = pytest.mark.django_db


def run():
    result = services.matching_run(trigger="test", time_limit_s=20)
    assert result is not None
    assert result.status == "done", result.error
    return result


def reserved(offer):
    return Proposal.objects.filter(offer=offer, status__in=("proposed", "seeker_accepted", "accepted", "moved_in")).aggregate(
        s=Sum("places")
    )["s"] or 0


def test_a_run_proposes_the_room_with_alternatives_and_records_its_bound(alice, bob, dave, uralsk):
    need = post_need(alice)  # 2 adults + 1 child
    best = post_offer(bob, capacity="3", title="Fits exactly")
    post_offer(dave, capacity="4", title="Also fits")
    post_offer(dave, capacity="2", title="Too small")
    result = run()
    proposals = list(Proposal.objects.filter(need=need).order_by("rank"))
    assert [p.offer.title for p in proposals][:1] in (["Fits exactly"], ["Also fits"])
    assert sorted(p.offer.title for p in proposals) == ["Also fits", "Fits exactly"]
    assert [p.rank for p in proposals] == [0, 1]
    assert all(p.places == 3 for p in proposals)
    assert (result.needs, result.proposals, result.people_housed) == (1, 2, 3)
    assert result.bound >= result.objective > 0
    assert result.certificate["lagrangian_bound"] >= result.objective - 1e-9
    assert best.pk in {p.offer_id for p in proposals}


def test_the_whole_lifecycle_reveals_contacts_only_after_both_accept(alice, bob, charlie, uralsk):
    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="+7 701 555 0101"))
    privacy.contacts_set(user=alice, contacts=privacy.Contacts(telegram="alice_on_the_move"))
    need = post_need(alice)
    offer = post_offer(bob)
    run()
    proposal = Proposal.objects.get(need=need)
    with pytest.raises(HavenError, match="not_both_accepted"):
        services.proposal_contacts(proposal=proposal, viewer=alice)
    services.proposal_pick(proposal=proposal)
    with pytest.raises(HavenError, match="not_both_accepted"):
        services.proposal_contacts(proposal=proposal, viewer=bob)
    services.proposal_host_answer(proposal=proposal, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert services.proposal_contacts(proposal=proposal, viewer=alice).phone == "+7 701 555 0101"
    assert services.proposal_contacts(proposal=proposal, viewer=bob).telegram == "alice_on_the_move"
    with pytest.raises(HavenError, match="forbidden"):
        services.proposal_contacts(proposal=proposal, viewer=charlie)
    assert list(Reveal.objects.order_by("pk").values_list("viewer__username", "owner__username")) == [
        ("alice", "bob"), ("bob", "alice"),
    ]
    services.proposal_moved_in(proposal=proposal, by=bob)
    need.refresh_from_db()
    assert (need.status, need.close_reason) == ("closed", "found_here")
    services.proposal_end(proposal=proposal, reason="planned", by=bob)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.end_reason) == ("ended", "planned")
    assert services.offer_spare(offer) == 3


def test_picking_one_proposal_withdraws_the_alternatives_and_frees_their_places(alice, bob, dave, uralsk):
    need = post_need(alice)
    a = post_offer(bob, capacity="3")
    b = post_offer(dave, capacity="3")
    run()
    first, second = Proposal.objects.filter(need=need).order_by("rank")
    assert reserved(a) + reserved(b) == 6
    services.proposal_pick(proposal=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("withdrawn", "seeker_accepted")
    assert reserved(first.offer) == 0
    assert reserved(second.offer) == 3


def test_a_shelter_accepts_by_itself_and_counts_the_arrival(alice, olga, olgas_shelter):
    need = post_need(alice, host_preference="collective")
    run()
    proposal = Proposal.objects.get(need=need)
    assert proposal.offer == olgas_shelter
    services.proposal_pick(proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    services.proposal_moved_in(proposal=proposal, by=olga)
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.free_places == 77
    assert services.offer_spare(olgas_shelter) == 77
    services.proposal_end(proposal=proposal, reason="moved_on", by=olga)
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.free_places == 80


def test_a_declined_pair_is_never_proposed_again(alice, bob, uralsk):
    need = post_need(alice)
    post_offer(bob)
    run()
    proposal = Proposal.objects.get(need=need)
    services.proposal_pick(proposal=proposal)
    services.proposal_host_answer(proposal=proposal, accept=False)
    second = run()
    assert second.proposals == 0
    assert Proposal.objects.filter(need=need).count() == 1
    with pytest.raises(HavenError, match="pair_declined"):
        services.proposal_create_manual(coordinator=_coordinator(), need=need, offer=proposal.offer)


def _coordinator():
    from haven.accounts.services import coordinator_grant
    from haven.geo.models import City
    from tests.factories import make_user

    user = make_user("coordinator-x")
    coordinator_grant(user=user, regions=[City.objects.get(slug="uralsk").region])
    return user


def test_unanswered_proposals_are_reminded_after_a_day_and_expire_after_three(alice, bob, uralsk):
    post_need(alice)
    post_offer(bob)
    run()
    proposal = Proposal.objects.get()
    now = timezone.now()
    assert services.proposals_housekeeping(now=now + dt.timedelta(hours=23)) == {"expired": 0, "reminded": 0}
    assert services.proposals_housekeeping(now=now + dt.timedelta(hours=25)) == {"expired": 0, "reminded": 1}
    assert services.proposals_housekeeping(now=now + dt.timedelta(hours=26)) == {"expired": 0, "reminded": 0}
    assert services.proposals_housekeeping(now=now + dt.timedelta(hours=73)) == {"expired": 1, "reminded": 0}
    proposal.refresh_from_db()
    assert proposal.status == "expired"
    assert reserved(proposal.offer) == 0


def test_stale_needs_and_offers_are_not_matched(alice, bob, uralsk):
    need = post_need(alice)
    offer = post_offer(bob)
    Need.objects.filter(pk=need.pk).update(confirmed_at=timezone.now() - dt.timedelta(days=8))
    assert run().proposals == 0
    Need.objects.filter(pk=need.pk).update(confirmed_at=timezone.now())
    Offer.objects.filter(pk=offer.pk).update(confirmed_at=timezone.now() - dt.timedelta(days=8))
    assert run().proposals == 0


def test_safeguarding_a_mother_and_child_never_go_to_a_man_alone(alice, bob, uralsk):
    post_need(alice, adults="1", children="1", women_only="on")
    post_offer(bob, host_kind="man")
    assert run().proposals == 0
    post_offer(bob, host_kind="woman", title="Hosted by a woman")
    run()
    assert list(Proposal.objects.values_list("offer__title", flat=True)) == ["Hosted by a woman"]


def test_unaccompanied_minors_are_flagged_for_a_coordinator_not_matched(alice, olga, olgas_shelter):
    need = post_need(alice, adults="0", children="2")
    result = run()
    assert result.proposals == 0
    assert result.flagged == [need.public_id]


def test_a_host_below_the_accepted_tier_is_not_proposed(alice, bob, uralsk):
    post_need(alice, min_tier="2")
    post_offer(bob)
    assert run().proposals == 0
    bob.tier = 2
    bob.save()
    assert run().proposals == 1


def test_capacity_is_never_exceeded_across_many_needs(bob, uralsk):
    from tests.factories import make_user

    offer = post_offer(bob, capacity="5")
    for i in range(6):
        post_need(make_user(f"seeker-{i}"), adults="2", children="0")
    run()
    assert reserved(offer) <= 5
    assert Proposal.objects.filter(offer=offer).count() == 2


def test_an_exclusive_offer_takes_one_party(bob, uralsk):
    from tests.factories import make_user

    offer = post_offer(bob, capacity="6", exclusive="on")
    for i in range(3):
        post_need(make_user(f"seeker-{i}"), adults="1", children="0")
    run()
    assert Proposal.objects.filter(offer=offer).count() == 1


def test_only_one_worker_runs_the_matcher_at_a_time(alice, bob, uralsk):
    assert services._claim_lock("worker-a", 60) is True
    assert services.matching_run(trigger="test") is None
    services._release_lock("worker-a")
    assert services.matching_run(trigger="test") is not None
    assert MatchRun.objects.count() == 1
