from __future__ import annotations

import random
import string
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from complaints.choices import Category, Channel, FaultFinding, Responsibility, Severity, State
from complaints.models import Complaint
from core.models import User
from dealers.models import Customer, Dealer, Membership, Region, RepairOrder, Role, Vehicle
from dealers.validators import vin_check_digit
from followups.models import ContactAttempt

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def make_vin(rng: random.Random | None = None) -> str:
    """A random VIN with a valid check digit in position 9."""
    rng = rng or random.Random()
    chars = [rng.choice(VIN_ALPHABET) for _ in range(17)]
    chars[8] = "0"
    chars[8] = vin_check_digit("".join(chars))
    return "".join(chars)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Region {o.code}")


class DealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealer
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Dealer {o.code}")
    region = factory.SubFactory(RegionFactory)
    approval_limit = Decimal("2000.00")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.ADVISOR
    dealer = factory.SubFactory(DealerFactory)
    region = None


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    dealer = factory.SubFactory(DealerFactory)
    name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.LazyAttribute(lambda o: f"customer{o.phone}@example.com")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    dealer = factory.SubFactory(DealerFactory)
    owner = factory.SubFactory(CustomerFactory, dealer=factory.SelfAttribute("..dealer"))
    vin = factory.LazyFunction(make_vin)
    model = "Corolla"
    plate = factory.Sequence(lambda n: f"沪A{n:05d}")
    mileage = 12000


class RepairOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepairOrder

    vehicle = factory.SubFactory(VehicleFactory)
    dealer = factory.SelfAttribute("vehicle.dealer")
    number = factory.Sequence(lambda n: f"RO{n:06d}")
    opened_on = factory.LazyFunction(lambda: timezone.localdate())
    work_summary = "Scheduled maintenance"


# Fields a case has by the time it reaches each state, so a factory-made case looks like
# one that travelled there through the service.
_AFTER_FINDINGS = {"fault_finding": FaultFinding.FAULT, "root_cause": "Worn brake pads"}
_AFTER_DECISION = {
    **_AFTER_FINDINGS,
    "severity": Severity.NORMAL,
    "responsibility": Responsibility.DEALER,
    "responsibility_reason": "faulty_repair",
    "resolution_options": ["Replace pads free of charge", "Refund the last service"],
    "chosen_resolution": "Replace pads free of charge",
}
STATE_FIELDS: dict[str, dict] = {
    State.RECEIVED: {},
    State.LISTENING: {},
    State.INVESTIGATING: {},
    State.ASSESSING: _AFTER_FINDINGS,
    State.AWAITING_APPROVAL: _AFTER_DECISION,
    State.RESOLVING: _AFTER_DECISION,
    State.FOLLOWING_UP: {
        **_AFTER_DECISION,
        "agreed_resolution": "Pads replaced",
        "actions_taken": "Replaced front pads",
    },
    State.REVIEWING: {
        **_AFTER_DECISION,
        "agreed_resolution": "Pads replaced",
        "actions_taken": "Replaced front pads",
    },
    State.CLOSED: {
        **_AFTER_DECISION,
        "agreed_resolution": "Pads replaced",
        "actions_taken": "Replaced front pads",
        "review_why": "Rushed inspection",
        "review_handling": "Well",
        "review_prevention": "Checklist",
    },
    State.WITHDRAWN: {},
}


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint
        skip_postgeneration_save = True

    dealer = factory.SubFactory(DealerFactory)
    customer = factory.SubFactory(CustomerFactory, dealer=factory.SelfAttribute("..dealer"))
    vehicle = factory.SubFactory(
        VehicleFactory,
        dealer=factory.SelfAttribute("..dealer"),
        owner=factory.SelfAttribute("..customer"),
    )
    reference = factory.Sequence(
        lambda n: f"T{n:03d}-2026-{n:06d}" + "".join(random.choices(string.ascii_uppercase, k=2))
    )
    channel = Channel.PHONE
    category = Category.WORKMANSHIP
    description = "The brakes squeal after the last service."
    original_description = factory.SelfAttribute("description")
    customer_request = "Fix it free of charge."
    state = State.RECEIVED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        state = kwargs.get("state", State.RECEIVED)
        for name, value in STATE_FIELDS[state].items():
            kwargs.setdefault(name, value)
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def follow_up_contacts(obj, create, extracted, **kwargs):
        """A case made in `following_up` comes with the follow-up calls that let a test
        either confirm it resolved or reopen it: one dissatisfied call, then a satisfied one.
        Pass a list of outcomes (e.g. `follow_up_contacts=[]`) to choose them."""
        if not create or obj.state != State.FOLLOWING_UP:
            return
        outcomes = ["dissatisfied", "satisfied"] if extracted is None else list(extracted)
        now = timezone.now()
        for index, outcome in enumerate(outcomes):
            ContactAttemptFactory(
                complaint=obj,
                outcome=outcome,
                contacted_at=now - timedelta(minutes=len(outcomes) - index),
            )


class ContactAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactAttempt

    complaint = factory.SubFactory(ComplaintFactory)
    channel = "phone"
    outcome = "satisfied"
    note = "Called the customer."
    contacted_at = factory.LazyFunction(timezone.now)
