"""The analytics page and its downloads (managers and regional staff; see analytics.access)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exceptions import NotFound, ValidationFailed
from core.replica import tolerates_lag
from web.shell import current_dealer

from .exports import CSV_TYPE, XLSX_TYPE, table_csv, tables_xlsx
from .report import Report, build_report
from .selectors import CASE_FILTERS, filtered_cases
from .tables import Table, case_table

# Which column of each table a chart draws, and how (the page's JS reads this).
CHARTS: dict[str, dict[str, Any]] = {
    "trend": {"type": "line", "columns": [1, 2, 3]},
    "dealers": {"type": "bar", "columns": [1]},
    "by_channel": {"type": "bar", "columns": [1]},
    "by_category": {"type": "bar", "columns": [1]},
    "by_component": {"type": "bar", "columns": [1]},
    "responsibility": {"type": "doughnut", "columns": [1]},
    "root_causes": {"type": "pareto", "columns": [1, 3]},
    "deadlines": {"type": "bar", "columns": [3]},
    "advisors": {"type": "bar", "columns": [4, 7]},
}


def _report(request: HttpRequest) -> Report:
    try:
        return build_report(
            actor=request.user, params=request.GET, preferred=current_dealer(request)
        )
    except NotFound as error:
        raise Http404 from error


def _chart_data(tables: list[Table]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for table in tables:
        spec = CHARTS.get(table.key)
        if spec is None or not table.rows:
            continue
        data[table.key] = {
            "type": spec["type"],
            "title": table.title,
            "labels": [str(row[0]) for row in table.rows],
            "datasets": [
                {
                    "label": table.columns[column],
                    "data": [row[column] for row in table.rows],
                }
                for column in spec["columns"]
            ],
        }
    return data


@login_required
@require_GET
@tolerates_lag()
def analytics_page(request: HttpRequest) -> HttpResponse:
    try:
        report = _report(request)
    except ValidationFailed as error:
        context = {"errors": error.field_errors, "params": request.GET}
        return render(request, "analytics/page.html", context, status=400)
    tables = report.tables()
    summary = report.figures["summary"]
    previous = report.figures["previous"]
    kpis = [
        (_("Cases received"), summary["cases"], previous["cases"], ""),
        (
            _("Median time to first contact"),
            summary["first_contact_median_hours"],
            previous["first_contact_median_hours"],
            "hours",
        ),
        (
            _("Median time to closure"),
            summary["closure_median_hours"],
            previous["closure_median_hours"],
            "hours",
        ),
        (_("Deadlines missed"), summary["breach_rate"], previous["breach_rate"], "percent"),
        (
            _("Satisfied at follow-up"),
            summary["satisfaction_rate"],
            previous["satisfaction_rate"],
            "percent",
        ),
        (
            _("Per 1,000 repair orders"),
            summary["per_thousand_repair_orders"],
            previous["per_thousand_repair_orders"],
            "",
        ),
    ]
    charts = _chart_data(tables)
    context = {
        "report": report,
        "tables": tables,
        "charts": charts,
        "chart_keys": set(charts),
        "kpis": kpis,
        "params": {
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
            "by": report.by,
            "dealer": report.dealer.code,
        },
        "query": request.GET.urlencode(),
    }
    return render(request, "analytics/page.html", context)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bad_request(error: ValidationFailed) -> HttpResponse:
    lines = [f"{name}: {text}" for name, texts in error.field_errors.items() for text in texts]
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


def _filename(report: Report, name: str, extension: str) -> str:
    return f"{report.dealer.code}-{name}-{report.period.start}-{report.period.end}.{extension}"


@login_required
@require_GET
@tolerates_lag()
def table_export(request: HttpRequest, key: str) -> HttpResponse:
    """One table of the page as CSV."""
    try:
        report = _report(request)
    except ValidationFailed as error:
        return _bad_request(error)
    for table in report.tables():
        if table.key == key:
            return _download(table_csv(table), CSV_TYPE, _filename(report, key, "csv"))
    raise Http404


@login_required
@require_GET
@tolerates_lag()
def workbook_export(request: HttpRequest) -> HttpResponse:
    """Every table of the page as one Excel workbook, a sheet per table."""
    try:
        report = _report(request)
    except ValidationFailed as error:
        return _bad_request(error)
    return _download(
        tables_xlsx(report.tables()), XLSX_TYPE, _filename(report, "analytics", "xlsx")
    )


@login_required
@require_GET
@tolerates_lag()
def case_export(request: HttpRequest, extension: str) -> HttpResponse:
    """The cases of the period (narrowed by the list's filters) as CSV or Excel."""
    try:
        report = _report(request)
    except ValidationFailed as error:
        return _bad_request(error)
    filters = {name: request.GET.get(name, "") for name in CASE_FILTERS}
    table = case_table(
        filtered_cases(
            actor=request.user, dealer=report.dealer, period=report.period, filters=filters
        ),
        report.dealer.tzinfo,
    )
    if extension == "csv":
        return _download(table_csv(table), CSV_TYPE, _filename(report, "cases", "csv"))
    return _download(tables_xlsx([table]), XLSX_TYPE, _filename(report, "cases", "xlsx"))
