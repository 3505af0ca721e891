"""The analytics page in a real browser: charts drawn beside their tables, a period chosen
in the form, and the Excel workbook downloaded and opened."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from complaints.choices import Channel
from complaints.models import Complaint

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_manager_reads_charts_tables_and_downloads_the_workbook(
    page, log_in, shoot, alice, make_complaint
):
    now = timezone.now()
    for days, channel in ((1, Channel.PHONE), (2, Channel.PHONE), (3, Channel.EMAIL)):
        complaint = make_complaint(
            alice, channel=channel, first_response_at=now - timedelta(days=days, hours=-2)
        )
        Complaint.objects.filter(pk=complaint.pk).update(created_at=now - timedelta(days=days))
    log_in(alice.manager)
    page.get_by_role("link", name="Analytics").click()
    expect(page.locator('canvas[data-chart="by_channel"]')).to_have_attribute("data-drawn", "true")
    expect(page.locator('canvas[data-chart="trend"]')).to_have_attribute("data-drawn", "true")
    channels = page.locator('table[data-table="by_channel"]')
    expect(channels.locator("tbody tr").first).to_contain_text("Phone")
    expect(channels.locator("tbody tr").first).to_contain_text("66.7")
    expect(page.locator('[data-kpi="2"]')).to_have_text("2.0 h")
    shoot("analytics-page")

    today = timezone.localdate(timezone=alice.dealer.tzinfo)
    page.fill("#id_start", (today - timedelta(days=1)).isoformat())
    page.fill("#id_end", today.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator('[data-kpi="1"]')).to_have_text("1")

    with page.expect_download() as download:
        page.get_by_role("link", name="All tables (Excel)").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    summary = {row[0]: row[1] for row in workbook["summary"].iter_rows(values_only=True)}
    assert summary["Cases received"] == 1
