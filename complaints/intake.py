"""Step 1 from every entry point: accept a complaint, finding or recording its customer and
vehicle on the way.

The browser's intake form and the API's `POST /api/v1/complaints/` both turn what they
received into the plain data below and call `complaint_intake`; neither matches, creates or
refuses anything itself. The rules, in the order they apply:

Customer
  1. picked in the browser's search (`pk`): that customer of the dealer;
  2. a `dms_id`: the dealer's customer with that DMS id;
  3. a phone number (normalised: "138 0013-8000" is 13800138000): the dealer's one customer
     with that number and, when a name is given, that name; with a `dms_id` only customers
     the DMS does not know yet are looked at, and the one found is linked to the id;
  4. otherwise a new customer, who needs a name and a phone number or an e-mail address.
  What is given updates a customer found by DMS id (the DMS is the source of its customers'
  data); a customer found by phone or picked only has empty fields filled in, since a number
  shared by a family must not rename anyone. Blank fields are "not given": intake never
  erases what is stored.

Vehicle (optional)
  1. picked in the browser's search (`pk`): that vehicle, which must be the customer's;
  2. a VIN: the dealer's vehicle with that VIN, else a new one;
  3. a plate without VIN (normalised: "沪a·12345" is 沪A12345): the customer's vehicle with
     that plate, else one nobody owns; a plate nobody has is recorded as the customer's
     vehicle without VIN (a walk-in without papers), completed later: by an advisor on the
     case page, or by the DMS sending the VIN with that plate (`vehicle_upsert`).
  Vehicle fields without a VIN or a plate (a model alone) name no vehicle: refused.
  A vehicle of *another* customer of the dealer is refused (VehicleOfAnotherCustomer, code
  `vehicle_belongs_to_another_customer`: a 409 problem in the API, an error next to the VIN
  or plate in the browser). Only the dealer management system moves a vehicle to a new
  owner (`PUT /api/v1/vehicles/{vin}/`); intake never does. A vehicle nobody owns becomes
  the customer's. Given fields (model, plate, mileage, …) update the vehicle found.

Duplicates
  The same words for the same customer and vehicle in a case that is still open and was
  logged within DUPLICATE_WINDOW are the same complaint logged twice (a second click, a
  retry without Idempotency-Key, two colleagues taking the same call): refused with
  DuplicateComplaint, code `duplicate_complaint`, naming the open case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actors import Actor
from core.exceptions import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from core.scoping import WORK_ROLES, roles_for, scoped
from core.text import require_storable
from dealers import services as dealer_services
from dealers.models import Customer, Dealer, Vehicle
from dealers.selectors import dealer_staff
from dealers.services import VehicleOfAnotherCustomer
from dealers.validators import normalize_phone, normalize_plate, normalize_vin
from followups import services as followup_services

from . import services
from .choices import OPEN_STATES
from .models import Complaint

# Long enough for any retry or second click, short enough that the same words a day later
# are a repeat complaint (shown as such on the case), not the same one logged twice. It
# matches the Idempotency-Key's lifetime.
DUPLICATE_WINDOW = timedelta(hours=24)

_NON_FIELD = {"non_field_errors", "__all__"}
CUSTOMER_TEXTS = ("dms_id", "name", "phone", "email", "preferred_channel")
VEHICLE_TEXTS = ("vin", "plate", "model")


@dataclass(frozen=True)
class CustomerInput:
    """Who complains, as an entry point received them. A blank field is "not given"."""

    pk: int | None = None  # picked in the browser's customer search
    dms_id: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    preferred_channel: str = ""

    def given(self) -> dict[str, str]:
        """The fields given, trimmed, the phone number normalised."""
        values = {
            "dms_id": self.dms_id.strip(),
            "name": self.name.strip(),
            "phone": normalize_phone(self.phone),
            "email": self.email.strip(),
            "preferred_channel": self.preferred_channel.strip(),
        }
        return {name: value for name, value in values.items() if value}


@dataclass(frozen=True)
class VehicleInput:
    """The vehicle concerned, as an entry point received it. A blank field is "not given"."""

    pk: int | None = None  # picked in the browser's customer search
    vin: str = ""
    plate: str = ""
    model: str = ""
    purchase_date: date | None = None
    mileage: int | None = None

    def given(self) -> dict[str, Any]:
        """The vehicle's fields given (not its VIN), trimmed, the plate normalised."""
        values = {
            "model": self.model.strip(),
            "plate": normalize_plate(self.plate),
            "purchase_date": self.purchase_date,
            "mileage": self.mileage,
        }
        return {name: value for name, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class PromiseInput:
    """A concrete promise made while the customer talked: a one-click one (`code`, due that
    long from now) or the words said ("call back within 30 minutes") with their due time."""

    promise: str = ""
    due_at: datetime | None = None
    code: str = ""


class DuplicateComplaint(Conflict):
    """The complaint is already recorded in an open case; `extra["reference"]` names it."""

    code = "duplicate_complaint"
    default_message = gettext_lazy("This complaint is already recorded in an open case.")


class CustomerAmbiguous(Conflict):
    """Several customers of the dealer fit what was given; someone must say which."""

    code = "customer_ambiguous"
    default_message = gettext_lazy("Several customers of the dealer fit: say which one.")


def complaint_intake(
    *,
    dealer: Dealer,
    actor: Actor,
    customer: CustomerInput,
    vehicle: VehicleInput | None,
    channel: str,
    category: str,
    description: str,
    customer_request: str = "",
    component: str = "none",
    is_safety_related: bool | None = None,
    assignee_id: int | None = None,
    promises: Sequence[PromiseInput] = (),
    serious_reasons: Sequence[str] = (),
    serious_note: str = "",
) -> Complaint:
    """Log a complaint (step 1) for the customer and vehicle given, found or recorded by
    the rules of this module; returns the new case.

    Invariant: all or nothing in one transaction. A refusal (a vehicle of another customer,
    a duplicate, an ambiguous or incomplete customer, a bad field) writes no customer, no
    vehicle, no case and no promise. Intakes of one dealer that name the same customer (DMS
    id or phone number) or vehicle (VIN or plate) run one after another, so two desks
    logging the same new customer at once record one customer, and a double submission one
    case. Intakes of different customers wait for each other only from the moment the case
    number is taken (just before the case is written) to the commit. `serious_reasons` marks
    the case serious at once and alerts the managers and the region (see
    `services.complaint_create`).
    """
    if not roles_for(actor, dealer.pk) & WORK_ROLES:
        raise PermissionDenied(_("Only advisors and managers of this dealer may log a case."))
    # Everything below compares these texts with stored ones: refuse what cannot be stored
    # before any query sees it.
    require_storable(
        {
            **{f"customer.{name}": getattr(customer, name) for name in CUSTOMER_TEXTS},
            **{f"vehicle.{name}": getattr(vehicle, name) for name in VEHICLE_TEXTS if vehicle},
        }
    )
    with transaction.atomic():
        _lock_identities(dealer=dealer, customer=customer, vehicle=vehicle)

        # Decide first, from what is stored ...
        found_customer, dms_id_given = _find_customer(dealer=dealer, actor=actor, given=customer)
        found_vehicle = _find_vehicle(
            dealer=dealer, actor=actor, given=vehicle, owner=found_customer
        )
        if found_customer is not None and (vehicle is None or found_vehicle is not None):
            _refuse_duplicate(
                dealer=dealer,
                actor=actor,
                customer=found_customer,
                vehicle=found_vehicle,
                description=description,
            )
        assignee = _assignee(dealer=dealer, actor=actor, assignee_id=assignee_id)

        # ... then write.
        saved_customer = _save_customer(
            dealer=dealer,
            actor=actor,
            found=found_customer,
            given=customer,
            authoritative=dms_id_given,
        )
        saved_vehicle = _save_vehicle(
            dealer=dealer, actor=actor, found=found_vehicle, given=vehicle, owner=saved_customer
        )
        complaint = services.complaint_create(
            dealer=dealer,
            actor=actor,
            customer=saved_customer,
            vehicle=saved_vehicle,
            channel=channel,
            category=category,
            component=component,
            description=description,
            customer_request=customer_request,
            is_safety_related=is_safety_related,
            assignee=assignee,
            serious_reasons=serious_reasons,
            serious_note=serious_note,
        )
        if promises:
            complaint.opened_at_intake = None  # a promise opens a deadline of its own
        for promise in promises:
            _prefixed(
                "promises",
                followup_services.commitment_create,
                complaint=complaint,
                actor=actor,
                promise=promise.promise,
                due_at=promise.due_at,
                code=promise.code,
            )
    return complaint


# --- who waits for whom ----------------------------------------------------------------


def _identity_key(dealer: Dealer, kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"intake:{dealer.pk}:{kind}:{value}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _lock_identities(
    *, dealer: Dealer, customer: CustomerInput, vehicle: VehicleInput | None
) -> None:
    """Make intakes that could find or record the same customer or vehicle wait for each
    other, and only those: a transaction-level advisory lock per DMS id, phone number, VIN
    and plate given (the values the matching below looks up), taken in one statement in a
    fixed order so that two intakes cannot deadlock. A customer or vehicle picked by its id
    is row-locked when found. A hash collision only makes two intakes wait needlessly."""
    fields = customer.given()
    identities = [("dms_id", fields.get("dms_id", "")), ("phone", fields.get("phone", ""))]
    if vehicle is not None:
        identities += [
            ("vin", normalize_vin(vehicle.vin)),
            ("plate", normalize_plate(vehicle.plate)),
        ]
    keys = sorted({_identity_key(dealer, kind, value) for kind, value in identities if value})
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys]
        )


# --- the customer ----------------------------------------------------------------------


def _comparable(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _find_customer(
    *, dealer: Dealer, actor: Actor, given: CustomerInput
) -> tuple[Customer | None, bool]:
    """(the dealer's customer the input names or None, whether a DMS id was given)."""
    fields = given.given()
    customers = scoped(Customer, actor, write=True).filter(dealer=dealer).select_for_update()
    if given.pk is not None:
        picked = customers.filter(pk=given.pk).first()
        if picked is None:
            raise ValidationFailed({"customer": [_("Pick the customer again.")]})
        return picked, False
    dms_id = fields.get("dms_id", "")
    phone = fields.get("phone", "")
    # One query for both rules: the customer with the DMS id, and those with the number.
    if dms_id and phone:
        # A customer the DMS knows by another id is someone else, whatever their number.
        found = list(
            customers.filter(Q(dms_id=dms_id) | Q(dms_id=None, phone=phone)).order_by("pk")
        )
    elif dms_id:
        found = list(customers.filter(dms_id=dms_id))
    elif phone:
        found = list(customers.filter(phone=phone).order_by("pk"))
    else:
        return None, False
    known = next((candidate for candidate in found if dms_id and candidate.dms_id == dms_id), None)
    if known is not None:
        return known, True
    if not phone:
        return None, True
    name = _comparable(fields.get("name", ""))
    candidates = [
        candidate
        for candidate in found
        if candidate.dms_id is None
        and candidate.phone == phone
        and (not name or _comparable(candidate.name) == name)
    ]
    if len(candidates) > 1:
        raise CustomerAmbiguous(
            field_errors={
                "customer.phone": [
                    _(
                        "Several customers of the dealer have this phone number: pick the "
                        "customer in the search, or give their DMS id."
                    )
                ]
            }
        )
    return (candidates[0] if candidates else None), bool(dms_id)


def _save_customer(
    *,
    dealer: Dealer,
    actor: Actor,
    found: Customer | None,
    given: CustomerInput,
    authoritative: bool,
) -> Customer:
    fields = given.given()
    if found is None:
        errors: dict[str, list[str]] = {}
        if not fields.get("name"):
            errors["customer.name"] = [
                _("No customer of the dealer matches: give the new customer's name.")
            ]
        if not fields.get("phone") and not fields.get("email"):
            errors["customer.phone"] = [_("Give a phone number or an e-mail address.")]
        if errors:
            raise ValidationFailed(errors)
        return _prefixed(
            "customer", dealer_services.customer_create, dealer=dealer, actor=actor, **fields
        )
    if authoritative:
        # The DMS is the source of its customers' data: what it sends replaces what is stored.
        changes = {name: value for name, value in fields.items() if getattr(found, name) != value}
    else:
        # Found by phone or picked: what was typed at the desk only fills what is missing.
        changes = {name: value for name, value in fields.items() if not getattr(found, name)}
    if not changes:
        return found
    return _prefixed(
        "customer", dealer_services.customer_update, customer=found, actor=actor, fields=changes
    )


# --- the vehicle -----------------------------------------------------------------------


def _another_customers(field: str) -> VehicleOfAnotherCustomer:
    if field == "vin":
        text = _(
            "This VIN belongs to another customer's vehicle: log the complaint for that "
            "customer, or correct the VIN."
        )
    else:
        text = _(
            "This plate belongs to another customer's vehicle: log the complaint for that "
            "customer, or give the VIN."
        )
    return VehicleOfAnotherCustomer(text, field_errors={f"vehicle.{field}": [text]})


def _find_vehicle(
    *, dealer: Dealer, actor: Actor, given: VehicleInput | None, owner: Customer | None
) -> Vehicle | None:
    """The dealer's vehicle the input names, None for a vehicle to be recorded (or none)."""
    if given is None:
        return None
    owner_id = owner.pk if owner is not None else None
    vehicles = scoped(Vehicle, actor, write=True).filter(dealer=dealer).select_for_update()
    if given.pk is not None:
        picked = vehicles.filter(pk=given.pk).first()
        if picked is None or owner_id is None or picked.owner_id != owner_id:
            raise ValidationFailed({"vehicle": [_("Pick the customer again.")]})
        return picked
    vin = normalize_vin(given.vin)
    if vin:
        found = vehicles.filter(vin=vin).first()
        if found is not None and found.owner_id not in (None, owner_id):
            raise _another_customers("vin")
        return found
    plate = normalize_plate(given.plate)
    if not plate:
        if given.given():
            raise ValidationFailed(
                {"vehicle.plate": [_("Give the plate or the VIN to record the vehicle.")]}
            )
        return None
    candidates = list(vehicles.filter(plate=plate).order_by("-updated_at", "-pk"))
    if not candidates:
        return None  # a new vehicle, recorded by its plate alone
    for wanted_owner in (owner_id, None):
        for candidate in candidates:
            if candidate.owner_id == wanted_owner:
                return candidate
    raise _another_customers("plate")


def _save_vehicle(
    *,
    dealer: Dealer,
    actor: Actor,
    found: Vehicle | None,
    given: VehicleInput | None,
    owner: Customer,
) -> Vehicle | None:
    if given is None:
        return None
    if given.pk is not None:
        return found
    if found is None and not normalize_vin(given.vin):
        if not normalize_plate(given.plate):
            return None
        return _prefixed(
            "vehicle",
            dealer_services.vehicle_register_by_plate,
            dealer=dealer,
            actor=actor,
            plate=given.plate,
            owner=owner,
            fields=given.given(),
        )
    if found is not None and not found.vin and not normalize_vin(given.vin):
        # Found by its plate and still without VIN: the given fields complete it.
        return _prefixed(
            "vehicle",
            dealer_services.vehicle_update,
            vehicle=found,
            actor=actor,
            owner=owner,
            fields=given.given(),
        )
    vin = found.vin if found is not None and found.vin else given.vin
    vehicle, _created = _prefixed(
        "vehicle",
        dealer_services.vehicle_upsert,
        dealer=dealer,
        actor=actor,
        vin=vin,
        owner=owner,
        fields=given.given(),
    )
    return vehicle


# --- duplicates and the case's owner -----------------------------------------------------


def _refuse_duplicate(
    *,
    dealer: Dealer,
    actor: Actor,
    customer: Customer,
    vehicle: Vehicle | None,
    description: str,
) -> None:
    words = _comparable(description)
    if not words:
        return
    recent = (
        scoped(Complaint, actor)
        .filter(
            dealer=dealer,
            customer=customer,
            vehicle=vehicle,
            state__in=sorted(OPEN_STATES),
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .order_by("-created_at", "-pk")
        .values_list("reference", "original_description")
    )
    for reference, original in recent:
        if _comparable(original) == words:
            raise DuplicateComplaint(
                _(
                    "Case %(reference)s, still open, already records this complaint of this "
                    "customer: add to that case instead."
                )
                % {"reference": reference},
                extra={"reference": reference},
            )


def _assignee(*, dealer: Dealer, actor: Actor, assignee_id: int | None) -> Any:
    if assignee_id is None:
        return None
    user = dealer_staff(actor=actor, dealer=dealer).filter(pk=assignee_id).first()
    if user is None:
        raise ValidationFailed(
            {"assignee": [_("The assignee must be an advisor or manager of this dealer.")]}
        )
    return user


def _prefixed[T](prefix: str, write: Callable[..., T], **kwargs: Any) -> T:
    """Run a write of the customer, vehicle or a promise, naming its fields as the intake's
    input does ("vehicle.vin"), so that each entry point shows them next to its own field."""
    try:
        return write(**kwargs)
    except ApplicationError as error:
        error.field_errors = {
            (prefix if name in _NON_FIELD else f"{prefix}.{name}"): messages
            for name, messages in error.field_errors.items()
        }
        raise


# --- the timeline ----------------------------------------------------------------------


def intake_event_text(event: Any) -> str:
    """How a case's first event reads: empty, or, for a case marked serious at intake, why
    (rendered in the reader's language from the stored reason codes)."""
    from .choices import SeriousReason

    payload = event.payload or {}
    codes = payload.get("serious_reasons") or []
    if not codes:
        return ""
    labels = dict(SeriousReason.choices)
    text = _("Marked serious at intake: %(reasons)s.") % {
        "reasons": "; ".join(str(labels.get(code, code)) for code in codes)
    }
    if payload.get("serious_note"):
        text += " " + str(payload["serious_note"])
    return text
