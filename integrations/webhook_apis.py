"""Webhook endpoints through the API: a DMS registers where case events are sent."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from . import services
from .idempotency import idempotent
from .models import WebhookEndpoint, WebhookEvent
from .schema import IDEMPOTENCY_KEY
from .selectors import webhook_endpoint_get, webhook_endpoint_list
from .views import ApiView, acting_dealer, request_object


class WebhookEndpointSerializer(serializers.ModelSerializer):
    dealer = serializers.CharField(source="dealer.code", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = (
            "id",
            "dealer",
            "url",
            "events",
            "description",
            "is_active",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    class Meta(WebhookEndpointSerializer.Meta):
        fields = (*WebhookEndpointSerializer.Meta.fields, "secret")
        read_only_fields = fields


@extend_schema_field({"type": "string", "format": "uri", "pattern": "^https?://"})
class WebhookUrlField(serializers.CharField):
    """Checked by the service (integrations.network), not here: the schema only says so."""


class WebhookEndpointCreateSerializer(serializers.Serializer):
    dealer = serializers.CharField(
        max_length=12, required=False, help_text="Dealer code; only for staff of several dealers."
    )
    url = WebhookUrlField(
        max_length=500,
        help_text="An absolute https:// URL whose host resolves to public addresses only "
        "(private, loopback and link-local addresses are refused unless the operator allows "
        "their network); anything else is a 400.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        required=False,
        help_text="Event types to receive; empty or left out: all.",
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookEndpointsApi(ApiView):
    serializer_class = WebhookEndpointSerializer

    @extend_schema(operation_id="webhooks_list", responses=WebhookEndpointSerializer(many=True))
    def get(self, request: Request) -> Response:
        endpoints = webhook_endpoint_list(actor=request.user)
        return Response(WebhookEndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        parameters=[IDEMPOTENCY_KEY],
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        description="Register an endpoint. The response carries the signing `secret`, shown "
        "only here: each delivery has `X-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "
        '"<t>.<body>" with the secret>`.',
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = WebhookEndpointCreateSerializer(data=request_object(request.data))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        dealer = acting_dealer(request.user, data.pop("dealer", None))
        endpoint = services.webhook_endpoint_create(dealer=dealer, actor=request.user, **data)
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookEndpointApi(ApiView):
    serializer_class = WebhookEndpointSerializer

    @extend_schema(
        operation_id="webhooks_deactivate",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={204: None},
        description="Stop sending to this endpoint (its delivery log is kept).",
    )
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = webhook_endpoint_get(actor=request.user, pk=pk)
        if endpoint is None:
            raise NotFound()
        services.webhook_endpoint_deactivate(endpoint=endpoint, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
