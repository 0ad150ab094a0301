"""Writes of the Telegram bot: account links, conversation state, update
de-duplication, one-time tokens, the notification outbox and safety check-ins.

Domain state (needs, proposals, reports, shelters) is changed only through the domain
apps' own services; this module keeps only what the bot itself needs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from haven.accounts.enums import Role
from haven.accounts.models import User
from haven.accounts.pseudonyms import generate_pseudonym
from haven.accounts.services import user_set_language, user_signup
from haven.bot.models import (
    Conversation,
    OneTimeToken,
    Outbox,
    ProcessedUpdate,
    SafetyCheckIn,
    TelegramLink,
)
from haven.bot.transport import TelegramError, Transport
from haven.core import clock
from haven.core.errors import HavenError
from haven.matching.enums import ProposalStatus
from haven.matching.models import Proposal
from haven.privacy import crypto
from haven.safety import services as safety_services

log = logging.getLogger(__name__)

LANGUAGES = ("ru", "en")
TOKEN_TTL: dict[str, dt.timedelta] = {
    OneTimeToken.Purpose.CONNECT: dt.timedelta(hours=1),
    OneTimeToken.Purpose.LOGIN: dt.timedelta(minutes=15),
}
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
CLAIM_SECONDS = 120
SCAN_WINDOW = dt.timedelta(days=9)
CHECKIN_AFTER = {
    SafetyCheckIn.Stage.ARRIVAL: dt.timedelta(0),
    SafetyCheckIn.Stage.DAY: dt.timedelta(hours=24),
    SafetyCheckIn.Stage.WEEK: dt.timedelta(days=7),
}
UPDATES_KEPT = dt.timedelta(days=7)

Buttons = list[list[dict[str, str]]]


# ---------------------------------------------------------------- identity


def telegram_hash(telegram_user_id: int) -> str:
    """HMAC-SHA256 of the Telegram user id under SECRET_KEY: a stable key that does not
    reveal the id (rotating SECRET_KEY unlinks every account; they /start again)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"telegram-user:{telegram_user_id}".encode(), hashlib.sha256
    ).hexdigest()


def _chat_context(tg_hash: str) -> str:
    return f"telegram-chat:{tg_hash}"


def link_get(*, telegram_user_id: int) -> TelegramLink | None:
    return (
        TelegramLink.objects.select_related("user")
        .filter(tg_hash=telegram_hash(telegram_user_id))
        .first()
    )


def link_get_or_create(*, telegram_user_id: int, chat_id: int, language: str) -> TelegramLink:
    """The link for this Telegram account; created (without a Haven account yet) on first
    contact. The chat id is kept only encrypted, to deliver notifications."""
    tg_hash = telegram_hash(telegram_user_id)
    link = TelegramLink.objects.select_related("user").filter(tg_hash=tg_hash).first()
    if link is not None:
        return link
    wrapped = crypto.new_wrapped_key(context=_chat_context(tg_hash))
    sealed = crypto.encrypt(
        wrapped_key=wrapped, context=_chat_context(tg_hash), plaintext=str(chat_id)
    )
    try:
        with transaction.atomic():
            return TelegramLink.objects.create(
                tg_hash=tg_hash,
                wrapped_key=wrapped,
                sealed_chat=sealed,
                language=language if language in LANGUAGES else "ru",
            )
    except IntegrityError:  # a double tap created it a moment ago
        return TelegramLink.objects.select_related("user").get(tg_hash=tg_hash)


def link_chat_id(link: TelegramLink) -> int:
    plaintext = crypto.decrypt(
        wrapped_key=bytes(link.wrapped_key),
        context=_chat_context(link.tg_hash),
        sealed=bytes(link.sealed_chat),
    )
    return int(plaintext)


def link_set_language(*, link: TelegramLink, language: str) -> None:
    if language not in LANGUAGES:
        raise HavenError("invalid")
    link.language = language
    link.save(update_fields=["language"])
    if link.user is not None:
        user_set_language(user=link.user, language=language)


# The accounts a person may create in the chat: "I need help" or "I can host".
# Organisations and drivers sign up on the site and connect their account.
CHAT_SIGNUP_ROLES = (Role.SEEKER, Role.HOST)


def link_create_account(*, link: TelegramLink, role: str = Role.SEEKER) -> User:
    """Give a linked Telegram account a new pseudonymous account (a seeker or a private
    host, as on the sign-up page). No phone number, no name; the password is random and
    never shown (the site is reached through one-time login links sent in the chat)."""
    if role not in CHAT_SIGNUP_ROLES:
        raise HavenError("role_not_allowed")
    if link.user is not None:
        return link.user
    for _attempt in range(10):
        try:
            user, _code = user_signup(
                username=generate_pseudonym(),
                password=secrets.token_urlsafe(32),
                role=role,
                language=link.language,
            )
            break
        except HavenError as error:
            if error.code != "pseudonym_taken":
                raise
    else:  # pragma: no cover - 8 million pseudonyms
        raise HavenError("pseudonym_taken")
    updated = TelegramLink.objects.filter(pk=link.pk, user__isnull=True).update(user=user)
    if updated != 1:  # linked by a parallel update: keep that one
        user.delete()
        link.refresh_from_db()
        assert link.user is not None  # noqa: S101
        return link.user
    link.user = user
    return user


def link_unlink(*, link: TelegramLink) -> None:
    """Forget this Telegram account (the Haven account stays, reachable on the site)."""
    link.delete()


# ---------------------------------------------------------------- one-time tokens


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, user: User, purpose: str, next_path: str = "") -> str:
    raw = secrets.token_urlsafe(24)
    OneTimeToken.objects.create(
        token_hash=_token_digest(raw),
        purpose=purpose,
        user=user,
        next_path=next_path[:200],
        expires_at=clock.now() + TOKEN_TTL[purpose],
    )
    return raw


def token_peek(*, raw: str, purpose: str) -> OneTimeToken | None:
    """The token if it is valid now, without spending it."""
    return (
        OneTimeToken.objects.select_related("user")
        .filter(
            token_hash=_token_digest(raw),
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=clock.now(),
        )
        .first()
    )


def token_spend(*, raw: str, purpose: str) -> OneTimeToken | None:
    """Use a token once: a conditional UPDATE that must hit exactly one row."""
    now = clock.now()
    digest = _token_digest(raw)
    hit = OneTimeToken.objects.filter(
        token_hash=digest, purpose=purpose, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if hit != 1:
        return None
    return OneTimeToken.objects.select_related("user").get(token_hash=digest)


def link_connect(*, link: TelegramLink, raw: str) -> User | None:
    """Connect an existing Haven account (which asked for a code on the site) to this
    Telegram account. Returns the user, or None for a bad or used code."""
    token = token_spend(raw=raw, purpose=OneTimeToken.Purpose.CONNECT)
    if token is None or token.user.is_frozen:
        return None
    with transaction.atomic():
        TelegramLink.objects.filter(user=token.user).exclude(pk=link.pk).delete()
        link.user = token.user
        link.save(update_fields=["user"])
        user_set_language(user=token.user, language=link.language)
    return token.user


def site_url(path: str) -> str:
    base = str(getattr(settings, "HAVEN_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{path}"


def login_link(*, user: User, next_path: str) -> str:
    """A one-time link that logs the person in on the site and opens ``next_path``."""
    raw = token_create(user=user, purpose=OneTimeToken.Purpose.LOGIN, next_path=next_path)
    return site_url(reverse("bot:login", args=[raw]))


def contacts_link(*, user: User, proposal: Proposal) -> str:
    return login_link(
        user=user, next_path=reverse("web:proposal_contacts", args=[proposal.public_id])
    )


# ---------------------------------------------------------------- conversations


def conversation_get(*, link: TelegramLink) -> Conversation:
    conversation, _ = Conversation.objects.get_or_create(link=link)
    return conversation


# Flows whose unfinished drafts are kept when another flow starts (a queue report is
# one typed number: it is simply dropped).
RESUMABLE_FLOWS = ("need", "offer")


def conversation_set(
    *, conversation: Conversation, flow: str, step: str, data: dict[str, Any]
) -> None:
    """Move the conversation in progress to ``step``. Starting a flow while another
    one is unfinished parks the other one (``conversation_draft`` finds it again)."""
    parked = dict(conversation.parked or {})
    if (
        flow
        and conversation.flow in RESUMABLE_FLOWS
        and conversation.flow != flow
        and conversation.step
    ):
        parked[conversation.flow] = {"step": conversation.step, "data": conversation.data}
    parked.pop(flow, None)
    conversation.flow, conversation.step, conversation.data = flow, step, data
    conversation.parked = parked
    conversation.save(update_fields=["flow", "step", "data", "parked", "updated_at"])


def conversation_draft(
    *, conversation: Conversation, flow: str
) -> tuple[str, dict[str, Any]] | None:
    """The unfinished step and draft of ``flow`` (in progress or parked), or None."""
    if conversation.flow == flow and conversation.step:
        return conversation.step, dict(conversation.data)
    parked = (conversation.parked or {}).get(flow)
    if isinstance(parked, dict) and parked.get("step"):
        return str(parked["step"]), dict(parked.get("data") or {})
    return None


def conversation_clear(*, conversation: Conversation) -> None:
    """End the conversation in progress (the parked drafts of other flows stay)."""
    conversation.flow, conversation.step, conversation.data = "", "", {}
    conversation.save(update_fields=["flow", "step", "data", "updated_at"])


# ---------------------------------------------------------------- updates


def update_claim(*, update_id: int) -> bool:
    """Record an update as handled; False if it was seen before. Call inside the
    transaction that handles it, so a crash leaves it unclaimed."""
    try:
        with transaction.atomic():
            ProcessedUpdate.objects.create(update_id=update_id)
    except IntegrityError:
        return False
    return True


# ---------------------------------------------------------------- safety check-ins


def checkin_answer(*, checkin: SafetyCheckIn, user: User, safe: bool) -> bool:
    """Record the seeker's answer once. "Not safe" files an urgent report in the
    coordinators' triage queue (``safety.services.report_unsafe_checkin``) and nothing
    else: the host is never told. False if already answered."""
    if checkin.proposal.need.owner_id != user.pk:
        raise HavenError("forbidden")
    with transaction.atomic():
        answer = SafetyCheckIn.Answer.SAFE if safe else SafetyCheckIn.Answer.NOT_SAFE
        hit = SafetyCheckIn.objects.filter(pk=checkin.pk, answered_at__isnull=True).update(
            answer=answer, answered_at=clock.now()
        )
        if hit != 1:
            return False
        if not safe:
            safety_services.report_unsafe_checkin(guest=user, proposal=checkin.proposal)
    return True


# ---------------------------------------------------------------- notifications


def _linked(user: User) -> TelegramLink | None:
    return TelegramLink.objects.filter(user=user, blocked_at__isnull=True).first()


def notify(
    *, user: User, key: str, render: Callable[[], tuple[str, Buttons]], now: dt.datetime
) -> bool:
    """Queue one notification for a linked person, rendered in their language; each key
    is queued once ever. Returns whether it was queued."""
    link = _linked(user)
    if link is None or Outbox.objects.filter(dedupe_key=key).exists():
        return False
    with translation.override(link.language):
        text, buttons = render()
    try:
        with transaction.atomic():
            Outbox.objects.create(
                user=user, dedupe_key=key[:80], text=text, buttons=buttons, next_attempt_at=now
            )
    except IntegrityError:
        return False
    return True


def notification_told(*, user: User, key: str) -> None:
    """Mark an event as already told to this person (they caused it in the chat and saw
    the answer there), so the worker does not tell them again."""
    Outbox.objects.get_or_create(
        dedupe_key=key[:80],
        defaults={
            "user": user,
            "text": "",
            "status": Outbox.Status.SENT,
            "next_attempt_at": clock.now(),
        },
    )


def proposal_event_key(proposal: Proposal, event: str, user: User) -> str:
    return f"p:{proposal.pk}:{event}:{user.pk}"


def notifications_collect(*, now: dt.datetime | None = None) -> int:
    """Turn what happened to proposals (new, chosen, accepted, reminded, expired, moved
    in) into outbox rows for people who use the bot, and queue due safety check-ins.
    Idempotent: safe to call every worker round. Returns how many rows were queued."""
    from haven.bot import texts

    now = now or clock.now()
    queued = 0
    recent = (
        Proposal.objects.filter(updated_at__gte=now - SCAN_WINDOW)
        .filter(
            Q(need__owner__telegram_link__isnull=False)
            | Q(offer__owner__telegram_link__isnull=False)
        )
        .select_related(
            "need",
            "need__owner",
            "need__city",
            "offer",
            "offer__owner",
            "offer__city",
            "offer__district",
        )
    )
    for p in recent:
        seeker, host = p.need.owner, p.offer.owner
        events: list[tuple[User, str, Callable[[], tuple[str, Buttons]]]] = []
        if p.status == ProposalStatus.PROPOSED:
            events.append((seeker, "new", partial(texts.proposal_for_seeker, p, fresh=True)))
        if p.status == ProposalStatus.SEEKER_ACCEPTED:
            events.append((host, "chosen", partial(texts.proposal_for_host, p, fresh=True)))
        if p.status in (ProposalStatus.ACCEPTED, ProposalStatus.MOVED_IN):
            events.append((seeker, "accepted", partial(texts.proposal_accepted, p)))
            if not p.offer.is_shelter:
                events.append((host, "accepted", partial(texts.proposal_accepted, p)))
        if p.reminded_at is not None and p.status == ProposalStatus.PROPOSED:
            events.append((seeker, "remind", partial(texts.proposal_reminder, p)))
        if p.reminded_at is not None and p.status == ProposalStatus.SEEKER_ACCEPTED:
            events.append((host, "remind", partial(texts.proposal_reminder, p)))
        if p.status == ProposalStatus.EXPIRED:
            events.append((seeker, "expired", partial(texts.proposal_expired, p)))
            if p.seeker_answered_at is not None:
                events.append((host, "expired", partial(texts.proposal_expired, p)))
        if p.status == ProposalStatus.MOVED_IN and p.moved_in_at is not None:
            _checkins_schedule(p)
        for user, event, render in events:
            queued += notify(
                user=user, key=proposal_event_key(p, event, user), render=render, now=now
            )
    due = SafetyCheckIn.objects.filter(queued_at__isnull=True, due_at__lte=now).select_related(
        "proposal", "proposal__need__owner"
    )
    for checkin in due:
        if (
            SafetyCheckIn.objects.filter(pk=checkin.pk, queued_at__isnull=True).update(
                queued_at=now
            )
            != 1
        ):
            continue
        queued += notify(
            user=checkin.proposal.need.owner,
            key=f"c:{checkin.pk}",
            render=partial(texts.checkin_question, checkin),
            now=now,
        )
    return queued


def _checkins_schedule(proposal: Proposal) -> None:
    assert proposal.moved_in_at is not None  # noqa: S101
    for stage, after in CHECKIN_AFTER.items():
        try:
            with transaction.atomic():
                SafetyCheckIn.objects.get_or_create(
                    proposal=proposal,
                    stage=stage,
                    defaults={
                        "due_at": proposal.moved_in_at + after,
                        "token": secrets.token_urlsafe(12),
                    },
                )
        except IntegrityError:
            continue


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    )


def outbox_drain(
    *, transport: Transport, now: dt.datetime | None = None, limit: int = 100
) -> dict[str, int]:
    """Send due notifications. Each row is claimed by a conditional UPDATE that must hit
    one row (two workers never send the same one). Transient failures are retried with
    exponential backoff (or Telegram's retry_after) up to MAX_ATTEMPTS; permanent ones
    (403: the person blocked the bot) are recorded, the link marked blocked, never
    retried. Also forgets update ids older than a week."""
    now = now or clock.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = list(
        Outbox.objects.filter(status=Outbox.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        claimed = Outbox.objects.filter(
            pk=pk, status=Outbox.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
        if claimed != 1:
            continue
        row = Outbox.objects.get(pk=pk)
        link = _linked(row.user)
        if link is None:
            _outbox_fail(row, "no active telegram link")
            counts["failed"] += 1
            continue
        try:
            transport.send_message(
                chat_id=link_chat_id(link), text=row.text, buttons=row.buttons or None
            )
        except TelegramError as error:
            attempts = row.attempts + 1
            if error.permanent or attempts >= MAX_ATTEMPTS:
                if error.status == 403:
                    TelegramLink.objects.filter(pk=link.pk).update(blocked_at=now)
                _outbox_fail(row, f"{error.status} {error.description}", attempts=attempts)
                counts["failed"] += 1
            else:
                wait = (
                    dt.timedelta(seconds=error.retry_after)
                    if error.retry_after
                    else _backoff(attempts)
                )
                Outbox.objects.filter(pk=pk).update(
                    attempts=attempts,
                    next_attempt_at=now + wait,
                    last_error=f"{error.status} {error.description}"[:200],
                )
                counts["retry"] += 1
            log.warning("telegram notification %s not sent: %s", pk, error.status)
            continue
        Outbox.objects.filter(pk=pk).update(
            status=Outbox.Status.SENT, sent_at=now, attempts=row.attempts + 1
        )
        counts["sent"] += 1
    ProcessedUpdate.objects.filter(received_at__lt=now - UPDATES_KEPT).delete()
    return counts


def _outbox_fail(row: Outbox, error: str, *, attempts: int | None = None) -> None:
    Outbox.objects.filter(pk=row.pk).update(
        status=Outbox.Status.FAILED,
        last_error=error[:200],
        attempts=attempts if attempts is not None else row.attempts,
    )
