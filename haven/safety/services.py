"""Safety across apps (P4, P5): freezing a person everywhere, erasing a person
everywhere, abuse reports, and the retention purge. This app sits above aid, privacy,
matching and borders so that the orchestration lives in one place and the lower apps
stay unaware of each other."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from haven.accounts import services as account_services
from haven.accounts.models import ApiToken, User
from haven.aid import selectors as aid_selectors
from haven.aid import services as aid_services
from haven.aid.enums import NeedStatus, OfferKind, OfferStatus
from haven.aid.models import Need, Offer
from haven.borders.models import BorderReport
from haven.core.errors import HavenError
from haven.matching import selectors as matching_selectors
from haven.matching.enums import PENDING, ProposalStatus
from haven.matching.models import MatchRun, Proposal
from haven.privacy import services as privacy
from haven.privacy.models import Reveal
from haven.safety.enums import ReportStatus, TargetKind
from haven.safety.models import Report

log = logging.getLogger(__name__)

# Proposals that have not started yet: withdrawn when either side is frozen or erased.
NOT_STARTED = (*PENDING, ProposalStatus.ACCEPTED)
# Proposals that are over: purged after the retention period.
FINISHED = (
    ProposalStatus.ENDED, ProposalStatus.NO_SHOW, ProposalStatus.DECLINED_SEEKER,
    ProposalStatus.DECLINED_HOST, ProposalStatus.EXPIRED, ProposalStatus.WITHDRAWN,
)


def _deleted(qs: Any, label: str) -> int:
    """How many rows of ``label`` (app.Model) a delete removed, cascades not counted."""
    return int(qs.delete()[1].get(label, 0))


def _involving(user: User) -> Q:
    return Q(need__owner=user) | Q(offer__owner=user)


def proposals_withdraw_for(*, user: User) -> int:
    """Withdraw every not-yet-started proposal on either side of ``user``: the other
    side's places are free again at once (reservations count only open proposals)."""
    return Proposal.objects.filter(_involving(user), status__in=NOT_STARTED).update(
        status=ProposalStatus.WITHDRAWN, updated_at=timezone.now()
    )


# ---------------------------------------------------------------- freeze (P4)

def account_freeze(*, user: User, by: User, reason: str = "") -> int:
    """Freeze an account everywhere, at once: it is logged out on its next request
    (accounts middleware), its offers vanish from listings and matching (selectors),
    reveals to and from it are refused (privacy), and its open proposals are withdrawn
    here. Returns the number of proposals withdrawn. Idempotent."""
    with transaction.atomic():
        account_services.user_freeze(user=user, by=by, reason=reason)
        withdrawn = proposals_withdraw_for(user=user)
    return withdrawn


# ---------------------------------------------------------------- erasure (P5)

def _log_entries_about(user: User, need_ids: list[int], offer_ids: list[int], proposal_ids: list[int]) -> Q:
    ct = ContentType.objects.get_for_models(User, Need, Offer, Proposal)
    return (
        Q(content_type=ct[User], object_id=str(user.pk))
        | Q(content_type=ct[Need], object_id__in=[str(i) for i in need_ids])
        | Q(content_type=ct[Offer], object_id__in=[str(i) for i in offer_ids])
        | Q(content_type=ct[Proposal], object_id__in=[str(i) for i in proposal_ids])
    )


def person_erase(*, user: User) -> dict[str, int]:
    """"Delete my data now": erase a person everywhere, in one transaction.

    Side effects, in order: contacts crypto-shredded (the wrapped key is deleted, so old
    backups are unreadable too); open proposals on both sides withdrawn, and guests of
    theirs still checked in at a shelter checked out (the other side's places are free
    again); needs, offers (and so every proposal on them), border reports, API tokens,
    reports they filed, the console's log lines about them, and finally the account —
    which cascades to reveal rows about them, verification trail, 2FA devices and border
    reputation. Coordinators are refused: an insider must not wipe their own audit trail.
    """
    if user.is_coordinator or user.is_staff or user.is_superuser:
        raise HavenError("staff_cannot_self_erase")
    counts: dict[str, int] = {}
    with transaction.atomic():
        privacy.person_erase_contacts(user=user)
        counts["proposals_withdrawn"] = proposals_withdraw_for(user=user)
        # A seeker of theirs checked in at a shelter leaves it: give the places back.
        for p in Proposal.objects.filter(
            need__owner=user, status=ProposalStatus.MOVED_IN, offer__kind=OfferKind.SHELTER
        ).select_related("offer"):
            try:
                aid_services.shelter_check_out(offer=p.offer, by=user, count=p.places)
            except HavenError:  # the shelter closed meanwhile; nothing to give back
                log.info("erasure: shelter %s not checked out", p.offer.public_id)
        need_ids = list(Need.objects.filter(owner=user).values_list("pk", flat=True))
        counts["match_runs_scrubbed"] = _scrub_flagged(
            set(Need.objects.filter(pk__in=need_ids).values_list("public_id", flat=True))
        )
        offer_ids = list(Offer.objects.filter(owner=user).values_list("pk", flat=True))
        proposal_ids = list(
            Proposal.objects.filter(Q(need_id__in=need_ids) | Q(offer_id__in=offer_ids)).values_list("pk", flat=True)
        )
        counts["log_entries"] = _deleted(
            LogEntry.objects.filter(_log_entries_about(user, need_ids, offer_ids, proposal_ids)), "admin.LogEntry"
        )
        counts["needs"] = _deleted(Need.objects.filter(pk__in=need_ids), "aid.Need")
        counts["offers"] = _deleted(Offer.objects.filter(pk__in=offer_ids), "aid.Offer")
        counts["border_reports"] = _deleted(BorderReport.objects.filter(reporter=user), "borders.BorderReport")
        counts["api_tokens"] = _deleted(ApiToken.objects.filter(user=user), "accounts.ApiToken")
        counts["reports_filed"] = _deleted(Report.objects.filter(reporter=user), "safety.Report")
        counts["account"] = _deleted(User.objects.filter(pk=user.pk), "accounts.User")
    return counts


def _scrub_flagged(public_ids: set[str]) -> int:
    """Drop the person's requests from match runs' "flagged for a coordinator" lists."""
    if not public_ids:
        return 0
    scrubbed = 0
    for run in MatchRun.objects.exclude(flagged=[]).only("pk", "flagged"):
        kept = [item for item in run.flagged if item not in public_ids]
        if len(kept) != len(run.flagged):
            MatchRun.objects.filter(pk=run.pk).update(flagged=kept)
            scrubbed += 1
    return scrubbed


# ---------------------------------------------------------------- reports (P4)

def report_target(*, kind: str, public_id: str, reporter: User) -> tuple[User, Any]:
    """The account behind a target the reporter can see, and the target's region."""
    if kind == TargetKind.OFFER:
        offer = aid_selectors.offer_get_visible(viewer=reporter, public_id=public_id)
        if offer is not None:
            return offer.owner, offer.city.region_id
    elif kind == TargetKind.NEED:
        need = aid_selectors.need_get_visible(viewer=reporter, public_id=public_id)
        if need is not None:
            return need.owner, need.city.region_id
    elif kind == TargetKind.PROPOSAL:
        proposal = matching_selectors.proposal_get_visible(viewer=reporter, public_id=public_id)
        if proposal is not None:
            # Report the other side of the proposal.
            other = proposal.offer.owner if proposal.need.owner_id == reporter.pk else proposal.need.owner
            return other, proposal.offer.city.region_id
    elif kind == TargetKind.BORDER_REPORT:
        border = BorderReport.objects.select_related("checkpoint", "reporter").filter(public_id=public_id).first()
        if border is not None:
            return border.reporter, border.checkpoint.region_id
    elif kind == TargetKind.USER:
        subject = User.objects.filter(public_id=public_id).first()
        if subject is not None:
            return subject, None
    raise HavenError("report_target_not_found")


def report_submit(*, reporter: User, target_kind: str, target_public_id: str, reason: str, note: str = "") -> Report:
    """File an abuse report about something the reporter can see. Limited per day so
    that reporting cannot itself become a flood."""
    if reporter.is_frozen:
        raise HavenError("account_frozen")
    since = timezone.now() - dt.timedelta(hours=24)
    if Report.objects.filter(reporter=reporter, created_at__gte=since).count() >= settings.HAVEN_REPORTS_PER_DAY:
        raise HavenError("report_quota")
    subject, region_id = report_target(kind=target_kind, public_id=target_public_id, reporter=reporter)
    if subject.pk == reporter.pk:
        raise HavenError("forbidden")
    return Report.objects.create(
        target_kind=target_kind, target_public_id=target_public_id, subject=subject, region_id=region_id,
        reason=reason, note=note[:1000], reporter=reporter,
    )


def report_resolve(*, report: Report, by: User, status: str) -> None:
    if not by.is_coordinator:
        raise HavenError("forbidden")
    report.status = status
    report.handled_by = by
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "handled_by", "handled_at"])


def report_freeze_subject(*, report: Report, by: User) -> bool:
    """Freeze the reported account everywhere and mark the report actioned. Coordinators
    are never frozen from a report (an administrator handles insiders)."""
    subject = report.subject
    if subject is None or subject.is_coordinator or subject.pk == by.pk:
        return False
    account_freeze(user=subject, by=by, reason=f"report {report.public_id}")
    report_resolve(report=report, by=by, status=ReportStatus.ACTIONED)
    return True


# ---------------------------------------------------------------- retention (P5)

def retention_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is no longer needed (periods in settings, docs/retention.md):
    closed or long-past needs and offers, finished proposals and old match runs, old
    reveal rows and handled abuse reports. A declined pair is kept while its request is open, so it is
    never proposed again."""
    now = now or timezone.now()
    closed_cutoff = now - dt.timedelta(days=settings.HAVEN_RETENTION_CLOSED_DAYS)
    past_day = (now - dt.timedelta(days=settings.HAVEN_RETENTION_CLOSED_DAYS)).date()
    proposal_cutoff = now - dt.timedelta(days=settings.HAVEN_RETENTION_PROPOSAL_DAYS)
    reveal_cutoff = now - dt.timedelta(days=settings.HAVEN_RETENTION_REVEAL_DAYS)
    report_cutoff = now - dt.timedelta(days=settings.HAVEN_RETENTION_REPORT_DAYS)
    busy = Proposal.objects.filter(status__in=(*NOT_STARTED, ProposalStatus.MOVED_IN))
    counts: dict[str, int] = {}
    with transaction.atomic():
        counts["proposals"] = _deleted(
            Proposal.objects.filter(status__in=FINISHED, updated_at__lt=proposal_cutoff).exclude(
                status__in=(ProposalStatus.DECLINED_SEEKER, ProposalStatus.DECLINED_HOST), need__status=NeedStatus.OPEN
            ),
            "matching.Proposal",
        )
        counts["needs"] = _deleted(
            Need.objects.filter(
                Q(status=NeedStatus.CLOSED, updated_at__lt=closed_cutoff) | Q(date_to__lt=past_day)
            ).exclude(pk__in=busy.values("need_id")),
            "aid.Need",
        )
        counts["offers"] = _deleted(
            Offer.objects.filter(
                Q(status=OfferStatus.CLOSED, updated_at__lt=closed_cutoff) | Q(date_to__lt=past_day)
            ).exclude(pk__in=busy.values("offer_id")),
            "aid.Offer",
        )
        counts["match_runs"] = _deleted(MatchRun.objects.filter(started_at__lt=proposal_cutoff), "matching.MatchRun")
        counts["reveals"] = _deleted(Reveal.objects.filter(at__lt=reveal_cutoff), "privacy.Reveal")
        counts["reports"] = _deleted(
            Report.objects.filter(created_at__lt=report_cutoff).exclude(status=ReportStatus.OPEN), "safety.Report"
        )
    return counts
