"""The demo's cases, each recorded and moved through `complaints.services`, with the demo
staff as actors, so that each one has the timeline a real case would have.

Idempotent: a case is found by its dealer and its original description (the customer's words
as first recorded never change); a case already there is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from core.exceptions import ApplicationError
from core.models import User
from dealers.demo.seed import DealerSeedContext
from followups import services as followup_services

from .. import services as complaint_services
from ..models import Complaint
from . import first_steps, last_steps, stories

# The order of the cases gives them their references (SH01-…) and decides which cases the
# follow-up step picks: keep it.
CASES: list[dict[str, Any]] = [*stories.CASES, *last_steps.CASES, *first_steps.CASES]

# Who runs a transition when the case spec does not say: the advisor owns the case
# (第一责任人); approving, rejecting, closing and withdrawing are a manager's.
DEFAULT_ACTOR = {
    "approve": "manager",
    "reject": "manager",
    "close": "manager",
    "withdraw": "manager",
}
NOTE = "note"
CONTACT = "contact"
SUPPLIER = "supplier"


@dataclass
class CaseSeedContext(DealerSeedContext):
    """The dealerships' rows and the cases, for the steps that follow."""

    # Cases of the specs that have a `key`, e.g. cases["insurance-repair-delay"].
    cases: dict[str, Complaint] = field(default_factory=dict)


def seed_cases(ctx: CaseSeedContext) -> None:
    """About fifty cases in every state, each recorded and moved through the services."""
    for spec in CASES:
        customer = ctx.customers[spec["customer"]]
        dealer = customer.dealer
        # The customer's words as first recorded never change, so they identify the case.
        complaint = Complaint.objects.filter(
            dealer=dealer, original_description=spec["description"]
        ).first()
        if complaint is None:
            complaint = seed_case(ctx, spec)
            ctx.count("cases", created=True)
        if spec.get("key"):
            ctx.cases[spec["key"]] = complaint


def seed_case(ctx: DealerSeedContext, spec: Mapping[str, Any]) -> Complaint:
    """Record one case and walk it along its path, all or nothing."""
    customer = ctx.customers[spec["customer"]]
    dealer = customer.dealer
    staff = ctx.staff[dealer.code]
    plate = spec.get("vehicle")
    try:
        with transaction.atomic():
            complaint = complaint_services.complaint_create(
                dealer=dealer,
                actor=staff[spec.get("created_by", "advisor")],
                customer=customer,
                vehicle=ctx.vehicles[plate] if plate else None,
                channel=spec["channel"],
                category=spec["category"],
                component=spec.get("component", "none"),
                description=spec["description"],
                customer_request=spec.get("customer_request", ""),
            )
            for step in spec["path"]:
                name, overrides = (step, {}) if isinstance(step, str) else step
                step_spec = {**spec, **overrides}
                if name == NOTE:
                    complaint_services.complaint_add_note(
                        complaint=complaint, actor=staff["advisor"], comment=step_spec["comment"]
                    )
                    continue
                if name == CONTACT:
                    _log_contact(complaint, step_spec, actor=staff["advisor"])
                    continue
                if name == SUPPLIER:
                    complaint = complaint_services.complaint_hand_to_supplier(
                        complaint=complaint,
                        actor=staff["advisor"],
                        supplier=step_spec["supplier"],
                        reason=step_spec.get("reason", ""),
                    )
                    continue
                role = step_spec.get("actors", {}).get(name, DEFAULT_ACTOR.get(name, "advisor"))
                complaint = complaint_services.complaint_transition(
                    complaint=complaint,
                    name=name,
                    actor=staff[role],
                    data=transition_payload(name, step_spec, staff),
                )
    except ApplicationError as exc:
        details = getattr(exc, "field_errors", None) or exc.message
        raise CommandError(f"Demo case {spec['description'][:20]}…: {details}") from exc
    return complaint


def _log_contact(complaint: Complaint, spec: Mapping[str, Any], *, actor: User) -> None:
    satisfied = spec["outcome"] == "satisfied"
    note = spec.get("follow_up", "") if satisfied else spec.get("reopen_reason", "")
    followup_services.contact_record(
        complaint=complaint,
        actor=actor,
        channel=spec.get("contact_channel") or complaint.customer.preferred_channel,
        outcome=spec["outcome"],
        note=note,
    )


def transition_payload(
    name: str, spec: Mapping[str, Any], staff: Mapping[str, User]
) -> dict[str, Any]:
    """The payload of one transition, taken from the case spec."""
    if name == "start_investigation":
        return {
            "description": spec.get("summary") or spec["description"],
            "customer_request": spec.get("customer_request", ""),
        }
    if name == "record_findings":
        return dict(spec["findings"])
    if name in ("decide", "submit_for_approval"):
        return dict(spec["decision"])
    if name == "reject":
        return {"reason": spec["reject_reason"]}
    if name == "complete_action":
        return dict(spec["action"])
    if name == "reopen":
        return {
            "reason": spec["reopen_reason"],
            "co_owner": staff[spec.get("co_owner", "manager")].pk,
        }
    if name == "close":
        # Step 7's review with its corrective action (learning.demo).
        from learning.demo import close_payload

        return close_payload(spec, staff)
    if name == "withdraw":
        return {"reason": spec["withdraw_reason"]}
    return {}
