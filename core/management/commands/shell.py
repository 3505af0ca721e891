"""`manage.py shell`: the operator's console on the server reads every dealer."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import shell

from core.scoping import unscoped


class Command(shell.Command):
    def handle(self, **options: Any) -> Any:
        with unscoped("command"):
            return super().handle(**options)
