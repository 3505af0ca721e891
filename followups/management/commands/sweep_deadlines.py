"""One deadline sweep, then the outbox: for deployments that run it from cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from followups.sweep import deadline_sweep, outbox_deliver


class Command(BaseCommand):
    help = "Sweep due deadlines once (breaches, escalations, reminders) and deliver e-mails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-deliver",
            action="store_true",
            help="Only write notifications and outbox rows; leave delivery to the worker.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = deadline_sweep()
        self.stdout.write(f"Swept deadlines: {result}")
        if not options["no_deliver"]:
            sent = outbox_deliver(limit=10_000)
            self.stdout.write(f"E-mails sent: {sent}")
