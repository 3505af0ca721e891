"""Customers belong to one dealer; the DMS id is unique per dealer when there is one."""

from __future__ import annotations

import pytest

from core.exceptions import PermissionDenied, ValidationFailed
from dealers.models import Customer
from dealers.services import customer_create, customer_upsert


def test_dms_id_is_unique_per_dealer(alice):
    customer_create(dealer=alice.dealer, actor=alice.advisor, name="Li Lei", dms_id="C-1")
    with pytest.raises(ValidationFailed):
        customer_create(dealer=alice.dealer, actor=alice.advisor, name="Han Mei", dms_id="C-1")
    assert Customer.objects.filter(dealer=alice.dealer).count() == 1


def test_two_dealers_may_use_the_same_dms_id(alice, bob):
    customer_create(dealer=alice.dealer, actor=alice.advisor, name="Li Lei", dms_id="C-1")
    customer_create(dealer=bob.dealer, actor=bob.advisor, name="Han Mei", dms_id="C-1")
    assert Customer.objects.filter(dms_id="C-1").count() == 2


@pytest.mark.parametrize("no_id", [None, "", "   "])
def test_customers_without_dms_id_do_not_clash(no_id, alice):
    kwargs = {} if no_id is None else {"dms_id": no_id}
    first = customer_create(dealer=alice.dealer, actor=alice.advisor, name="Li Lei", **kwargs)
    second = customer_create(dealer=alice.dealer, actor=alice.advisor, name="Han Mei", **kwargs)
    assert first.pk != second.pk
    assert set(Customer.objects.values_list("dms_id", flat=True)) == {None}


def test_upsert_finds_the_customer_by_dms_id(alice):
    first, created = customer_upsert(
        dealer=alice.dealer, actor=alice.advisor, dms_id="C-9", fields={"name": "Li Lei"}
    )
    assert created
    again, created = customer_upsert(
        dealer=alice.dealer,
        actor=alice.advisor,
        dms_id="C-9",
        fields={"name": "Li Lei", "occupation": "Teacher"},
    )
    assert not created and again.pk == first.pk
    assert Customer.objects.get(pk=first.pk).occupation == "Teacher"


def test_unknown_customer_fields_are_refused(alice):
    with pytest.raises(ValidationFailed) as refused:
        customer_create(dealer=alice.dealer, actor=alice.advisor, name="Li", dealer_id=2)
    assert "dealer_id" in refused.value.field_errors
    assert not Customer.objects.exists()


def test_a_bad_email_is_refused(alice):
    with pytest.raises(ValidationFailed) as refused:
        customer_create(dealer=alice.dealer, actor=alice.advisor, name="Li", email="not-mail")
    assert "email" in refused.value.field_errors


def test_only_the_dealers_staff_record_customers(alice, bob, stranger):
    for actor in (bob.advisor, alice.regional, stranger):
        with pytest.raises(PermissionDenied):
            customer_create(dealer=alice.dealer, actor=actor, name="Li Lei")
    assert not Customer.objects.exists()


@pytest.mark.parametrize("no_id", ["", "  ", None])
def test_upsert_needs_a_dms_id(no_id, alice):
    with pytest.raises(ValidationFailed) as refused:
        customer_upsert(
            dealer=alice.dealer, actor=alice.advisor, dms_id=no_id, fields={"name": "Li"}
        )
    assert "dms_id" in refused.value.field_errors
    assert not Customer.objects.exists()


def test_upsert_ignores_spaces_around_the_dms_id(alice):
    first, _created = customer_upsert(
        dealer=alice.dealer, actor=alice.advisor, dms_id="C-7", fields={"name": "Li"}
    )
    again, created = customer_upsert(
        dealer=alice.dealer, actor=alice.advisor, dms_id=" C-7 ", fields={"name": "Li"}
    )
    assert not created and again.pk == first.pk
