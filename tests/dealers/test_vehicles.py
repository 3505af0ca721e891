"""VINs: 17 characters, no I, O or Q, stored upper-case, check digit verified when used."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import PermissionDenied, ValidationFailed
from dealers.models import Vehicle
from dealers.services import VehicleOfAnotherCustomer, vehicle_upsert
from dealers.validators import normalize_plate, validate_vin
from tests.factories import CustomerFactory, VehicleFactory, make_vin

REAL_VINS = [
    "1M8GDM9AXKP042788",  # North American, check digit X
    "1HGCM82633A004352",  # North American, check digit 3
    "WVWZZZ1JZXW000001",  # European: position 9 is a letter, not a check digit
]


@pytest.mark.parametrize("vin", REAL_VINS)
def test_real_world_vins_pass(vin):
    validate_vin(vin)


def test_random_vins_with_a_computed_check_digit_pass():
    for _ in range(50):
        validate_vin(make_vin())


@pytest.mark.parametrize(
    ("vin", "code"),
    [
        ("1M8GDM9AXKP04278", "vin_length"),
        ("1M8GDM9AXKP0427888", "vin_length"),
        ("", "vin_length"),
        ("1M8GDM9AXKP04278I", "vin_characters"),
        ("1M8GDM9AXKO042788", "vin_characters"),
        ("QM8GDM9AXKP042788", "vin_characters"),
        ("1M8GDM9AXKP04278-", "vin_characters"),
        ("1M8GDM9A1KP042788", "vin_check_digit"),
        ("1M8GDM9AXKP042789", "vin_check_digit"),
    ],
)
def test_bad_vins_are_refused_with_the_reason(vin, code):
    with pytest.raises(ValidationError) as refused:
        validate_vin(vin)
    assert refused.value.code == code


def test_vin_is_stored_upper_case_without_spaces(alice, customer):
    vehicle, created = vehicle_upsert(
        dealer=alice.dealer, actor=alice.advisor, vin=" 1m8g dm9a xkp042788 ", owner=customer
    )
    assert created
    assert Vehicle.objects.get(pk=vehicle.pk).vin == "1M8GDM9AXKP042788"
    again, created = vehicle_upsert(
        dealer=alice.dealer, actor=alice.advisor, vin="1M8GDM9AXKP042788", fields={"mileage": 5}
    )
    assert not created and again.pk == vehicle.pk and again.mileage == 5


def test_model_validation_upper_cases_and_checks_the_vin(alice, customer):
    vehicle = Vehicle(dealer=alice.dealer, owner=customer, vin="1m8gdm9axkp042788")
    vehicle.full_clean()
    assert vehicle.vin == "1M8GDM9AXKP042788"
    with pytest.raises(ValidationError) as refused:
        Vehicle(dealer=alice.dealer, vin="1M8GDM9A1KP042788").full_clean()
    assert "vin" in refused.value.message_dict


def test_a_bad_vin_is_refused_by_the_service_and_nothing_is_stored(alice):
    with pytest.raises(ValidationFailed) as refused:
        vehicle_upsert(dealer=alice.dealer, actor=alice.advisor, vin="1M8GDM9A1KP042788")
    assert "vin" in refused.value.field_errors
    assert not Vehicle.objects.exists()


def test_the_same_vin_may_be_known_to_two_dealers_once_each(alice, bob):
    VehicleFactory(dealer=alice.dealer, vin="1M8GDM9AXKP042788")
    VehicleFactory(dealer=bob.dealer, vin="1M8GDM9AXKP042788")
    with pytest.raises(ValidationError):
        Vehicle(dealer=alice.dealer, vin="1m8gdm9axkp042788").full_clean()


def test_a_vehicle_cannot_be_given_to_another_dealers_customer(alice, bob):
    foreign = CustomerFactory(dealer=bob.dealer)
    with pytest.raises(ValidationFailed) as refused:
        vehicle_upsert(dealer=alice.dealer, actor=alice.advisor, vin=REAL_VINS[0], owner=foreign)
    assert "owner" in refused.value.field_errors


def test_only_the_dealers_staff_record_vehicles(alice, bob):
    with pytest.raises(PermissionDenied):
        vehicle_upsert(dealer=alice.dealer, actor=bob.manager, vin=REAL_VINS[0])
    with pytest.raises(PermissionDenied):
        vehicle_upsert(dealer=alice.dealer, actor=alice.regional, vin=REAL_VINS[0])


def test_a_vehicle_of_another_customer_is_not_moved_unless_the_caller_transfers_it(alice, customer):
    owner = CustomerFactory(dealer=alice.dealer)
    theirs = VehicleFactory(dealer=alice.dealer, owner=owner, model="Camry")

    with pytest.raises(VehicleOfAnotherCustomer) as refused:
        vehicle_upsert(
            dealer=alice.dealer,
            actor=alice.advisor,
            vin=theirs.vin,
            owner=customer,
            fields={"model": "RAV4"},
        )

    assert refused.value.status == 409
    assert refused.value.code == "vehicle_belongs_to_another_customer"
    assert "vin" in refused.value.field_errors
    theirs.refresh_from_db()
    assert (theirs.owner, theirs.model) == (owner, "Camry")


def _dms(dealer):
    from integrations.authentication import ApiClient
    from integrations.models import DealerApiKey

    api_key, _raw = DealerApiKey.objects.create_key(dealer=dealer, name="DMS")
    return ApiClient(api_key)


def test_the_dms_transfers_a_sold_vehicle_to_its_new_owner(alice, customer):
    sold = VehicleFactory(dealer=alice.dealer)

    vehicle, created = vehicle_upsert(
        dealer=alice.dealer, actor=_dms(alice.dealer), vin=sold.vin, owner=customer, transfer=True
    )

    assert not created and vehicle.pk == sold.pk
    assert Vehicle.objects.get(pk=sold.pk).owner == customer


def test_only_the_dms_transfers_a_vehicle_not_a_member_of_staff(alice, customer):
    sold = VehicleFactory(dealer=alice.dealer)
    owner = sold.owner

    for person in (alice.advisor, alice.manager):
        with pytest.raises(VehicleOfAnotherCustomer):
            vehicle_upsert(
                dealer=alice.dealer, actor=person, vin=sold.vin, owner=customer, transfer=True
            )

    assert Vehicle.objects.get(pk=sold.pk).owner == owner


def test_a_browser_session_cannot_re_register_a_vehicle_through_the_dms_endpoint(client, alice):
    sold = VehicleFactory(dealer=alice.dealer)
    owner = sold.owner
    buyer = CustomerFactory(dealer=alice.dealer, dms_id="C-77")
    client.force_login(alice.advisor)

    response = client.put(
        f"/api/v1/vehicles/{sold.vin}/",
        data={"owner_dms_id": buyer.dms_id, "model": "RAV4"},
        content_type="application/json",
        headers={"X-CSRFToken": "x"},
    )

    assert response.status_code in (403, 404, 409), response.content
    assert Vehicle.objects.get(pk=sold.pk).owner == owner


def test_a_vehicle_nobody_owns_goes_to_the_owner_named(alice, customer):
    unowned = VehicleFactory(dealer=alice.dealer, owner=None)

    vehicle_upsert(dealer=alice.dealer, actor=alice.advisor, vin=unowned.vin, owner=customer)

    assert Vehicle.objects.get(pk=unowned.pk).owner == customer


@pytest.mark.parametrize(
    "typed", ["沪A12345", "沪a12345", "沪A 12345", "沪A-12345", "沪A·12345", "沪Ａ１２３４５"]
)
def test_plates_are_stored_in_one_spelling(typed, alice):
    assert normalize_plate(typed) == "沪A12345"
    vehicle = VehicleFactory(dealer=alice.dealer, plate=typed)
    assert Vehicle.objects.get(pk=vehicle.pk).plate == "沪A12345"
