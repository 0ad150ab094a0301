"""``haven match solve INSTANCE.json [--out PLAN.json] [--time-limit S]``: run the pure
matching engine on a JSON instance (docs/matching.md) and write the plan, the certified
bound and the certificate as JSON. Touches no database."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.matching.engine import (
    InstanceError,
    SolveOptions,
    load_instance,
    result_to_dict,
    solve,
)


class Command(BaseCommand):
    help = "Run the matching engine on a JSON instance file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("solve", help="Solve an instance and write the plan as JSON.")
        run.add_argument("instance", type=Path, help="instance file (JSON)")
        run.add_argument("--out", type=Path, help="where to write the plan (default: stdout)")
        run.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["time_limit"]
        if not limit > 0:
            raise CommandError("--time-limit: must be a number of seconds > 0")
        try:
            instance = load_instance(options["instance"])
        except InstanceError as exc:
            message, path = str(exc), str(options["instance"])
            raise CommandError(
                message if message.startswith(path) else f"{path}: {message}"
            ) from None
        result = solve(instance, SolveOptions(time_limit_s=limit))
        text = json.dumps(result_to_dict(result), indent=2, ensure_ascii=False)
        out: Path | None = options["out"]
        if out is None:
            self.stdout.write(text)
            return
        try:
            out.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"--out: cannot write {out} ({exc.strerror})") from None
        self.stdout.write(
            f"{len(result.assignments)} placed, objective {result.objective:.3f}, "
            f"bound {result.bound:.3f}, gap {result.gap:.3%} -> {out}"
        )
