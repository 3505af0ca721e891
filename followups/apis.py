"""Follow-up endpoints of the REST API: log a contact with the customer, record a promise.
Thin: reads through followups.selectors, writes through followups.services."""

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
from .choices import ContactChannel, ContactOutcome, PromiseCode
from .models import ContactAttempt, Deadline

REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH)


class ContactSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)
    outcome = serializers.ChoiceField(
        choices=ContactOutcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty for a message sent to the customer: whether it reached them is its "
        "delivery state (`/complaints/{reference}/messages/`).",
    )

    class Meta:
        model = ContactAttempt
        fields = ("id", "channel", "outcome", "note", "contacted_at", "actor", "created_at")
        read_only_fields = fields


class ContactCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    outcome = serializers.ChoiceField(
        choices=ContactOutcome.choices,
        help_text="Required, no default. `informed`: reached and told how the case stands, "
        "neither satisfied nor dissatisfied; it meets the contact deadlines but only a "
        "`satisfied` contact allows `confirm_resolved`.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    contacted_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Default: now."
    )


class CommitmentSerializer(serializers.ModelSerializer):
    promise = serializers.CharField(
        source="promise_text",
        read_only=True,
        help_text="What was promised: the words as recorded, or a quick promise's label in "
        "the response's language.",
    )
    code = serializers.ChoiceField(
        source="promise_code",
        choices=PromiseCode.choices,
        allow_blank=True,
        read_only=True,
        help_text="The quick promise's code; empty for a promise in the customer's words.",
    )
    kept = serializers.SerializerMethodField()
    breached = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = ("id", "kind", "promise", "code", "due_at", "kept", "breached", "created_at")
        read_only_fields = fields

    def get_kept(self, deadline: Deadline) -> bool:
        return deadline.satisfied_at is not None

    def get_breached(self, deadline: Deadline) -> bool:
        return deadline.breached_at is not None


class CommitmentCreateSerializer(serializers.Serializer):
    """A promise: the words said to the customer with the time they are due, or the code
    of a quick promise (due that long from now)."""

    promise = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What was promised, in the customer's terms, stored as sent. Needs "
        "`due_at`; leave out with `code`.",
    )
    due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it is due, with its time zone; in the future. Required with "
        "`promise`; with `code`, default: the quick promise's own time from now.",
    )
    code = serializers.ChoiceField(
        choices=PromiseCode.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="A quick promise: callback_20m, callback_2h, feedback_24h or feedback_2d. "
        "Stored as the code and read in each reader's language.",
    )


def _case(request: Request, reference: str) -> Complaint:
    return complaint_selectors.complaint_get(actor=request.user, reference=path_value(reference))


class ContactsApi(ApiView):
    serializer_class = ContactSerializer

    @extend_schema(
        operation_id="complaints_contacts_list",
        parameters=[REFERENCE],
        responses=ContactSerializer(many=True),
        description="The case's contact log, newest first.",
    )
    def get(self, request: Request, reference: str) -> Response:
        contacts = selectors.contact_list(actor=request.user, complaint=_case(request, reference))
        return Response(ContactSerializer(contacts[:200], many=True).data)

    @extend_schema(
        operation_id="complaints_contacts_create",
        parameters=[REFERENCE, IDEMPOTENCY_KEY],
        request=ContactCreateSerializer,
        responses={201: ContactSerializer},
        description="Log a follow-up contact with the customer. Reaching the customer meets "
        "the open contact deadlines; the third unreachable attempt in a row escalates.",
    )
    @idempotent
    def post(self, request: Request, reference: str) -> Response:
        complaint = _case(request, reference)
        serializer = ContactCreateSerializer(data=request_object(request.data))
        serializer.is_valid(raise_exception=True)
        contact = services.contact_record(
            complaint=complaint, actor=request.user, **serializer.validated_data
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class CommitmentsApi(ApiView):
    serializer_class = CommitmentSerializer

    @extend_schema(
        operation_id="complaints_commitments_create",
        parameters=[REFERENCE, IDEMPOTENCY_KEY],
        request=CommitmentCreateSerializer,
        responses={201: CommitmentSerializer},
        description="Record a promise made to the customer, in their words with its due time "
        "(`promise` + `due_at`) or as a quick promise (`code`); it is a deadline until kept, "
        "and its owner is warned at 80 % of its time.",
    )
    @idempotent
    def post(self, request: Request, reference: str) -> Response:
        complaint = _case(request, reference)
        serializer = CommitmentCreateSerializer(data=request_object(request.data))
        serializer.is_valid(raise_exception=True)
        deadline = services.commitment_create(
            complaint=complaint, actor=request.user, **serializer.validated_data
        )
        return Response(CommitmentSerializer(deadline).data, status=status.HTTP_201_CREATED)
