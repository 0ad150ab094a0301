"""Validators shared by every form.

``no_contact_details`` keeps phone numbers, e-mail addresses, Telegram names and messenger
links out of free text that other people read (a request's notes, an offer's title and
notes). Contacts belong in the encrypted vault, where they are revealed only when both
sides accept and every reveal is logged (P1, P2); a number typed into a note would be
shown to every host who browses and harvested by every scraper.

The check is deliberately simple and errs towards asking: nine or more digits in one
run (separators allowed; dates and date ranges removed first), anything shaped like an
e-mail address, an ``@name`` of Telegram's length, or a t.me / wa.me / vk.com link.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DATES = re.compile(
    r"(?<![\d.\-])\d{4}-\d{1,2}-\d{1,2}(?![\d.\-])"  # 2022-09-25
    r"|(?<![\d./])\d{1,2}[./]\d{1,2}(?:[./](?:\d{4}|\d{2}))?(?![\d./])"  # 25.09.2022, 25/09
    r"|(?<![\d:])\d{1,2}:\d{2}(?![\d:])"  # 14:30
)
_PHONE = re.compile(r"\+?\d(?:[\s().\-]{0,3}\d){8,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
_LINK = re.compile(
    r"\b(?:t|telegram|wa|vk|m\.vk)\.(?:me|com)/\S+|\b(?:whatsapp|viber|signal)\.(?:com|me)/\S+",
    re.IGNORECASE,
)

MESSAGE = _(
    "Please remove contact details (phone numbers, e-mail addresses, Telegram names or "
    "links). Haven shares contacts only when both sides accept: add yours under "
    "“My contacts”."
)


def contact_details_in(text: str) -> bool:
    """Whether ``text`` appears to contain a phone number, an e-mail address, a Telegram
    name or a messenger link."""
    if not text:
        return False
    if _EMAIL.search(text) or _HANDLE.search(text) or _LINK.search(text):
        return True
    return bool(_PHONE.search(_DATES.sub(" ", text)))


def no_contact_details(value: str) -> None:
    if contact_details_in(value):
        raise ValidationError(MESSAGE, code="contact_details")
