"""Two workers racing to reserve the same places never double-book (PostgreSQL: real
row locks; SQLite serialises writers, so the race is only meaningful on PostgreSQL)."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum

from haven.matching import services
from haven.matching.models import Proposal
from tests.factories import make_user
from tests.matching.conftest import post_need, post_offer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are a PostgreSQL matter"),
]


def test_two_workers_racing_for_one_offer_never_double_book(bob, uralsk):
    offer = post_offer(bob, capacity="4")
    needs = [post_need(make_user(f"racer-{i}"), adults="3", children="0") for i in range(8)]
    barrier = threading.Barrier(8)
    outcomes: list[int] = []

    def worker(need):
        try:
            barrier.wait()
            created = services.proposals_create(planned=services.Planned(need=need, offers=((offer, 1.0),)))
            outcomes.append(len(created))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(n,)) for n in needs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [0] * 7 + [1]
    assert Proposal.objects.filter(offer=offer).aggregate(s=Sum("places"))["s"] == 3


def test_two_matching_runs_at_once_produce_one_set_of_proposals(bob, dave, uralsk):
    for i in range(5):
        post_offer(bob if i % 2 else dave, capacity="2", title=f"Room {i}")
    for i in range(12):
        post_need(make_user(f"runner-{i}"), adults="1", children="0")
    results = []

    def worker():
        try:
            results.append(services.matching_run(trigger="race", time_limit_s=20))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for offer_id, places in Proposal.objects.values_list("offer_id").annotate(s=Sum("places")):
        assert places <= 2, offer_id
    assert Proposal.objects.values("need").distinct().count() <= 12
    assert connection.vendor == "postgresql"
