"""Reads the API needs beyond the apps' own selectors, each starting from `scoped(...)`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from core.actors import Actor
from core.scoping import scoped
from dealers.models import Customer, Dealer, Vehicle
from dealers.validators import normalize_vin

from .models import WebhookEndpoint


def customer_by_dms_id(*, actor: Actor, dealer: Dealer, dms_id: str) -> Customer | None:
    return scoped(Customer, actor).filter(dealer=dealer, dms_id=dms_id).first()


def vehicle_by_vin(*, actor: Actor, dealer: Dealer, vin: str) -> Vehicle | None:
    return (
        scoped(Vehicle, actor)
        .select_related("dealer", "owner")
        .filter(dealer=dealer, vin=normalize_vin(vin))
        .first()
    )


def webhook_endpoints_for(*, dealer_id: int, event_type: str) -> list[WebhookEndpoint]:
    """The endpoints to notify; called by the system itself (no user), inside the change."""
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.unscoped(reason="system").filter(
            dealer_id=dealer_id, is_active=True
        )
        if endpoint.wants(event_type)
    ]


def webhook_endpoints_by_dealer(
    *, dealer_ids: Iterable[int], event_type: str
) -> dict[int, list[WebhookEndpoint]]:
    """The endpoints to notify for many dealers at once, in one query (the deadline sweep
    breaches deadlines of many dealers in one transaction); called by the system itself."""
    result: dict[int, list[WebhookEndpoint]] = {}
    endpoints = WebhookEndpoint.objects.unscoped(reason="system").filter(
        dealer_id__in=set(dealer_ids), is_active=True
    )
    for endpoint in endpoints.order_by("id"):
        if endpoint.wants(event_type):
            result.setdefault(endpoint.dealer_id, []).append(endpoint)
    return result


def webhook_endpoint_list(*, actor: Actor) -> QuerySet[WebhookEndpoint]:
    return scoped(WebhookEndpoint, actor).select_related("dealer").order_by("id")


def webhook_endpoint_get(*, actor: Actor, pk: int) -> WebhookEndpoint | None:
    return webhook_endpoint_list(actor=actor).filter(pk=pk).first()
