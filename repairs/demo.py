"""Repair data for the demo: the dealer's technician is given the repairs of some cases in
step 5, so that the technician's login has cases to read. Called by `seed_demo`."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from complaints.choices import State
from complaints.models import Complaint
from core.scoping import unscoped
from dealers.demo.seed import DealerSeedContext

from . import services

REPAIRS_PER_TECHNICIAN = 2


@unscoped("demo")
def seed_repairs(ctx: DealerSeedContext) -> None:
    """Assign each demo technician the repairs of the first cases being resolved at their
    dealer. Idempotent: a dealer whose cases already have a technician is left as it is."""
    for code in sorted(ctx.staff):
        staff = ctx.staff[code]
        technician = staff.get("technician")
        if technician is None:
            continue
        cases = Complaint.objects.filter(dealer__code=code)
        if cases.filter(technician__isnull=False).exists():
            continue
        resolving = cases.filter(state=State.RESOLVING).exclude(reference__contains="-H-")
        for complaint in resolving.order_by("created_at", "id")[:REPAIRS_PER_TECHNICIAN]:
            services.repair_assign_technician(
                complaint=complaint, actor=staff["manager"], technician=technician
            )
            ctx.count(gettext_noop("technician assignments"), created=True)
