"""Every interface string is translated (R4): the Russian catalogue is complete, has no
fuzzy entries, matches the source (a string added to a template or to Python without
`make messages` fails here), and its plurals have Russian's three forms."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HAVEN = Path(__file__).resolve().parents[2] / "haven"
CATALOGUE = Path("locale/ru/LC_MESSAGES/django.po")

pytestmark = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext is not installed")


def _entries(po: Path, *flags: str) -> str:
    """What msgattrib selects from a catalogue (empty when nothing matches)."""
    return subprocess.run(
        ["msgattrib", "--no-obsolete", *flags, str(po)], check=True, capture_output=True, text=True
    ).stdout


def test_the_russian_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = HAVEN / CATALOGUE
    assert _entries(po, "--untranslated") == ""
    assert _entries(po, "--only-fuzzy") == ""


def test_the_russian_catalogue_matches_the_source(tmp_path):
    """makemessages over a copy of the source: a string not in the catalogue comes out
    untranslated; a string removed from the source would leave the catalogue smaller."""
    copy = tmp_path / "haven"
    shutil.copytree(HAVEN, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable, "-m", "haven", "makemessages", "-l", "ru", "--no-obsolete",
            "--add-location", "file", "-i", "matching/engine/*", "-i", "borders/estimator/*",
        ],
        cwd=copy, check=True, capture_output=True,
    )
    fresh = copy / CATALOGUE
    assert _entries(fresh, "--untranslated") == "", "strings missing from the catalogue: run `make messages`"
    msgids = lambda po: subprocess.run(  # noqa: E731
        ["msgcat", "--no-location", "--sort-output", "--no-wrap", str(po)], check=True, capture_output=True, text=True
    ).stdout.count("\nmsgid ")
    assert msgids(fresh) == msgids(HAVEN / CATALOGUE)


def test_every_russian_plural_has_three_forms():
    text = (HAVEN / CATALOGUE).read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid_plural" in block and not block.lstrip().startswith("#~"):
            forms = [line for line in block.splitlines() if line.startswith("msgstr[")]
            assert [f[:9] for f in forms] == ["msgstr[0]", "msgstr[1]", "msgstr[2]"], block
