"""What the case page shows of step 5's repair (called by complaints.views.case_page)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from complaints.choices import State
from complaints.models import Complaint
from core.scoping import scoped
from dealers.selectors import dealer_staff, dealer_technicians

from .forms import AgreementForm, LeadForm, PartsOrderForm, TechnicianForm
from .models import Agreement, PartsOrder
from .services import PARTS_STATES


def lead_candidates(request: HttpRequest, complaint: Complaint) -> Any:
    staff = dealer_staff(actor=request.user, dealer=complaint.dealer).values("pk")
    technicians = dealer_technicians(actor=request.user, dealer=complaint.dealer).values("pk")
    return (
        get_user_model()
        .objects.filter(pk__in=staff.union(technicians))
        .order_by("first_name", "last_name", "username")
    )


def case_repair(request: HttpRequest, complaint: Complaint) -> dict[str, Any]:
    actor = request.user
    tz = complaint.dealer.tzinfo
    return {
        "parts_orders": list(
            scoped(PartsOrder, actor).filter(complaint=complaint).order_by("expected_at", "id")
        ),
        "agreements": list(
            scoped(Agreement, actor).filter(complaint=complaint).order_by("created_at", "id")
        ),
        "parts_offered": complaint.state in PARTS_STATES,
        "repair_step": complaint.state in (State.RESOLVING, State.FOLLOWING_UP)
        or complaint.state in PARTS_STATES,
        "technician_form": TechnicianForm(
            technicians=dealer_technicians(actor=actor, dealer=complaint.dealer),
            initial={"technician": complaint.technician_id},
        ),
        "lead_form": LeadForm(staff=lead_candidates(request, complaint)),
        "parts_form": PartsOrderForm(tzinfo=tz, prefix="parts"),
        "agreement_form": AgreementForm(prefix="agreement"),
    }
