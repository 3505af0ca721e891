"""Load the demo: two dealers, their staff with known passwords, customers, vehicles, repair
orders and about fifty cases in every step of the seven-step method, with their follow-ups.

Idempotent: every step finds its rows by their natural keys and writes only what is missing
or different, so a second run changes nothing.

The work is a list of steps, each a function of the shared context and each beside the app
whose data it writes. Another app adds its own demo data by appending a step to `STEPS` (it
then finds the dealers, users, customers, vehicles and cases of the earlier steps in the
context).
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from analytics.demo import seed_history
from complaints.demo.seed import CaseSeedContext, seed_cases
from core.scoping import unscoped
from dealers.demo.seed import demo_logins, seed_customers, seed_dealers, seed_users
from dealers.models import Dealer, Region
from followups.demo import seed_followups
from learning.demo import seed_learning
from repairs.demo import seed_repairs

STEPS: list[Callable[[CaseSeedContext], None]] = [
    seed_dealers,
    seed_users,
    seed_customers,
    seed_cases,
    # Promises, contacts and repair dates, some overdue (followups.demo).
    seed_followups,
    # The technician's repairs, so that the technician's login has cases (repairs.demo).
    seed_repairs,
    # Checks of corrective actions, reflection reports, training cases, lessons (learning).
    seed_learning,
    # Six months of past cases, so that analytics shows real shapes (analytics.demo).
    seed_history,
]


class Command(BaseCommand):
    help = _(
        "Load demo dealers, staff with known passwords, customers, vehicles and cases. "
        "Safe to run again: only what is missing is added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--announce",
            metavar="URL",
            help=_(
                "Load nothing: wait until the web server at URL answers, print its address "
                "and the demo logins, then stay until stopped (the last words of `make run`)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["announce"]:
            self._announce(options["announce"])
            return
        ctx = CaseSeedContext(write=self.stdout.write)
        # The demo data is looked up across its dealers by code, VIN and number.
        with unscoped("demo"):
            for step in STEPS:
                step(ctx)
        self._report(ctx)

    def _report(self, ctx: CaseSeedContext) -> None:
        if ctx.changed_anything:
            for kind in sorted(set(ctx.created) | set(ctx.updated)):
                self.stdout.write(
                    _("  %(kind)s: %(created)d created, %(updated)d updated")
                    % {
                        "kind": _(kind),  # marked with gettext_noop where it is counted
                        "created": ctx.created[kind],
                        "updated": ctx.updated[kind],
                    }
                )
            self.stdout.write(self.style.SUCCESS(_("Demo data loaded.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Demo data already present: nothing changed.")))
        if not settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    _("These demo logins have published passwords: never load them in production.")
                )
            )
        self._logins(ctx)

    def _logins(self, ctx: CaseSeedContext) -> None:
        self.stdout.write(_("Demo logins:"))
        for username, password, role in demo_logins(ctx):
            self.stdout.write(f"  {username:<16} {password:<12} {role}")

    def _announce(self, url: str) -> None:
        """Under `make run` the web server, worker and beat print their start-up lines after
        the seed's summary; this process waits for the site and prints the address and the
        logins last, where a newcomer sees them."""
        health = url.rstrip("/") + "/health/live"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(health, timeout=2):  # noqa: S310 - our own server
                    break
            except OSError:
                time.sleep(0.5)
        ctx = CaseSeedContext(write=self.stdout.write)
        with unscoped("demo"):
            ctx.regions = {region.code: region for region in Region.objects.all()}
            ctx.dealers = {dealer.code: dealer for dealer in Dealer.objects.all()}
        self.stdout.write("")
        ready = _("The complaint desk is ready: %(url)s") % {"url": url}
        self.stdout.write(self.style.SUCCESS(ready))
        self._logins(ctx)
        self.stdout.write(
            _("E-mails are written to %(folder)s; Ctrl-C stops everything.")
            % {"folder": _mail_folder()}
        )
        self.stdout.flush()
        while True:  # honcho stops every process once one of them ends
            time.sleep(3600)


def _mail_folder() -> str:
    options: Any = settings.MAILERS["default"].get("OPTIONS") or {}
    return str(options.get("file_path", "-"))
