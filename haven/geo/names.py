"""Place names in the order a reader of the page's language expects.

The database orders by code point (and the models by their English names), which puts
Усть-Каменогорск among the O's on a Russian page and Ё after Я. Lists are short (tens of
cities, a handful of districts), so they are sorted here, in Python, under the active
language, without a collation library."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar


class _HasName(Protocol):
    @property
    def name(self) -> str: ...


Place = TypeVar("Place", bound=_HasName)


_NUMBER = re.compile(r"\d+")


def collation_key(text: str) -> tuple[str, str]:
    """Case-insensitive; Ё sorts with Е (Russian dictionaries do), an exact tie puts Е
    first; numbers by value ("2-й микрорайон" before "14-й"). Й stays a letter of its
    own after И, so accents are not stripped."""
    folded = _NUMBER.sub(lambda number: number.group().zfill(12), text.casefold())
    return folded.replace("ё", "е"), folded


def by_name(places: Iterable[Place]) -> list[Place]:
    """Cities or districts sorted by their name in the active language."""
    return sorted(places, key=lambda place: collation_key(str(place.name)))
