"""Reads of dealers, staff, customers and vehicles, always scoped to the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from core.actors import Actor
from core.scoping import scoped

from .models import Customer, Dealer, Membership, RepairOrder, Role, Vehicle
from .validators import normalize_phone, normalize_plate


def dealer_list(*, actor: Actor) -> QuerySet[Dealer]:
    return scoped(Dealer, actor).select_related("region")


def customer_search(
    *, actor: Actor, term: str, dealer: Dealer | None = None, limit: int = 20
) -> QuerySet[Customer]:
    """Customers whose name, phone, plate or VIN contains the term (intake look-up)."""
    queryset = scoped(Customer, actor)
    if dealer is not None:
        queryset = queryset.filter(dealer=dealer)
    term = term.strip()
    if term:
        queryset = queryset.filter(
            Q(name__icontains=term)
            | Q(vehicles__vin__icontains=term.upper())
            | spelled_q(phone="phone", plate="vehicles__plate", term=term)
        ).distinct()
    return queryset.order_by("name", "id")[:limit]


def spelled_q(*, phone: str, plate: str, term: str) -> Q:
    """Rows whose phone or plate (named by these lookups) contains the term, compared in the
    spelling they are stored in: "138 0013" finds 13800138000, "沪a·123" finds 沪A12345."""
    condition = Q(pk__in=[])
    for lookup, value in ((phone, normalize_phone(term)), (plate, normalize_plate(term))):
        if value:  # a term of separators only would otherwise match everything
            condition |= Q(**{f"{lookup}__icontains": value})
    return condition


def vehicle_list(*, actor: Actor, customer: Customer | None = None) -> QuerySet[Vehicle]:
    queryset = scoped(Vehicle, actor)
    if customer is not None:
        queryset = queryset.filter(owner=customer)
    return queryset


def customer_choices(*, actor: Actor, customers: list[Customer]) -> list[dict[str, Any]]:
    """One pickable (customer, vehicle) pair per owned vehicle, or the customer alone."""
    vehicles: dict[int, list[Vehicle]] = {}
    for vehicle in scoped(Vehicle, actor).filter(owner__in=customers).order_by("plate", "vin"):
        if vehicle.owner_id is not None:
            vehicles.setdefault(vehicle.owner_id, []).append(vehicle)
    choices: list[dict[str, Any]] = []
    for customer in customers:
        for vehicle in vehicles.get(customer.pk, []):
            choices.append(
                {"value": f"{customer.pk}:{vehicle.pk}", "customer": customer, "vehicle": vehicle}
            )
        choices.append({"value": f"{customer.pk}:", "customer": customer, "vehicle": None})
    return choices


def customer_get(*, actor: Actor, pk: Any) -> Customer | None:
    return scoped(Customer, actor).filter(pk=pk).first()


def vehicle_get(*, actor: Actor, pk: Any) -> Vehicle | None:
    return scoped(Vehicle, actor).filter(pk=pk).first()


def repair_order_list(*, actor: Actor, vehicles: list[Vehicle]) -> QuerySet[RepairOrder]:
    return scoped(RepairOrder, actor).filter(vehicle__in=vehicles).select_related("vehicle")


def dealer_staff(*, actor: Actor, dealer: Dealer) -> QuerySet[Any]:
    """Active advisors and managers of a dealer the actor belongs to (for hand-overs)."""
    from django.contrib.auth import get_user_model

    memberships = scoped(Membership, actor).filter(
        dealer=dealer, role__in=[Role.ADVISOR, Role.MANAGER]
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )


def dealer_technicians(*, actor: Actor, dealer: Dealer) -> QuerySet[Any]:
    """Active technicians of a dealer the actor works at (to assign a repair to)."""
    from django.contrib.auth import get_user_model

    memberships = scoped(Membership, actor).filter(dealer=dealer, role=Role.TECHNICIAN)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )


def dealer_people(*, actor: Actor, dealer: Dealer) -> list[tuple[str, Any]]:
    """(role, user) of the dealer's active advisors, managers and technicians, in one query
    and in the order of dealer_staff and dealer_technicians (first name, last name, user
    name): a page that offers several of those lists builds them all from this."""
    return [
        (membership.role, membership.user)
        for membership in scoped(Membership, actor)
        .filter(
            dealer=dealer,
            role__in=[Role.ADVISOR, Role.MANAGER, Role.TECHNICIAN],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username", "user_id")
    ]


def user_memberships(user: Any) -> list[tuple[str, int | None, int | None]]:
    """A user's roles as (role, dealer id, region id): what core.scoping builds access from.

    Read under the escape "access": what an actor may reach is worked out from their own
    memberships, before there is a scope to read them through."""
    return list(
        Membership.objects.unscoped(reason="access")
        .filter(user=user)
        .values_list("role", "dealer_id", "region_id")
    )
