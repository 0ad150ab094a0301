"""Retention (P5): `haven retention` purges closed and long-past needs and offers,
finished proposals, old reveal rows and handled reports after their periods, and keeps
everything still in use."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import clean, need_form, offer_form


def _age(model: Any, pk: int, days: int, field: str = "updated_at") -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - dt.timedelta(days=days)})


def test_closed_needs_and_offers_are_purged_after_the_period_and_open_ones_kept(alice: Any, bob: Any, uralsk: Any, settings: Any) -> None:
    from haven.aid import services as aid
    from haven.aid.forms import NeedForm, OfferForm
    from haven.aid.models import Need, Offer

    settings.HAVEN_RETENTION_CLOSED_DAYS = 30
    old_closed = aid.need_create(owner=alice, data=clean(NeedForm, need_form()))
    aid.need_close(need=old_closed, reason="not_needed")
    _age(Need, old_closed.pk, 31)
    young_closed = aid.need_create(owner=alice, data=clean(NeedForm, need_form(kind="legal")))
    aid.need_close(need=young_closed, reason="not_needed")
    still_open = aid.need_create(owner=alice, data=clean(NeedForm, need_form(kind="medical")))
    _age(Need, still_open.pk, 31)  # open and quiet, but its dates are current: kept
    old_offer = aid.offer_create(owner=bob, data=clean(OfferForm, offer_form(), role="host"))
    aid.offer_set_status(offer=old_offer, status="closed")
    _age(Offer, old_offer.pk, 31)
    live_offer = aid.offer_create(owner=bob, data=clean(OfferForm, offer_form(title="Sofa"), role="host"))

    out = StringIO()
    call_command("retention", stdout=out)

    assert sorted(Need.objects.values_list("pk", flat=True)) == sorted([young_closed.pk, still_open.pk])
    assert list(Offer.objects.values_list("pk", flat=True)) == [live_offer.pk]
    assert "needs: 1" in out.getvalue()
    assert "offers: 1" in out.getvalue()


@pytest.mark.region_midnight
def test_needs_and_offers_whose_dates_ended_long_ago_are_purged(alice: Any, uralsk: Any, settings: Any) -> None:
    from haven.aid import services as aid
    from haven.aid.forms import NeedForm
    from haven.aid.models import Need
    from haven.safety.services import retention_purge

    need = aid.need_create(owner=alice, data=clean(NeedForm, need_form()))
    long_ago = timezone.localdate() - dt.timedelta(days=settings.HAVEN_RETENTION_CLOSED_DAYS + 1)
    Need.objects.filter(pk=need.pk).update(date_from=long_ago - dt.timedelta(days=3), date_to=long_ago)
    assert retention_purge()["needs"] == 1


def test_finished_proposals_are_purged_but_a_declined_pair_is_remembered_while_the_request_is_open(
    alice: Any, bob: Any, alices_need: Any, bobs_offer: Any, uralsk: Any
) -> None:
    from haven.aid import services as aid
    from haven.aid.forms import OfferForm
    from haven.matching import services as matching
    from haven.matching.models import Proposal
    from haven.safety.services import retention_purge

    other = aid.offer_create(owner=bob, data=clean(OfferForm, offer_form(title="Sofa"), role="host"))
    declined, expired = matching.proposals_create(
        planned=matching.Planned(need=alices_need, offers=((bobs_offer, 1.0), (other, 0.5)))
    )
    matching.proposal_decline_by_seeker(proposal=declined)
    Proposal.objects.filter(pk=expired.pk).update(status="expired")
    Proposal.objects.update(updated_at=timezone.now() - dt.timedelta(days=31))

    assert retention_purge()["proposals"] == 1
    assert list(Proposal.objects.values_list("pk", flat=True)) == [declined.pk]


def test_old_reveal_rows_are_purged(alice: Any, bob: Any, settings: Any) -> None:
    from haven.privacy.models import Reveal
    from haven.safety.services import retention_purge

    old = Reveal.objects.create(owner=alice, viewer=bob, proposal_public_id="x" * 16)
    recent = Reveal.objects.create(owner=bob, viewer=alice, proposal_public_id="y" * 16)
    _age(Reveal, old.pk, settings.HAVEN_RETENTION_REVEAL_DAYS + 1, field="at")
    assert retention_purge()["reveals"] == 1
    assert list(Reveal.objects.values_list("pk", flat=True)) == [recent.pk]


def test_handled_reports_are_purged_and_open_ones_kept(alice: Any, bobs_offer: Any, cora: Any, settings: Any) -> None:
    from haven.safety.models import Report
    from haven.safety.services import report_resolve, report_submit, retention_purge

    handled = report_submit(reporter=alice, target_kind="offer", target_public_id=bobs_offer.public_id, reason="spam")
    report_resolve(report=handled, by=cora, status="dismissed")
    still_open = report_submit(reporter=alice, target_kind="offer", target_public_id=bobs_offer.public_id, reason="fake")
    _age(Report, handled.pk, settings.HAVEN_RETENTION_REPORT_DAYS + 1, field="created_at")
    _age(Report, handled.pk, settings.HAVEN_RETENTION_REPORT_DAYS + 1, field="handled_at")  # counted from handling
    _age(Report, still_open.pk, settings.HAVEN_RETENTION_REPORT_DAYS + 1, field="created_at")
    assert retention_purge()["reports"] == 1
    assert list(Report.objects.values_list("pk", flat=True)) == [still_open.pk]
