"""Generate a dealer network's worth of realistic cases to measure with (complaints.loadgen)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from complaints.loadgen import Plan, generate


class Command(BaseCommand):
    help = (
        "Create N realistic cases over many dealers, regions, customers and vehicles, with "
        "their timeline, deadlines, contacts, repair orders and reviews. A second run with "
        "the same N reuses them; --reset empties the case tables first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument(
            "--open-deadlines",
            type=int,
            default=None,
            help="Add open promises over the open cases until this many deadlines are open.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty every case table and the generated network first (TRUNCATE).",
        )

    def handle(self, *args: Any, cases: int, open_deadlines: int | None, reset: bool, **_: Any):
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        if open_deadlines is not None and open_deadlines < 0:
            raise CommandError("--open-deadlines must not be negative.")
        plan = Plan(cases=cases, open_deadlines=open_deadlines)
        started = time.monotonic()

        def log(line: str) -> None:
            self.stdout.write(f"{time.monotonic() - started:7.1f} s  {line}")

        try:
            report = generate(plan, reset_first=reset, log=log)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
