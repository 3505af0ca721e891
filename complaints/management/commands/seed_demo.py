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

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from analytics.demo import seed_history
from complaints.demo.seed import CaseSeedContext, seed_cases
from core.scoping import unscoped
from dealers.demo.seed import demo_logins, seed_customers, seed_dealers, seed_users
from followups.demo import seed_followups
from learning.demo import seed_learning

STEPS: list[Callable[[CaseSeedContext], None]] = [
    seed_dealers,
    seed_users,
    seed_customers,
    seed_cases,
    # Promises, contacts and repair dates, some overdue (followups.demo).
    seed_followups,
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

    def handle(self, *args: Any, **options: Any) -> None:
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
                    % {"kind": kind, "created": ctx.created[kind], "updated": ctx.updated[kind]}
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
        self.stdout.write(_("Demo logins:"))
        for username, password, role in demo_logins(ctx):
            self.stdout.write(f"  {username:<16} {password:<12} {role}")
