"""A key of dealer GZ02 reaches nothing of dealer SH01, through any endpoint: the answer is
404 (never a 403 that would confirm the case exists) and nothing changes."""

from __future__ import annotations

import pytest

from complaints.choices import State
from complaints.models import CaseEvent, Complaint
from dealers.models import Customer, RepairOrder, Vehicle

from ..factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_case(alice, make_complaint):
    return make_complaint(alice, state=State.INVESTIGATING)


def test_list_shows_only_own_dealers_cases(api, bob_api, alice, bob, make_complaint):
    mine = make_complaint(alice)
    theirs = make_complaint(bob)

    alice_refs = {c["reference"] for c in api.get("/api/v1/complaints/").json()["results"]}
    bob_refs = {c["reference"] for c in bob_api.get("/api/v1/complaints/").json()["results"]}

    assert alice_refs == {mine.reference}
    assert bob_refs == {theirs.reference}


def test_q_search_does_not_find_other_dealers_cases(bob_api, alices_case):
    response = bob_api.get("/api/v1/complaints/", {"q": alices_case.reference})

    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"category": "billing"}),
        ("get", "events/", None),
        ("post", "transitions/record_findings/", {"fault_finding": "fault", "root_cause": "x"}),
        ("post", "transitions/no_such_transition/", {}),
    ],
)
def test_other_dealers_case_is_404_everywhere(bob_api, alices_case, method, suffix, body):
    url = f"/api/v1/complaints/{alices_case.reference}/{suffix}"

    response = getattr(bob_api, method)(url, body, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert alices_case.reference not in response.content.decode()
    alices_case.refresh_from_db()
    assert alices_case.state == State.INVESTIGATING and alices_case.category == "workmanship"
    assert not CaseEvent.objects.filter(complaint=alices_case).exists()


def test_customer_of_another_dealer_is_not_found_and_put_makes_a_separate_one(bob_api, alice, bob):
    alices = CustomerFactory(dealer=alice.dealer, dms_id="C-1", name="Alice's customer")

    read = bob_api.get("/api/v1/customers/C-1/")
    written = bob_api.put("/api/v1/customers/C-1/", {"name": "Bob's customer"}, format="json")

    assert read.status_code == 404
    assert written.status_code == 201
    alices.refresh_from_db()
    assert alices.name == "Alice's customer"
    assert Customer.objects.get(dealer=bob.dealer, dms_id="C-1").name == "Bob's customer"


def test_vehicle_of_another_dealer_is_not_found_and_put_makes_a_separate_one(bob_api, alice, bob):
    alices = VehicleFactory(dealer=alice.dealer, model="Corolla")

    read = bob_api.get(f"/api/v1/vehicles/{alices.vin}/")
    written = bob_api.put(f"/api/v1/vehicles/{alices.vin}/", {"model": "Camry"}, format="json")

    assert read.status_code == 404
    assert written.status_code == 201
    alices.refresh_from_db()
    assert alices.model == "Corolla"
    assert Vehicle.objects.get(dealer=bob.dealer, vin=alices.vin).model == "Camry"


def test_repair_order_for_another_dealers_vehicle_is_404(bob_api, alice):
    alices = VehicleFactory(dealer=alice.dealer)

    response = bob_api.post(
        f"/api/v1/vehicles/{alices.vin}/repair-orders/",
        {"number": "RO-1", "opened_on": "2026-10-01"},
        format="json",
    )

    assert response.status_code == 404
    assert not RepairOrder.objects.exists()


def test_owner_of_another_dealer_cannot_be_linked(bob_api, alice):
    CustomerFactory(dealer=alice.dealer, dms_id="C-1")

    response = bob_api.put(
        "/api/v1/vehicles/LVSHCAMB7CE012345/", {"owner_dms_id": "C-1"}, format="json"
    )

    assert response.status_code == 400
    assert "owner_dms_id" in response.json()["errors"]


def test_create_always_lands_at_the_keys_dealer(bob_api, alice, bob, new_case):
    CustomerFactory(dealer=alice.dealer, dms_id="C-1001", name="Alice's customer")
    new_case["dealer"] = "SH01"

    refused = bob_api.post("/api/v1/complaints/", new_case, format="json")
    del new_case["dealer"]
    created = bob_api.post("/api/v1/complaints/", new_case, format="json")

    assert refused.status_code == 400 and "dealer" in refused.json()["errors"]
    assert created.status_code == 201
    complaint = Complaint.objects.get(reference=created.json()["reference"])
    assert complaint.dealer == bob.dealer
    assert complaint.customer.dealer == bob.dealer  # not alice's customer with that dms_id


def test_session_user_sees_only_own_dealer(client, alice, bob, make_complaint):
    make_complaint(alice)
    theirs = make_complaint(bob)
    client.force_login(alice.advisor)

    listed = client.get("/api/v1/complaints/").json()["results"]
    detail = client.get(f"/api/v1/complaints/{theirs.reference}/")

    assert theirs.reference not in {c["reference"] for c in listed}
    assert detail.status_code == 404


def test_stranger_sees_nothing_and_cannot_create(client, stranger, alice, make_complaint, new_case):
    case = make_complaint(alice)
    client.force_login(stranger)

    assert client.get("/api/v1/complaints/").json()["results"] == []
    assert client.get(f"/api/v1/complaints/{case.reference}/").status_code == 404
    response = client.post("/api/v1/complaints/", new_case, content_type="application/json")
    assert response.status_code == 403
