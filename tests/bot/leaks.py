"""The chat is not end-to-end encrypted: no outgoing message may carry a phone number,
a Telegram handle or a t.me link (docs/decisions/0004-telegram-bot.md)."""

from __future__ import annotations

import re
from typing import Any

PHONE = re.compile(r"\+\d[\d\s()\-]{6,}\d")
HANDLE = re.compile(r"(?<![\w.])@[A-Za-z][A-Za-z0-9_]{4,}")
TME = re.compile(r"t\.me/", re.IGNORECASE)


def assert_nothing_personal_sent(fake: Any, *canaries: str) -> None:
    """Every Bot API call the bot made (texts and buttons): no phone number, no handle,
    no t.me link, and none of the given canaries (free text a person typed)."""
    for method, body in fake.calls:
        sent = " ".join(
            [str(body.get("text", ""))]
            + [
                f"{b.get('text', '')} {b.get('callback_data', '')}"
                for row in (body.get("reply_markup") or {}).get("inline_keyboard") or []
                for b in row
            ]
        )
        assert not PHONE.search(sent), (method, sent)
        assert not HANDLE.search(sent), (method, sent)
        assert not TME.search(sent), (method, sent)
        for canary in canaries:
            assert canary not in sent, (method, canary)
