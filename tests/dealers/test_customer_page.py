"""The desk's customer page: the relationship profile of step 2, a vehicle registered by its
plate completed with its VIN, and repair orders entered by hand where no DMS sends them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from core.exceptions import PermissionDenied, ValidationFailed
from core.models import AuditEntry
from dealers import services
from dealers.models import Customer, RepairOrder, Vehicle
from dealers.services import VehicleOfAnotherCustomer
from integrations.models import DealerApiKey

from ..factories import CustomerFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db


@pytest.fixture
def plate_only(alice, customer):
    return VehicleFactory(dealer=alice.dealer, owner=customer, vin=None, plate="沪A54321")


def page_url(customer, **query):
    url = reverse("customer_page", args=[customer.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- the relationship profile -------------------------------------------------------------


def test_an_advisor_records_the_profile_in_the_browser_and_it_is_audited(client, alice, customer):
    client.force_login(alice.advisor)

    response = client.post(
        reverse("customer_profile", args=[customer.pk]),
        {
            "occupation": "Teacher",
            "family": "Married, two children",
            "interests": "Fishing",
            "other_vehicles": "A Corolla (2015)",
            "insurance": "PICC, comprehensive",
            "usage_and_storage": "Daily commute; kept in a garage",
            "notes": "Prefers calls after 18:00",
        },
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.occupation == "Teacher"
    assert customer.usage_and_storage == "Daily commute; kept in a garage"
    entry = AuditEntry.objects.get(action="customer.changed", object_id=str(customer.pk))
    assert entry.actor == alice.advisor
    # Personal values stay masked in the append-only log.
    assert "Teacher" not in str(entry.data)
    page = client.get(response["Location"]).content.decode()
    assert "The customer&#x27;s profile was saved." in page


def test_the_case_page_links_the_customer_page_and_comes_back(client, alice, make_complaint):
    complaint = make_complaint(alice)
    client.force_login(alice.advisor)
    case_url = reverse("complaint_detail", args=[complaint.reference])

    case_page = client.get(case_url).content.decode()
    customer_page = client.get(page_url(complaint.customer, next=case_url)).content.decode()

    assert reverse("customer_page", args=[complaint.customer.pk]) in case_page
    assert f'href="{case_url}"' in customer_page


def test_the_profile_service_changes_only_profile_fields(alice, customer):
    with pytest.raises(ValidationFailed) as refused:
        services.customer_profile_update(
            customer=customer, actor=alice.advisor, fields={"name": "Someone else"}
        )
    assert "name" in refused.value.field_errors
    assert Customer.objects.get(pk=customer.pk).name == "Wang Fang"


def test_regional_staff_and_other_dealers_cannot_edit_the_profile(client, alice, bob, customer):
    for user in (alice.regional, bob.advisor):
        client.force_login(user)
        assert client.get(page_url(customer)).status_code == 404
        response = client.post(
            reverse("customer_profile", args=[customer.pk]), {"occupation": "Spy"}
        )
        assert response.status_code == 404
    assert Customer.objects.get(pk=customer.pk).occupation == ""
    with pytest.raises(PermissionDenied):
        services.customer_profile_update(
            customer=customer, actor=bob.advisor, fields={"occupation": "Spy"}
        )


# --- a vehicle registered by its plate, completed later ----------------------------------


def test_the_advisor_adds_the_vin_to_a_plate_only_vehicle_on_the_customer_page(
    client, alice, customer, plate_only
):
    client.force_login(alice.advisor)
    page = client.get(page_url(customer)).content.decode()
    assert "VIN missing" in page
    vin = make_vin()

    response = client.post(
        reverse("customer_vehicle", args=[customer.pk, plate_only.pk]),
        {
            f"vehicle-{plate_only.pk}-vin": vin.lower(),
            f"vehicle-{plate_only.pk}-plate": "沪A54321",
            f"vehicle-{plate_only.pk}-model": "RAV4",
            f"vehicle-{plate_only.pk}-mileage": "",
        },
    )

    assert response.status_code == 302
    plate_only.refresh_from_db()
    assert (plate_only.vin, plate_only.model, plate_only.owner) == (vin, "RAV4", customer)
    entry = AuditEntry.objects.get(action="vehicle.changed", object_id=str(plate_only.pk))
    assert (entry.data["before"]["vin"], entry.data["after"]["vin"]) == (None, vin)


def test_a_wrong_vin_on_the_customer_page_is_one_clear_message(client, alice, customer, plate_only):
    client.force_login(alice.advisor)
    vin = make_vin()
    wrong = vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]

    response = client.post(
        reverse("customer_vehicle", args=[customer.pk, plate_only.pk]),
        {f"vehicle-{plate_only.pk}-vin": wrong, f"vehicle-{plate_only.pk}-plate": "沪A54321"},
    )

    assert response.status_code == 422
    form = response.context["vehicles"][0]["form"]
    assert form.errors["vin"] == [
        "The VIN's check digit (9th character) does not match the other characters: one of "
        "them is mistyped."
    ]
    assert Vehicle.objects.get(pk=plate_only.pk).vin is None


def test_a_vin_that_another_vehicle_has_is_refused_by_name(client, alice, customer, plate_only):
    other = VehicleFactory(dealer=alice.dealer, owner=customer)
    client.force_login(alice.advisor)

    response = client.post(
        reverse("customer_vehicle", args=[customer.pk, plate_only.pk]),
        {f"vehicle-{plate_only.pk}-vin": other.vin, f"vehicle-{plate_only.pk}-plate": "沪A54321"},
    )

    assert response.status_code == 422
    assert response.context["vehicles"][0]["form"].errors["vin"] == [
        "Another vehicle of the dealer already has this VIN."
    ]


def test_the_dms_completes_a_plate_only_vehicle_by_sending_its_vin_with_the_plate(
    alice, customer, plate_only
):
    cache.clear()
    _key, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="SH01 DMS")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    vin = make_vin()

    response = api.put(
        f"/api/v1/vehicles/{vin}/",
        {"plate": "沪a 54321", "model": "RAV4", "owner_dms_id": None},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert Vehicle.objects.count() == 1
    plate_only.refresh_from_db()
    assert (plate_only.vin, plate_only.model, plate_only.owner) == (vin, "RAV4", customer)
    cache.clear()


def test_vehicle_upsert_does_not_give_a_plate_only_vehicle_of_another_customer_a_vin(
    alice, customer, plate_only
):
    someone = CustomerFactory(dealer=alice.dealer)

    with pytest.raises(VehicleOfAnotherCustomer) as refused:
        services.vehicle_upsert(
            dealer=alice.dealer,
            actor=alice.advisor,
            vin=make_vin(),
            owner=someone,
            fields={"plate": "沪A54321"},
        )

    assert refused.value.code == "vehicle_belongs_to_another_customer"
    assert Vehicle.objects.get(pk=plate_only.pk).vin is None


def test_a_plate_only_vehicle_reads_by_its_plate():
    assert str(Vehicle(vin=None, plate="沪A54321", model="RAV4")) == "沪A54321 RAV4"


# --- repair orders entered by hand --------------------------------------------------------


def test_an_advisor_enters_a_repair_order_by_hand_and_it_is_audited(
    client, alice, customer, vehicle, make_complaint
):
    complaint = make_complaint(alice, customer=customer, vehicle=vehicle)
    client.force_login(alice.advisor)

    response = client.post(
        reverse("customer_repair_order", args=[customer.pk]),
        {
            "vehicle": vehicle.pk,
            "number": "RO-2026-0815",
            "opened_on": "2026-11-20",
            "mileage": "42000",
            "work_summary": "40,000 km service; brake pads replaced",
        },
    )

    assert response.status_code == 302
    order = RepairOrder.objects.get()
    assert (order.vehicle, order.number, order.mileage) == (vehicle, "RO-2026-0815", 42000)
    assert AuditEntry.objects.filter(
        action="repair_order.created", object_id=str(order.pk), actor=alice.advisor
    ).exists()
    case_page = client.get(reverse("complaint_detail", args=[complaint.reference]))
    assert "RO-2026-0815" in case_page.content.decode()


def test_a_repair_order_number_already_recorded_is_refused_not_overwritten(
    client, alice, customer, vehicle
):
    services.repair_order_upsert(
        vehicle=vehicle,
        actor=alice.advisor,
        number="RO-1",
        fields={"opened_on": "2026-10-01", "work_summary": "From the DMS"},
    )
    client.force_login(alice.advisor)

    response = client.post(
        reverse("customer_repair_order", args=[customer.pk]),
        {
            "vehicle": vehicle.pk,
            "number": "RO-1",
            "opened_on": "2026-11-20",
            "work_summary": "Typed at the desk",
        },
    )

    assert response.status_code == 422
    assert response.context["repair_order_form"].errors["number"] == [
        "A repair order with this number is already recorded."
    ]
    assert RepairOrder.objects.get().work_summary == "From the DMS"


def test_a_repair_order_cannot_name_another_customers_vehicle(client, alice, customer):
    theirs = VehicleFactory(dealer=alice.dealer)
    client.force_login(alice.advisor)

    response = client.post(
        reverse("customer_repair_order", args=[customer.pk]),
        {"vehicle": theirs.pk, "number": "RO-9", "opened_on": "2026-11-20", "work_summary": "x"},
    )

    assert response.status_code == 422
    assert not RepairOrder.objects.exists()
