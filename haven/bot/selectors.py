"""Reads of the bot's records that other parts of Haven show (through registered readers)."""

from __future__ import annotations

from haven.accounts.models import User
from haven.bot.models import SafetyCheckIn
from haven.core import clock
from haven.matching.selectors import CheckInDue


def checkins_due(user: User) -> list[CheckInDue]:
    """``user``'s safety check-ins that are due and unanswered (they are the guest)."""
    rows = SafetyCheckIn.objects.filter(
        proposal__need__owner=user, answered_at__isnull=True, due_at__lte=clock.now()
    ).select_related("proposal", "proposal__offer", "proposal__offer__city")
    return [CheckInDue(proposal=c.proposal, stage=c.stage, due_at=c.due_at) for c in rows[:10]]
