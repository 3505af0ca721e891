"""Messages to the customer through the REST API: list a case's messages, send one. Thin:
reads through messaging.selectors, writes through messaging.services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from complaints import selectors as complaint_selectors
from complaints.models import Complaint
from integrations.idempotency import idempotent
from integrations.schema import IDEMPOTENCY_KEY
from integrations.views import ApiView, path_value, request_object

from . import selectors, services
from .choices import DeliveryState, MessageChannel, MessageLanguage, MessagePurpose
from .models import CustomerMessage

REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH)


class MessageSerializer(serializers.ModelSerializer):
    delivery_state = serializers.ChoiceField(
        choices=DeliveryState.choices,
        read_only=True,
        help_text="queued (waiting, also through the dealer's quiet hours), sent (handed to "
        "the provider, no receipt yet), delivered, failed.",
    )
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)
    send_after = serializers.DateTimeField(source="outbox_due_at", read_only=True)

    class Meta:
        model = CustomerMessage
        fields = (
            "id",
            "purpose",
            "language",
            "channel",
            "recipient",
            "subject",
            "body",
            "delivery_state",
            "send_after",
            "delivered_at",
            "failure",
            "contact",
            "actor",
            "created_at",
        )
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=MessagePurpose.choices)
    language = serializers.ChoiceField(
        choices=MessageLanguage.choices, required=False, help_text="Default: zh-hans."
    )
    channel = serializers.ChoiceField(
        choices=MessageChannel.choices,
        required=False,
        help_text="Default: the customer's preferred channel (e-mail when they prefer it and "
        "have an address, otherwise SMS).",
    )


def _case(request: Request, reference: str) -> Complaint:
    return complaint_selectors.complaint_get(actor=request.user, reference=path_value(reference))


class MessagesApi(ApiView):
    serializer_class = MessageSerializer

    @extend_schema(
        operation_id="complaints_messages_list",
        parameters=[REFERENCE],
        responses=MessageSerializer(many=True),
        description="The messages sent to the case's customer, newest first, with their "
        "delivery state.",
    )
    def get(self, request: Request, reference: str) -> Response:
        found = selectors.message_list(actor=request.user, complaint=_case(request, reference))
        return Response(MessageSerializer(found[:200], many=True).data)

    @extend_schema(
        operation_id="complaints_messages_create",
        parameters=[REFERENCE, IDEMPOTENCY_KEY],
        request=MessageCreateSerializer,
        responses={201: MessageSerializer},
        description="Send the customer a message from the dealer's template, the case's "
        "fields filled in. Refused (400) when the case lacks a field the message names. "
        "Logged as a contact and on the timeline; in the dealer's quiet hours it waits "
        "until they end. Once delivered it meets the first response and the progress "
        "update.",
    )
    @idempotent
    def post(self, request: Request, reference: str) -> Response:
        complaint = _case(request, reference)
        serializer = MessageCreateSerializer(data=request_object(request.data))
        serializer.is_valid(raise_exception=True)
        message = services.message_send(
            complaint=complaint, actor=request.user, **serializer.validated_data
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
