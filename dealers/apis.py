"""DMS upserts of customers, vehicles and repair orders. Thin: dealers.services writes."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import ValidationFailed
from integrations.idempotency import idempotent
from integrations.schema import IDEMPOTENCY_KEY, VIN_SCHEMA
from integrations.selectors import customer_by_dms_id, vehicle_by_vin
from integrations.views import ApiView, acting_dealer, path_value, request_object

from . import services
from .models import Dealer
from .serializers import (
    CustomerSerializer,
    CustomerUpsertSerializer,
    RepairOrderSerializer,
    RepairOrderUpsertSerializer,
    VehicleSerializer,
    VehicleUpsertSerializer,
)

DEALER = OpenApiParameter(
    "dealer",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description="Dealer code; only for signed-in staff of several dealers.",
)
DMS_ID = OpenApiParameter("dms_id", str, OpenApiParameter.PATH)
VIN = OpenApiParameter("vin", VIN_SCHEMA, OpenApiParameter.PATH)


def _dealer(request: Request) -> Dealer:
    return acting_dealer(request.user, request.query_params.get("dealer") or None)


class CustomerApi(ApiView):
    serializer_class = CustomerSerializer

    @extend_schema(operation_id="customers_retrieve", parameters=[DMS_ID, DEALER])
    def get(self, request: Request, dms_id: str) -> Response:
        customer = customer_by_dms_id(
            actor=request.user, dealer=_dealer(request), dms_id=path_value(dms_id)
        )
        if customer is None:
            raise NotFound()
        return Response(CustomerSerializer(customer).data)

    @extend_schema(
        operation_id="customers_upsert",
        parameters=[DMS_ID, DEALER],
        request=CustomerUpsertSerializer,
        responses={200: CustomerSerializer, 201: CustomerSerializer},
        description="Create or update the customer the DMS knows by `dms_id`. Fields left "
        "out keep their value. 201 when created, 200 when updated.",
    )
    def put(self, request: Request, dms_id: str) -> Response:
        dms_id = path_value(dms_id)
        dealer = _dealer(request)
        serializer = CustomerUpsertSerializer(data=request_object(request.data))
        serializer.is_valid(raise_exception=True)
        customer, created = services.customer_upsert(
            dealer=dealer, actor=request.user, dms_id=dms_id, fields=serializer.validated_data
        )
        return Response(
            CustomerSerializer(customer).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class VehicleApi(ApiView):
    serializer_class = VehicleSerializer

    @extend_schema(operation_id="vehicles_retrieve", parameters=[VIN, DEALER])
    def get(self, request: Request, vin: str) -> Response:
        vehicle = vehicle_by_vin(actor=request.user, dealer=_dealer(request), vin=path_value(vin))
        if vehicle is None:
            raise NotFound()
        return Response(VehicleSerializer(vehicle).data)

    @extend_schema(
        operation_id="vehicles_upsert",
        parameters=[VIN, DEALER],
        request=VehicleUpsertSerializer,
        responses={200: VehicleSerializer, 201: VehicleSerializer},
        description="Create or update the vehicle with this VIN. Fields left out keep their "
        "value; `owner_dms_id` names the owner, and re-registers the vehicle to them when "
        "another customer owned it (a sale recorded in the DMS). 201 when created, 200 when "
        "updated.",
    )
    def put(self, request: Request, vin: str) -> Response:
        vin = path_value(vin)
        dealer = _dealer(request)
        serializer = VehicleUpsertSerializer(data=request_object(request.data))
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        owner = None
        owner_dms_id = fields.pop("owner_dms_id", None)
        if owner_dms_id:
            owner = customer_by_dms_id(actor=request.user, dealer=dealer, dms_id=owner_dms_id)
            if owner is None:
                raise ValidationFailed({"owner_dms_id": [_("No customer with this DMS id.")]})
        # The DMS is the record of who owns a vehicle: naming another owner here re-registers
        # the vehicle to them (a sale), which intake never does.
        vehicle, created = services.vehicle_upsert(
            dealer=dealer, actor=request.user, vin=vin, owner=owner, fields=fields, transfer=True
        )
        return Response(
            VehicleSerializer(vehicle).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RepairOrderApi(ApiView):
    serializer_class = RepairOrderSerializer

    @extend_schema(
        operation_id="vehicles_repair_orders_upsert",
        parameters=[VIN, DEALER, IDEMPOTENCY_KEY],
        request=RepairOrderUpsertSerializer,
        responses={200: RepairOrderSerializer, 201: RepairOrderSerializer},
        description="Record a repair order of the vehicle from the DMS, matched by its "
        "number within the dealer. 201 when created, 200 when updated.",
    )
    @idempotent
    def post(self, request: Request, vin: str) -> Response:
        dealer = _dealer(request)
        vehicle = vehicle_by_vin(actor=request.user, dealer=dealer, vin=path_value(vin))
        if vehicle is None:
            raise NotFound()
        serializer = RepairOrderUpsertSerializer(data=request_object(request.data))
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        order, created = services.repair_order_upsert(
            vehicle=vehicle, actor=request.user, number=fields.pop("number"), fields=fields
        )
        return Response(
            RepairOrderSerializer(order).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
