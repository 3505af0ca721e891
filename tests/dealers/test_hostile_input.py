"""Text the database cannot store (a NUL character, a lone surrogate) or a list where one
value belongs is refused by the dealer services with the field named, and nothing is
written; on PostgreSQL it used to reach the driver and fail as a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from complaints import services as complaint_services
from complaints.models import Complaint
from core.exceptions import ValidationFailed
from dealers.models import Customer, RepairOrder, Vehicle
from dealers.services import customer_create, customer_upsert, repair_order_upsert, vehicle_upsert

from ..factories import make_vin

UNSTORABLE = {"nul": "Wang\x00Fang", "surrogate": "Wang\ud800Fang"}
TEXTS = pytest.mark.parametrize("text", list(UNSTORABLE.values()), ids=list(UNSTORABLE))


@TEXTS
@pytest.mark.parametrize("field", ["name", "phone", "email", "notes", "dms_id"])
def test_customer_create_refuses_unstorable_text(field, text, alice, postgres_db):
    fields = {"name": "Wang Fang", field: text}
    with pytest.raises(ValidationFailed) as refused:
        customer_create(dealer=alice.dealer, actor=alice.advisor, **fields)
    assert refused.value.field_errors.get(field)
    assert not Customer.objects.filter(dealer=alice.dealer).exists()


@TEXTS
def test_customer_upsert_refuses_unstorable_dms_id(text, alice, postgres_db):
    with pytest.raises(ValidationFailed) as refused:
        customer_upsert(dealer=alice.dealer, actor=alice.advisor, dms_id=text, fields={})
    assert refused.value.field_errors.get("dms_id")
    assert not Customer.objects.filter(dealer=alice.dealer).exists()


@TEXTS
def test_customer_upsert_refuses_unstorable_field_and_keeps_the_customer(
    text, alice, customer, postgres_db
):
    customer.dms_id = "C-1"
    customer.save()
    with pytest.raises(ValidationFailed) as refused:
        customer_upsert(
            dealer=alice.dealer, actor=alice.advisor, dms_id="C-1", fields={"notes": text}
        )
    assert refused.value.field_errors.get("notes")
    customer.refresh_from_db()
    assert customer.notes == ""


@TEXTS
def test_vehicle_upsert_refuses_unstorable_vin(text, alice, postgres_db):
    with pytest.raises(ValidationFailed) as refused:
        vehicle_upsert(dealer=alice.dealer, actor=alice.advisor, vin=f"LSV{text}")
    assert refused.value.field_errors.get("vin")
    assert not Vehicle.objects.filter(dealer=alice.dealer).exists()


@TEXTS
@pytest.mark.parametrize("field", ["model", "plate"])
def test_vehicle_upsert_refuses_unstorable_text(field, text, alice, postgres_db):
    with pytest.raises(ValidationFailed) as refused:
        vehicle_upsert(
            dealer=alice.dealer, actor=alice.advisor, vin=make_vin(), fields={field: text}
        )
    assert refused.value.field_errors.get(field)
    assert not Vehicle.objects.filter(dealer=alice.dealer).exists()


@pytest.mark.parametrize("field", ["purchase_date", "mileage", "warranty_end"])
@pytest.mark.parametrize("value", [["2024-01-01"], {"date": "2024-01-01"}], ids=["list", "dict"])
def test_vehicle_upsert_refuses_a_list_or_object_for_one_value(field, value, alice, postgres_db):
    with pytest.raises(ValidationFailed) as refused:
        vehicle_upsert(
            dealer=alice.dealer, actor=alice.advisor, vin=make_vin(), fields={field: value}
        )
    assert refused.value.field_errors.get(field)
    assert not Vehicle.objects.filter(dealer=alice.dealer).exists()


@TEXTS
def test_repair_order_upsert_refuses_unstorable_number(text, vehicle, alice, postgres_db):
    with pytest.raises(ValidationFailed) as refused:
        repair_order_upsert(
            vehicle=vehicle,
            actor=alice.advisor,
            number=f"RO{text}",
            fields={"opened_on": dt.date(2026, 3, 1)},
        )
    assert refused.value.field_errors.get("number")
    assert not RepairOrder.objects.exists()


@TEXTS
def test_repair_order_upsert_refuses_unstorable_work_summary(text, vehicle, alice, postgres_db):
    with pytest.raises(ValidationFailed) as refused:
        repair_order_upsert(
            vehicle=vehicle,
            actor=alice.advisor,
            number="RO-1",
            fields={"opened_on": dt.date(2026, 3, 1), "work_summary": text},
        )
    assert refused.value.field_errors.get("work_summary")
    assert not RepairOrder.objects.exists()


@TEXTS
@pytest.mark.parametrize("field", ["description", "customer_request"])
def test_complaint_create_refuses_unstorable_text(field, text, alice, customer, postgres_db):
    texts = {"description": "Brakes squeal", "customer_request": "", field: text}
    with pytest.raises(ValidationFailed) as refused:
        complaint_services.complaint_create(
            dealer=alice.dealer,
            actor=alice.advisor,
            customer=customer,
            channel="phone",
            category="workmanship",
            **texts,
        )
    assert refused.value.field_errors.get(field)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("value", [["x"], {"x": 1}, 42], ids=["list", "dict", "number"])
def test_complaint_create_refuses_anything_but_text_as_description(
    value, alice, customer, postgres_db
):
    with pytest.raises(ValidationFailed) as refused:
        complaint_services.complaint_create(
            dealer=alice.dealer,
            actor=alice.advisor,
            customer=customer,
            channel="phone",
            category="workmanship",
            description=value,
        )
    assert refused.value.field_errors.get("description")
    assert not Complaint.objects.exists()
