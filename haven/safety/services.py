"""Safety across apps (P4, P5): freezing a person everywhere, erasing a person
everywhere, abuse reports, and the retention purge. This app sits above aid, privacy,
matching and borders so that the orchestration lives in one place and the lower apps
stay unaware of each other."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from haven.accounts import services as account_services
from haven.accounts.models import ApiToken, User
from haven.aid import selectors as aid_selectors
from haven.aid import services as aid_services
from haven.aid.enums import NeedStatus, OfferKind, OfferStatus
from haven.aid.models import Need, Offer
from haven.borders import selectors as border_selectors
from haven.borders.models import BorderReport
from haven.core import clock
from haven.core.errors import HavenError
from haven.core.listings import listings_changed
from haven.matching import selectors as matching_selectors
from haven.matching.enums import PENDING, ProposalStatus
from haven.matching.models import MatchRun, Proposal, ShelterHold
from haven.matching.services import shelter_holds_release_for, shelter_window
from haven.privacy import services as privacy
from haven.privacy.models import Reveal
from haven.safety.enums import (
    CHOSEN_REASONS,
    ListingKind,
    ReportPriority,
    ReportReason,
    ReportStatus,
    TargetKind,
)
from haven.safety.models import Block, Report

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
        status=ProposalStatus.WITHDRAWN, updated_at=clock.now()
    )


# ---------------------------------------------------------------- freeze (P4)

def account_freeze(*, user: User, by: User, reason: str = "") -> int:
    """Freeze an account everywhere, at once: it is logged out on its next request
    (accounts middleware), its offers vanish from listings and matching (selectors),
    reveals to and from it are refused (privacy), and its open proposals are withdrawn
    and its shelter holds given back here. Returns the number of proposals withdrawn.
    Idempotent."""
    with transaction.atomic():
        account_services.user_freeze(user=user, by=by, reason=reason)
        withdrawn = proposals_withdraw_for(user=user)
        shelter_holds_release_for(seeker=user)
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
    blocks made by or against them, the console's log lines about them, and finally the
    account — which cascades to reveal rows about them, verification trail, 2FA devices
    and border reputation.

    Abuse reports survive (docs/retention.md): reports they filed lose the link to them
    and their note (the coordinator keeps reason, target and snapshot); reports about
    them keep the pseudonym and the target's snapshot taken at filing, so an open
    report, a check-in alert above all, stays actionable. Erasure is not refused while
    reports about them are open: P5 wants erasure at once, and what a coordinator needs
    is kept. Coordinators are refused: an insider must not wipe their own audit trail.
    """
    if user.is_coordinator or user.is_staff or user.is_superuser:
        raise HavenError("staff_cannot_self_erase")
    listings_changed()  # their offers leave the public listing
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
        counts["reports_filed"] = Report.objects.filter(reporter=user).update(reporter=None, note="")
        Report.objects.filter(subject=user, subject_pseudonym="").update(subject_pseudonym=user.username)
        counts["reports_about_kept"] = Report.objects.filter(subject=user).count()
        counts["blocks"] = _deleted(Block.objects.filter(Q(blocker=user) | Q(blocked=user)), "safety.Block")
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

@dataclass(frozen=True)
class Target:
    """What a report or a block is about, resolved for one viewer."""

    subject: User
    region_id: str | None
    snapshot: dict[str, Any]
    listing_kind: str = ""
    listing_public_id: str = ""


def _dates(obj: Need | Offer) -> dict[str, str]:
    return {"date_from": obj.date_from.isoformat(), "date_to": obj.date_to.isoformat()}


def _offer_snapshot(offer: Offer) -> dict[str, Any]:
    return {"kind": offer.kind, "city": offer.city.slug, "places": offer.capacity, **_dates(offer)}


def _need_snapshot(need: Need) -> dict[str, Any]:
    return {"kind": need.kind, "city": need.city.slug, "people": need.people, **_dates(need)}


def _proposal_target(proposal: Proposal, viewer: User) -> Target:
    """The other side of the proposal, and the other side's listing."""
    snapshot = {
        "kind": proposal.offer.kind, "city": proposal.offer.city.slug, "people": proposal.places,
        "status": proposal.status, **_dates(proposal.need),
    }
    region = proposal.offer.city.region_id
    if proposal.need.owner_id == viewer.pk:
        return Target(proposal.offer.owner, region, snapshot, ListingKind.OFFER, proposal.offer.public_id)
    return Target(proposal.need.owner, region, snapshot, ListingKind.NEED, proposal.need.public_id)


def _target(*, kind: str, public_id: str, viewer: User) -> Target | None:
    """The target if ``viewer`` can see it (the same selectors as its pages), else None."""
    if kind == TargetKind.OFFER:
        offer = aid_selectors.offer_get_visible(viewer=viewer, public_id=public_id)
        if offer is not None:
            return Target(offer.owner, offer.city.region_id, _offer_snapshot(offer), ListingKind.OFFER, public_id)
    elif kind == TargetKind.NEED:
        need = aid_selectors.need_get_visible(viewer=viewer, public_id=public_id)
        if need is not None:
            return Target(need.owner, need.city.region_id, _need_snapshot(need), ListingKind.NEED, public_id)
    elif kind == TargetKind.PROPOSAL:
        proposal = matching_selectors.proposal_get_visible(viewer=viewer, public_id=public_id)
        if proposal is not None:
            return _proposal_target(proposal, viewer)
    elif kind == TargetKind.BORDER_REPORT:
        # Only its author and the checkpoint's coordinators ever see a border report.
        border = border_selectors.report_get_visible(viewer=viewer, public_id=public_id)
        if border is not None:
            return Target(border.reporter, border.checkpoint.region_id, {"checkpoint": border.checkpoint.slug})
    elif kind == TargetKind.USER:
        subject = User.objects.filter(public_id=public_id).first()
        if subject is not None:
            return Target(subject, None, {})
    return None


def report_target(*, kind: str, public_id: str, reporter: User) -> tuple[User, Any]:
    """The account behind a target the reporter can see, and the target's region."""
    target = _target(kind=kind, public_id=public_id, viewer=reporter)
    if target is None:
        raise HavenError("report_target_not_found")
    return target.subject, target.region_id


def report_submit(*, reporter: User, target_kind: str, target_public_id: str, reason: str, note: str = "") -> Report:
    """File an abuse report about something the reporter can see. Limited per day so
    that reporting cannot itself become a flood.

    Side effects: one Report, with a snapshot of the target (the subject's pseudonym;
    the target's kind, city, dates and size, never free text); if it brings the
    independent reporters of an offer or request to ``HAVEN_REPORTS_TO_HIDE``, that
    listing is hidden at once pending review (``listing_hide_if_reported``). The
    reported person is never told."""
    if reporter.is_frozen:
        raise HavenError("account_frozen")
    if reason not in CHOSEN_REASONS:  # the check-in alert is filed by its own service
        raise HavenError("invalid")
    since = clock.now() - dt.timedelta(hours=24)
    if Report.objects.filter(reporter=reporter, created_at__gte=since).count() >= settings.HAVEN_REPORTS_PER_DAY:
        raise HavenError("report_quota")
    target = _target(kind=target_kind, public_id=target_public_id, viewer=reporter)
    if target is None:
        raise HavenError("report_target_not_found")
    if target.subject.pk == reporter.pk:
        raise HavenError("forbidden")
    with transaction.atomic():
        report = Report.objects.create(
            target_kind=target_kind, target_public_id=target_public_id, subject=target.subject,
            subject_pseudonym=target.subject.username, snapshot=target.snapshot,
            listing_kind=target.listing_kind, listing_public_id=target.listing_public_id,
            region_id=target.region_id, reason=reason, note=note[:1000], reporter=reporter,
        )
        if target.listing_kind:
            listing_hide_if_reported(kind=target.listing_kind, public_id=target.listing_public_id)
    return report


def report_unsafe_checkin(*, guest: User, proposal: Proposal) -> Report:
    """The guest answered "I am not safe" at a safety check-in (M6): file it as an
    urgent report for the coordinators of the proposal's region. The bot (or any
    interface) calls this inside the transaction that records the answer.

    Side effects: one Report — target the proposal, reason ``unsafe_checkin``, priority
    URGENT (first in the triage queue), subject the host, reporter the guest, region of
    the offer's city; the host's pseudonym and the stay's facts are snapshotted, so the
    report survives the host's erasure and the purge of the proposal. Nothing else, on
    purpose: the host is not told, nothing is hidden or withdrawn (that could betray a
    guest who may still be in the house), it does not count towards the auto-hide, no
    daily quota applies and a frozen guest is not refused — an alert is never dropped.
    Each call files a new report (arrival, 24 h, 7 days: up to three alerts).
    Raises ``forbidden`` unless ``guest`` is the proposal's seeker."""
    if proposal.need.owner_id != guest.pk:
        raise HavenError("forbidden")
    target = _proposal_target(proposal, guest)
    return Report.objects.create(
        target_kind=TargetKind.PROPOSAL, target_public_id=proposal.public_id, subject=target.subject,
        subject_pseudonym=target.subject.username, snapshot=target.snapshot,
        listing_kind=target.listing_kind, listing_public_id=target.listing_public_id, region_id=target.region_id,
        reason=ReportReason.UNSAFE_CHECKIN, priority=ReportPriority.URGENT, reporter=guest,
    )


def report_resolve(*, report: Report, by: User, status: str) -> None:
    """A coordinator marks a report handled: ``actioned`` or ``dismissed`` (unfounded).
    Side effect: when this was the last open report about a listing the auto-hide hid,
    and no report about it has been actioned since it was hidden, the listing is shown
    again (its owner was never told it was hidden, nor by whom)."""
    if not by.is_coordinator:
        raise HavenError("forbidden")
    if status not in (ReportStatus.ACTIONED, ReportStatus.DISMISSED):
        raise HavenError("invalid")
    with transaction.atomic():
        report.status = status
        report.handled_by = by
        report.handled_at = clock.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
        if report.listing_kind:
            _listing_unhide_if_cleared(kind=report.listing_kind, public_id=report.listing_public_id)


def report_freeze_subject(*, report: Report, by: User) -> bool:
    """Freeze the reported account everywhere and mark the report actioned. Coordinators
    are never frozen from a report (an administrator handles insiders)."""
    subject = report.subject
    if subject is None or subject.is_coordinator or subject.pk == by.pk:
        return False
    account_freeze(user=subject, by=by, reason=f"report {report.public_id}")
    report_resolve(report=report, by=by, status=ReportStatus.ACTIONED)
    return True


# ---------------------------------------------------------------- auto-hide (P4)

# A reporter whose account is younger than this counts as half a reporter.
NEW_ACCOUNT = dt.timedelta(hours=24)


def _listing_model(kind: str) -> type[Offer] | type[Need]:
    return Offer if kind == ListingKind.OFFER else Need


def _reporter_weight(reporter: User, now: dt.datetime) -> int:
    """In halves: an established account 2, one younger than NEW_ACCOUNT 1, frozen 0."""
    if reporter.is_frozen:
        return 0
    return 1 if now - reporter.date_joined < NEW_ACCOUNT else 2


def listing_hide_if_reported(*, kind: str, public_id: str) -> bool:
    """Hide an offer or a request from browsing and matching once independent people
    have open reports about it worth ``HAVEN_REPORTS_TO_HIDE`` reporters: distinct
    reporters, an account younger than a day counting half and a frozen one not at
    all; check-in alerts do not count. Returns whether it was hidden by this call.

    Side effects: ``hidden_at`` set (not deleted; the owner is not told); its proposals
    that nobody has chosen yet are withdrawn (the host never saw those). Proposals
    already chosen or accepted are left to the coordinator, who sees the listing
    flagged "hidden pending review" in the triage queue."""
    now = clock.now()
    reports = (
        Report.objects.filter(
            listing_kind=kind, listing_public_id=public_id, status=ReportStatus.OPEN, reporter__isnull=False
        )
        .exclude(reason=ReportReason.UNSAFE_CHECKIN)
        .select_related("reporter")
    )
    weights = {r.reporter_id: _reporter_weight(r.reporter, now) for r in reports if r.reporter is not None}
    if sum(weights.values()) < 2 * settings.HAVEN_REPORTS_TO_HIDE:
        return False
    with transaction.atomic():
        hidden = _listing_model(kind).objects.filter(public_id=public_id, hidden_at__isnull=True).update(hidden_at=now)
        if hidden:
            listings_changed()
            on_it = Q(offer__public_id=public_id) if kind == ListingKind.OFFER else Q(need__public_id=public_id)
            Proposal.objects.filter(on_it, status=ProposalStatus.PROPOSED).update(
                status=ProposalStatus.WITHDRAWN, updated_at=now
            )
    return bool(hidden)


def _listing_unhide_if_cleared(*, kind: str, public_id: str) -> bool:
    listing = _listing_model(kind).objects.filter(public_id=public_id, hidden_at__isnull=False).first()
    if listing is None or listing.hidden_at is None:
        return False
    about = Report.objects.filter(listing_kind=kind, listing_public_id=public_id)
    if about.filter(status=ReportStatus.OPEN).exists():
        return False
    if about.filter(status=ReportStatus.ACTIONED, handled_at__gte=listing.hidden_at).exists():
        return False
    listings_changed()
    return bool(_listing_model(kind).objects.filter(pk=listing.pk).update(hidden_at=None))


def listing_unhide(*, kind: str, public_id: str, by: User) -> bool:
    """A coordinator shows a hidden listing again, whatever its reports say. Returns
    whether it was hidden."""
    if not by.is_coordinator:
        raise HavenError("forbidden")
    listings_changed()
    return bool(_listing_model(kind).objects.filter(public_id=public_id).exclude(hidden_at=None).update(hidden_at=None))


# ---------------------------------------------------------------- blocks (P4)

BLOCKABLE = (TargetKind.PROPOSAL, TargetKind.OFFER, TargetKind.NEED)


@dataclass(frozen=True)
class Blocked:
    created: bool  # False: already blocked (blocking is idempotent)
    proposals_withdrawn: int


def block_create(*, blocker: User, target_kind: str, target_public_id: str) -> Blocked:
    """Block the person behind a proposal (its other side), an offer or a request that
    the blocker can see (P4). Identified by the object's public id: no user id is
    needed or shown.

    Side effects: one Block row (blocking again adds none); every proposal between the
    two, either way round, that has not started yet (proposed, waiting for the host,
    accepted) is withdrawn at once, freeing its places; from then on neither the
    matcher nor a coordinator's manual proposal pairs the two
    (``matching.services.people_apart``). The blocked person is never told: they see
    only a proposal "withdrawn", as after any withdrawal. A stay already moved in is
    left alone (it is ended with a reason). Raises ``invalid`` (a kind that cannot be
    blocked), ``account_frozen``, ``block_target_not_found``, ``forbidden`` (oneself)."""
    if target_kind not in BLOCKABLE:
        raise HavenError("invalid")
    if blocker.is_frozen:
        raise HavenError("account_frozen")
    target = _target(kind=target_kind, public_id=target_public_id, viewer=blocker)
    if target is None:
        raise HavenError("block_target_not_found")
    other = target.subject
    if other.pk == blocker.pk:
        raise HavenError("forbidden")
    with transaction.atomic():
        _block, created = Block.objects.get_or_create(blocker=blocker, blocked=other)
        between = (Q(need__owner=blocker) & Q(offer__owner=other)) | (Q(need__owner=other) & Q(offer__owner=blocker))
        withdrawn = Proposal.objects.filter(between, status__in=NOT_STARTED).update(
            status=ProposalStatus.WITHDRAWN, updated_at=clock.now()
        )
    return Blocked(created=created, proposals_withdrawn=withdrawn)


# ---------------------------------------------------------------- retention (P5)

def retention_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is no longer needed (periods in settings, docs/retention.md):
    closed or long-past needs and offers, finished proposals, shelter holds a window
    after they ended, and old match runs, old
    reveal rows, old coordinator access-log rows and handled abuse reports (N days
    after handling; open reports are kept however old, and a report outlives the
    target it is about). A declined pair is kept while its request is open, so it is
    never proposed again."""
    listings_changed()
    now = now or clock.now()
    closed_cutoff = now - dt.timedelta(days=settings.HAVEN_RETENTION_CLOSED_DAYS)
    # The region's calendar day, as everywhere else (dates on needs and offers are local).
    past_day = clock.day_of(now) - dt.timedelta(days=settings.HAVEN_RETENTION_CLOSED_DAYS)
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
        # A shelter hold is kept one more window after it ends (so a desk re-typing a used
        # code hears "already used"), then goes: nothing about a walk-in is kept.
        hold_cutoff = now - shelter_window()
        counts["shelter_holds"] = _deleted(
            ShelterHold.objects.filter(Q(ended_at__lt=hold_cutoff) | Q(expires_at__lt=hold_cutoff)),
            "matching.ShelterHold",
        )
        counts["match_runs"] = _deleted(MatchRun.objects.filter(started_at__lt=proposal_cutoff), "matching.MatchRun")
        counts["reveals"] = _deleted(Reveal.objects.filter(at__lt=reveal_cutoff), "privacy.Reveal")
        # Open reports are never purged, whatever their age; handled ones N days after handling.
        counts["reports"] = _deleted(
            Report.objects.exclude(status=ReportStatus.OPEN).filter(
                Q(handled_at__lt=report_cutoff) | Q(handled_at__isnull=True, created_at__lt=report_cutoff)
            ),
            "safety.Report",
        )
        counts["access_log"] = privacy.access_log_purge(now=now)
    return counts
