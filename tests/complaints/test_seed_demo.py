"""`seed_demo` loads a demo that covers the whole method, and loading it again changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from analytics import demo as analytics_demo
from complaints.choices import EventKind, State
from complaints.demo import seed as case_demo
from complaints.models import CaseEvent, Complaint
from core.models import User
from dealers.demo import data as dealer_demo
from dealers.models import Customer, Dealer, Membership, Region, RepairOrder, Role, Vehicle
from dealers.validators import validate_vin

COUNTED = (Region, Dealer, User, Membership, Customer, Vehicle, RepairOrder, Complaint, CaseEvent)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    # Loading the demo takes seconds, so it is loaded once for this module, inside a
    # transaction that is rolled back afterwards; each test runs in a savepoint within it.
    with django_db_blocker.unblock(), transaction.atomic():
        first_output = _seed()
        first_counts = _counts()
        first_versions = dict(Complaint.objects.values_list("reference", "version"))
        second_output = _seed()
        yield {
            "first_output": first_output,
            "second_output": second_output,
            "first_counts": first_counts,
            "first_versions": first_versions,
        }
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    return _seeded_once


def _transitions_in(path: list) -> list[str]:
    names = [step if isinstance(step, str) else step[0] for step in path]
    return [name for name in names if name not in ("note", "contact", "supplier")]


def test_second_run_changes_nothing_and_says_so(seeded):
    assert _counts() == seeded["first_counts"]
    assert dict(Complaint.objects.values_list("reference", "version")) == (seeded["first_versions"])
    assert "Demo data loaded." in seeded["first_output"]
    assert "nothing changed" in seeded["second_output"]
    history = sum(analytics_demo.CASES_PER_DEALER.values())
    assert seeded["first_counts"]["Complaint"] == len(case_demo.CASES) + history
    assert len(case_demo.CASES) >= 50


def test_cases_cover_every_state_at_both_dealers(seeded):
    for dealer in Dealer.objects.all():
        states = set(Complaint.objects.filter(dealer=dealer).values_list("state", flat=True))
        assert states == set(State.values), dealer.code


def test_each_dealer_has_advisor_and_manager_and_each_region_regional_staff(seeded):
    assert set(Dealer.objects.values_list("code", flat=True)) == {"SH01", "GZ02"}
    for dealer in Dealer.objects.all():
        roles = set(Membership.objects.filter(dealer=dealer).values_list("role", flat=True))
        assert {Role.ADVISOR, Role.MANAGER} <= roles, dealer.code
        regional = Membership.objects.filter(region=dealer.region, role=Role.REGIONAL)
        assert regional.exists(), dealer.code
        assert dealer.timezone == "Asia/Shanghai" and dealer.currency == "CNY"
    assert Membership.objects.filter(dealer__code="SH01", role=Role.MANAGER).count() == 2
    # SH01's technician, to try step 5 with (a case must be assigned to them first).
    assert Membership.objects.filter(dealer__code="SH01", role=Role.TECHNICIAN).count() == 1
    assert User.objects.get(username="admin").is_superuser


def test_printed_demo_logins_work(seeded, client):
    output = seeded["second_output"]
    for spec in dealer_demo.USERS:
        assert spec["username"] in output
        password = (
            dealer_demo.ADMIN_PASSWORD
            if spec["role"] == "superuser"
            else dealer_demo.STAFF_PASSWORD
        )
        assert password in output
        assert client.login(username=spec["username"], password=password), spec["username"]
        client.logout()
    languages = set(User.objects.values_list("language", flat=True))
    assert {"zh-hans", "en"} <= languages


def test_stories_of_the_training_material_are_there(seeded):
    def case(*words: str) -> Complaint:
        found = Complaint.objects.all()
        for word in words:
            found = found.filter(original_description__contains=word)
        assert found.count() == 1, words
        return found.get()

    insurance = case("保险理赔", "4天", "半小时")
    assert "打车" in insurance.customer_request and "误工费" in insurance.customer_request
    assert insurance.state == State.CLOSED and insurance.approved_by is not None
    assert insurance.compensation_amount > insurance.dealer.approval_limit
    assert insurance.events.filter(kind=EventKind.NOTE).count() == 2

    key_cap = case("按键帽")
    assert key_cap.state == State.CLOSED and key_cap.review_prevention

    adapter = case("适配器", "充不进电")
    assert adapter.fault_finding == "fault" and "适配器" in adapter.root_cause

    brake = case("刹车", "尖锐")
    assert brake.component == "brakes" and brake.is_safety_related
    assert brake.severity == "serious" and brake.state == State.AWAITING_APPROVAL


def test_serious_approval_reopen_withdraw_and_review_are_all_shown(seeded):
    cases = Complaint.objects.all()
    assert cases.filter(severity="serious").count() >= 3
    assert cases.filter(state=State.AWAITING_APPROVAL).count() >= 3
    over_limit = [c for c in cases if c.compensation_amount > c.dealer.approval_limit]
    assert len(over_limit) >= 3
    reopened = cases.filter(events__transition="reopen").distinct()
    assert reopened.exists()
    for complaint in reopened:
        assert complaint.escalated
        assert Membership.objects.filter(
            user=complaint.co_owner, dealer=complaint.dealer, role=Role.MANAGER
        ).exists()
    assert cases.filter(events__transition="reject").exists()
    for complaint in cases.filter(state=State.CLOSED):
        assert complaint.review_why and complaint.review_handling and complaint.review_prevention
    for complaint in cases.filter(state=State.WITHDRAWN):
        assert complaint.events.get(transition="withdraw").comment
    profiled = Customer.objects.exclude(occupation="").exclude(usage_and_storage="")
    assert profiled.count() >= 3


def test_some_customers_and_vehicles_complain_again(seeded):
    repeat_customers = [c for c in Customer.objects.all() if c.complaints.count() >= 2]
    repeat_vehicles = [v for v in Vehicle.objects.all() if v.complaints.count() >= 2]
    assert len(repeat_customers) >= 3 and len(repeat_vehicles) >= 3


def test_every_case_stays_inside_its_dealer(seeded):
    for complaint in Complaint.objects.select_related("customer", "vehicle__owner"):
        assert complaint.customer.dealer_id == complaint.dealer_id, complaint.reference
        assert complaint.reference.startswith(complaint.dealer.code + "-")
        if complaint.vehicle is not None:
            assert complaint.vehicle.dealer_id == complaint.dealer_id, complaint.reference
            assert complaint.vehicle.owner.dealer_id == complaint.dealer_id
    for vehicle in Vehicle.objects.all():
        validate_vin(vehicle.vin)
        assert vehicle.repair_orders.exclude(dealer_id=vehicle.dealer_id).count() == 0


def test_every_case_has_the_timeline_of_its_path(seeded):
    for spec in case_demo.CASES:
        complaint = Complaint.objects.get(original_description=spec["description"])
        events = complaint.events.all()
        assert events.filter(kind=EventKind.CREATED).count() == 1
        transitions = list(
            events.filter(kind=EventKind.TRANSITION).values_list("transition", flat=True)
        )
        assert transitions == _transitions_in(spec["path"]), complaint.reference
        if transitions:
            assert events.filter(kind=EventKind.TRANSITION).last().to_state == complaint.state
        else:
            assert complaint.state == State.RECEIVED


def test_a_case_handed_to_an_outside_supplier_waits_for_its_hand_over_check(seeded):
    handed = Complaint.objects.exclude(supplier="")
    assert handed.count() == 1
    complaint = handed.get()
    assert complaint.state == State.RESOLVING
    check = complaint.deadlines.get(kind="transfer_check")
    assert check.owner == complaint.assignee and check.satisfied_at is None


def test_a_case_that_cannot_be_walked_stops_with_a_clear_error_and_leaves_no_half_case(
    db, monkeypatch
):
    broken = {
        "customer": "SH-C1002",
        "vehicle": "沪B7Q305",
        "channel": "phone",
        "category": "other",
        "description": "A case whose path skips from listening straight to closing.",
        "review": {"review_why": "-", "review_handling": "-", "review_prevention": "-"},
        "path": ["start_listening", "close"],
    }
    monkeypatch.setattr(case_demo, "CASES", [broken])

    with pytest.raises(CommandError, match="close is not possible"):
        _seed()

    assert not Complaint.objects.filter(original_description=broken["description"]).exists()
