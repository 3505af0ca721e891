"""The browser's intake form and the API's POST /api/v1/complaints/ follow one set of rules.

Every scenario below runs through both entry points: the browser with the test client as an
advisor of SH01, the API with SH01's DMS key. Each entry point gets the same input and must
find, record or refuse the same customer, vehicle and case; a refusal shows the same words
next to the same field (the form's field in the browser, the problem's `errors` in the API)
and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.models import Complaint
from core.models import AuditEntry
from dealers.models import Customer, Vehicle
from followups.models import Deadline
from integrations.models import DealerApiKey

from ..factories import CustomerFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db

VIN_OF_ANOTHER = (
    "This VIN belongs to another customer's vehicle: log the complaint for that customer, "
    "or correct the VIN."
)
PLATE_OF_ANOTHER = (
    "This plate belongs to another customer's vehicle: log the complaint for that customer, "
    "or give the VIN."
)
DESCRIPTION = "The brakes squeal since the last service."


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # The API's throttle counters live in the cache, which outlives a test's rollback.
    cache.clear()
    yield
    cache.clear()


@dataclass
class Outcome:
    """What the person at the desk, or the DMS, is told."""

    status: int
    complaint: Complaint | None = None
    # Field errors under the intake's own names ("customer.phone", "vehicle.vin").
    errors: dict[str, list[str]] = field(default_factory=dict)
    code: str = ""  # the problem's code (the API's `type`); the browser shows no code
    text: str = ""  # the whole answer, to find a message in


# The form's field → the intake's field (what the API calls it).
FORM_FIELDS = {
    "new_dms_id": "customer.dms_id",
    "new_name": "customer.name",
    "new_phone": "customer.phone",
    "new_email": "customer.email",
    "vin": "vehicle.vin",
    "plate": "vehicle.plate",
    "model": "vehicle.model",
    "pick": "customer",
}


class Browser:
    """The intake form, posted by an advisor of SH01."""

    name = "browser"

    def __init__(self, client: Any, staff: Any) -> None:
        client.force_login(staff.advisor)
        self.client = client

    def log(self, *, customer: dict[str, str], vehicle: dict[str, str] | None = None) -> Outcome:
        vehicle = vehicle or {}
        data = {
            "pick": "",
            "new_dms_id": customer.get("dms_id", ""),
            "new_name": customer.get("name", ""),
            "new_phone": customer.get("phone", ""),
            "new_email": customer.get("email", ""),
            "new_preferred_channel": "phone",
            "vin": vehicle.get("vin", ""),
            "model": vehicle.get("model", ""),
            "plate": vehicle.get("plate", ""),
            "channel": "walk_in",
            "category": "workmanship",
            "component": "brakes",
            "description": DESCRIPTION,
            "customer_request": "Fix it today.",
        }
        response = self.client.post(reverse("complaint_new"), data)
        if response.status_code == 302:
            reference = response["Location"].rstrip("/").rsplit("/", 1)[-1]
            return Outcome(302, complaint=Complaint.objects.get(reference=reference))
        form = response.context["form"]
        errors = {FORM_FIELDS.get(name, name): list(texts) for name, texts in form.errors.items()}
        return Outcome(response.status_code, errors=errors, text=response.content.decode())

    def assert_refused(self, outcome: Outcome, *, status: int, code: str) -> None:
        # The form comes back with the advisor's input and the reason; no case page.
        assert outcome.status == 200
        assert outcome.complaint is None


class Api:
    """POST /api/v1/complaints/ with SH01's DMS key."""

    name = "api"

    def __init__(self, staff: Any) -> None:
        _key, raw = DealerApiKey.objects.create_key(dealer=staff.dealer, name="SH01 DMS")
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")

    def log(self, *, customer: dict[str, str], vehicle: dict[str, str] | None = None) -> Outcome:
        body: dict[str, Any] = {
            "customer": {**customer, "preferred_channel": "phone"},
            "channel": "walk_in",
            "category": "workmanship",
            "component": "brakes",
            "description": DESCRIPTION,
            "customer_request": "Fix it today.",
        }
        if vehicle:
            body["vehicle"] = vehicle
        response = self.client.post("/api/v1/complaints/", body, format="json")
        payload = response.json()
        if response.status_code == 201:
            complaint = Complaint.objects.get(reference=payload["reference"])
            return Outcome(201, complaint=complaint)
        return Outcome(
            response.status_code,
            errors=payload.get("errors", {}),
            code=payload["type"].rsplit(":", 1)[-1],
            text=payload["detail"],
        )

    def assert_refused(self, outcome: Outcome, *, status: int, code: str) -> None:
        assert outcome.status == status
        assert outcome.code == code


@pytest.fixture(params=["browser", "api"])
def entry(request, client, alice):
    return Browser(client, alice) if request.param == "browser" else Api(alice)


def assert_created(outcome: Outcome) -> Complaint:
    assert outcome.complaint is not None, outcome.errors or outcome.text
    return outcome.complaint


def written() -> tuple[int, ...]:
    """Counts of everything intake writes: customers, vehicles, cases, deadlines."""
    return (
        Customer.objects.count(),
        Vehicle.objects.count(),
        Complaint.objects.count(),
        Deadline.objects.count(),
    )


# --- the customer -------------------------------------------------------------------------


def test_a_new_customer_and_vehicle_are_recorded_with_the_case(entry, alice):
    vin = make_vin()

    outcome = entry.log(
        customer={"name": "Li Lei", "phone": "139 0000-1111", "email": "li@example.com"},
        vehicle={"vin": vin.lower(), "model": "RAV4", "plate": "沪a 12345"},
    )

    complaint = assert_created(outcome)
    assert complaint.dealer == alice.dealer
    customer, vehicle = complaint.customer, complaint.vehicle
    assert (customer.name, customer.phone, customer.email) == (
        "Li Lei",
        "13900001111",
        "li@example.com",
    )
    assert (vehicle.vin, vehicle.model, vehicle.plate) == (vin, "RAV4", "沪A12345")
    assert vehicle.owner == customer
    assert complaint.original_description == DESCRIPTION


def test_a_customer_is_found_by_dms_id_and_takes_the_data_given(entry, alice):
    known = CustomerFactory(dealer=alice.dealer, dms_id="C-1001", name="Old name", phone="1")

    outcome = entry.log(customer={"dms_id": "C-1001", "name": "王芳", "phone": "13800138000"})

    complaint = assert_created(outcome)
    assert complaint.customer == known
    assert Customer.objects.count() == 1
    known.refresh_from_db()
    # The DMS is the source of its customers' data: what comes with the id replaces it.
    assert (known.name, known.phone) == ("王芳", "13800138000")


def test_a_customer_is_found_by_phone_however_it_is_typed(entry, alice):
    known = CustomerFactory(dealer=alice.dealer, name="Li Lei", phone="13900001111", email="")

    outcome = entry.log(
        customer={"name": "li  lei", "phone": "139-0000 1111", "email": "li@example.com"}
    )

    complaint = assert_created(outcome)
    assert complaint.customer == known
    assert Customer.objects.count() == 1
    known.refresh_from_db()
    # Typed at the desk: fills in what was missing, renames nobody.
    assert (known.name, known.email) == ("Li Lei", "li@example.com")


def test_a_phone_shared_with_someone_of_another_name_records_a_new_customer(entry, alice):
    relative = CustomerFactory(dealer=alice.dealer, name="Li Lei", phone="13900001111")

    outcome = entry.log(customer={"name": "Han Meimei", "phone": "13900001111"})

    complaint = assert_created(outcome)
    assert complaint.customer != relative
    assert complaint.customer.name == "Han Meimei"
    relative.refresh_from_db()
    assert relative.name == "Li Lei"


def test_a_new_dms_id_links_the_customer_the_desk_recorded_by_phone(entry, alice):
    desk = CustomerFactory(dealer=alice.dealer, name="Li Lei", phone="13900001111", dms_id=None)
    CustomerFactory(dealer=alice.dealer, name="Li Lei", phone="13900002222", dms_id="C-7")

    outcome = entry.log(customer={"dms_id": "C-9", "name": "Li Lei", "phone": "13900001111"})

    complaint = assert_created(outcome)
    assert complaint.customer == desk
    desk.refresh_from_db()
    assert desk.dms_id == "C-9"


def test_a_customer_of_another_dealer_is_never_found(entry, alice, bob):
    theirs = CustomerFactory(dealer=bob.dealer, dms_id="C-1001", phone="13900001111")

    outcome = entry.log(customer={"dms_id": "C-1001", "name": "Li Lei", "phone": "13900001111"})

    complaint = assert_created(outcome)
    assert complaint.customer != theirs and complaint.customer.dealer == alice.dealer


def test_two_customers_with_the_phone_and_no_name_are_refused_as_ambiguous(entry, alice):
    CustomerFactory(dealer=alice.dealer, name="Li Lei", phone="13900001111")
    CustomerFactory(dealer=alice.dealer, name="Han Meimei", phone="13900001111")
    before = written()

    outcome = entry.log(customer={"phone": "13900001111"})

    entry.assert_refused(outcome, status=409, code="customer_ambiguous")
    assert outcome.errors["customer.phone"] == [
        "Several customers of the dealer have this phone number: pick the customer in the "
        "search, or give their DMS id."
    ]
    assert written() == before


def test_a_new_customer_needs_a_name_and_a_phone_or_email(entry, alice):
    outcome = entry.log(customer={"email": ""})

    entry.assert_refused(outcome, status=400, code="validation_failed")
    assert outcome.errors["customer.name"] == [
        "No customer of the dealer matches: give the new customer's name."
    ]
    assert outcome.errors["customer.phone"] == ["Give a phone number or an e-mail address."]
    assert written() == (0, 0, 0, 0)


# --- the vehicle --------------------------------------------------------------------------


def test_the_customers_vehicle_is_found_by_vin(entry, alice, customer):
    vehicle = VehicleFactory(dealer=alice.dealer, owner=customer, model="Corolla", mileage=1000)

    outcome = entry.log(
        customer={"name": customer.name, "phone": customer.phone},
        vehicle={"vin": vehicle.vin.lower(), "model": "Corolla Hybrid"},
    )

    complaint = assert_created(outcome)
    assert (complaint.customer, complaint.vehicle) == (customer, vehicle)
    assert Vehicle.objects.count() == 1
    vehicle.refresh_from_db()
    assert vehicle.model == "Corolla Hybrid"


def test_the_customers_vehicle_is_found_by_plate_without_vin(entry, alice, bob, customer):
    vehicle = VehicleFactory(dealer=alice.dealer, owner=customer, plate="沪A12345")
    VehicleFactory(dealer=bob.dealer, plate="沪A12345")  # never found from SH01

    outcome = entry.log(
        customer={"name": customer.name, "phone": customer.phone},
        vehicle={"plate": "沪a·12345"},
    )

    complaint = assert_created(outcome)
    assert complaint.vehicle == vehicle


def test_a_vehicle_nobody_owns_becomes_the_customers(entry, alice, customer):
    vehicle = VehicleFactory(dealer=alice.dealer, owner=None)

    outcome = entry.log(
        customer={"name": customer.name, "phone": customer.phone}, vehicle={"vin": vehicle.vin}
    )

    complaint = assert_created(outcome)
    assert complaint.vehicle == vehicle
    vehicle.refresh_from_db()
    assert vehicle.owner == customer


def test_a_vin_of_another_customer_is_refused_and_nothing_is_written(entry, alice):
    owner = CustomerFactory(dealer=alice.dealer, name="Wang Fang")
    theirs = VehicleFactory(dealer=alice.dealer, owner=owner, model="Camry")
    before = written()

    outcome = entry.log(
        customer={"name": "Li Lei", "phone": "13900001111"},
        vehicle={"vin": theirs.vin, "model": "RAV4"},
    )

    entry.assert_refused(outcome, status=409, code="vehicle_belongs_to_another_customer")
    assert outcome.errors["vehicle.vin"] == [VIN_OF_ANOTHER]
    assert written() == before  # not even the new customer
    theirs.refresh_from_db()
    assert (theirs.owner, theirs.model) == (owner, "Camry")


def test_a_vin_of_another_customer_is_refused_for_a_known_customer_too(entry, alice, customer):
    theirs = VehicleFactory(dealer=alice.dealer)
    before = written()

    outcome = entry.log(
        customer={"name": customer.name, "phone": customer.phone}, vehicle={"vin": theirs.vin}
    )

    entry.assert_refused(outcome, status=409, code="vehicle_belongs_to_another_customer")
    assert outcome.errors["vehicle.vin"] == [VIN_OF_ANOTHER]
    assert written() == before
    assert Vehicle.objects.get(pk=theirs.pk).owner != customer


def test_a_plate_of_another_customer_is_refused_and_nothing_is_written(entry, alice):
    theirs = VehicleFactory(dealer=alice.dealer, plate="沪A12345")
    before = written()

    outcome = entry.log(
        customer={"name": "Li Lei", "phone": "13900001111"}, vehicle={"plate": "沪A12345"}
    )

    entry.assert_refused(outcome, status=409, code="vehicle_belongs_to_another_customer")
    assert outcome.errors["vehicle.plate"] == [PLATE_OF_ANOTHER]
    assert written() == before
    assert Vehicle.objects.get(pk=theirs.pk).owner == theirs.owner


def test_a_walk_in_with_a_plate_nobody_has_is_recorded_without_vin(entry, alice):
    outcome = entry.log(
        customer={"name": "Li Lei", "phone": "13900001111"},
        vehicle={"plate": "沪a·54321", "model": "RAV4"},
    )

    complaint = assert_created(outcome)
    vehicle = complaint.vehicle
    assert vehicle is not None
    assert (vehicle.plate, vehicle.model, vehicle.vin) == ("沪A54321", "RAV4", None)
    assert vehicle.owner == complaint.customer
    assert AuditEntry.objects.filter(action="vehicle.created", object_id=str(vehicle.pk)).exists()


def test_the_plate_only_vehicle_is_found_again_by_its_plate(entry, alice, customer):
    first = assert_created(
        entry.log(
            customer={"name": customer.name, "phone": customer.phone},
            vehicle={"plate": "沪A54321"},
        )
    )
    Complaint.objects.filter(pk=first.pk).update(state="withdrawn")

    again = assert_created(
        entry.log(
            customer={"name": customer.name, "phone": customer.phone},
            vehicle={"plate": "沪A 54321", "model": "RAV4"},
        )
    )

    assert again.vehicle == first.vehicle
    assert Vehicle.objects.count() == 1
    assert Vehicle.objects.get().model == "RAV4"


def test_a_plate_only_vehicle_of_another_customer_is_refused(entry, alice):
    owner = CustomerFactory(dealer=alice.dealer, name="Wang Fang")
    theirs = VehicleFactory(dealer=alice.dealer, owner=owner, vin=None, plate="沪A54321")
    before = written()

    outcome = entry.log(
        customer={"name": "Li Lei", "phone": "13900001111"}, vehicle={"plate": "沪A54321"}
    )

    entry.assert_refused(outcome, status=409, code="vehicle_belongs_to_another_customer")
    assert outcome.errors["vehicle.plate"] == [PLATE_OF_ANOTHER]
    assert written() == before
    assert Vehicle.objects.get(pk=theirs.pk).owner == owner


def test_a_vin_given_later_with_the_plate_completes_the_plate_only_vehicle(entry, alice, customer):
    plate_only = VehicleFactory(dealer=alice.dealer, owner=customer, vin=None, plate="沪A54321")
    vin = make_vin()

    complaint = assert_created(
        entry.log(
            customer={"name": customer.name, "phone": customer.phone},
            vehicle={"vin": vin, "plate": "沪A54321"},
        )
    )

    assert complaint.vehicle == plate_only
    plate_only.refresh_from_db()
    assert plate_only.vin == vin
    assert Vehicle.objects.count() == 1


def test_vehicle_fields_without_plate_or_vin_are_refused(entry, alice):
    outcome = entry.log(
        customer={"name": "Li Lei", "phone": "13900001111"}, vehicle={"model": "RAV4"}
    )

    entry.assert_refused(outcome, status=400, code="validation_failed")
    assert outcome.errors["vehicle.plate"] == ["Give the plate or the VIN to record the vehicle."]
    assert written() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("vin", "message"),
    [
        ("1M8GDM9AXKP0427", "A VIN has exactly 17 characters; this one has 15."),
        (
            "1M8GDM9AXKO042788",
            "A VIN never uses the letters I, O or Q (found: O): they are probably the digits "
            "1 and 0.",
        ),
        (
            "1M8GDM9A1KP042788",
            "The VIN's check digit (9th character) does not match the other characters: one "
            "of them is mistyped.",
        ),
        (
            "1M8GDM9IXKO0427",
            "A VIN has exactly 17 characters (this one has 15) and never uses the letters I, O "
            "or Q (found: I, O).",
        ),
    ],
)
def test_each_vin_error_is_one_message_saying_what_is_wrong(entry, alice, vin, message):
    outcome = entry.log(
        customer={"name": "Li Lei", "phone": "13900001111"},
        vehicle={"vin": vin, "plate": "沪A54321"},
    )

    assert outcome.complaint is None
    assert outcome.errors["vehicle.vin"] == [message]
    assert written() == (0, 0, 0, 0)


# --- duplicates ---------------------------------------------------------------------------


def test_the_same_complaint_logged_twice_is_refused_naming_the_open_case(entry, alice, customer):
    vehicle = VehicleFactory(dealer=alice.dealer, owner=customer)
    given = {
        "customer": {"name": customer.name, "phone": customer.phone},
        "vehicle": {"vin": vehicle.vin},
    }
    first = assert_created(entry.log(**given))
    before = written()

    again = entry.log(**given)

    entry.assert_refused(again, status=409, code="duplicate_complaint")
    assert (
        f"Case {first.reference}, still open, already records this complaint of this "
        "customer: add to that case instead."
    ) in again.text
    assert written() == before


def test_the_same_words_a_day_later_are_a_new_case(entry, alice, customer):
    given = {"customer": {"name": customer.name, "phone": customer.phone}}
    first = assert_created(entry.log(**given))

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        second = assert_created(entry.log(**given))

    assert second != first and second.customer == first.customer


def test_the_same_words_for_another_vehicle_are_a_new_case(entry, alice, customer):
    one, other = (VehicleFactory(dealer=alice.dealer, owner=customer) for _ in range(2))
    who = {"name": customer.name, "phone": customer.phone}
    first = assert_created(entry.log(customer=who, vehicle={"vin": one.vin}))

    second = assert_created(entry.log(customer=who, vehicle={"vin": other.vin}))

    assert (first.vehicle, second.vehicle) == (one, other)


# --- what each entry point makes of a refusal ---------------------------------------------


def test_the_api_answers_a_vin_of_another_customer_with_a_409_problem(alice):
    theirs = VehicleFactory(dealer=alice.dealer)
    api = Api(alice)

    response = api.client.post(
        "/api/v1/complaints/",
        {
            "customer": {"name": "Li Lei", "phone": "13900001111"},
            "vehicle": {"vin": theirs.vin},
            "channel": "phone",
            "category": "workmanship",
            "description": DESCRIPTION,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="vin-1",
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:complaint-desk:problem:vehicle_belongs_to_another_customer",
        "title": "Conflict",
        "status": 409,
        "detail": VIN_OF_ANOTHER,
        "errors": {"vehicle.vin": [VIN_OF_ANOTHER]},
    }
    assert not Complaint.objects.exists()


def test_the_browser_shows_a_vin_of_another_customer_next_to_the_vin_and_keeps_the_input(
    client, alice
):
    theirs = VehicleFactory(dealer=alice.dealer)

    outcome = Browser(client, alice).log(
        customer={"name": "Li Lei", "phone": "13900001111"}, vehicle={"vin": theirs.vin}
    )

    assert outcome.status == 200
    assert 'id="id_vin_error"' in outcome.text
    assert VIN_OF_ANOTHER.replace("'", "&#x27;") in outcome.text
    assert 'value="Li Lei"' in outcome.text and 'value="13900001111"' in outcome.text
    assert not Complaint.objects.exists()


def test_the_browser_shows_a_duplicate_with_the_open_cases_reference(client, alice, customer):
    browser = Browser(client, alice)
    first = assert_created(browser.log(customer={"name": customer.name, "phone": customer.phone}))

    again = browser.log(customer={"name": customer.name, "phone": customer.phone})

    assert again.status == 200
    assert first.reference in again.text
    assert Complaint.objects.count() == 1


def test_the_api_names_the_open_case_of_a_duplicate(alice, customer):
    api = Api(alice)
    first = assert_created(api.log(customer={"name": customer.name, "phone": customer.phone}))

    again = api.client.post(
        "/api/v1/complaints/",
        {
            "customer": {"name": customer.name, "phone": customer.phone},
            "channel": "walk_in",
            "category": "workmanship",
            "description": DESCRIPTION,
        },
        format="json",
    )

    assert again.status_code == 409
    assert again.json()["reference"] == first.reference
    assert again.json()["type"].endswith(":duplicate_complaint")
