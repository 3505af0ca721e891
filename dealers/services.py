"""Writes of customers, vehicles, repair orders and staff roles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.exceptions import PermissionDenied, ValidationFailed
from core.scoping import WORK_ROLES, forget_access, roles_for, scoped
from core.text import require_storable, require_storable_instance

from .models import Customer, Dealer, Membership, RepairOrder, Role, Vehicle
from .validators import normalize_vin

# The relationship profile of step 2 (顾客与品牌的关系).
PROFILE_FIELDS = (
    "occupation",
    "family",
    "interests",
    "other_vehicles",
    "insurance",
    "usage_and_storage",
    "notes",
)
CUSTOMER_FIELDS = ("dms_id", "name", "phone", "email", "preferred_channel", *PROFILE_FIELDS)
VEHICLE_FIELDS = ("model", "plate", "purchase_date", "mileage", "warranty_end")


def _require_worker(actor: Any, dealer: Dealer) -> None:
    if not roles_for(actor, dealer.pk) & WORK_ROLES:
        raise PermissionDenied(_("Only advisors and managers of this dealer may do this."))


def _validate_and_save(instance: Any, *, exclude: list[str] | None = None) -> None:
    require_storable_instance(instance, exclude=exclude or ())
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationFailed({"non_field_errors": [_("This record already exists.")]}) from exc


def customer_create(*, dealer: Dealer, actor: Any, **fields: Any) -> Customer:
    _require_worker(actor, dealer)
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    customer = Customer(dealer=dealer, **fields)
    _validate_and_save(customer, exclude=["dealer"])
    return customer


def customer_upsert(
    *, dealer: Dealer, actor: Any, dms_id: str, fields: Mapping[str, Any]
) -> tuple[Customer, bool]:
    """Create or update the customer the DMS knows by `dms_id`; returns (customer, created)."""
    _require_worker(actor, dealer)
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    dms_id = str(dms_id or "").strip()
    if not dms_id:
        raise ValidationFailed({"dms_id": [_("Give the customer's id in the DMS.")]})
    require_storable({"dms_id": dms_id})
    with transaction.atomic():
        customers = scoped(Customer, actor, write=True).select_for_update()
        customer = customers.filter(dealer=dealer, dms_id=dms_id).first()
        created = customer is None
        if customer is None:
            customer = Customer(dealer=dealer, dms_id=dms_id)
        for name, value in fields.items():
            if name != "dms_id":
                setattr(customer, name, value)
        _validate_and_save(customer, exclude=["dealer"])
    return customer, created


def vehicle_upsert(
    *,
    dealer: Dealer,
    actor: Any,
    vin: str,
    owner: Customer | None = None,
    fields: Mapping[str, Any] | None = None,
) -> tuple[Vehicle, bool]:
    """Create or update the vehicle with this VIN at the dealer; returns (vehicle, created)."""
    _require_worker(actor, dealer)
    fields = dict(fields or {})
    unknown = set(fields) - set(VEHICLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    if owner is not None and owner.dealer_id != dealer.pk:
        raise ValidationFailed({"owner": [_("This customer belongs to another dealer.")]})
    require_storable({"vin": vin})
    vin = normalize_vin(vin)
    with transaction.atomic():
        vehicles = scoped(Vehicle, actor, write=True).select_for_update()
        vehicle = vehicles.filter(dealer=dealer, vin=vin).first()
        created = vehicle is None
        if vehicle is None:
            vehicle = Vehicle(dealer=dealer, vin=vin)
        if owner is not None:
            vehicle.owner = owner
        for name, value in fields.items():
            setattr(vehicle, name, value)
        _validate_and_save(vehicle, exclude=["dealer", "owner"])
    return vehicle, created


def repair_order_upsert(
    *, vehicle: Vehicle, actor: Any, number: str, fields: Mapping[str, Any]
) -> tuple[RepairOrder, bool]:
    dealer = vehicle.dealer
    _require_worker(actor, dealer)
    require_storable({"number": number})
    with transaction.atomic():
        orders = scoped(RepairOrder, actor, write=True).select_for_update()
        order = orders.filter(dealer=dealer, number=number).first()
        created = order is None
        if order is None:
            order = RepairOrder(dealer=dealer, number=number, vehicle=vehicle)
        elif order.vehicle_id != vehicle.pk:
            raise ValidationFailed(
                {"number": [_("This repair order number belongs to another vehicle.")]}
            )
        for name in ("opened_on", "mileage", "work_summary"):
            if name in fields:
                setattr(order, name, fields[name])
        _validate_and_save(order, exclude=["dealer", "vehicle"])
    return order, created


def membership_grant(
    *, user: Any, role: str, dealer: Dealer | None = None, region: Any = None
) -> Membership:
    """Give a user a role; replaces an earlier role at the same dealer or region."""
    lookup = {"dealer": dealer} if role != Role.REGIONAL else {"region": region}
    # Granting roles is the administrators' work (admin, management commands): no actor.
    membership, _created = Membership.objects.unscoped(reason="system").update_or_create(
        user=user, **lookup, defaults={"role": role}
    )
    forget_access(user)
    return membership
