"""The figures as tables with labels in the reader's language: what the page shows beside
its charts, and exactly what the CSV and Excel exports contain.

Cells are numbers where the figure is a number (shares in per cent and hours, both rounded
to one decimal, as the page prints them), text otherwise, None where there is nothing to
show (no case to divide by).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.choices import Category, Channel, Component, Responsibility, Severity, State
from complaints.models import Complaint
from followups.choices import DeadlineKind
from learning.choices import CheckResult

from .aggregates import Hours

type Cell = str | int | float | Decimal | None


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _label(choices: Any, code: str, empty: str = "") -> str:
    if not code:
        return empty
    try:
        return str(choices(code).label)
    except ValueError:
        return code


TABLE_TITLES = {
    "summary": gettext_lazy("Headline figures"),
    "dealers": gettext_lazy("Dealers side by side"),
    "trend": gettext_lazy("Cases received over time"),
    "by_channel": gettext_lazy("Cases by channel"),
    "by_category": gettext_lazy("Cases by category"),
    "by_component": gettext_lazy("Cases by component"),
    "responsibility": gettext_lazy("Responsibility"),
    "root_causes": gettext_lazy("Root causes (Pareto)"),
    "deadlines": gettext_lazy("Deadlines missed by kind"),
    "corrective_actions": gettext_lazy("Corrective actions"),
    "advisors": gettext_lazy("Per advisor"),
}


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, Cell]]:
    """(label, value) for each headline figure."""
    return [
        (_("Cases received"), summary["cases"]),
        (_("Safety-related share (%)"), percent(summary["safety_share"])),
        (_("Serious share (%)"), percent(summary["serious_share"])),
        (_("Repeat complaints (90 days)"), summary["repeat"]),
        (_("Repeat share (%)"), percent(summary["repeat_share"])),
        (_("Reopen rate (%)"), percent(summary["reopen_rate"])),
        (_("Median hours to first contact"), hours(summary["first_contact_median_hours"])),
        (_("90th percentile hours to first contact"), hours(summary["first_contact_p90_hours"])),
        (_("Median hours to resolution"), hours(summary["resolution_median_hours"])),
        (_("90th percentile hours to resolution"), hours(summary["resolution_p90_hours"])),
        (_("Median hours to closure"), hours(summary["closure_median_hours"])),
        (_("90th percentile hours to closure"), hours(summary["closure_p90_hours"])),
        (_("Deadline breach rate (%)"), percent(summary["breach_rate"])),
        (_("Follow-up satisfaction rate (%)"), percent(summary["satisfaction_rate"])),
        (_("Goodwill and compensation"), summary["compensation_total"]),
        (_("Cases with goodwill or compensation"), summary["compensated_cases"]),
        (_("Repair orders from the DMS"), summary["repair_orders"]),
        (_("Complaints per 1,000 repair orders"), summary["per_thousand_repair_orders"]),
    ]


def _breakdown(key: str, heading: str, rows: list[dict[str, Any]], choices: Any) -> Table:
    undecided = _("Not decided yet")
    return Table(
        key,
        str(TABLE_TITLES[key]),
        [heading, _("Cases"), _("Share (%)")],
        [[_label(choices, r["code"], undecided), r["count"], percent(r["share"])] for r in rows],
    )


def dealer_tables(figures: dict[str, Any]) -> list[Table]:
    """Every table of one dealer's figures, in the order the page shows them."""
    summary = Table(
        "summary",
        str(TABLE_TITLES["summary"]),
        [_("Figure"), _("This period"), _("Previous period")],
    )
    previous = summary_rows(figures["previous"])
    for (label, value), (_label_again, before) in zip(
        summary_rows(figures["summary"]), previous, strict=True
    ):
        summary.rows.append([label, value, before])
    trend = Table(
        "trend",
        str(TABLE_TITLES["trend"]),
        [
            _("Week starting") if figures["by"] == "week" else _("Month"),
            _("Cases"),
            _("Safety-related"),
            _("Serious"),
            _("Closed"),
        ],
        [
            [
                r["start"].isoformat() if figures["by"] == "week" else r["start"].strftime("%Y-%m"),
                r["cases"],
                r["safety"],
                r["serious"],
                r["closed"],
            ]
            for r in figures["trend"]
        ],
    )
    tables = [
        summary,
        trend,
        _breakdown("by_channel", _("Channel"), figures["by_channel"], Channel),
        _breakdown("by_category", _("Category"), figures["by_category"], Category),
        _breakdown("by_component", _("Component"), figures["by_component"], Component),
        _breakdown(
            "responsibility", _("Responsibility"), figures["responsibility"], Responsibility
        ),
        Table(
            "root_causes",
            str(TABLE_TITLES["root_causes"]),
            [_("Root cause"), _("Cases"), _("Share (%)"), _("Cumulative share (%)")],
            [
                [r["label"], r["count"], percent(r["share"]), percent(r["cumulative_share"])]
                for r in figures["root_causes"]
            ],
        ),
        Table(
            "deadlines",
            str(TABLE_TITLES["deadlines"]),
            [_("Deadline"), _("Fell due"), _("Missed"), _("Breach rate (%)")],
            [
                [
                    _label(DeadlineKind, r["kind"]),
                    r["due"],
                    r["breached"],
                    percent(r["breach_rate"]),
                ]
                for r in figures["deadlines"]
            ],
        ),
    ]
    actions = figures["corrective_actions"]
    action_table = Table(
        "corrective_actions",
        str(TABLE_TITLES["corrective_actions"]),
        [_("Figure"), _("Actions"), _("Share of checks (%)")],
        [
            [_("Open now"), actions["open"], None],
            [_("Open and past their due date"), actions["overdue"], None],
            [_("Agreed in the period"), actions["agreed"], None],
        ],
    )
    for row in actions["checks"]:
        action_table.rows.append(
            [
                _("Checked: %(result)s") % {"result": _label(CheckResult, row["code"])},
                row["count"],
                percent(row["share"]),
            ]
        )
    tables.append(action_table)
    if figures.get("advisors") is not None:
        tables.append(
            Table(
                "advisors",
                str(TABLE_TITLES["advisors"]),
                [
                    _("Advisor"),
                    _("Cases handled"),
                    _("Deadlines due"),
                    _("Met on time"),
                    _("On-time rate (%)"),
                    _("Customers reached"),
                    _("Satisfied"),
                    _("Satisfaction rate (%)"),
                ],
                [
                    [
                        r["name"],
                        r["cases"],
                        r["deadlines_due"],
                        r["deadlines_on_time"],
                        percent(r["on_time_rate"]),
                        r["contacts_reached"],
                        r["contacts_satisfied"],
                        percent(r["satisfaction_rate"]),
                    ]
                    for r in figures["advisors"]
                ],
            )
        )
    return tables


def dealers_table(rows: list[tuple[Any, dict[str, Any]]]) -> Table:
    """Regional staff's comparison: one line per dealer with its headline figures."""
    table = Table(
        "dealers",
        str(TABLE_TITLES["dealers"]),
        [_("Dealer")] + [label for label, _value in summary_rows(rows[0][1])] if rows else [],
    )
    for dealer, summary in rows:
        row: list[Cell] = [f"{dealer.code} {dealer.name}"]
        row.extend(value for _label_again, value in summary_rows(summary))
        table.rows.append(row)
    return table


def case_table(cases: QuerySet[Complaint], tz: Any) -> Table:
    """The filtered case list, one line per case (no customer's personal data)."""
    table = Table(
        "cases",
        _("Cases"),
        [
            _("Reference"),
            _("Received"),
            _("State"),
            _("Channel"),
            _("Category"),
            _("Component"),
            _("Severity"),
            _("Safety-related"),
            _("Responsibility"),
            _("Goodwill and compensation"),
            _("Assignee"),
            _("Hours to first contact"),
            _("Ended"),
        ],
    )
    rows = cases.annotate(first_contact_hours=Hours("created_at", "first_response_at")).values_list(
        "reference",
        "created_at",
        "state",
        "channel",
        "category",
        "component",
        "severity",
        "is_safety_related",
        "responsibility",
        "compensation_amount",
        "assignee__username",
        "first_contact_hours",
        "closed_at",
    )
    for row in rows.iterator(chunk_size=2000):
        (
            reference,
            created,
            state,
            channel,
            category,
            component,
            severity,
            safety,
            responsibility,
            amount,
            assignee,
            first_contact,
            closed,
        ) = row
        table.rows.append(
            [
                reference,
                _local(created, tz),
                _label(State, state),
                _label(Channel, channel),
                _label(Category, category),
                _label(Component, component),
                _label(Severity, severity),
                _("Yes") if safety else _("No"),
                _label(Responsibility, responsibility, _("Not decided yet")),
                amount,
                assignee or "",
                hours(first_contact),
                _local(closed, tz) if closed else "",
            ]
        )
    return table


def _local(value: datetime, tz: Any) -> str:
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M")
