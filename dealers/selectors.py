"""Reads of dealers, staff, customers and vehicles, always scoped to the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from core.scoping import scoped

from .models import Customer, Dealer, Vehicle


def dealer_list(*, actor: Any) -> QuerySet[Dealer]:
    return scoped(Dealer, actor).select_related("region")


def customer_search(
    *, actor: Any, term: str, dealer: Dealer | None = None, limit: int = 20
) -> QuerySet[Customer]:
    """Customers whose name, phone, plate or VIN contains the term (intake look-up)."""
    queryset = scoped(Customer, actor)
    if dealer is not None:
        queryset = queryset.filter(dealer=dealer)
    term = term.strip()
    if term:
        queryset = queryset.filter(
            Q(name__icontains=term)
            | Q(phone__icontains=term)
            | Q(vehicles__plate__icontains=term)
            | Q(vehicles__vin__icontains=term.upper())
        ).distinct()
    return queryset.order_by("name", "id")[:limit]


def vehicle_list(*, actor: Any, customer: Customer | None = None) -> QuerySet[Vehicle]:
    queryset = scoped(Vehicle, actor)
    if customer is not None:
        queryset = queryset.filter(owner=customer)
    return queryset
