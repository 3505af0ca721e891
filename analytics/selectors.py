"""The figures of one dealer for one period, computed by the database.

Every figure is an aggregate query (COUNT/SUM with FILTER clauses, `percentile_cont`, date
truncation in the dealer's time zone); nothing loops over cases in Python. A case belongs to
the period in which it was received (`created_at`, read in the dealer's time zone); deadlines
to the period in which they fell due, follow-up contacts to the period they were made in and
repair orders to the day the DMS opened them.

Access is decided by `analytics.access`: the callers pass a dealer the actor may analyse, and
the reads here name the "analytics" escape because regional staff count every case of a
dealer while opening only some of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from complaints.choices import FollowUpOutcome, Severity, State
from complaints.models import Complaint
from core.replica import read_database
from core.scoping import scoped
from dealers.models import Dealer, RepairOrder
from followups.models import ContactAttempt, Deadline
from learning.choices import ActionState, CheckResult, DefaultRootCause
from learning.models import CaseReview, CorrectiveAction

from .aggregates import Hours
from .period import Period

ESCAPE = "analytics"
REACHED = [FollowUpOutcome.SATISFIED, FollowUpOutcome.DISSATISFIED]


@contextmanager
def _aggregating() -> Iterator[None]:
    """A transaction in which PostgreSQL does not JIT-compile: the figures are a dozen short
    aggregate queries, and at a million cases the planner's cost estimates made it compile
    each one, which took longer than running it (about 1 s of 1.2 s for the summary).

    Random reads are costed as what they are for these indexes (cached or on SSD): at the
    default cost the planner read all of a dealer's cases through the dealer index and
    filtered them by time (a dealer's whole history, 250,000 rows, for every table) instead
    of the month's 10,000 through the dealer-and-time index."""
    database = read_database()  # the replica's, when the figures are read there
    with transaction.atomic(using=database):
        with connections[database].cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None where there is nothing to divide (shown as "–")."""
    return part / whole if whole else None


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def period_cases(*, dealer: Dealer, period: Period) -> QuerySet[Complaint]:
    """The cases the dealer received in the period (local midnights as bounds)."""
    since, until = period.bounds(dealer.tzinfo)
    return Complaint.objects.unscoped(reason=ESCAPE).filter(
        dealer=dealer, created_at__gte=since, created_at__lt=until
    )


# The figures of a case that the summary aggregates, each computed once per case.
_SUMMARY_AGGREGATES = """
    COUNT(*),
    COUNT(*) FILTER (WHERE is_safety_related),
    COUNT(*) FILTER (WHERE severity = %s),
    COUNT(*) FILTER (WHERE is_repeat),
    COUNT(*) FILTER (WHERE reached_follow_up_at IS NOT NULL),
    COUNT(*) FILTER (WHERE reopened_at IS NOT NULL),
    SUM(compensation_amount) FILTER (WHERE state <> %s),
    COUNT(*) FILTER (WHERE compensation_amount > 0 AND state <> %s),
    PERCENTILE_CONT(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY hours_to_contact),
    PERCENTILE_CONT(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY hours_to_resolution),
    PERCENTILE_CONT(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY hours_to_closure)
"""
_SUMMARY_NAMES = [
    "cases",
    "safety",
    "serious",
    "repeat",
    "reached_follow_up",
    "reopened",
    "compensation",
    "compensated",
    "first_contact",
    "resolution",
    "closure",
]


def _dealers_cases(dealers: Sequence[Dealer], period: Period) -> QuerySet[Complaint]:
    """The cases each dealer received in the period, read in its own time zone: one range
    per time zone among the dealers (usually one), each over the dealer-and-time index."""
    by_bounds: dict[tuple[datetime, datetime], list[int]] = {}
    for dealer in dealers:
        by_bounds.setdefault(period.bounds(dealer.tzinfo), []).append(dealer.pk)
    condition = Q(pk__in=[])
    for (since, until), pks in by_bounds.items():
        condition |= Q(dealer_id__in=pks, created_at__gte=since, created_at__lt=until)
    return Complaint.objects.unscoped(reason=ESCAPE).filter(condition)


@_aggregating()
def case_summaries(
    *,
    dealers: Sequence[Dealer],
    period: Period,
    groups: Mapping[int, PeriodGroups] | None = None,
) -> dict[int, dict[str, Any]]:
    """The period's headline figures of each dealer, by dealer id: one query over all of
    their cases grouped by dealer, one over their repair orders, and one over their
    deadlines and follow-up contacts (given in `groups` when the caller already has them)."""
    closed = Q(state=State.CLOSED, closed_at__isnull=False)
    # The facts of a case's history are stored on it (complaints.stored_facts), so that the
    # figures are one range read of the dealer-and-time index that carries every column
    # they aggregate (complaint_dealer_figures), with nothing read per case.
    cases = (
        _dealers_cases(dealers, period)
        .annotate(
            hours_to_contact=Hours("created_at", "first_response_at"),
            hours_to_resolution=Hours("created_at", "resolved_at"),
            hours_to_closure=Case(When(closed, then=Hours("created_at", "closed_at"))),
        )
        .order_by()
        .values(
            "dealer_id",
            "is_safety_related",
            "severity",
            "state",
            "compensation_amount",
            "is_repeat",
            "reached_follow_up_at",
            "reopened_at",
            "hours_to_contact",
            "hours_to_resolution",
            "hours_to_closure",
        )
    )
    inner, inner_params = cases.query.sql_with_params()
    # The inner statement is Django's; the rest is fixed words and placeholders.
    sql = f"SELECT dealer_id, {_SUMMARY_AGGREGATES} FROM ({inner}) AS c GROUP BY dealer_id"  # noqa: S608
    params = [Severity.SERIOUS, State.WITHDRAWN, State.WITHDRAWN, *inner_params]
    rows: dict[int, dict[str, Any]] = {}
    with connections[read_database()].cursor() as cursor:
        cursor.execute(sql, params)
        for dealer_pk, *values in cursor.fetchall():
            rows[dealer_pk] = dict(zip(_SUMMARY_NAMES, values, strict=True))
    repair_orders = _repair_orders(dealers, period)
    if groups is None:
        groups = {
            pk: per_period[0]
            for pk, per_period in PeriodGroups.of_dealers(
                dealers=dealers, periods=[period], by_assignee=False
            ).items()
        }
    return {
        dealer.pk: _summary(rows.get(dealer.pk), groups[dealer.pk], repair_orders.get(dealer.pk, 0))
        for dealer in dealers
    }


def case_summary(
    *, dealer: Dealer, period: Period, groups: PeriodGroups | None = None
) -> dict[str, Any]:
    """The period's headline figures of one dealer (see case_summaries)."""
    given = None if groups is None else {dealer.pk: groups}
    return case_summaries(dealers=[dealer], period=period, groups=given)[dealer.pk]


def _repair_orders(dealers: Sequence[Dealer], period: Period) -> dict[int, int]:
    return dict(
        RepairOrder.objects.unscoped(reason=ESCAPE)
        .filter(
            dealer__in=[dealer.pk for dealer in dealers],
            opened_on__gte=period.start,
            opened_on__lte=period.end,
        )
        .order_by()
        .values("dealer")
        # COUNT(*): answered from the dealer-and-day index alone.
        .annotate(n=Count("*"))
        .values_list("dealer", "n")
    )


def _summary(
    row: dict[str, Any] | None, groups: PeriodGroups, repair_orders: int
) -> dict[str, Any]:
    row = dict(row or {name: 0 for name in _SUMMARY_NAMES})
    for name in ("first_contact", "resolution", "closure"):
        row[f"{name}_median"], row[f"{name}_p90"] = row.pop(name) or (None, None)
    due = sum(g[2] for g in groups.deadlines)
    breached = sum(g[3] for g in groups.deadlines)
    contacts = {
        "reached": sum(g[1] for g in groups.contacts),
        "satisfied": sum(g[2] for g in groups.contacts),
    }
    total = row["cases"]
    return {
        "cases": total,
        "safety": row["safety"],
        "safety_share": rate(row["safety"], total),
        "serious": row["serious"],
        "serious_share": rate(row["serious"], total),
        "repeat": row["repeat"],
        "repeat_share": rate(row["repeat"], total),
        "reached_follow_up": row["reached_follow_up"],
        "reopened": row["reopened"],
        "reopen_rate": rate(row["reopened"], row["reached_follow_up"]),
        "compensation_total": row["compensation"] or Decimal("0.00"),
        "compensated_cases": row["compensated"],
        "first_contact_median_hours": _hours(row["first_contact_median"]),
        "first_contact_p90_hours": _hours(row["first_contact_p90"]),
        "resolution_median_hours": _hours(row["resolution_median"]),
        "resolution_p90_hours": _hours(row["resolution_p90"]),
        "closure_median_hours": _hours(row["closure_median"]),
        "closure_p90_hours": _hours(row["closure_p90"]),
        "deadlines_due": due,
        "deadlines_breached": breached,
        "breach_rate": rate(breached, due),
        "contacts_reached": contacts["reached"],
        "contacts_satisfied": contacts["satisfied"],
        "satisfaction_rate": rate(contacts["satisfied"], contacts["reached"]),
        "repair_orders": repair_orders,
        "per_thousand_repair_orders": (
            round(total * 1000 / repair_orders, 2) if repair_orders else None
        ),
    }


def _deadline_window(dealer: Dealer, period: Period) -> tuple[datetime, datetime]:
    # A deadline counts once it has fallen due: those due later in the period are undecided.
    since, until = period.bounds(dealer.tzinfo)
    return since, min(until, timezone.now())


@dataclass(frozen=True)
class PeriodGroups:
    """Deadlines that fell due in the period, as (kind, assignee id, due, breached), and
    follow-up contacts made in it, as (assignee id, reached, satisfied): one grouped query
    each, from which the headline, per-kind and per-advisor figures are summed."""

    deadlines: Sequence[tuple[str, int | None, int, int]]
    contacts: Sequence[tuple[int | None, int, int]]

    @classmethod
    def of(cls, *, dealer: Dealer, period: Period) -> PeriodGroups:
        return cls.of_periods(dealer=dealer, periods=[period])[0]

    @classmethod
    def of_periods(cls, *, dealer: Dealer, periods: Sequence[Period]) -> list[PeriodGroups]:
        """The groups of several periods (the page's and the one it is compared with)."""
        return cls.of_dealers(dealers=[dealer], periods=periods)[dealer.pk]

    @classmethod
    def of_dealers(
        cls, *, dealers: Sequence[Dealer], periods: Sequence[Period], by_assignee: bool = True
    ) -> dict[int, list[PeriodGroups]]:
        """The groups of several dealers and periods (each read in its dealer's time zone)
        in one query over deadlines and contacts together: each dealer's period is one
        range of the dealer-and-time index of each table.

        The assignee (for the per-advisor figures) is read from the case of each row of
        the first period only, and only with `by_assignee`: the period compared with, and
        the dealers side by side, need totals alone, and leave it empty."""
        # One window per dealer and period: (slot, dealer, deadlines' since and until,
        # contacts' since and until, whether its rows are told by assignee).
        windows: list[tuple[int, int, datetime, datetime, datetime, datetime, bool]] = []
        for d_index, dealer in enumerate(dealers):
            for p_index, period in enumerate(periods):
                due_since, due_until = _deadline_window(dealer, period)
                since, until = period.bounds(dealer.tzinfo)
                windows.append(
                    (
                        d_index * len(periods) + p_index,
                        dealer.pk,
                        due_since,
                        max(due_since, due_until),
                        since,
                        until,
                        by_assignee and p_index == 0,
                    )
                )
        slots, dealer_pks, deadline_since, deadline_until, contact_since, contact_until, told = (
            [window[column] for window in windows] for column in range(7)
        )
        deadline = Deadline._meta.db_table
        contact = ContactAttempt._meta.db_table
        complaint = Complaint._meta.db_table
        # A subquery inside CASE runs only for the rows that need it.
        assignee = (
            f"CASE WHEN w.by_assignee THEN (SELECT c.assignee_id FROM {complaint} AS c "  # noqa: S608
            "WHERE c.id = x.complaint_id) END"
        )
        unnest = (
            "UNNEST(%s::int[], %s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::bool[]) "
            "AS w(slot, dealer_id, since, until, by_assignee)"
        )
        # Only table names of the models, fixed words and placeholders go into the statement.
        sql = f"""
            SELECT w.slot, 'deadline', x.kind, {assignee}, COUNT(*),
                   COUNT(*) FILTER (WHERE x.breached_at IS NOT NULL), 0
            FROM {unnest}
            JOIN {deadline} AS x ON x.dealer_id = w.dealer_id
                AND x.due_at >= w.since AND x.due_at < w.until
            WHERE x.cancelled_at IS NULL
            GROUP BY 1, 3, 4
            UNION ALL
            SELECT w.slot, 'contact', '', {assignee}, COUNT(*),
                   COUNT(*) FILTER (WHERE x.outcome IN (%s, %s)),
                   COUNT(*) FILTER (WHERE x.outcome = %s)
            FROM {unnest}
            JOIN {contact} AS x ON x.dealer_id = w.dealer_id
                AND x.contacted_at >= w.since AND x.contacted_at < w.until
            GROUP BY 1, 4
        """  # noqa: S608
        params: list[Any] = [
            slots,
            dealer_pks,
            deadline_since,
            deadline_until,
            told,
            *REACHED,
            FollowUpOutcome.SATISFIED,
            slots,
            dealer_pks,
            contact_since,
            contact_until,
            told,
        ]
        per_slot: list[tuple[list[Any], list[Any]]] = [([], []) for _slot in slots]
        with connections[read_database()].cursor() as cursor:
            cursor.execute(sql, params)
            for slot, source, kind, assignee_id, n, first, second in cursor.fetchall():
                if source == "deadline":
                    per_slot[slot][0].append((kind, assignee_id, n, first))
                else:
                    per_slot[slot][1].append((assignee_id, first, second))
        return {
            dealer.pk: [
                cls(*per_slot[d_index * len(periods) + p_index]) for p_index in range(len(periods))
            ]
            for d_index, dealer in enumerate(dealers)
        }

    def deadline_rows(self) -> list[dict[str, Any]]:
        per_kind: dict[str, list[int]] = {}
        for kind, _assignee, due, breached in self.deadlines:
            totals = per_kind.setdefault(kind, [0, 0])
            totals[0] += due
            totals[1] += breached
        return [
            {"kind": kind, "due": due, "breached": breached, "breach_rate": rate(breached, due)}
            for kind, (due, breached) in sorted(per_kind.items())
        ]


def _breakdown(cases: QuerySet[Complaint], field: str) -> list[dict[str, Any]]:
    rows = list(
        cases.order_by()
        .values(field)
        .annotate(count=Count("id"))
        .order_by("-count", field)
        .values_list(field, "count")
    )
    total = sum(count for _code, count in rows)
    return [{"code": code, "count": count, "share": rate(count, total)} for code, count in rows]


@_aggregating()
def trend(*, dealer: Dealer, period: Period, by: str) -> list[dict[str, Any]]:
    """Cases received per week (from Monday) or month, in the dealer's time zone; buckets
    without cases are listed with zeros."""
    tz = dealer.tzinfo
    truncate = TruncWeek if by == "week" else TruncMonth
    rows = {
        bucket.date() if isinstance(bucket, datetime) else bucket: row
        for bucket, *row in period_cases(dealer=dealer, period=period)
        .annotate(bucket=truncate("created_at", tzinfo=tz))
        .order_by()
        .values("bucket")
        .annotate(
            n=Count("id"),
            safety=Count("id", filter=Q(is_safety_related=True)),
            serious=Count("id", filter=Q(severity=Severity.SERIOUS)),
            closed=Count("id", filter=Q(state=State.CLOSED)),
        )
        .values_list("bucket", "n", "safety", "serious", "closed")
    }
    result = []
    for bucket in _buckets(period, by):
        n, safety, serious, closed = rows.get(bucket, (0, 0, 0, 0))
        result.append(
            {
                "start": bucket,
                "cases": n,
                "safety": safety,
                "serious": serious,
                "closed": closed,
            }
        )
    return result


def _buckets(period: Period, by: str) -> list[date]:
    if by == "week":
        first = period.start - timedelta(days=period.start.weekday())
        count = (period.end - first).days // 7 + 1
        return [first + timedelta(weeks=n) for n in range(count)]
    buckets, month = [], period.start.replace(day=1)
    while month <= period.end:
        buckets.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return buckets


def advisor_figures(
    *, dealer: Dealer, period: Period, groups: PeriodGroups | None = None
) -> list[dict[str, Any]]:
    """Per assignee: cases received in the period, deadlines due in it met on time, and
    follow-up contacts in it that found the customer satisfied (004's basis for training
    and incentives)."""
    groups = groups or PeriodGroups.of(dealer=dealer, period=period)
    handled = dict(
        period_cases(dealer=dealer, period=period)
        .filter(assignee__isnull=False)
        .order_by()
        .values("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    deadlines: dict[int, tuple[int, int]] = {}
    for _kind, assignee, due, breached in groups.deadlines:
        if assignee is not None:
            before = deadlines.get(assignee, (0, 0))
            deadlines[assignee] = (before[0] + due, before[1] + breached)
    contacts = {
        assignee: (reached, satisfied)
        for assignee, reached, satisfied in groups.contacts
        if assignee is not None
    }
    ids = set(handled) | set(deadlines) | set(contacts)
    users = get_user_model().objects.filter(pk__in=sorted(ids)).order_by("username")
    result = []
    for user in users:
        due, breached = deadlines.get(user.pk, (0, 0))
        reached, satisfied = contacts.get(user.pk, (0, 0))
        result.append(
            {
                "user_id": user.pk,
                "name": user.get_full_name() or user.get_username(),
                "cases": handled.get(user.pk, 0),
                "deadlines_due": due,
                "deadlines_on_time": due - breached,
                "on_time_rate": rate(due - breached, due),
                "contacts_reached": reached,
                "contacts_satisfied": satisfied,
                "satisfaction_rate": rate(satisfied, reached),
            }
        )
    return result


def root_cause_pareto(*, dealer: Dealer, period: Period) -> list[dict[str, Any]]:
    """Reviewed cases received in the period per root-cause category, most frequent first,
    with the cumulative share (a Pareto chart: the few causes behind most complaints)."""
    since, until = period.bounds(dealer.tzinfo)
    rows = list(
        CaseReview.objects.unscoped(reason=ESCAPE)
        .filter(
            complaint__dealer=dealer,
            complaint__created_at__gte=since,
            complaint__created_at__lt=until,
        )
        .order_by()
        .values("root_cause_category__code", "root_cause_category__label")
        .annotate(count=Count("id"))
        .order_by("-count", "root_cause_category__code")
        .values_list("root_cause_category__code", "root_cause_category__label", "count")
    )
    total = sum(count for *_names, count in rows)
    result, running = [], 0
    for code, label, count in rows:
        running += count
        result.append(
            {
                "code": code,
                "label": root_cause_label(code, label),
                "count": count,
                "share": rate(count, total),
                "cumulative_share": rate(running, total),
            }
        )
    return result


def root_cause_label(code: str, label: str) -> str:
    """A default category is named in the reader's language; a dealer's own by its label."""
    if not label and code in DefaultRootCause.values:
        return str(DefaultRootCause(code).label)
    return label or code


def corrective_actions(*, dealer: Dealer, period: Period) -> dict[str, Any]:
    """The dealer's corrective actions open now (and how many are past due), those agreed
    in the period, and the results of the checks made in the period (PDCA's Check)."""
    since, until = period.bounds(dealer.tzinfo)
    now = timezone.now()
    checked = Q(checked_at__gte=since, checked_at__lt=until)
    row = (
        CorrectiveAction.objects.unscoped(reason=ESCAPE)
        .filter(dealer=dealer)
        .aggregate(
            open=Count("id", filter=Q(state=ActionState.OPEN)),
            overdue=Count("id", filter=Q(state=ActionState.OPEN, due_at__lt=now)),
            agreed=Count("id", filter=Q(created_at__gte=since, created_at__lt=until)),
            **{
                result: Count("id", filter=checked & Q(check_result=result))
                for result in CheckResult.values
            },
        )
    )
    checks = sum(row[result] for result in CheckResult.values)
    return {
        "open": row["open"],
        "overdue": row["overdue"],
        "agreed": row["agreed"],
        "checks": [
            {"code": result, "count": row[result], "share": rate(row[result], checks)}
            for result in CheckResult.values
        ],
    }


@_aggregating()
def dealer_figures(
    *, dealer: Dealer, period: Period, by: str, with_advisors: bool
) -> dict[str, Any]:
    """Every figure of the dealer for the period, with the previous period's headline
    figures for comparison."""
    cases = period_cases(dealer=dealer, period=period)
    previous = period.previous()
    groups, previous_groups = PeriodGroups.of_periods(dealer=dealer, periods=[period, previous])
    figures: dict[str, Any] = {
        "dealer": {"code": dealer.code, "name": dealer.name, "currency": dealer.currency},
        "period": {"start": period.start, "end": period.end},
        "previous_period": {"start": previous.start, "end": previous.end},
        "by": by,
        "summary": case_summary(dealer=dealer, period=period, groups=groups),
        "previous": case_summary(dealer=dealer, period=previous, groups=previous_groups),
        "by_channel": _breakdown(cases, "channel"),
        "by_category": _breakdown(cases, "category"),
        "by_component": _breakdown(cases, "component"),
        "responsibility": _breakdown(cases, "responsibility"),
        "deadlines": groups.deadline_rows(),
        "root_causes": root_cause_pareto(dealer=dealer, period=period),
        "corrective_actions": corrective_actions(dealer=dealer, period=period),
        "trend": trend(dealer=dealer, period=period, by=by),
        "advisors": (
            advisor_figures(dealer=dealer, period=period, groups=groups) if with_advisors else None
        ),
    }
    return figures


def open_cases_per_state(*, dealer: Dealer) -> dict[str, int]:
    """How many of the dealer's cases are in each state now (the overview's snapshot)."""
    return dict(
        Complaint.objects.unscoped(reason=ESCAPE)
        .filter(dealer=dealer)
        .order_by()
        .values("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )


CASE_FILTERS = ("channel", "category", "component", "severity", "state", "safety")


def filtered_cases(
    *, actor: Any, dealer: Dealer, period: Period, filters: dict[str, str]
) -> QuerySet[Complaint]:
    """The cases received in the period that the actor may open, narrowed by the list's
    filters: regional staff get the serious and safety-related ones, as everywhere."""
    since, until = period.bounds(dealer.tzinfo)
    queryset = scoped(Complaint, actor).filter(
        dealer=dealer, created_at__gte=since, created_at__lt=until
    )
    for name in ("channel", "category", "component", "severity", "state"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("safety"):
        queryset = queryset.filter(is_safety_related=True)
    return queryset.order_by("created_at", "id")
