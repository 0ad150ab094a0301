"""Template helpers for reaching people and for what waits for an answer: tappable
contacts, answer-by countdowns in words, side-specific proposal statuses, the header's
count of answers awaited."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from urllib.parse import quote

from django import template
from django.utils.translation import ngettext, pgettext_lazy

from haven.core import clock
from haven.matching import selectors
from haven.matching.enums import ProposalStatus

register = template.Library()


@register.filter
def tel_href(phone: str) -> str:
    """``tel:`` with the number normalised to an optional leading + and digits."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    return "tel:" + ("+" if (phone or "").strip().startswith("+") else "") + digits


@register.filter
def telegram_href(handle: str) -> str:
    name = (handle or "").strip().lstrip("@")
    return "https://t.me/" + quote(name, safe="") if name else ""


@register.filter
def mailto_href(email: str) -> str:
    return "mailto:" + quote((email or "").strip(), safe="@.+-_") if email else ""


@register.filter
def answer_by(moment: dt.datetime | None) -> str:
    """"Answer by 14:30, 5 hours left" in the region's time, or "" without a deadline."""
    if moment is None:
        return ""
    now = clock.now()
    seconds = (moment - now).total_seconds()
    when = clock.wall_time(moment, now=now)
    if seconds >= 3600:
        hours = int(seconds // 3600)
        return ngettext(
            "Answer by %(time)s, %(count)d hour left", "Answer by %(time)s, %(count)d hours left", hours
        ) % {"time": when, "count": hours}
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Answer by %(time)s, %(count)d minute left", "Answer by %(time)s, %(count)d minutes left", minutes
    ) % {"time": when, "count": minutes}


# A status as the person reading it lives it: the host is never "waited for" in the third person.
_STATUS_FOR = {
    "host": {
        ProposalStatus.SEEKER_ACCEPTED: pgettext_lazy("proposal status, to the host", "Waiting for your answer"),
        ProposalStatus.DECLINED_HOST: pgettext_lazy("proposal status, to the host", "Declined by you"),
    },
    "seeker": {
        ProposalStatus.SEEKER_ACCEPTED: pgettext_lazy("proposal status, to the guest", "Waiting for the host's answer"),
        ProposalStatus.DECLINED_SEEKER: pgettext_lazy("proposal status, to the guest", "Declined by you"),
    },
}


@register.simple_tag
def status_for(proposal: Any, side: str) -> str:
    """The proposal's status in words for ``side`` ("host", "seeker", or anyone else)."""
    label = _STATUS_FOR.get(side, {}).get(proposal.status)
    return str(label) if label is not None else str(proposal.get_status_display())


@register.simple_tag
def waiting_count(user: Any) -> int:
    """Answers awaited from a logged-in person (one query); 0 for anyone else, with no
    query, so pages shown to everybody never depend on who asks."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return selectors.waiting_count(user=user)
