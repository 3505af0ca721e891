"""python manage.py createapikey --dealer CODE --name NAME: prints a new key, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.exceptions import ValidationFailed
from dealers.models import Dealer
from integrations.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for one dealer's DMS connection and print it (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dealer", required=True, help="Dealer code, e.g. SH01.")
        parser.add_argument("--name", required=True, help="Name of the DMS connection.")

    def handle(self, *args: Any, dealer: str, name: str, **options: Any) -> None:
        dealers = Dealer.objects.unscoped(reason="command")
        found = dealers.filter(code=dealer.strip().upper()).first()
        if found is None:
            raise CommandError(f"No dealer with code {dealer!r}.")
        try:
            # The operator at the command line is the system: the audit log says so.
            api_key, key = api_key_create(dealer=found, actor=None, name=name)
        except ValidationFailed as exc:
            problems = [text for texts in exc.field_errors.values() for text in texts]
            raise CommandError(" ".join(problems)) from None
        name = api_key.name
        self.stderr.write(
            f"API key {api_key.prefix} for {found.code} ({name}). "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(key)
