"""The case endpoints of the REST API. Thin: reads through complaints.selectors, writes
through complaints.services and complaints.intake; errors become problem+json."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import ValidationFailed
from core.replica import tolerates_lag
from followups import selectors as followup_selectors
from followups.models import OPEN, Deadline
from integrations.conditional import expected_version, with_etag
from integrations.idempotency import idempotent
from integrations.pagination import CheckedCursorPagination
from integrations.schema import IDEMPOTENCY_KEY, IF_MATCH
from integrations.selectors import vehicle_by_vin
from integrations.views import ApiView, acting_dealer, path_value, request_object

from . import selectors, services
from .intake import CustomerInput, PromiseInput, VehicleInput, complaint_intake
from .models import Complaint
from .payloads import PAYLOADS
from .serializers import (
    CaseEventSerializer,
    ComplaintCreateSerializer,
    ComplaintDetailSerializer,
    ComplaintListSerializer,
    ComplaintQuerySerializer,
    ComplaintUpdateSerializer,
    TransitionPayloadSerializer,
)

ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The case's version; send it back in If-Match.",
)
REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH)
TRANSITION = OpenApiParameter("transition", str, OpenApiParameter.PATH, enum=list(PAYLOADS))


class ComplaintPagination(CheckedCursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class EventPagination(CheckedCursorPagination):
    ordering = ("created_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def complaint_api_list(*, actor: Any, filters: Mapping[str, Any]) -> QuerySet[Complaint]:
    """The case list with the API's filters, narrowed from the scoped selector."""
    queryset = selectors.complaint_list(
        actor=actor,
        filters={k: filters.get(k) for k in ("state", "assignee", "q")},
    )
    if filters.get("severity"):
        queryset = queryset.filter(severity=filters["severity"])
    if filters.get("is_safety_related") is not None:
        queryset = queryset.filter(is_safety_related=filters["is_safety_related"])
    if filters.get("updated_after"):
        queryset = queryset.filter(updated_at__gt=filters["updated_after"])
    if filters.get("overdue"):
        # Correlated to the scoped cases above, so it reaches no other dealer's deadlines.
        overdue = Deadline.objects.filter(OPEN, complaint=OuterRef("pk"), due_at__lt=timezone.now())
        queryset = queryset.filter(Exists(overdue))
    return queryset


def _open_deadlines(actor: Any, complaint: Complaint) -> list[Any]:
    if complaint.opened_at_intake is not None:
        # A case just created: its open deadlines are those its intake opened, in hand.
        return sorted(
            complaint.opened_at_intake, key=lambda deadline: (deadline.due_at, deadline.pk)
        )
    # The response names each deadline's kind, due time and promise: the case, its dealer and
    # the deadline's owner are not read with them.
    deadlines = followup_selectors.deadline_list(actor=actor, complaint=complaint, open_only=True)
    return list(deadlines.select_related(None))


def _transitions_of(actor: Any) -> Callable[[Complaint], list[str]]:
    # The actor's roles are read once (core.scoping caches them on the actor), so this
    # runs no query per case.
    return lambda complaint: services.available_transitions(complaint=complaint, actor=actor)


def complaint_response(
    request: Request, complaint: Complaint, *, status_code: int = status.HTTP_200_OK
) -> Response:
    context = {
        "request": request,
        "transitions": _transitions_of(request.user),
        "open_deadlines": _open_deadlines(request.user, complaint),
    }
    response = Response(
        ComplaintDetailSerializer(complaint, context=context).data, status=status_code
    )
    return with_etag(response, complaint.version)


def _reload(request: Request, complaint: Complaint) -> Complaint:
    return selectors.complaint_get(actor=request.user, reference=complaint.reference)


class ComplaintListCreateApi(ApiView):
    pagination_class = ComplaintPagination
    serializer_class = ComplaintListSerializer

    @extend_schema(
        operation_id="complaints_list",
        parameters=[ComplaintQuerySerializer],
        responses=ComplaintListSerializer(many=True),
        description="Cases the caller may read, newest first, with cursor pagination.",
    )
    @tolerates_lag()
    def get(self, request: Request) -> Response:
        query = ComplaintQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = complaint_api_list(actor=request.user, filters=query.validated_data)
        page = self.paginate_queryset(queryset)
        context = {"request": request, "transitions": _transitions_of(request.user)}
        data = ComplaintListSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="complaints_create",
        request=ComplaintCreateSerializer,
        responses={201: ComplaintDetailSerializer},
        parameters=[IDEMPOTENCY_KEY, ETAG_HEADER],
        description="Log a new case (step 1), all or nothing, by the same rules as the "
        "browser's intake. The customer is matched within the dealer by `dms_id` (and then "
        "updated with what is sent), else by phone (and name, when given), else created. The "
        "vehicle is matched by VIN, else by plate, else created (by its plate alone when no VIN "
        "is known; the VIN sent later with that plate completes it). `serious_reasons` marks "
        "the case serious at once and alerts the managers and the region. 409 "
        "`vehicle_belongs_to_another_customer` when the VIN or plate is another customer's "
        "vehicle (a change of owner is recorded with PUT /vehicles/{vin}/), 409 "
        "`duplicate_complaint` (with the open case's `reference`) when the same words were "
        "logged for the same customer and vehicle within 24 hours, 409 `customer_ambiguous` "
        "when several customers share the phone number.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = ComplaintCreateSerializer(data=request_object(request.data))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = request.user
        dealer = acting_dealer(actor, data.pop("dealer", None))
        customer = {k: v for k, v in data.pop("customer").items() if v is not None}
        vehicle = data.pop("vehicle", None)
        complaint = complaint_intake(
            dealer=dealer,
            actor=actor,
            customer=CustomerInput(**customer),
            vehicle=(
                VehicleInput(**{k: v for k, v in vehicle.items() if v is not None})
                if vehicle is not None
                else None
            ),
            assignee_id=data.pop("assignee", None),
            promises=[PromiseInput(**promise) for promise in data.pop("promises", [])],
            **data,
        )
        # The case as intake wrote it (with its dealer, customer and vehicle): read back, it
        # would be the same row.
        response = complaint_response(request, complaint, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            f"/api/v1/complaints/{complaint.reference}/"
        )
        return response


class ComplaintDetailApi(ApiView):
    serializer_class = ComplaintDetailSerializer
    conditional = True

    def _get(self, request: Request, reference: str) -> Complaint:
        return selectors.complaint_get(actor=request.user, reference=path_value(reference))

    @extend_schema(
        operation_id="complaints_retrieve",
        parameters=[REFERENCE, ETAG_HEADER],
        responses=ComplaintDetailSerializer,
    )
    def get(self, request: Request, reference: str) -> Response:
        return complaint_response(request, self._get(request, reference))

    @extend_schema(
        operation_id="complaints_partial_update",
        parameters=[REFERENCE, IF_MATCH, ETAG_HEADER],
        request=ComplaintUpdateSerializer,
        responses=ComplaintDetailSerializer,
        description="Correct the fields the case's current step allows.",
    )
    def patch(self, request: Request, reference: str) -> Response:
        complaint = self._get(request, reference)
        version = expected_version(request, complaint.version)
        raw = request_object(request.data)
        serializer = ComplaintUpdateSerializer(data=raw, partial=True)
        unknown = sorted(set(raw) - set(serializer.fields))
        if unknown:
            raise ValidationFailed({name: [_("Unknown field.")] for name in unknown})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("vehicle"):
            vehicle = vehicle_by_vin(
                actor=request.user, dealer=complaint.dealer, vin=data["vehicle"]
            )
            if vehicle is None:
                raise ValidationFailed({"vehicle": [_("No vehicle with this VIN.")]})
            data["vehicle"] = vehicle.pk
        elif "vehicle" in data:
            data["vehicle"] = None
        services.complaint_update(
            complaint=complaint, actor=request.user, data=data, expected_version=version
        )
        return complaint_response(request, _reload(request, complaint))


class ComplaintTransitionApi(ApiView):
    serializer_class = TransitionPayloadSerializer
    conditional = True

    @extend_schema(
        operation_id="complaints_transition",
        parameters=[REFERENCE, TRANSITION, IF_MATCH, IDEMPOTENCY_KEY, ETAG_HEADER],
        request=TransitionPayloadSerializer,
        responses={200: ComplaintDetailSerializer},
        description="Run one transition of the state machine. 409 when it is not possible "
        "from the case's state (the problem lists `allowed_transitions`), 403 when the "
        "caller may not run it (an API key never approves).",
    )
    @idempotent
    def post(self, request: Request, reference: str, transition: str) -> Response:
        complaint = selectors.complaint_get(actor=request.user, reference=path_value(reference))
        name = path_value(transition, max_length=40)
        raw = request_object(request.data)
        # Types first (a list where text belongs is a 400 here); the transition's own rules,
        # and the refusal of fields it does not take, are the service's.
        serializer = TransitionPayloadSerializer(data=raw)
        serializer.is_valid(raise_exception=True)
        data = {
            **{k: v for k, v in raw.items() if k not in serializer.fields},
            **serializer.validated_data,
        }
        version = expected_version(request, complaint.version)
        services.complaint_transition(
            complaint=complaint,
            name=name,
            actor=request.user,
            data=data,
            expected_version=version,
        )
        return complaint_response(request, _reload(request, complaint))


class ComplaintEventsApi(ApiView):
    pagination_class = EventPagination
    serializer_class = CaseEventSerializer

    @extend_schema(
        operation_id="complaints_events",
        parameters=[REFERENCE],
        responses=OpenApiResponse(CaseEventSerializer(many=True)),
        description="The case's timeline, oldest first.",
    )
    def get(self, request: Request, reference: str) -> Response:
        complaint = selectors.complaint_get(actor=request.user, reference=path_value(reference))
        events = selectors.complaint_events(actor=request.user, complaint=complaint)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(CaseEventSerializer(page, many=True).data)
