"""`haven border estimate REPORTS.jsonl [--at ISO_TIME]`: run the border estimator on a file.

A thin interface over haven.borders.estimator: load and validate the JSONL (one report per
line, see docs/border-estimator.md), estimate every checkpoint/direction/mode, print one JSON
object per line. A bad line is a CommandError naming its line number and field.
"""

import json
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.borders.estimator import LoadError, estimate, load_jsonl


def _parse_at(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at: not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise CommandError("--at: give a time zone, e.g. 2022-09-25T12:00:00+00:00")
    return moment


class Command(BaseCommand):
    help = "Border wait estimator. `border estimate REPORTS.jsonl [--at ISO_TIME]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("estimate", help="estimate waits from a JSONL file of reports")
        run.add_argument("reports", help="path to a JSONL file, one report per line")
        run.add_argument(
            "--at", default=None, help="estimate as of this ISO 8601 time (default: now)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "estimate":  # pragma: no cover - argparse refuses others
            raise CommandError("unknown action")
        wall = datetime.now(tz=UTC)
        at = _parse_at(options["at"]) if options["at"] else wall
        try:
            # Reports later than --at are valid if they are not later than the real clock;
            # the estimator itself never looks past --at.
            reports = load_jsonl(options["reports"], now=max(at, wall))
        except LoadError as error:
            raise CommandError(f"{options['reports']}: {error}") from None
        except OSError as error:
            raise CommandError(f"{options['reports']}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{options['reports']}: not UTF-8 text") from None
        board = estimate(reports, now=at)
        for item in board.estimates:
            self.stdout.write(json.dumps(item.as_dict(), ensure_ascii=False))
