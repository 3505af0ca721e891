"""Every endpoint answers as the contract says, for a DMS connection of dealer SH01."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from complaints import services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent, Complaint
from dealers.models import Customer, RepairOrder, Vehicle

from ..factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db

CASES = "/api/v1/complaints/"


def create(api, body):
    return api.post(CASES, body, format="json")


def test_create_makes_case_customer_and_vehicle_and_returns_it(api, alice_key, alice, new_case):
    response = create(api, new_case)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("SH01-")
    assert body["state"] == "received"
    assert body["is_safety_related"] is True  # brakes propose it
    assert body["customer"]["dms_id"] == "C-1001"
    assert body["vehicle"]["vin"] == "LVSHCAMB7CE012345"
    assert body["available_transitions"] == ["start_listening"]
    assert body["version"] == 1
    assert response["ETag"] == '"1"'
    assert response["Location"].endswith(f"/api/v1/complaints/{body['reference']}/")
    complaint = Complaint.objects.get(reference=body["reference"])
    assert complaint.dealer == alice.dealer
    assert complaint.assignee is None  # a key is nobody to own the case
    event = CaseEvent.objects.get(complaint=complaint)
    assert event.kind == EventKind.CREATED
    assert (
        event.actor is None and event.actor_label == f"API: SH01 DMS (SH01, key {alice_key.prefix})"
    )


def test_create_matches_existing_customer_and_vehicle_by_dms_id_and_vin(api, alice, new_case):
    customer = CustomerFactory(dealer=alice.dealer, dms_id="C-1001", name="Old name")
    vehicle = VehicleFactory(dealer=alice.dealer, owner=customer, vin="LVSHCAMB7CE012345")

    response = create(api, new_case)

    assert response.status_code == 201
    assert Customer.objects.filter(dealer=alice.dealer).count() == 1
    assert Vehicle.objects.filter(dealer=alice.dealer).count() == 1
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.customer == customer and complaint.vehicle == vehicle
    customer.refresh_from_db()
    assert customer.name == "王芳"  # the DMS is the source of the customer's data


def test_create_is_all_or_nothing(api, alice, new_case):
    new_case["vehicle"]["vin"] = "LVSHCAMB1CE012345"  # wrong check digit

    response = create(api, new_case)

    assert response.status_code == 400
    assert "vehicle.vin" in response.json()["errors"]
    assert not Customer.objects.exists()
    assert not Complaint.objects.exists()


def test_create_with_assignee_of_the_dealer(api, alice, new_case):
    new_case["assignee"] = alice.advisor.pk

    response = create(api, new_case)

    assert response.status_code == 201
    assert response.json()["assignee"]["id"] == alice.advisor.pk


def test_create_refuses_assignee_of_another_dealer(api, bob, new_case):
    new_case["assignee"] = bob.advisor.pk

    response = create(api, new_case)

    assert response.status_code == 400
    assert "assignee" in response.json()["errors"]


def test_list_is_newest_first_with_cursor_pagination(api, alice, make_complaint):
    made = [make_complaint(alice) for _ in range(3)]

    first = api.get(CASES, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    references = [c["reference"] for c in first["results"] + second["results"]]
    assert references == [c.reference for c in reversed(made)]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "listening"}, {"listening"}),
        ({"severity": "serious"}, {"serious"}),
        ({"is_safety_related": "true"}, {"safety"}),
        ({"q": "Zhao"}, {"zhao"}),
    ],
)
def test_list_filters(api, alice, make_complaint, query, expected):
    tagged = {
        "listening": make_complaint(alice, state=State.LISTENING),
        "serious": make_complaint(alice, state=State.RESOLVING, severity="serious"),
        "safety": make_complaint(alice, is_safety_related=True),
        "zhao": make_complaint(
            alice, customer=CustomerFactory(dealer=alice.dealer, name="Zhao Lei")
        ),
    }
    response = api.get(CASES, query)

    assert response.status_code == 200
    found = {c["reference"] for c in response.json()["results"]}
    assert found == {tagged[name].reference for name in expected}


def test_list_filters_by_assignee_and_updated_after(api, alice, make_complaint):
    mine = make_complaint(alice, assignee=alice.manager)
    make_complaint(alice)

    by_assignee = api.get(CASES, {"assignee": alice.manager.pk}).json()["results"]
    later = api.get(CASES, {"updated_after": "2999-01-01T00:00:00Z"}).json()["results"]

    assert [c["reference"] for c in by_assignee] == [mine.reference]
    assert later == []


def test_list_rejects_malformed_filters(api, alice):
    response = api.get(CASES, {"state": "nonsense", "updated_after": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"state", "updated_after"}


def test_detail_has_customer_vehicle_transitions_and_etag(api, alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)

    response = api.get(f"{CASES}{complaint.reference}/")

    assert response.status_code == 200
    body = response.json()
    assert body["customer"]["name"] == complaint.customer.name
    assert body["vehicle"]["vin"] == complaint.vehicle.vin
    assert body["available_transitions"] == ["decide", "submit_for_approval"]  # never withdraw
    assert body["open_deadlines"] == []
    assert body["supplier"] == ""
    assert response["ETag"] == f'"{complaint.version}"'


def test_detail_names_the_outside_supplier_the_work_is_with(api, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RESOLVING)
    services.complaint_hand_to_supplier(
        complaint=complaint, actor=alice.advisor, supplier="Jade Body Shop"
    )

    body = api.get(f"{CASES}{complaint.reference}/").json()

    assert body["supplier"] == "Jade Body Shop"
    assert "supplier" not in api.get(CASES).json()["results"][0]
    assert [d["kind"] for d in body["open_deadlines"]] == ["transfer_check"]


def test_patch_changes_fields_the_step_allows(api, alice, make_complaint):
    complaint = make_complaint(alice, state=State.LISTENING)

    response = api.patch(f"{CASES}{complaint.reference}/", {"category": "billing"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["category"] == "billing"
    assert response["ETag"] == f'"{complaint.version + 1}"'
    assert CaseEvent.objects.get(complaint=complaint).kind == EventKind.UPDATE


def test_patch_refuses_fields_of_another_step(api, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)

    response = api.patch(
        f"{CASES}{complaint.reference}/", {"root_cause": "worn pads"}, format="json"
    )

    assert response.status_code == 400
    assert "root_cause" in response.json()["errors"]


def test_patch_sets_vehicle_by_vin(api, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)
    other = VehicleFactory(dealer=alice.dealer, owner=complaint.customer)

    response = api.patch(f"{CASES}{complaint.reference}/", {"vehicle": other.vin}, format="json")

    assert response.status_code == 200
    assert response.json()["vehicle"]["vin"] == other.vin


def test_transition_moves_the_case_and_returns_it(api, alice, make_complaint):
    complaint = make_complaint(alice, state=State.INVESTIGATING)

    response = api.post(
        f"{CASES}{complaint.reference}/transitions/record_findings/",
        {"fault_finding": "fault", "root_cause": "Pads fitted wrongly", "comment": "checked"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "assessing"
    assert response.json()["root_cause"] == "Pads fitted wrongly"
    event = CaseEvent.objects.get(complaint=complaint)
    assert event.transition == "record_findings" and event.actor_label.startswith("API: ")


def test_transition_payload_errors_are_field_errors(api, alice, make_complaint):
    complaint = make_complaint(alice, state=State.INVESTIGATING)

    response = api.post(
        f"{CASES}{complaint.reference}/transitions/record_findings/", {}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"fault_finding", "root_cause"}
    complaint.refresh_from_db()
    assert complaint.state == State.INVESTIGATING


def test_events_are_the_timeline_oldest_first(api, alice, customer, vehicle):
    complaint = services.complaint_create(
        dealer=alice.dealer,
        actor=alice.advisor,
        customer=customer,
        vehicle=vehicle,
        channel="phone",
        category="attitude",
        description="Rude on the phone.",
    )
    services.complaint_transition(complaint=complaint, name="start_listening", actor=alice.advisor)

    response = api.get(f"{CASES}{complaint.reference}/events/")

    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["kind"] for e in events] == ["created", "transition"]
    assert events[1]["transition"] == "start_listening"
    assert events[1]["actor_user"] == alice.advisor.pk


def test_put_customer_creates_then_updates(api, alice):
    url = "/api/v1/customers/C-77/"

    created = api.put(url, {"name": "Li Na", "phone": "139"}, format="json")
    updated = api.put(url, {"name": "Li Na", "email": "li@example.com"}, format="json")

    assert created.status_code == 201 and updated.status_code == 200
    assert updated.json()["phone"] == "139"  # fields left out keep their value
    assert updated.json()["email"] == "li@example.com"
    assert Customer.objects.get(dms_id="C-77").dealer == alice.dealer
    assert api.get(url).json()["name"] == "Li Na"


def test_put_vehicle_creates_then_updates_with_owner(api, alice):
    CustomerFactory(dealer=alice.dealer, dms_id="C-9")
    url = "/api/v1/vehicles/lvshcamb7ce012345/"

    created = api.put(url, {"model": "Camry", "owner_dms_id": "C-9"}, format="json")
    updated = api.put(url, {"mileage": 30500}, format="json")

    assert created.status_code == 201, created.json()
    assert updated.status_code == 200
    body = updated.json()
    assert body["vin"] == "LVSHCAMB7CE012345" and body["model"] == "Camry"
    assert body["owner"] == "C-9" and body["mileage"] == 30500


def test_put_vehicle_re_registers_a_sold_vehicle_to_its_new_owner(api, alice):
    # The DMS is the record of who owns a vehicle: unlike intake, it may move one.
    seller = CustomerFactory(dealer=alice.dealer, dms_id="C-1")
    buyer = CustomerFactory(dealer=alice.dealer, dms_id="C-2")
    sold = VehicleFactory(dealer=alice.dealer, owner=seller, vin="LVSHCAMB7CE012345")

    response = api.put(f"/api/v1/vehicles/{sold.vin}/", {"owner_dms_id": "C-2"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == "C-2"
    sold.refresh_from_db()
    assert sold.owner == buyer


def test_put_vehicle_refuses_bad_vin(api, alice):
    response = api.put("/api/v1/vehicles/LVSHCAMB1CE012345/", {"model": "X"}, format="json")

    assert response.status_code == 400
    assert "vin" in response.json()["errors"]
    assert not Vehicle.objects.exists()


def test_post_repair_order_creates_then_updates(api, alice, vehicle):
    url = f"/api/v1/vehicles/{vehicle.vin}/repair-orders/"
    body = {"number": "RO-1", "opened_on": "2026-10-01", "work_summary": "Brake pads"}

    created = api.post(url, body, format="json")
    updated = api.post(url, {**body, "mileage": 20000}, format="json")

    assert created.status_code == 201, created.json()
    assert updated.status_code == 200
    order = RepairOrder.objects.get()
    assert order.vehicle == vehicle and order.mileage == 20000


def test_repair_order_for_unknown_vehicle_is_404(api, alice):
    response = api.post(
        "/api/v1/vehicles/LVSHCAMB7CE012345/repair-orders/",
        {"number": "RO-1", "opened_on": "2026-10-01"},
        format="json",
    )

    assert response.status_code == 404


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert schema.status_code == 200
    assert b"/api/v1/complaints/{reference}/transitions/{transition}/" in schema.content
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert script.status_code == 200
    bundle = re.search(r'src="/static/([^"]*swagger-ui-bundle\.js)"', html).group(1)
    assert finders.find(bundle)  # shipped in our static files (collectstatic picks it up)


def test_whoami_names_the_key_and_its_dealer(api, alice_key, alice):
    response = api.get("/api/v1/whoami/")

    assert response.json() == {
        "actor": f"API: SH01 DMS (SH01, key {alice_key.prefix})",
        "kind": "api_key",
        "dealers": ["SH01"],
    }


def test_whoami_for_a_signed_in_user(client, alice):
    client.force_login(alice.manager)

    body = client.get("/api/v1/whoami/").json()

    assert body["kind"] == "user" and body["dealers"] == ["SH01"]
