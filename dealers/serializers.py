"""The API's shapes of customers, vehicles and repair orders (DMS upserts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.serializers import FieldsBuiltOnce
from core.text import MAX_TEXT_LENGTH
from dealers.models import ContactChannel, Customer, RepairOrder, Vehicle
from dealers.services import PROFILE_FIELDS
from dealers.validators import normalize_vin


class CustomerSummarySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    # Often empty, so not an e-mail format in the schema.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Customer
        fields = ("dms_id", "name", "phone", "email", "preferred_channel")
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Customer
        fields = (
            "dms_id",
            "name",
            "phone",
            "email",
            "preferred_channel",
            *PROFILE_FIELDS,
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class CustomerUpsertSerializer(serializers.Serializer):
    """PUT /customers/{dms_id}/: the DMS's view of the customer; omitted fields stay."""

    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    preferred_channel = serializers.ChoiceField(choices=ContactChannel.choices, required=False)
    occupation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    family = serializers.CharField(required=False, allow_blank=True)
    interests = serializers.CharField(required=False, allow_blank=True)
    other_vehicles = serializers.CharField(required=False, allow_blank=True)
    insurance = serializers.CharField(required=False, allow_blank=True)
    usage_and_storage = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class KnownFieldsOnlyMixin:
    """For an object nested in a new case: a misspelt field would otherwise be dropped
    without a word, and the case logged without the customer's or vehicle's details."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class InlineCustomerSerializer(KnownFieldsOnlyMixin, serializers.Serializer):
    """A customer given with a new case: matched within the dealer by `dms_id`, else by
    phone (and name, when given), else created, which needs a name and a phone or e-mail
    (see complaints.intake)."""

    dms_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    preferred_channel = serializers.ChoiceField(choices=ContactChannel.choices, required=False)


class VehicleSummarySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Vehicle
        fields = ("vin", "model", "plate", "purchase_date", "mileage")
        read_only_fields = fields


class VehicleSerializer(serializers.ModelSerializer):
    owner: serializers.SlugRelatedField[Customer] = serializers.SlugRelatedField(
        slug_field="dms_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Vehicle
        fields = (
            "vin",
            "model",
            "plate",
            "purchase_date",
            "mileage",
            "warranty_end",
            "owner",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class VehicleFieldsSerializer(serializers.Serializer):
    model = serializers.CharField(max_length=100, required=False, allow_blank=True)
    plate = serializers.CharField(max_length=20, required=False, allow_blank=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    mileage = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, required=False, allow_null=True
    )


class VehicleUpsertSerializer(VehicleFieldsSerializer):
    """PUT /vehicles/{vin}/: omitted fields stay; `owner_dms_id` links the owner."""

    warranty_end = serializers.DateField(required=False, allow_null=True)
    owner_dms_id = serializers.CharField(max_length=64, required=False, allow_null=True)


class InlineVehicleSerializer(KnownFieldsOnlyMixin, VehicleFieldsSerializer):
    """A vehicle given with a new case: matched within the dealer by VIN, else by plate,
    else created, which needs the VIN (see complaints.intake)."""

    vin = serializers.CharField(max_length=32, required=False, allow_blank=True)

    def validate_vin(self, value: str) -> str:
        return normalize_vin(value)


class RepairOrderSerializer(serializers.ModelSerializer):
    vin = serializers.CharField(source="vehicle.vin", read_only=True)

    class Meta:
        model = RepairOrder
        fields = ("number", "vin", "opened_on", "mileage", "work_summary", "created_at")
        read_only_fields = fields


class RepairOrderUpsertSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    opened_on = serializers.DateField()
    mileage = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, required=False, allow_null=True
    )
    work_summary = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_TEXT_LENGTH
    )
