"""`manage.py dumpdata`: an export made by the operator on the server covers every dealer."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import dumpdata

from core.scoping import unscoped


class Command(dumpdata.Command):
    def handle(self, *app_labels: Any, **options: Any) -> Any:
        with unscoped("command"):
            return super().handle(*app_labels, **options)
