"""The analytics page and its downloads: who may open them, and that they agree."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analytics.report import build_report
from complaints.choices import Severity
from tests.factories import DealerFactory

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-06-01", "end": "2026-06-10"}


def get(client, user, name="analytics", params=None, args=None):
    client.force_login(user)
    return client.get(reverse(name, args=args), params or PERIOD)


def report_tables(user, params=None):
    return {t.key: t for t in build_report(actor=user, params=params or PERIOD).tables()}


def page_cells(html: str, key: str) -> str:
    start = html.index(f'data-table="{key}"')
    return html[start : html.index("</table>", start)]


def test_manager_sees_the_dealers_figures_with_charts_and_tables(client, known):
    response = get(client, known.staff.manager)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="analytics-data"' in html
    assert 'data-chart="by_channel"' in html
    channels = page_cells(html, "by_channel")
    assert '<td class="text-end">4</td>' in channels  # phone
    assert '<td class="text-end">80.0</td>' in channels
    assert 'data-table="advisors"' in html


def test_page_has_no_inline_script(client, known):
    html = get(client, known.staff.manager).content.decode()
    assert "<script>" not in html
    assert '<script src="/static/js/analytics.js"' in html


def test_advisor_has_no_analytics(client, known):
    assert get(client, known.staff.advisor).status_code == 404
    assert get(client, known.staff.advisor, "analytics_xlsx").status_code == 404
    assert get(client, known.staff.advisor, "analytics_cases", args=["csv"]).status_code == 404


def test_stranger_has_no_analytics(client, known, stranger):
    assert get(client, stranger).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, known):
    response = client.get(reverse("analytics"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_other_dealers_manager_cannot_name_this_dealer(client, known, bob):
    assert get(client, bob.manager, params={**PERIOD, "dealer": "SH01"}).status_code == 404
    assert get(client, bob.regional, params={**PERIOD, "dealer": "SH01"}).status_code == 404
    csv_url_args = ["by_channel"]
    response = get(
        client,
        bob.manager,
        "analytics_table_csv",
        params={**PERIOD, "dealer": "SH01"},
        args=csv_url_args,
    )
    assert response.status_code == 404


def test_regional_staff_see_every_dealer_of_the_region_side_by_side(client, known):
    second = DealerFactory(code="SH09", name="Dealer SH09", region=known.staff.dealer.region)
    response = get(client, known.staff.regional)
    assert response.status_code == 200
    html = response.content.decode()
    side_by_side = page_cells(html, "dealers")
    assert "SH01 Dealer SH01" in side_by_side and "SH09 Dealer SH09" in side_by_side
    # Every case counts in the figures, though regional staff open only serious ones.
    assert '<td class="text-end">5</td>' in side_by_side
    # Per-advisor figures are for the dealer's managers.
    assert 'data-table="advisors"' not in html
    other = get(client, known.staff.regional, params={**PERIOD, "dealer": second.code})
    assert other.status_code == 200


def test_bad_period_is_a_clear_error(client, known):
    response = get(client, known.staff.manager, params={"start": "2026-06-10", "end": "2026-06-01"})
    assert response.status_code == 400
    assert "The end of the period lies before its start." in response.content.decode()
    export = get(client, known.staff.manager, "analytics_xlsx", params={"start": "June"})
    assert export.status_code == 400


def test_table_csv_matches_the_page(client, known):
    response = get(client, known.staff.manager, "analytics_table_csv", args=["by_channel"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Channel", "Cases", "Share (%)"],
        ["Phone", "4", "80.0"],
        ["E-mail", "1", "20.0"],
    ]


def test_unknown_table_is_not_found(client, known):
    response = get(client, known.staff.manager, "analytics_table_csv", args=["nothing"])
    assert response.status_code == 404


def test_workbook_holds_every_table_of_the_page(client, known):
    response = get(client, known.staff.manager, "analytics_xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    tables = report_tables(known.staff.manager)
    assert workbook.sheetnames == list(tables)
    for key, table in tables.items():
        sheet = workbook[key]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0][0] == table.title
        assert rows[1] == table.columns
        expected = [[float(c) if isinstance(c, Decimal) else c for c in row] for row in table.rows]
        assert [[float(c) if isinstance(c, Decimal) else c for c in r] for r in rows[2:]] == (
            expected
        )
    summary = {row[0]: row[1] for row in workbook["summary"].iter_rows(values_only=True)}
    assert summary["Cases received"] == 5
    assert summary["Median hours to first contact"] == 3.0
    assert summary["Goodwill and compensation"] == 150.5
    assert summary["Complaints per 1,000 repair orders"] == 1250.0


def test_case_list_exports_the_periods_cases(client, known):
    response = get(client, known.staff.manager, "analytics_cases", args=["csv"])
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = [known.cases[name].reference for name in ("c1", "c5", "c6", "c7", "c2")]
    assert [row["Reference"] for row in rows] == expected
    assert rows[0]["Received"] == "2026-06-01 00:00"
    assert rows[0]["Hours to first contact"] == "1.0"
    workbook = load_workbook(
        io.BytesIO(get(client, known.staff.manager, "analytics_cases", args=["xlsx"]).content)
    )
    sheet_rows = list(workbook["cases"].iter_rows(values_only=True))
    assert [row[0] for row in sheet_rows[2:]] == expected


def test_case_list_filters_and_regional_scope(client, known):
    safety = get(
        client,
        known.staff.manager,
        "analytics_cases",
        params={**PERIOD, "safety": "1"},
        args=["csv"],
    )
    rows = list(csv.DictReader(io.StringIO(safety.content.decode("utf-8-sig"))))
    assert [row["Reference"] for row in rows] == [known.cases["c1"].reference]
    regional = get(client, known.staff.regional, "analytics_cases", args=["csv"])
    rows = list(csv.DictReader(io.StringIO(regional.content.decode("utf-8-sig"))))
    # Regional staff open the serious and safety-related cases only.
    assert [row["Reference"] for row in rows] == [known.cases["c1"].reference]
    assert known.cases["c1"].severity == Severity.SERIOUS


def test_csv_cells_cannot_run_as_formulas(client, known):
    known.staff.advisor.first_name, known.staff.advisor.last_name = "=cmd", ""
    known.staff.advisor.save()
    response = get(client, known.staff.manager, "analytics_table_csv", args=["advisors"])
    assert "'=cmd" in response.content.decode("utf-8-sig")


def test_dealer_overview_takes_its_times_and_trend_from_analytics(client, known):
    client.force_login(known.staff.manager)
    response = client.get(reverse("dealer_overview"))
    assert response.status_code == 200
    html = response.content.decode()
    # The last 30 days to 15 June: first contact after 1, 3 and 5 hours, closure after 20
    # and 40 hours (the same cases as the analytics page's).
    assert 'data-kpi="first-response">3.0 h<' in html
    assert 'data-kpi="closure">30.0 h<' in html
    # Weeks from Monday 11 May to Monday 15 June: c4 on 31 May, c1, c5 and c6 in the first
    # week of June, c7, c2 and c3 in the second.
    assert response.context["chart"]["trend"]["values"] == [0, 0, 1, 3, 3, 0]
    assert reverse("analytics") in html


def test_page_reads_in_chinese(client, known):
    client.force_login(known.staff.manager)
    response = client.get(reverse("analytics"), PERIOD, headers={"accept-language": "zh-hans"})
    html = response.content.decode()
    assert "统计分析" in html
    assert "按渠道统计投诉" in html
    assert "首次联系时长中位数（小时）" in html


def test_every_tables_csv_matches_what_the_page_prints(client, known):
    from analytics.templatetags.analytics_tags import cell

    html = get(client, known.staff.manager).content.decode()
    for key, table in report_tables(known.staff.manager).items():
        response = get(client, known.staff.manager, "analytics_table_csv", args=[key])
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == table.columns, key
        printed = page_cells(html, key)
        assert len(rows) == len(table.rows) + 1, key
        for csv_row, row in zip(rows[1:], table.rows, strict=True):
            for text, value in zip(csv_row, row, strict=True):
                shown = cell(value)
                # The CSV holds the number, the page the same number as printed.
                assert text == ("" if value is None else str(value)), (key, text, value)
                assert f">{shown}<" in printed, (key, shown)
