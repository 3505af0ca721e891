"""Turn case changes and breached deadlines into webhook deliveries, inside the change's
own transaction (see complaints.signals and followups.signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from complaints.choices import EventKind
from complaints.signals import case_changed
from followups.signals import deadlines_breached

from .models import WebhookEvent
from .selectors import webhook_endpoints_by_dealer, webhook_endpoints_for
from .webhooks import enqueue, enqueue_many


def case_data(complaint: Any) -> dict[str, Any]:
    return {
        "reference": complaint.reference,
        "dealer": complaint.dealer.code,
        "state": complaint.state,
        "severity": complaint.severity,
        "is_safety_related": complaint.is_safety_related,
        "version": complaint.version,
        "url": f"/api/v1/complaints/{complaint.reference}/",
    }


@receiver(case_changed, dispatch_uid="api.webhooks.case_changed")
def on_case_changed(sender: Any, *, complaint: Any, event: Any, **kwargs: Any) -> None:
    if event.kind == EventKind.CREATED:
        event_type = WebhookEvent.CASE_CREATED
    elif event.kind == EventKind.TRANSITION:
        event_type = WebhookEvent.CASE_TRANSITIONED
    else:
        return
    endpoints = webhook_endpoints_for(dealer_id=complaint.dealer_id, event_type=event_type)
    if not endpoints:
        return
    data = case_data(complaint)
    if event_type == WebhookEvent.CASE_TRANSITIONED:
        data.update(
            transition=event.transition, from_state=event.from_state, to_state=event.to_state
        )
    data["actor"] = event.actor_label
    enqueue(endpoints=endpoints, event_type=event_type, data=data)


@receiver(deadlines_breached, dispatch_uid="api.webhooks.deadlines_breached")
def on_deadlines_breached(sender: Any, *, deadlines: list[Any], **kwargs: Any) -> None:
    """One read of the endpoints and one INSERT of the deliveries for a whole batch of
    the sweep, however many deadlines it breached."""
    event_type = WebhookEvent.DEADLINE_BREACHED
    endpoints = webhook_endpoints_by_dealer(
        dealer_ids={deadline.complaint.dealer_id for deadline in deadlines},
        event_type=event_type,
    )
    if not endpoints:
        return
    events = []
    for deadline in deadlines:
        complaint = deadline.complaint
        wanted = endpoints.get(complaint.dealer_id)
        if not wanted:
            continue
        data = case_data(complaint)
        data["deadline"] = {
            "kind": deadline.kind,
            "due_at": deadline.due_at,
            "breached_at": deadline.breached_at,
        }
        events.append((wanted, event_type, data))
    enqueue_many(events=events)
