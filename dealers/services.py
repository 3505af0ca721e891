"""Writes of customers, vehicles, repair orders and staff roles."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actors import Actor, is_dms
from core.audit import audit_log, snapshot
from core.exceptions import Conflict, PermissionDenied, ValidationFailed
from core.scoping import MANAGER, WORK_ROLES, access_for, forget_access, roles_for, scoped
from core.text import require_storable, require_storable_instance

from .models import Customer, Dealer, Membership, RepairOrder, Role, Vehicle
from .validators import normalize_plate, normalize_vin

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
REPAIR_ORDER_FIELDS = ("opened_on", "mileage", "work_summary")
# What the audit log keeps of each record.
AUDIT_CUSTOMER = CUSTOMER_FIELDS
AUDIT_VEHICLE = ("vin", "owner", *VEHICLE_FIELDS)
AUDIT_REPAIR_ORDER = ("number", "vehicle", *REPAIR_ORDER_FIELDS)
AUDIT_MEMBERSHIP = ("user", "role", "dealer", "region")
# Personal data: the audit log is append-only, so it keeps these masked (a keyed digest that
# still shows that, and when, a value changed) and an erasure leaves no value behind.
PERSONAL_CUSTOMER_FIELDS = ("dms_id", "name", "phone", "email", *PROFILE_FIELDS)
PERSONAL_VEHICLE_FIELDS = ("plate",)
# What an erased customer's name (and a case's free text about them) becomes.
ERASED = "已删除 / erased"


def mask(value: Any) -> Any:
    """A personal value as the audit log keeps it: blank stays blank, anything else becomes
    a short keyed digest (no dictionary of phone numbers reverses it without the key)."""
    if value is None or value == "":
        return value
    digest = hmac.new(settings.SECRET_KEY.encode(), str(value).encode(), hashlib.sha256)
    return f"•••{digest.hexdigest()[:8]}"


def audit_snapshot(instance: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """`core.audit.snapshot` with the personal fields of customers and vehicles masked."""
    values = snapshot(instance, fields)
    personal = {Customer: PERSONAL_CUSTOMER_FIELDS, Vehicle: PERSONAL_VEHICLE_FIELDS}.get(
        type(instance), ()
    )
    for name in personal:
        if name in values:
            values[name] = mask(values[name])
    return values


def _audit_saved(
    *, actor: Actor, entity: str, instance: Any, fields: tuple[str, ...], before: dict | None
) -> None:
    """`<entity>.created` when there was nothing before, else `<entity>.changed`."""
    audit_log(
        actor=actor,
        action=f"{entity}.created" if before is None else f"{entity}.changed",
        target=instance,
        dealer_id=instance.dealer_id,
        before=before or {},
        after=audit_snapshot(instance, fields),
    )


class VehicleOfAnotherCustomer(Conflict):
    """A vehicle that another customer of the dealer owns was named for this customer.

    A 409 problem in the API, a message next to the field in the browser; `field_errors`
    names the field (the VIN, or the plate) that identified the vehicle.
    """

    code = "vehicle_belongs_to_another_customer"
    default_message = gettext_lazy("This vehicle belongs to another customer of the dealer.")


_OF_ANOTHER = {
    "vin": gettext_lazy(
        "This VIN belongs to another customer's vehicle; only the dealer management system "
        "records a change of owner."
    ),
    "plate": gettext_lazy(
        "This plate belongs to another customer's vehicle; only the dealer management system "
        "records a change of owner."
    ),
}


def _require_worker(actor: Actor, dealer: Dealer) -> None:
    if not roles_for(actor, dealer.pk) & WORK_ROLES:
        raise PermissionDenied(_("Only advisors and managers of this dealer may do this."))


def _validate_and_save(
    instance: Any, *, exclude: list[str] | None = None, then: Callable[[], Any] | None = None
) -> None:
    """Check and save the instance, then run `then` (its audit entry) in the same savepoint:
    a duplicate refused by the database is a 400 that leaves the caller's transaction usable,
    and the instance is never saved without what `then` writes."""
    require_storable_instance(instance, exclude=exclude or ())
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    try:
        with transaction.atomic():
            instance.save()
            if then is not None:
                then()
    except IntegrityError as exc:
        raise ValidationFailed({"non_field_errors": [_("This record already exists.")]}) from exc


def customer_create(*, dealer: Dealer, actor: Actor, **fields: Any) -> Customer:
    _require_worker(actor, dealer)
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    customer = Customer(dealer=dealer, **fields)
    _validate_and_save(
        customer,
        exclude=["dealer"],
        then=lambda: _audit_saved(
            actor=actor, entity="customer", instance=customer, fields=AUDIT_CUSTOMER, before=None
        ),
    )
    return customer


def customer_update(*, customer: Customer, actor: Actor, fields: Mapping[str, Any]) -> Customer:
    """Correct a customer's details. Invariant: the customer stays at their dealer, and
    the change is in the audit log with the fields before and after."""
    _require_worker(actor, customer.dealer)
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    with transaction.atomic():
        locked = scoped(Customer, actor, write=True).select_for_update().get(pk=customer.pk)
        before = audit_snapshot(locked, AUDIT_CUSTOMER)
        for name, value in fields.items():
            setattr(locked, name, value)
        _validate_and_save(locked, exclude=["dealer"])
        _audit_saved(
            actor=actor, entity="customer", instance=locked, fields=AUDIT_CUSTOMER, before=before
        )
    return locked


def customer_profile_update(
    *, customer: Customer, actor: Actor, fields: Mapping[str, Any]
) -> Customer:
    """An advisor or manager records the customer's relationship profile of step 2
    (顾客与品牌的关系: family, occupation, interests, other vehicles, insurance, usage and
    storage, notes). Invariant: only those fields change, only by staff of the customer's
    dealer, and the change is in the audit log (`customer.changed`, values masked)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    if customer.erased_at is not None:
        raise ValidationFailed(
            {"non_field_errors": [_("This customer's personal data was erased.")]}
        )
    changes = {
        name: str(value or "").strip()
        for name, value in fields.items()
        if str(value or "").strip() != getattr(customer, name)
    }
    _require_worker(actor, customer.dealer)
    if not changes:
        return customer
    return customer_update(customer=customer, actor=actor, fields=changes)


def customer_upsert(
    *, dealer: Dealer, actor: Actor, dms_id: str, fields: Mapping[str, Any]
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
        before = None if created else audit_snapshot(customer, AUDIT_CUSTOMER)
        for name, value in fields.items():
            if name != "dms_id":
                setattr(customer, name, value)
        _validate_and_save(customer, exclude=["dealer"])
        _audit_saved(
            actor=actor, entity="customer", instance=customer, fields=AUDIT_CUSTOMER, before=before
        )
    return customer, created


def vehicle_upsert(
    *,
    dealer: Dealer,
    actor: Actor,
    vin: str,
    owner: Customer | None = None,
    fields: Mapping[str, Any] | None = None,
    transfer: bool = False,
) -> tuple[Vehicle, bool]:
    """Create or update the vehicle with this VIN at the dealer; returns (vehicle, created).

    Invariant: a vehicle changes hands only when the dealer management system says so: with
    `transfer=True` and a DMS connection as the actor (`core.actors.is_dms`), the record of
    who owns a vehicle re-registers it to its new owner when a car is sold (PUT
    /api/v1/vehicles/{vin}/). Every other caller, intake and a browser session on that
    endpoint included, is refused with VehicleOfAnotherCustomer when the VIN belongs to
    another customer of the dealer; this is checked under the vehicle's row lock. A vehicle
    that nobody owns goes to the owner named; `owner=None` leaves the owner as it is.

    A VIN the dealer does not know yet, sent with a plate, completes the vehicle that was
    registered by that plate alone (a walk-in logged without VIN): that record gets the VIN
    rather than a second vehicle being recorded, under the same ownership rule.
    """
    _require_worker(actor, dealer)
    fields = dict(fields or {})
    unknown = set(fields) - set(VEHICLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    if owner is not None and owner.dealer_id != dealer.pk:
        raise ValidationFailed({"owner": [_("This customer belongs to another dealer.")]})
    require_storable({"vin": vin})
    if isinstance(fields.get("plate"), str):
        require_storable({"plate": fields["plate"]})
    vin = normalize_vin(vin)
    if not vin:
        raise ValidationFailed({"vin": [_("Give the VIN.")]})
    plate = normalize_plate(str(fields.get("plate") or ""))
    may_transfer = transfer and is_dms(actor)
    with transaction.atomic():
        vehicles = scoped(Vehicle, actor, write=True).select_for_update()
        vehicle = vehicles.filter(dealer=dealer, vin=vin).first()
        field = "vin"
        if vehicle is None and plate:
            vehicle = vehicles.filter(dealer=dealer, vin=None, plate=plate).order_by("-pk").first()
            field = "plate"
        created = vehicle is None
        if vehicle is None:
            vehicle = Vehicle(dealer=dealer, vin=vin)
        moves = owner is not None and vehicle.owner_id not in (None, owner.pk)
        if moves and not may_transfer:
            raise VehicleOfAnotherCustomer(field_errors={field: [str(_OF_ANOTHER[field])]})
        before = None if created else audit_snapshot(vehicle, AUDIT_VEHICLE)
        vehicle.vin = vin
        if owner is not None:
            vehicle.owner = owner
        for name, value in fields.items():
            setattr(vehicle, name, value)
        _validate_and_save(vehicle, exclude=["dealer", "owner"])
        _audit_saved(
            actor=actor, entity="vehicle", instance=vehicle, fields=AUDIT_VEHICLE, before=before
        )
    return vehicle, created


def vehicle_register_by_plate(
    *,
    dealer: Dealer,
    actor: Actor,
    plate: str,
    owner: Customer,
    fields: Mapping[str, Any] | None = None,
) -> Vehicle:
    """Record a vehicle known only by its plate (a walk-in without the registration papers).

    Invariant: the vehicle has a plate and no VIN, belongs to `owner`, and is in the audit
    log; its VIN is added later (`vehicle_update` from the case page, or the DMS's
    `vehicle_upsert` naming the plate). The caller has made sure that no vehicle of the
    dealer has this plate yet (intake finds it otherwise).
    """
    _require_worker(actor, dealer)
    fields = {name: value for name, value in dict(fields or {}).items() if name != "plate"}
    unknown = set(fields) - set(VEHICLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    if owner.dealer_id != dealer.pk:
        raise ValidationFailed({"owner": [_("This customer belongs to another dealer.")]})
    require_storable({"plate": plate})
    plate = normalize_plate(plate)
    if not plate:
        raise ValidationFailed({"plate": [_("Give the plate or the VIN.")]})
    vehicle = Vehicle(dealer=dealer, owner=owner, vin=None, plate=plate, **fields)
    with transaction.atomic():
        _validate_and_save(vehicle, exclude=["dealer", "owner"])
        _audit_saved(
            actor=actor, entity="vehicle", instance=vehicle, fields=AUDIT_VEHICLE, before=None
        )
    return vehicle


def vehicle_update(
    *, vehicle: Vehicle, actor: Actor, owner: Customer | None, fields: Mapping[str, Any]
) -> Vehicle:
    """Correct a vehicle's details or owner (VIN included: a typo found later).

    Invariant: the VIN passes its check digit and stays unique at the dealer, and the
    owner is a customer of the same dealer; the change is in the audit log.
    """
    _require_worker(actor, vehicle.dealer)
    unknown = set(fields) - {"vin", *VEHICLE_FIELDS}
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    if owner is not None and owner.dealer_id != vehicle.dealer_id:
        raise ValidationFailed({"owner": [_("This customer belongs to another dealer.")]})
    with transaction.atomic():
        locked = scoped(Vehicle, actor, write=True).select_for_update().get(pk=vehicle.pk)
        before = audit_snapshot(locked, AUDIT_VEHICLE)
        locked.owner = owner
        for name, value in fields.items():
            setattr(locked, name, value)
        if "vin" in fields:
            require_storable({"vin": locked.vin or ""})
            locked.vin = normalize_vin(locked.vin or "") or None
            if (
                locked.vin
                and scoped(Vehicle, actor)
                .filter(dealer_id=locked.dealer_id, vin=locked.vin)
                .exclude(pk=locked.pk)
                .exists()
            ):
                raise ValidationFailed(
                    {"vin": [_("Another vehicle of the dealer already has this VIN.")]}
                )
        _validate_and_save(locked, exclude=["dealer", "owner"])
        _audit_saved(
            actor=actor, entity="vehicle", instance=locked, fields=AUDIT_VEHICLE, before=before
        )
    return locked


def repair_order_upsert(
    *,
    vehicle: Vehicle,
    actor: Actor,
    number: str,
    fields: Mapping[str, Any],
    only_new: bool = False,
) -> tuple[RepairOrder, bool]:
    """Record a repair order of the vehicle, matched by its number within the dealer;
    returns (order, created). The DMS sends them (updating an order it sent before); where
    no DMS does, an advisor enters them by hand on the customer's page (`only_new=True`:
    a number already recorded is refused, never overwritten). Invariant: a number belongs
    to one vehicle of the dealer, and every write is in the audit log."""
    dealer = vehicle.dealer
    _require_worker(actor, dealer)
    require_storable({"number": number})
    number = str(number or "").strip()
    if not number:
        raise ValidationFailed({"number": [_("Give the repair order's number.")]})
    with transaction.atomic():
        orders = scoped(RepairOrder, actor, write=True).select_for_update()
        order = orders.filter(dealer=dealer, number=number).first()
        created = order is None
        if order is not None and only_new:
            raise ValidationFailed(
                {"number": [_("A repair order with this number is already recorded.")]}
            )
        if order is None:
            order = RepairOrder(dealer=dealer, number=number, vehicle=vehicle)
        elif order.vehicle_id != vehicle.pk:
            raise ValidationFailed(
                {"number": [_("This repair order number belongs to another vehicle.")]}
            )
        before = None if created else audit_snapshot(order, AUDIT_REPAIR_ORDER)
        for name in REPAIR_ORDER_FIELDS:
            if name in fields:
                setattr(order, name, fields[name])
        _validate_and_save(order, exclude=["dealer", "vehicle"])
        _audit_saved(
            actor=actor,
            entity="repair_order",
            instance=order,
            fields=AUDIT_REPAIR_ORDER,
            before=before,
        )
    return order, created


def _require_staff_admin(actor: Actor | None) -> None:
    # Who works where is decided by the system's administrators (superusers); None is the
    # system itself (the demo data, a migration).
    if actor is not None and not access_for(actor).is_superuser:
        raise PermissionDenied(_("Only an administrator may change who works where."))


def _membership_lookup(role: str, dealer: Dealer | None, region: Any) -> dict[str, Any]:
    return (
        {"dealer": dealer, "region": None}
        if role != Role.REGIONAL
        else {
            "dealer": None,
            "region": region,
        }
    )


def _membership_save(membership: Membership) -> None:
    try:
        membership.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            {"non_field_errors": [_("This user already has a role there.")]}
        ) from exc


def _audit_membership(
    *, actor: Actor | None, action: str, membership: Membership, before: dict, after: dict | None
) -> None:
    audit_log(
        actor=actor,
        action=action,
        target=membership,
        # A regional role belongs to no dealer: only administrators read its entries.
        dealer_id=membership.dealer_id,
        before=before,
        after=after,
    )


def membership_create(
    *,
    actor: Actor | None,
    user: Any,
    role: str,
    dealer: Dealer | None = None,
    region: Any = None,
) -> Membership:
    """Give a user a role: advisor or manager at a dealer, or regional staff of a region.

    Invariant: one role per user and dealer (or region), administrators only, logged.
    """
    _require_staff_admin(actor)
    membership = Membership(user=user, role=role, **_membership_lookup(role, dealer, region))
    with transaction.atomic():
        _membership_save(membership)
        _audit_membership(
            actor=actor,
            action="membership.created",
            membership=membership,
            before={},
            after=snapshot(membership, AUDIT_MEMBERSHIP),
        )
        # 新进人员教材: a new member of a dealer is given its required training cases.
        from learning.services import readings_for_new_member

        readings_for_new_member(membership=membership)
    forget_access(user)
    return membership


def membership_update(
    *,
    membership: Membership,
    actor: Actor | None,
    role: str,
    dealer: Dealer | None = None,
    region: Any = None,
) -> Membership:
    """Change a user's role or where it applies. Invariant: as for membership_create."""
    _require_staff_admin(actor)
    with transaction.atomic():
        locked = (
            Membership.objects.unscoped(reason="instance").select_for_update().get(pk=membership.pk)
        )
        before = audit_snapshot(locked, AUDIT_MEMBERSHIP)
        locked.role = role
        for name, value in _membership_lookup(role, dealer, region).items():
            setattr(locked, name, value)
        _membership_save(locked)
        _audit_membership(
            actor=actor,
            action="membership.changed",
            membership=locked,
            before=before,
            after=snapshot(locked, AUDIT_MEMBERSHIP),
        )
        if locked.dealer_id is not None and locked.dealer_id != before.get("dealer"):
            # Moved to another dealer: a new member there, given its required cases.
            from learning.services import readings_for_new_member

            readings_for_new_member(membership=locked)
    forget_access(locked.user)
    return locked


def membership_delete(*, membership: Membership, actor: Actor | None) -> None:
    """Take a role away; the user keeps their account. Invariant: administrators only, logged."""
    _require_staff_admin(actor)
    with transaction.atomic():
        locked = (
            Membership.objects.unscoped(reason="instance")
            .select_for_update()
            .filter(pk=membership.pk)
            .first()
        )
        if locked is None:
            return
        _audit_membership(
            actor=actor,
            action="membership.deleted",
            membership=locked,
            before=snapshot(locked, AUDIT_MEMBERSHIP),
            after=None,
        )
        locked.delete()
    forget_access(membership.user)


def membership_grant(
    *,
    user: Any,
    role: str,
    dealer: Dealer | None = None,
    region: Any = None,
    actor: Actor | None = None,
) -> Membership:
    """Give a user a role; replaces an earlier role at the same dealer or region."""
    lookup = {"dealer": dealer} if role != Role.REGIONAL else {"region": region}
    existing = Membership.objects.unscoped(reason="system").filter(user=user, **lookup).first()
    if existing is None:
        return membership_create(actor=actor, user=user, role=role, dealer=dealer, region=region)
    return membership_update(
        membership=existing, actor=actor, role=role, dealer=dealer, region=region
    )


def _require_manager(actor: Actor, dealer: Dealer) -> None:
    if MANAGER not in roles_for(actor, dealer.pk):
        raise PermissionDenied(_("Only managers of this dealer may do this."))


def customer_erase(*, customer: Customer, actor: Actor | None, reason: str) -> Customer:
    """Erase a customer's personal data on their request (China's PIPL), keeping the cases.

    `actor` is a manager of the customer's dealer, or None for the system (the retention
    rule, `dealers.tasks.anonymise_closed_customers`). Invariant: afterwards the customer's
    name is `ERASED`; phone, e-mail, DMS id (NULL, so the per-dealer uniqueness holds) and
    profile are blank; their vehicles have no plate; their cases keep their state,
    categories, deadlines and timeline, but their description, original description and
    customer's request read `ERASED`. Comments on the cases' timelines, written by staff,
    may still name the customer: they are the record of what was done and are kept.
    The audit log gets one `customer.erased` entry naming the erased fields, never their
    values (its earlier entries hold personal values masked, see `audit_snapshot`).
    Erasing an erased customer changes nothing and writes nothing.
    """
    if actor is not None:
        _require_manager(actor, customer.dealer)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the data is erased (the request).")]})
    require_storable({"reason": reason})
    with transaction.atomic():
        customers = (
            Customer.objects.unscoped(reason="retention")
            if actor is None
            else scoped(Customer, actor, write=True)
        )
        locked = customers.select_for_update().get(pk=customer.pk)
        if locked.erased_at is not None:
            return locked
        erased = [
            name for name in PERSONAL_CUSTOMER_FIELDS if getattr(locked, name) not in ("", None)
        ]
        locked.name = ERASED
        for name in PERSONAL_CUSTOMER_FIELDS:
            if name != "name":
                setattr(locked, name, None if name == "dms_id" else "")
        locked.erased_at = timezone.now()
        locked.save()
        vehicles = locked.vehicles.exclude(plate="").update(plate="")
        cases = locked.complaints.all()
        case_count = cases.update(description=ERASED, original_description=ERASED)
        cases.exclude(customer_request="").update(customer_request=ERASED)
        for case in cases:
            # Messages sent to the customer carry their address and name; the contact each
            # is logged as keeps a copy of the text.
            case.customer_messages.update(recipient=ERASED, subject="", body=ERASED)
            case.contacts.filter(customer_message__isnull=False).update(note=ERASED)
        audit_log(
            actor=actor,
            action="customer.erased",
            target=locked,
            dealer_id=locked.dealer_id,
            data={
                "fields": erased,
                "vehicle_plates": vehicles,
                "cases": case_count,
                "reason": reason,
            },
        )
    return locked


def customers_anonymise_closed(*, now: datetime | None = None) -> list[int]:
    """Erase, as the system, the customers whose every case ended (closed or withdrawn)
    more than CLOSED_CASE_ANONYMISE_AFTER_YEARS ago; returns their ids.

    Invariant: with the setting at 0 (the default) nothing is erased; a customer with an
    open case, a case that ended within the period, or no case at all is kept (a customer
    the DMS sent without a complaint is the dealer's record, not this system's); running it
    again erases no one twice (`customer_erase` skips the erased).
    """
    from complaints.choices import State
    from complaints.models import Complaint

    years = settings.CLOSED_CASE_ANONYMISE_AFTER_YEARS
    if years <= 0:
        return []
    now = now or timezone.now()
    cutoff = now - timedelta(days=365 * years + years // 4)
    cases = Complaint.objects.unscoped(reason="retention").filter(customer=OuterRef("pk"))
    still_kept = cases.filter(
        ~Q(state__in=[State.CLOSED, State.WITHDRAWN])
        | Q(closed_at__isnull=True)
        | Q(closed_at__gt=cutoff)
    )
    due = (
        Customer.objects.unscoped(reason="retention")
        .filter(erased_at__isnull=True)
        .filter(Exists(cases))
        .exclude(Exists(still_kept))
        .order_by("pk")
    )
    erased = []
    for customer in due:
        customer_erase(
            customer=customer,
            actor=None,
            reason=f"retention: every case ended more than {years} years ago",
        )
        erased.append(customer.pk)
    return erased


def _record(instance: Any) -> dict[str, Any]:
    """Every stored field of a row (foreign keys by id), as JSON will hold it."""
    values = {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


# A case's rows that belong in a customer's export; notifications are staff's, not theirs.
CASE_PARTS = ("events", "contacts", "deadlines", "customer_messages")


def customer_export(*, customer: Customer, actor: Actor) -> dict[str, Any]:
    """Everything the system holds about one customer (China's PIPL right of access).

    Invariant: only a manager of the customer's dealer gets it (others: PermissionDenied;
    the views answer 404 so that a customer's existence is not revealed), and every export
    is in the audit log as `customer.exported`. It holds the customer's fields and
    profile, their vehicles with repair orders, and their cases, each with its timeline,
    contacts, deadlines and promises.
    """
    _require_manager(actor, customer.dealer)
    with transaction.atomic():
        locked = scoped(Customer, actor).get(pk=customer.pk)
        vehicles = []
        for vehicle in locked.vehicles.order_by("pk").prefetch_related("repair_orders"):
            row = _record(vehicle)
            row["repair_orders"] = [
                _record(order) for order in sorted(vehicle.repair_orders.all(), key=lambda o: o.pk)
            ]
            vehicles.append(row)
        cases = []
        for case in locked.complaints.order_by("pk").prefetch_related(*CASE_PARTS):
            row = _record(case)
            for part in CASE_PARTS:
                row[part] = [
                    _record(item) for item in sorted(getattr(case, part).all(), key=lambda i: i.pk)
                ]
            cases.append(row)
        audit_log(
            actor=actor,
            action="customer.exported",
            target=locked,
            dealer_id=locked.dealer_id,
            data={"vehicles": len(vehicles), "cases": len(cases)},
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "dealer": {"code": locked.dealer.code, "name": locked.dealer.name},
        "customer": _record(locked),
        "vehicles": vehicles,
        "cases": cases,
    }
