"""Load the demo: two dealers, their staff with known passwords, customers, vehicles, repair
orders and about fifty cases in every step of the seven-step method.

Idempotent: rows are found by their natural keys (region and dealer code, username, DMS id,
VIN, repair order number, and a case's original description), and only what is missing or
different is written, so a second run changes nothing. Every case is recorded and moved
through `complaints.services`, with the demo staff as actors, so each one has the timeline
a real case would have.

The work is a list of steps, each a function of the shared `SeedContext`. Another app adds
its own demo data by appending a step to `STEPS` (it then finds the dealers, users,
customers, vehicles and cases of the earlier steps in the context).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils.translation import gettext as _

from complaints import services as complaint_services
from complaints.models import Complaint
from core.exceptions import ApplicationError
from core.management import demo_data
from core.models import User
from core.scoping import unscoped
from dealers import services as dealer_services
from dealers.models import Customer, Dealer, Membership, Region, RepairOrder, Role, Vehicle
from dealers.validators import vin_check_digit
from followups import services as followup_services
from followups.demo import seed_followups

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
class SeedContext:
    """What the steps share: the rows made so far, by natural key, and what was written."""

    write: Callable[[str], None]
    regions: dict[str, Region] = field(default_factory=dict)
    dealers: dict[str, Dealer] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # staff[dealer code][advisor | manager | manager2] -> user
    staff: dict[str, dict[str, User]] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    vehicles: dict[str, Vehicle] = field(default_factory=dict)
    # Cases of the specs that have a `key`, e.g. cases["insurance-repair-delay"].
    cases: dict[str, Complaint] = field(default_factory=dict)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, *, created: bool, changed: bool = True) -> None:
        if created:
            self.created[kind] += 1
        elif changed:
            self.updated[kind] += 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def demo_vin(prefix: str, suffix: str) -> str:
    """A VIN from its first eight and last eight characters, with the check digit between."""
    draft = f"{prefix}0{suffix}"
    return f"{prefix}{vin_check_digit(draft)}{suffix}"


def _differs(instance: Any, fields: Mapping[str, Any]) -> bool:
    return any(getattr(instance, name) != value for name, value in fields.items())


def _save_reference_row(model: type[Any], lookup: dict[str, Any], fields: dict[str, Any]) -> tuple:
    # Regions and dealers are reference data set up by an administrator; there is no use
    # case (and so no service) for them beyond the admin, which validates the same way.
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if instance is None:
        instance = model(**lookup)
    elif not _differs(instance, fields):
        return instance, False, False
    for name, value in fields.items():
        setattr(instance, name, value)
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise CommandError(f"{model.__name__} {lookup}: {exc.message_dict}") from None
    instance.save()
    return instance, created, True


# --- steps -------------------------------------------------------------------------------


def seed_dealers(ctx: SeedContext) -> None:
    """Regions and dealers, with their time zone, currency and approval limit."""
    for spec in demo_data.REGIONS:
        region, created, changed = _save_reference_row(
            Region, {"code": spec["code"]}, {"name": spec["name"]}
        )
        ctx.regions[region.code] = region
        ctx.count("regions", created=created, changed=changed)
    for dealer_spec in demo_data.DEALERS:
        fields = {k: v for k, v in dealer_spec.items() if k != "code"}
        fields["region"] = ctx.regions[str(dealer_spec["region"])]
        dealer, created, changed = _save_reference_row(
            Dealer, {"code": dealer_spec["code"]}, fields
        )
        ctx.dealers[dealer.code] = dealer
        ctx.count("dealers", created=created, changed=changed)


class _DemoPasswords:
    """Hashes each demo password once and checks each stored hash once.

    Password hashing is slow on purpose; the demo users share their published passwords,
    so they may as well share the hashes, and loading the demo stays quick.
    """

    def __init__(self) -> None:
        self._encoded: dict[str, str] = {}
        self._checked: dict[tuple[str, str], bool] = {}

    def encoded(self, password: str) -> str:
        if password not in self._encoded:
            self._encoded[password] = make_password(password)
        return self._encoded[password]

    def matches(self, stored: str, password: str) -> bool:
        key = (stored, password)
        if key not in self._checked:
            self._checked[key] = check_password(password, stored)
        return self._checked[key]


def seed_users(ctx: SeedContext) -> None:
    """Staff of every role and an administrator, each with the known demo password."""
    passwords = _DemoPasswords()
    for spec in demo_data.USERS:
        is_admin = spec["role"] == "superuser"
        password = demo_data.ADMIN_PASSWORD if is_admin else demo_data.STAFF_PASSWORD
        user = User.objects.filter(username=spec["username"]).first()
        created = user is None
        if user is None:
            user = User(username=spec["username"])
        profile = {
            "first_name": spec["first_name"],
            "email": spec["email"],
            "language": spec["language"],
            "is_active": True,
            "is_staff": is_admin,
            "is_superuser": is_admin,
        }
        wrong_password = created or not passwords.matches(user.password, password)
        if created or wrong_password or _differs(user, profile):
            for name, value in profile.items():
                setattr(user, name, value)
            if wrong_password:
                user.password = passwords.encoded(password)
            user.save()
            ctx.count("users", created=created)
        ctx.users[user.username] = user

        if spec["role"] in (Role.ADVISOR, Role.MANAGER):
            dealer = ctx.dealers[spec["dealer"]]
            ctx.staff.setdefault(dealer.code, {})[spec["as"]] = user
            _grant(ctx, user=user, role=spec["role"], dealer=dealer)
        elif spec["role"] == Role.REGIONAL:
            _grant(ctx, user=user, role=Role.REGIONAL, region=ctx.regions[spec["region"]])


def _grant(ctx: SeedContext, *, user: User, role: str, dealer: Any = None, region: Any = None):
    lookup = {"dealer": dealer} if dealer is not None else {"region": region}
    existing = Membership.objects.filter(user=user, **lookup).first()
    if existing is not None and existing.role == role:
        return
    dealer_services.membership_grant(user=user, role=role, dealer=dealer, region=region)
    ctx.count("memberships", created=existing is None)


def _default(model: type[models.Model], name: str) -> Any:
    field = model._meta.get_field(name)
    return field.get_default() if isinstance(field, models.Field) else None


def seed_customers(ctx: SeedContext) -> None:
    """Customers (several with the relationship profile of step 2), vehicles, repair orders."""
    for spec in demo_data.CUSTOMERS:
        dealer = ctx.dealers[spec["dealer"]]
        actor = ctx.staff[dealer.code]["advisor"]
        fields = {
            name: spec.get(name, _default(Customer, name))
            for name in dealer_services.CUSTOMER_FIELDS
            if name != "dms_id"
        }
        customer = Customer.objects.filter(dealer=dealer, dms_id=spec["dms_id"]).first()
        if customer is None or _differs(customer, fields):
            customer, created = dealer_services.customer_upsert(
                dealer=dealer, actor=actor, dms_id=spec["dms_id"], fields=fields
            )
            ctx.count("customers", created=created)
        ctx.customers[spec["dms_id"]] = customer
        for vehicle_spec in spec["vehicles"]:
            _seed_vehicle(ctx, dealer=dealer, actor=actor, owner=customer, spec=vehicle_spec)


def _seed_vehicle(
    ctx: SeedContext, *, dealer: Dealer, actor: User, owner: Customer, spec: dict[str, Any]
) -> None:
    vin = demo_vin(spec["vin_prefix"], spec["vin_suffix"])
    fields = {name: spec[name] for name in dealer_services.VEHICLE_FIELDS}
    vehicle = Vehicle.objects.filter(dealer=dealer, vin=vin).first()
    if vehicle is None or vehicle.owner_id != owner.pk or _differs(vehicle, fields):
        vehicle, created = dealer_services.vehicle_upsert(
            dealer=dealer, actor=actor, vin=vin, owner=owner, fields=fields
        )
        ctx.count("vehicles", created=created)
    ctx.vehicles[spec["plate"]] = vehicle
    for order in spec["repair_orders"]:
        order_fields = {k: v for k, v in order.items() if k != "number"}
        existing = RepairOrder.objects.filter(dealer=dealer, number=order["number"]).first()
        if existing is None or _differs(existing, order_fields):
            _order, created = dealer_services.repair_order_upsert(
                vehicle=vehicle, actor=actor, number=order["number"], fields=order_fields
            )
            ctx.count("repair orders", created=created)


def seed_cases(ctx: SeedContext) -> None:
    """About fifty cases in every state, each recorded and moved through the services."""
    for spec in demo_data.CASES:
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


def seed_case(ctx: SeedContext, spec: Mapping[str, Any]) -> Complaint:
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
        return dict(spec["review"])
    if name == "withdraw":
        return {"reason": spec["withdraw_reason"]}
    return {}


STEPS: list[Callable[[SeedContext], None]] = [
    seed_dealers,
    seed_users,
    seed_customers,
    seed_cases,
    # Promises, contacts and repair dates, some overdue (followups.demo).
    seed_followups,
]


class Command(BaseCommand):
    help = _(
        "Load demo dealers, staff with known passwords, customers, vehicles and cases. "
        "Safe to run again: only what is missing is added."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = SeedContext(write=self.stdout.write)
        # The demo data is looked up across its dealers by code, VIN and number.
        with unscoped("demo"):
            for step in STEPS:
                step(ctx)
        self._report(ctx)

    def _report(self, ctx: SeedContext) -> None:
        if ctx.changed_anything:
            for kind in sorted(set(ctx.created) | set(ctx.updated)):
                self.stdout.write(
                    _("  %(kind)s: %(created)d created, %(updated)d updated")
                    % {"kind": kind, "created": ctx.created[kind], "updated": ctx.updated[kind]}
                )
            self.stdout.write(self.style.SUCCESS(_("Demo data loaded.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Demo data already present: nothing changed.")))
        if not settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    _("These demo logins have published passwords: never load them in production.")
                )
            )
        self.stdout.write(_("Demo logins:"))
        for spec in demo_data.USERS:
            self.stdout.write(
                f"  {spec['username']:<16} {self._password(spec):<12} {self._role(spec, ctx)}"
            )

    @staticmethod
    def _password(spec: Mapping[str, Any]) -> str:
        if spec["role"] == "superuser":
            return demo_data.ADMIN_PASSWORD
        return demo_data.STAFF_PASSWORD

    @staticmethod
    def _role(spec: Mapping[str, Any], ctx: SeedContext) -> str:
        if spec["role"] == "superuser":
            return _("Administrator (superuser)")
        where = spec.get("dealer") and str(ctx.dealers[spec["dealer"]])
        where = where or str(ctx.regions[spec["region"]])
        return f"{Role(spec['role']).label} · {where}"
