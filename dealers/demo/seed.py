"""The demo's dealerships, written through the services: regions and dealers, staff of every
role with known passwords, customers, vehicles and repair orders.

Idempotent: rows are found by their natural keys (region and dealer code, username, DMS id,
VIN, repair order number), and only what is missing or different is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.demo import SeedContext, differs, save_reference_row
from core.models import User

from .. import services as dealer_services
from ..models import Customer, Dealer, Membership, Region, RepairOrder, Role, Vehicle
from ..validators import vin_check_digit
from . import data


@dataclass
class DealerSeedContext(SeedContext):
    """The dealerships' rows, by natural key, for the steps that follow."""

    regions: dict[str, Region] = field(default_factory=dict)
    dealers: dict[str, Dealer] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # staff[dealer code][advisor | manager | manager2] -> user
    staff: dict[str, dict[str, User]] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    vehicles: dict[str, Vehicle] = field(default_factory=dict)


def demo_vin(prefix: str, suffix: str) -> str:
    """A VIN from its first eight and last eight characters, with the check digit between."""
    draft = f"{prefix}0{suffix}"
    return f"{prefix}{vin_check_digit(draft)}{suffix}"


def seed_dealers(ctx: DealerSeedContext) -> None:
    """Regions and dealers, with their time zone, currency and approval limit."""
    # Regions and dealers are reference data set up by an administrator; there is no use
    # case (and so no service) for them beyond the admin, which validates the same way.
    for spec in data.REGIONS:
        region, created, changed = save_reference_row(
            Region, {"code": spec["code"]}, {"name": spec["name"]}
        )
        ctx.regions[region.code] = region
        ctx.count(gettext_noop("regions"), created=created, changed=changed)
    for dealer_spec in data.DEALERS:
        fields = {k: v for k, v in dealer_spec.items() if k != "code"}
        fields["region"] = ctx.regions[str(dealer_spec["region"])]
        dealer, created, changed = save_reference_row(Dealer, {"code": dealer_spec["code"]}, fields)
        ctx.dealers[dealer.code] = dealer
        ctx.count(gettext_noop("dealers"), created=created, changed=changed)


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


def _password(spec: Mapping[str, Any]) -> str:
    return data.ADMIN_PASSWORD if spec["role"] == "superuser" else data.STAFF_PASSWORD


def seed_users(ctx: DealerSeedContext) -> None:
    """Staff of every role and an administrator, each with the known demo password."""
    passwords = _DemoPasswords()
    for spec in data.USERS:
        is_admin = spec["role"] == "superuser"
        password = _password(spec)
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
        if created or wrong_password or differs(user, profile):
            for name, value in profile.items():
                setattr(user, name, value)
            if wrong_password:
                user.password = passwords.encoded(password)
            user.save()
            ctx.count(gettext_noop("users"), created=created)
        ctx.users[user.username] = user

        if spec["role"] in (Role.ADVISOR, Role.MANAGER):
            dealer = ctx.dealers[spec["dealer"]]
            ctx.staff.setdefault(dealer.code, {})[spec["as"]] = user
            _grant(ctx, user=user, role=spec["role"], dealer=dealer)
        elif spec["role"] == Role.REGIONAL:
            _grant(ctx, user=user, role=Role.REGIONAL, region=ctx.regions[spec["region"]])


def _grant(
    ctx: DealerSeedContext, *, user: User, role: str, dealer: Any = None, region: Any = None
):
    lookup = {"dealer": dealer} if dealer is not None else {"region": region}
    existing = Membership.objects.filter(user=user, **lookup).first()
    if existing is not None and existing.role == role:
        return
    dealer_services.membership_grant(user=user, role=role, dealer=dealer, region=region)
    ctx.count(gettext_noop("memberships"), created=existing is None)


def _default(model: type[models.Model], name: str) -> Any:
    field = model._meta.get_field(name)
    return field.get_default() if isinstance(field, models.Field) else None


def seed_customers(ctx: DealerSeedContext) -> None:
    """Customers (several with the relationship profile of step 2), vehicles, repair orders."""
    for spec in data.CUSTOMERS:
        dealer = ctx.dealers[spec["dealer"]]
        actor = ctx.staff[dealer.code]["advisor"]
        fields = {
            name: spec.get(name, _default(Customer, name))
            for name in dealer_services.CUSTOMER_FIELDS
            if name != "dms_id"
        }
        customer = Customer.objects.filter(dealer=dealer, dms_id=spec["dms_id"]).first()
        if customer is None or differs(customer, fields):
            customer, created = dealer_services.customer_upsert(
                dealer=dealer, actor=actor, dms_id=spec["dms_id"], fields=fields
            )
            ctx.count(gettext_noop("customers"), created=created)
        ctx.customers[spec["dms_id"]] = customer
        for vehicle_spec in spec["vehicles"]:
            _seed_vehicle(ctx, dealer=dealer, actor=actor, owner=customer, spec=vehicle_spec)


def _seed_vehicle(
    ctx: DealerSeedContext, *, dealer: Dealer, actor: User, owner: Customer, spec: dict[str, Any]
) -> None:
    vin = demo_vin(spec["vin_prefix"], spec["vin_suffix"])
    fields = {name: spec[name] for name in dealer_services.VEHICLE_FIELDS}
    vehicle = Vehicle.objects.filter(dealer=dealer, vin=vin).first()
    if vehicle is None or vehicle.owner_id != owner.pk or differs(vehicle, fields):
        vehicle, created = dealer_services.vehicle_upsert(
            dealer=dealer, actor=actor, vin=vin, owner=owner, fields=fields
        )
        ctx.count(gettext_noop("vehicles"), created=created)
    ctx.vehicles[spec["plate"]] = vehicle
    for order in spec["repair_orders"]:
        order_fields = {k: v for k, v in order.items() if k != "number"}
        existing = RepairOrder.objects.filter(dealer=dealer, number=order["number"]).first()
        if existing is None or differs(existing, order_fields):
            _order, created = dealer_services.repair_order_upsert(
                vehicle=vehicle, actor=actor, number=order["number"], fields=order_fields
            )
            ctx.count(gettext_noop("repair orders"), created=created)


def demo_logins(ctx: DealerSeedContext) -> Iterator[tuple[str, str, str]]:
    """(username, password, role and where) of every demo login, as `seed_demo` prints them."""
    for spec in data.USERS:
        if spec["role"] == "superuser":
            role = _("Administrator (superuser)")
        else:
            where = spec.get("dealer") and str(ctx.dealers[spec["dealer"]])
            where = where or str(ctx.regions[spec["region"]])
            role = f"{Role(spec['role']).label} · {where}"
        yield spec["username"], _password(spec), role
