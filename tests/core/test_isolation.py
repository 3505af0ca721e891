"""Per-dealer isolation: every model the scoping helper knows, every role, two dealers.

The dealer a row belongs to is worked out here from the model's foreign keys, not from the
scope rule under test, so a wrong rule cannot hide behind itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import models

from complaints import selectors, services
from complaints.choices import State
from complaints.models import CaseEvent, Complaint, ReferenceSequence
from core.models import AuditEntry, Lease, User
from core.scoping import registered_models, rule_for, scoped
from dealers.models import Customer, Dealer, Membership, Region, RepairOrder, Vehicle
from followups import services as followup_services
from followups.models import ContactAttempt, Deadline
from learning import services as learning_services
from messaging.models import CustomerMessage
from tests.complaints.rules import SERIOUS_DECISION, VALID_PAYLOADS
from tests.factories import (
    ComplaintFactory,
    CustomerFactory,
    RepairOrderFactory,
    UserFactory,
    VehicleFactory,
)

# Models that deliberately have no dealer scope. Each needs a reason; a new model that is
# neither registered in core.scoping nor listed here fails
# test_every_model_is_scoped_or_explicitly_unscoped.
UNSCOPED_MODELS: dict[type[models.Model], str] = {
    # Reference data shared by every dealer (names of sales regions); no customer data.
    Region: "shared reference data",
    # The per-dealer counter behind case references; only complaint_create touches it and
    # no selector or view ever reads it.
    ReferenceSequence: "internal counter",
    # People: who they are is not dealer data, what they may see is decided by Membership
    # (which is scoped). User lists for hand-overs go through dealers.selectors.dealer_staff.
    User: "people; access is decided by Membership",
    # Which process holds a right such as sending the periodic tasks (core.leases); no
    # dealer data, read by no view.
    Lease: "process coordination",
}
APPS = ("core", "api", "dealers", "complaints", "followups", "evidence", "repairs")


def test_every_model_is_scoped_or_explicitly_unscoped():
    registered = set(registered_models())
    concrete = {
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.abstract and not model._meta.proxy
    }
    forgotten = sorted(m._meta.label for m in concrete - registered - set(UNSCOPED_MODELS))
    assert forgotten == [], (
        f"{forgotten}: register a dealer scope in core.scoping, or list the model in "
        "UNSCOPED_MODELS with the reason it needs none."
    )
    assert not registered & set(UNSCOPED_MODELS), "a model cannot be both scoped and unscoped"


def test_an_unregistered_model_cannot_be_scoped(alice):
    with pytest.raises(LookupError):
        scoped(Region, alice.advisor)


def dealer_of(row: models.Model, depth: int = 0) -> int | None:
    """The dealer a row belongs to, found by following its foreign keys."""
    if isinstance(row, Dealer):
        return row.pk
    if isinstance(row, AuditEntry):
        # The audit log names its dealer by number (core imports no app).
        return row.dealer_id
    fks = [f for f in row._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    for fk in fks:
        if fk.related_model is Dealer and getattr(row, fk.attname) is not None:
            return getattr(row, fk.attname)
    if depth > 3:
        return None
    for fk in fks:
        if fk.related_model in (User, Region) or getattr(row, fk.attname) is None:
            continue
        found = dealer_of(getattr(row, fk.name), depth + 1)
        if found is not None:
            return found
    return None


@dataclass
class DealerData:
    normal: Complaint
    safety: Complaint
    serious: Complaint
    bystander: Customer  # has a vehicle and history but no case at all
    cases: list[Complaint] = field(default_factory=list)


def _integration_data(staff) -> None:
    # Created before the cases, so the cases' events queue webhook deliveries for the dealer.
    from integrations.models import DealerApiKey, IdempotencyRecord, WebhookEndpoint

    DealerApiKey.objects.create_key(name=f"DMS {staff.dealer.code}", dealer=staff.dealer)
    WebhookEndpoint.objects.create(
        dealer=staff.dealer, url=f"https://dms.example.com/{staff.dealer.code}/hook"
    )
    IdempotencyRecord.objects.create(
        client=f"key-{staff.dealer.code}", key="k1", dealer=staff.dealer, fingerprint="0" * 64
    )


def _messaging_data(staff, complaint) -> None:
    from datetime import time

    from messaging import services as messaging_services

    messaging_services.message_template_update(
        dealer=staff.dealer,
        actor=staff.manager,
        purpose="progress",
        language="en",
        subject="",
        body="Hello {customer}",
    )
    messaging_services.messaging_settings_update(
        dealer=staff.dealer, actor=staff.manager, quiet_from=time(22, 0), quiet_until=time(7, 0)
    )
    messaging_services.message_send(
        complaint=complaint, actor=staff.advisor, purpose="progress", language="en", channel="sms"
    )


def _dealer_data(staff) -> DealerData:
    _integration_data(staff)

    def customer_with_history(name):
        customer = CustomerFactory(dealer=staff.dealer, name=name, dms_id=f"{name}-1")
        vehicle = VehicleFactory(dealer=staff.dealer, owner=customer)
        RepairOrderFactory(dealer=staff.dealer, vehicle=vehicle)
        return customer, vehicle

    def intake(name, component):
        customer, vehicle = customer_with_history(name)
        return services.complaint_create(
            dealer=staff.dealer,
            actor=staff.advisor,
            customer=customer,
            vehicle=vehicle,
            channel="phone",
            category="workmanship",
            component=component,
            description=f"{name}: something is wrong",
        )

    normal = intake("normal", "infotainment")
    services.complaint_transition(complaint=normal, name="start_listening", actor=staff.advisor)
    services.complaint_add_note(complaint=normal, actor=staff.manager, comment="Called back")
    safety = intake("safety", "brakes")
    customer, vehicle = customer_with_history("serious")
    serious = ComplaintFactory(
        dealer=staff.dealer,
        customer=customer,
        vehicle=vehicle,
        assignee=staff.advisor,
        state=State.ASSESSING,
        component="body_paint",
    )
    services.complaint_transition(
        complaint=serious, name="submit_for_approval", actor=staff.advisor, data=SERIOUS_DECISION
    )
    followup_services.contact_record(
        complaint=normal, actor=staff.advisor, channel="phone", outcome="unreachable"
    )
    followup_services.contact_record(
        complaint=safety, actor=staff.advisor, channel="wechat", outcome="satisfied"
    )
    followup_services.deadline_rule_update(
        dealer=staff.dealer, actor=staff.manager, kind="approval", hours=4
    )
    _evidence_and_repair(staff, normal, serious)
    _messaging_data(staff, serious)
    # Step 7 and learning: a closed case with its review, corrective action, reflection
    # report, a training case read by the advisor, and a lesson.
    closed = ComplaintFactory(
        dealer=staff.dealer, assignee=staff.advisor, state=State.REVIEWING, component="brakes"
    )
    closed = services.complaint_transition(
        complaint=closed,
        name="close",
        actor=staff.manager,
        data={
            **VALID_PAYLOADS["close"],
            "reflection_required": True,
            "reflection_due": "2099-01-31",
        },
    )
    library_case = learning_services.library_case_add(
        complaint=closed, actor=staff.manager, title="Training case"
    )
    learning_services.reading_assign(
        library_case=library_case, actor=staff.manager, users=[staff.advisor]
    )
    learning_services.lesson_publish(
        actor=staff.manager, title="Lesson", body="What we learnt", dealer=staff.dealer
    )
    bystander, _vehicle = customer_with_history("bystander")
    data = DealerData(normal, safety, serious, bystander)
    data.cases = [normal, safety, serious, closed]
    return data


def _evidence_and_repair(staff, normal, serious) -> None:
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from evidence.models import Citation
    from evidence.services import attachment_add
    from repairs import services as repair_services
    from tests.evidence.files import jpeg

    for case in (normal, serious):
        content = jpeg()
        attachment = attachment_add(
            complaint=case,
            actor=staff.advisor,
            file=SimpleUploadedFile("photo.jpg", content),
            name="photo.jpg",
            size=len(content),
        )
    Citation.objects.create(
        event=serious.events.filter(transition="submit_for_approval").get(), attachment=attachment
    )
    repair_services.parts_order_place(
        complaint=serious,
        actor=staff.advisor,
        part="Door",
        quantity=1,
        order_number="EO-1",
        expected_at=timezone.now() + timedelta(days=2),
    )
    repair_services.agreement_record(
        complaint=serious, actor=staff.advisor, customer_expectation="A new door"
    )


@pytest.fixture
def world(alice, bob, stranger, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    data = {"alice": _dealer_data(alice), "bob": _dealer_data(bob)}
    serious = Complaint.objects.get(pk=data["alice"].serious.pk)
    assert serious.severity == "serious" and not serious.is_safety_related
    assert not Complaint.objects.get(pk=data["alice"].normal.pk).is_safety_related
    actors = {
        "alice_advisor": alice.advisor,
        "alice_manager": alice.manager,
        "alice_regional": alice.regional,
        "bob_advisor": bob.advisor,
        "bob_manager": bob.manager,
        "bob_regional": bob.regional,
        "stranger": stranger,
        "superuser": superuser,
    }
    return {"alice": alice, "bob": bob, "data": data, "actors": actors}


ACTORS = [
    "alice_advisor",
    "alice_manager",
    "alice_regional",
    "bob_advisor",
    "bob_manager",
    "bob_regional",
    "stranger",
    "superuser",
]


def _fresh(actor):
    # A fresh object, so no cached access from the fixture's own work leaks in.
    return User.objects.get(pk=actor.pk)


# Rows that belong to one person inside a dealer: each user reads only their own.
PERSONAL_ROWS = {
    "followups.Notification": lambda row: row.recipient_id,
}


def _labels():
    return sorted(m._meta.label for m in registered_models())


def test_the_world_has_rows_of_both_dealers_for_every_scoped_model(world):
    dealers = {world["alice"].dealer.pk, world["bob"].dealer.pk}
    missing = []
    for model in registered_models():
        owners = {dealer_of(row) for row in model._default_manager.all()}
        if not dealers <= owners:
            missing.append(model._meta.label)
    assert missing == [], f"add rows of {missing} for both dealers to the `world` fixture"


def _check_actor(model, who, world, every_row):
    actor = _fresh(world["actors"][who])
    read = {row.pk for row in scoped(model, actor)}
    write = {row.pk for row in scoped(model, actor, write=True)}

    if who == "superuser":
        assert read == write == {row.pk for row in every_row}
        return
    if who == "stranger":
        assert read == write == set()
        return

    staff = world[who.split("_")[0]]
    own = staff.dealer.pk
    readable = {row.pk for row in every_row if dealer_of(row) == own}
    owner_lookup = rule_for(model).owner_lookup
    if owner_lookup is not None:
        # Rows that belong to one person (notifications): theirs alone, even at their dealer.
        mine = set(
            model._default_manager.filter(**{owner_lookup: actor.pk}).values_list("pk", flat=True)
        )
        readable &= mine
    if who.endswith("regional"):
        # Read-only, and never more than the dealers of their own region.
        assert write == set()
        assert read <= readable
    else:
        # All of their own dealer's rows, and nothing else, to read and to change.
        assert read == write == readable


@pytest.mark.parametrize("label", _labels())
def test_nobody_sees_or_changes_another_dealers_rows(label, world):
    model = apps.get_model(label)
    every_row = list(model._default_manager.all())
    for who in ACTORS:
        try:
            _check_actor(model, who, world, every_row)
        except AssertionError as exc:
            raise AssertionError(f"{label} as {who}: {exc}") from exc


REGIONAL_VIEW = {
    "complaints.Complaint": lambda cases: {c.pk for c in cases},
    "complaints.CaseEvent": lambda cases: set(
        CaseEvent.objects.filter(complaint__in=cases).values_list("pk", flat=True)
    ),
    "dealers.Customer": lambda cases: {c.customer_id for c in cases},
    "dealers.Vehicle": lambda cases: {c.vehicle_id for c in cases},
    "dealers.RepairOrder": lambda cases: set(
        RepairOrder.objects.filter(vehicle__complaints__in=cases).values_list("pk", flat=True)
    ),
    "dealers.Dealer": lambda cases: {c.dealer_id for c in cases},
    "dealers.Membership": lambda cases: set(),
    "followups.Deadline": lambda cases: set(
        Deadline.objects.filter(complaint__in=cases).values_list("pk", flat=True)
    ),
    "followups.ContactAttempt": lambda cases: set(
        ContactAttempt.objects.filter(complaint__in=cases).values_list("pk", flat=True)
    ),
    "evidence.Attachment": lambda cases: set(
        apps.get_model("evidence.Attachment")
        .objects.filter(complaint__in=cases)
        .values_list("pk", flat=True)
    ),
    "repairs.PartsOrder": lambda cases: set(
        apps.get_model("repairs.PartsOrder")
        .objects.filter(complaint__in=cases)
        .values_list("pk", flat=True)
    ),
    "messaging.CustomerMessage": lambda cases: set(
        CustomerMessage.objects.filter(complaint__in=cases).values_list("pk", flat=True)
    ),
}


@pytest.mark.parametrize("label", _labels())
def test_a_technician_reads_only_the_case_assigned_to_them_and_changes_nothing(label, world):
    """A technician (step 5) reaches the case assigned to them, its timeline and evidence,
    and their own dealer; nothing of another case, nothing of another dealer, and no
    write scope at all."""
    from dealers.models import Role
    from repairs.services import repair_assign_technician
    from tests.factories import MembershipFactory

    alice = world["alice"]
    technician = UserFactory(username="sh01_tech")
    MembershipFactory(user=technician, dealer=alice.dealer, role=Role.TECHNICIAN)
    assigned = world["data"]["alice"].serious
    repair_assign_technician(complaint=assigned, actor=alice.manager, technician=technician)
    model = apps.get_model(label)
    actor = _fresh(technician)
    read = list(scoped(model, actor))
    assert scoped(model, actor, write=True).count() == 0
    case_rows = {
        "complaints.Complaint": {assigned.pk},
        "complaints.CaseEvent": set(assigned.events.values_list("pk", flat=True)),
        "evidence.Attachment": set(assigned.attachments.values_list("pk", flat=True)),
        "evidence.Citation": set(
            apps.get_model("evidence.Citation")
            .objects.filter(event__complaint=assigned)
            .values_list("pk", flat=True)
        ),
        "dealers.Dealer": {alice.dealer.pk},
        # The parts the technician's repair waits for.
        "repairs.PartsOrder": set(
            apps.get_model("repairs.PartsOrder")
            .objects.filter(complaint=assigned)
            .values_list("pk", flat=True)
        ),
    }
    assert {row.pk for row in read} == case_rows.get(label, set())


@pytest.mark.parametrize("label", sorted(REGIONAL_VIEW))
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_regional_staff_read_only_serious_and_safety_cases_of_their_region(who, label, world):
    data = world["data"][who]
    model = apps.get_model(label)
    actor = _fresh(world[who].regional)
    expected = REGIONAL_VIEW[label]([data.serious, data.safety])
    assert {row.pk for row in scoped(model, actor)} == expected
    assert scoped(model, actor, write=True).count() == 0


def test_regional_staff_never_see_the_normal_case_or_its_customer(world):
    data = world["data"]["alice"]
    regional = _fresh(world["alice"].regional)
    assert not scoped(Complaint, regional).filter(pk=data.normal.pk).exists()
    assert not scoped(Customer, regional).filter(pk=data.normal.customer_id).exists()
    assert not scoped(Customer, regional).filter(pk=data.bystander.pk).exists()
    assert not scoped(Vehicle, regional).filter(pk=data.normal.vehicle_id).exists()
    with pytest.raises(Exception) as refused:
        selectors.complaint_get(actor=regional, reference=data.normal.reference)
    assert refused.type.__name__ == "NotFound"


def test_a_case_that_turns_serious_becomes_visible_to_regional_staff(world):
    data = world["data"]["alice"]
    regional = _fresh(world["alice"].regional)
    normal = data.normal
    assert not selectors.complaint_list(actor=regional).filter(pk=normal.pk).exists()
    services.complaint_update(
        complaint=normal, actor=world["alice"].advisor, data={"is_safety_related": True}
    )
    assert selectors.complaint_list(actor=regional).filter(pk=normal.pk).exists()


@pytest.mark.parametrize("who", ACTORS)
def test_selectors_show_each_role_only_its_cases(who, world):
    actor = _fresh(world["actors"][who])
    alice_cases = {c.reference for c in world["data"]["alice"].cases}
    bob_cases = {c.reference for c in world["data"]["bob"].cases}
    listed = set(selectors.complaint_list(actor=actor).values_list("reference", flat=True))
    expected = {
        "alice_advisor": alice_cases,
        "alice_manager": alice_cases,
        "alice_regional": {
            world["data"]["alice"].serious.reference,
            world["data"]["alice"].safety.reference,
        },
        "bob_advisor": bob_cases,
        "bob_manager": bob_cases,
        "bob_regional": {
            world["data"]["bob"].serious.reference,
            world["data"]["bob"].safety.reference,
        },
        "stranger": set(),
        "superuser": alice_cases | bob_cases,
    }[who]
    assert listed == expected
    for reference in (alice_cases | bob_cases) - expected:
        with pytest.raises(Exception) as refused:
            selectors.complaint_get(actor=actor, reference=reference)
        assert refused.type.__name__ == "NotFound"
    for complaint in world["data"]["alice"].cases + world["data"]["bob"].cases:
        events = selectors.complaint_events(actor=actor, complaint=complaint)
        assert events.exists() == (complaint.reference in expected)


def test_a_new_membership_takes_effect_for_the_user(world):
    from dealers.services import membership_grant

    stranger = world["actors"]["stranger"]
    assert scoped(Complaint, stranger).count() == 0
    membership_grant(user=stranger, role="advisor", dealer=world["bob"].dealer)
    assert set(scoped(Complaint, stranger)) == set(world["data"]["bob"].cases)
    assert not Membership.objects.filter(user=stranger, dealer=world["alice"].dealer).exists()


@pytest.mark.parametrize("who", ["bob_advisor", "bob_manager", "alice_regional", "stranger"])
def test_dealer_selectors_hide_another_dealers_people_and_vehicles(who, world):
    from dealers import selectors as dealer_selectors

    actor = _fresh(world["actors"][who])
    alice = world["alice"]
    data = world["data"]["alice"]
    hidden_customers = [data.normal.customer, data.bystander]
    assert not set(dealer_selectors.customer_search(actor=actor, term="")) & set(hidden_customers)
    assert not dealer_selectors.customer_search(actor=actor, term="bystander", dealer=alice.dealer)
    for customer in hidden_customers:
        assert dealer_selectors.customer_get(actor=actor, pk=customer.pk) is None
    assert dealer_selectors.vehicle_get(actor=actor, pk=data.normal.vehicle_id) is None
    assert not dealer_selectors.vehicle_list(actor=actor, customer=data.bystander).exists()
    assert not dealer_selectors.repair_order_list(
        actor=actor, vehicles=[data.normal.vehicle]
    ).exists()
    assert not dealer_selectors.dealer_staff(actor=actor, dealer=alice.dealer).exists()
    if who != "alice_regional":
        assert alice.dealer not in dealer_selectors.dealer_list(actor=actor)
