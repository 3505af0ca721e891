"""The API's shapes of a case. Field names and choice values are those of the model."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import FieldsBuiltOnce
from dealers.serializers import (
    CustomerSummarySerializer,
    InlineCustomerSerializer,
    InlineVehicleSerializer,
    VehicleSummarySerializer,
)
from followups.choices import PromiseCode
from learning.choices import CauseLiesWith

from .choices import (
    Category,
    Channel,
    Component,
    FaultFinding,
    Responsibility,
    ResponsibilityReason,
    SeriousReason,
    Severity,
    State,
)
from .models import CaseEvent, Complaint
from .payloads import PAYLOADS


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return str(user)


class ComplaintListSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    dealer = serializers.CharField(source="dealer.code", read_only=True)
    customer = CustomerSummarySerializer(read_only=True)
    vehicle = VehicleSummarySerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields: tuple[str, ...] = (
            "reference",
            "dealer",
            "state",
            "channel",
            "category",
            "component",
            "description",
            "customer_request",
            "is_safety_related",
            "severity",
            "escalated",
            "customer",
            "vehicle",
            "assignee",
            "version",
            "created_at",
            "updated_at",
            "available_transitions",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(PAYLOADS)))
    )
    def get_available_transitions(self, complaint: Complaint) -> list[str]:
        return self.context["transitions"](complaint)


class DeadlineRefSerializer(serializers.Serializer):
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()
    breached = serializers.SerializerMethodField()
    promise = serializers.CharField(
        source="promise_text",
        required=False,
        default="",
        help_text="A promise's words, or a quick promise's label in the response's language.",
    )
    promise_code = serializers.CharField(
        required=False, default="", help_text="A quick promise's code; else empty."
    )

    def get_breached(self, deadline: Any) -> bool:
        return getattr(deadline, "breached_at", None) is not None


class ComplaintDetailSerializer(ComplaintListSerializer):
    # Empty until the step that sets them: "" is part of the schema.
    fault_finding = serializers.ChoiceField(
        choices=FaultFinding.choices, allow_blank=True, read_only=True
    )
    responsibility = serializers.ChoiceField(
        choices=Responsibility.choices, allow_blank=True, read_only=True
    )
    responsibility_reason = serializers.ChoiceField(
        choices=ResponsibilityReason.choices, allow_blank=True, read_only=True
    )
    co_owner = UserRefSerializer(read_only=True, allow_null=True)
    open_deadlines = serializers.SerializerMethodField()

    class Meta(ComplaintListSerializer.Meta):
        fields = (
            *ComplaintListSerializer.Meta.fields,
            "original_description",
            "serious_reasons",
            "fault_finding",
            "root_cause",
            "responsibility",
            "responsibility_reason",
            "responsibility_evidence",
            "resolution_options",
            "chosen_resolution",
            "compensation_amount",
            "agreed_resolution",
            "actions_taken",
            "review_why",
            "review_handling",
            "review_prevention",
            "co_owner",
            "supplier",
            "first_response_at",
            "closed_at",
            "open_deadlines",
        )
        read_only_fields = fields

    @extend_schema_field(DeadlineRefSerializer(many=True))
    def get_open_deadlines(self, complaint: Complaint) -> list[dict[str, Any]]:
        deadlines = self.context.get("open_deadlines") or []
        return list(DeadlineRefSerializer(deadlines, many=True).data)


class PromiseInputSerializer(serializers.Serializer):
    """A promise made at intake: the customer's words with their due time, or a quick
    promise's code (due that long from now)."""

    promise = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What was promised, in the customer's terms, stored as sent; needs `due_at`.",
    )
    due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it is due, with its time zone; in the future.",
    )
    code = serializers.ChoiceField(
        choices=PromiseCode.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="A quick promise's code instead of words.",
    )


class ComplaintCreateSerializer(serializers.Serializer):
    dealer = serializers.CharField(
        max_length=12,
        required=False,
        help_text="Dealer code; only for signed-in staff of several dealers. "
        "An API key always acts for its own dealer.",
    )
    customer = InlineCustomerSerializer()
    vehicle = InlineVehicleSerializer(required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    component = serializers.ChoiceField(choices=Component.choices, required=False)
    description = serializers.CharField()
    customer_request = serializers.CharField(required=False, allow_blank=True)
    is_safety_related = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Omit to let the component propose it (brakes, steering, …).",
    )
    assignee = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="User id of an advisor or manager of the dealer; default: whoever logs it.",
    )
    promises = PromiseInputSerializer(
        many=True,
        required=False,
        help_text="Promises made to the customer at intake; each becomes a deadline.",
    )
    serious_reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=SeriousReason.choices),
        required=False,
        help_text="Marks the case serious at once (the green channel) and alerts the dealer's "
        "managers and the region's staff: e.g. the customer threatens the media (`media`), a "
        "lawyer (`lawyer`) or an authority (`authority`), or reports an injury "
        "(`injury_or_major_damage`). `other` needs `serious_note`.",
    )
    serious_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="What makes the case serious, in a few words.",
    )


class ComplaintUpdateSerializer(serializers.Serializer):
    """PATCH: only the fields the current step allows (see the case's state)."""

    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    component = serializers.ChoiceField(choices=Component.choices, required=False)
    description = serializers.CharField(required=False)
    customer_request = serializers.CharField(required=False, allow_blank=True)
    is_safety_related = serializers.BooleanField(required=False)
    vehicle = serializers.CharField(
        required=False, allow_null=True, help_text="VIN of a vehicle of the dealer."
    )
    fault_finding = serializers.ChoiceField(choices=FaultFinding.choices, required=False)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    agreed_resolution = serializers.CharField(required=False, allow_blank=True)
    actions_taken = serializers.CharField(required=False, allow_blank=True)
    review_why = serializers.CharField(required=False, allow_blank=True)
    review_handling = serializers.CharField(required=False, allow_blank=True)
    review_prevention = serializers.CharField(required=False, allow_blank=True)


class CorrectiveActionSerializer(serializers.Serializer):
    """One cause of a closed case and its corrective action (step 7)."""

    cause = serializers.CharField()
    action = serializers.CharField()
    owner = serializers.IntegerField(
        required=False, allow_null=True, help_text="User id; default: the case's advisor."
    )
    due = serializers.DateField(required=False, help_text="Due date (end of that working day).")
    due_at = serializers.DateTimeField(required=False, help_text="Or a due moment.")


class TransitionPayloadSerializer(serializers.Serializer):
    """The payload of a transition; which fields are required depends on the transition
    (see the issue's table): e.g. `record_findings` needs `fault_finding` and `root_cause`,
    `reject` and `withdraw` need `reason`, `close` needs the three review fields."""

    comment = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    customer_request = serializers.CharField(required=False, allow_blank=True)
    fault_finding = serializers.ChoiceField(choices=FaultFinding.choices, required=False)
    root_cause = serializers.CharField(required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    serious_reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=SeriousReason.choices), required=False
    )
    is_safety_related = serializers.BooleanField(required=False, allow_null=True)
    responsibility = serializers.ChoiceField(choices=Responsibility.choices, required=False)
    responsibility_reason = serializers.ChoiceField(
        choices=ResponsibilityReason.choices, required=False, allow_blank=True
    )
    responsibility_evidence = serializers.CharField(required=False, allow_blank=True)
    evidence = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="decide / submit_for_approval: ids of the case's attachments cited as the "
        "evidence for the responsibility assigned.",
    )
    resolution_options = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Two or three options."
    )
    chosen_resolution = serializers.CharField(required=False)
    compensation_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    agreed_resolution = serializers.CharField(required=False)
    actions_taken = serializers.CharField(required=False)
    co_owner = serializers.IntegerField(required=False, allow_null=True)
    review_why = serializers.CharField(required=False)
    handled_well = serializers.BooleanField(required=False, help_text="close: handled well?")
    review_handling = serializers.CharField(required=False)
    review_prevention = serializers.CharField(required=False, allow_blank=True)
    root_cause_category = serializers.CharField(
        required=False,
        help_text="close: the code of one of the dealer's root-cause categories (diagnosis, "
        "workmanship, parts_supply, communication, process, product_defect, customer_use, "
        "other, or the dealer's own).",
    )
    cause_lies_with = serializers.ChoiceField(
        choices=CauseLiesWith.choices,
        required=False,
        help_text="close: the company's system or one person's work.",
    )
    corrective_actions = serializers.ListField(
        child=CorrectiveActionSerializer(),
        required=False,
        help_text="close: the causes, one per line, each with its corrective action.",
    )
    reflection_required = serializers.BooleanField(required=False)
    reflection_due = serializers.DateField(required=False, allow_null=True)


class StateOrNullField(serializers.ChoiceField):
    """A step of the state machine, or null where the event changed none (the model stores
    "" there, which is no state)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=State.choices, allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return value or None


class EventFactSerializer(serializers.Serializer):
    # `label` names the fact here, not the serializer (DRF takes declared fields off the class).
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    value = serializers.CharField(read_only=True)

    def to_representation(self, instance: Any) -> Any:
        label, value = instance
        return {"label": label, "value": value}


class CaseEventSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    from_state = StateOrNullField(help_text="The step before a transition; null for others.")
    to_state = StateOrNullField(help_text="The step after a transition; null for others.")
    actor = serializers.CharField(source="actor_display", read_only=True)
    actor_user = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    text = serializers.CharField(
        read_only=True,
        help_text="What the timeline shows: the comment as written, or for an event of the "
        "system, its payload put in words in the request's language.",
    )
    facts = EventFactSerializer(
        many=True,
        read_only=True,
        help_text="What a transition decided (findings, decision, actions, review), from the "
        "facts stored when it ran, labelled in the request's language.",
    )

    class Meta:
        model = CaseEvent
        fields = (
            "id",
            "kind",
            "transition",
            "from_state",
            "to_state",
            "actor",
            "actor_user",
            "comment",
            "text",
            "facts",
            "payload",
            "created_at",
        )
        read_only_fields = fields


class ComplaintQuerySerializer(serializers.Serializer):
    """Filters of the case list."""

    state = serializers.ChoiceField(choices=State.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    is_safety_related = serializers.BooleanField(required=False, allow_null=True, default=None)
    overdue = serializers.BooleanField(
        required=False, default=False, help_text="true: only cases with an open deadline past due."
    )
    assignee = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    updated_after = serializers.DateTimeField(required=False)
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text="Reference, customer name or phone, plate, VIN, or words of the case "
        "(description, the customer's request, root cause, resolution), Chinese or English.",
    )
