"""How a repair event reads on the timeline, in the reader's language."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from complaints.choices import EventKind
from complaints.models import CaseEvent
from complaints.timeline import register_event_text

from .choices import AcceptanceMethod


def _when(value: str, event: CaseEvent) -> str:
    moment = parse_datetime(value or "")
    if moment is None:
        return value or ""
    return f"{timezone.localtime(moment, event.complaint.dealer.tzinfo):%Y-%m-%d %H:%M}"


def _repair_text(event: CaseEvent) -> str:
    p = event.payload or {}
    action = p.get("action")
    if action == "technician_assigned":
        if not p.get("technician"):
            return gettext("Technician unassigned")
        return gettext("Repair assigned to the technician %(name)s") % {"name": p.get("name")}
    if action == "lead_consulted":
        return gettext("Technical lead %(name)s consulted") % {"name": p.get("name")}
    if action == "parts_ordered":
        return gettext(
            "Emergency parts order %(order)s: %(part)s ×%(quantity)s, expected %(when)s"
        ) % {
            "order": p.get("order_number"),
            "part": p.get("part"),
            "quantity": p.get("quantity"),
            "when": _when(p.get("expected_at", ""), event),
        }
    if action == "parts_arrived":
        return gettext("Parts arrived: %(part)s ×%(quantity)s (order %(order)s)") % {
            "order": p.get("order_number"),
            "part": p.get("part"),
            "quantity": p.get("quantity"),
        }
    if action == "agreement_recorded":
        lines = [gettext("Customer expected: %(text)s") % {"text": p.get("customer_expectation")}]
        if p.get("gap"):
            lines.append(gettext("Gap to our proposal: %(text)s") % {"text": p["gap"]})
        if p.get("accepted") is True:
            method = p.get("method", "")
            label = AcceptanceMethod(method).label if method in AcceptanceMethod.values else method
            lines.append(gettext("Accepted (%(how)s)") % {"how": label})
        elif p.get("accepted") is False:
            lines.append(gettext("Not accepted"))
        if p.get("customer_now_asks"):
            lines.append(
                gettext("The customer now asks for: %(text)s") % {"text": p["customer_now_asks"]}
            )
        return "\n".join(lines)
    return ""


def register() -> None:
    register_event_text(EventKind.REPAIR, _repair_text)
