"""One deadline sweep, then the outbox: for deployments that run it from cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.outbox import outbox_deliver, outboxes
from followups.sweep import deadline_sweep


class Command(BaseCommand):
    help = "Sweep due deadlines once (breaches, escalations, reminders) and deliver the outbox."

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
            # E-mails and webhooks that are due, including failed ones whose backoff ran out.
            for outbox in outboxes():
                sent = outbox_deliver(limit=10_000, names=[outbox.name])
                self.stdout.write(f"{outbox.label} sent: {sent}")
