"""Read-only analytics for the manufacturer's systems: `/api/v1/analytics/`.

An API key reads its own dealer's figures (without names of staff); signed-in managers
their dealers', regional staff every dealer of their regions. Thin: analytics.report
computes, the serializers below only describe and shape the figures.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import NotFound
from core.replica import tolerates_lag
from integrations.views import ApiView

from .access import analysable_dealers
from .period import parse_period
from .report import build_report
from .selectors import case_summaries


def rate_field(help_text: str = "") -> serializers.FloatField:
    """A share between 0 and 1; null where there was nothing to divide by."""
    return serializers.FloatField(
        allow_null=True, min_value=0.0, max_value=1.0, help_text=help_text or None
    )


def hours_field(help_text: str = "") -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text or None)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day, in the dealer's time zone.")
    end = serializers.DateField(help_text="Last day (included), in the dealer's time zone.")


class DealerRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField()


class SummarySerializer(serializers.Serializer):
    cases = serializers.IntegerField(help_text="Cases received in the period.")
    safety = serializers.IntegerField()
    safety_share = rate_field()
    serious = serializers.IntegerField()
    serious_share = rate_field()
    repeat = serializers.IntegerField(
        help_text="Cases with an earlier case of the same customer or vehicle within 90 days."
    )
    repeat_share = rate_field()
    reached_follow_up = serializers.IntegerField()
    reopened = serializers.IntegerField()
    reopen_rate = rate_field("Reopened cases among those that reached follow-up.")
    compensation_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Goodwill and compensation, withdrawn excluded."
    )
    compensated_cases = serializers.IntegerField()
    first_contact_median_hours = hours_field()
    first_contact_p90_hours = hours_field()
    resolution_median_hours = hours_field("Hours from receipt until the customer was satisfied.")
    resolution_p90_hours = hours_field()
    closure_median_hours = hours_field()
    closure_p90_hours = hours_field()
    deadlines_due = serializers.IntegerField()
    deadlines_breached = serializers.IntegerField()
    breach_rate = rate_field()
    contacts_reached = serializers.IntegerField()
    contacts_satisfied = serializers.IntegerField()
    satisfaction_rate = rate_field()
    repair_orders = serializers.IntegerField(help_text="Repair orders the DMS sent, by day.")
    per_thousand_repair_orders = serializers.FloatField(allow_null=True)


class BreakdownSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The stable code; empty for 'not decided yet'.")
    count = serializers.IntegerField()
    share = rate_field()


class DeadlineRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    due = serializers.IntegerField()
    breached = serializers.IntegerField()
    breach_rate = rate_field()


class RootCauseSerializer(serializers.Serializer):
    code = serializers.CharField()
    # A field named like Field.label; DRF's metaclass takes it as a declared field.
    label = serializers.CharField(help_text="In the language of the request.")  # type: ignore[assignment]
    count = serializers.IntegerField()
    share = rate_field()
    cumulative_share = rate_field()


class CorrectiveActionsSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    agreed = serializers.IntegerField()
    checks = BreakdownSerializer(many=True)


class TrendSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="Monday of the week, or first of the month.")
    cases = serializers.IntegerField()
    safety = serializers.IntegerField()
    serious = serializers.IntegerField()
    closed = serializers.IntegerField()


class AdvisorSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    cases = serializers.IntegerField()
    deadlines_due = serializers.IntegerField()
    deadlines_on_time = serializers.IntegerField()
    on_time_rate = rate_field()
    contacts_reached = serializers.IntegerField()
    contacts_satisfied = serializers.IntegerField()
    satisfaction_rate = rate_field()


class FiguresSerializer(serializers.Serializer):
    dealer = DealerRefSerializer()
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    by = serializers.ChoiceField(choices=["week", "month"])
    summary = SummarySerializer()
    previous = SummarySerializer(help_text="The same figures for the previous period.")
    by_channel = BreakdownSerializer(many=True)
    by_category = BreakdownSerializer(many=True)
    by_component = BreakdownSerializer(many=True)
    responsibility = BreakdownSerializer(many=True)
    deadlines = DeadlineRowSerializer(many=True)
    root_causes = RootCauseSerializer(many=True)
    corrective_actions = CorrectiveActionsSerializer()
    trend = TrendSerializer(many=True)
    advisors = AdvisorSerializer(
        many=True, allow_null=True, help_text="Only for the dealer's managers; null otherwise."
    )


class DealerSummarySerializer(serializers.Serializer):
    dealer = DealerRefSerializer()
    summary = SummarySerializer()


class DealersSerializer(serializers.Serializer):
    period = PeriodSerializer()
    dealers = DealerSummarySerializer(many=True)


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "start", str, OpenApiParameter.QUERY, required=False, description="YYYY-MM-DD."
    ),
    OpenApiParameter("end", str, OpenApiParameter.QUERY, required=False, description="YYYY-MM-DD."),
]
DEALER_PARAMETER = OpenApiParameter(
    "dealer",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description="Dealer code; by default the first the caller may analyse.",
)
BY_PARAMETER = OpenApiParameter(
    "by", str, OpenApiParameter.QUERY, required=False, enum=["week", "month"]
)


class AnalyticsApi(ApiView):
    """Every figure of one dealer for a period (default: the last 30 days), with the
    previous period's headline figures."""

    serializer_class = FiguresSerializer

    @extend_schema(
        operation_id="analytics_retrieve",
        parameters=[DEALER_PARAMETER, *PERIOD_PARAMETERS, BY_PARAMETER],
        responses=FiguresSerializer,
    )
    @tolerates_lag()
    def get(self, request: Request) -> Response:
        report = build_report(actor=request.user, params=request.query_params)
        return Response(FiguresSerializer(report.figures).data)


class AnalyticsDealersApi(ApiView):
    """The headline figures of every dealer the caller may analyse, side by side."""

    serializer_class = DealersSerializer

    @extend_schema(
        operation_id="analytics_dealers",
        parameters=PERIOD_PARAMETERS,
        responses=DealersSerializer,
    )
    @tolerates_lag()
    def get(self, request: Request) -> Response:
        dealers = list(analysable_dealers(actor=request.user))
        if not dealers:
            raise NotFound()
        period, _by = parse_period(request.query_params, dealers[0].tzinfo)
        summaries = case_summaries(dealers=dealers, period=period)
        rows: list[dict[str, Any]] = [
            {
                "dealer": {"code": d.code, "name": d.name, "currency": d.currency},
                "summary": summaries[d.pk],
            }
            for d in dealers
        ]
        body = {"period": {"start": period.start, "end": period.end}, "dealers": rows}
        return Response(DealersSerializer(body).data)
