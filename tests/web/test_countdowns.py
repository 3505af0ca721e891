"""Countdowns as the pages render them: the words of the moment, and the due time and the
server's clock in machine-readable form for the script that keeps them ticking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from complaints.templatetags.desk import countdown
from followups.deadlines import deadline_open

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "english", "chinese"),
    [
        (timedelta(minutes=9, seconds=59), "in 9 min", "剩余 9 分钟"),
        (timedelta(hours=1, minutes=20), "in 1 h 20 min", "剩余 1 小时 20 分钟"),
        (timedelta(days=2, hours=3), "in 2 d 3 h", "剩余 2 天 3 小时"),
        (-timedelta(minutes=3, seconds=5), "3 min overdue", "已超时 3 分钟"),
    ],
)
def test_a_countdown_says_the_time_left_and_carries_the_due_time(offset, english, chinese):
    with time_machine.travel(NOW, tick=False):
        with translation.override("en"):
            html = countdown(NOW + offset)
        with translation.override("zh-hans"):
            assert f">{chinese}</span>" in countdown(NOW + offset)
    assert f">{english}</span>" in html
    assert f'data-due="{(NOW + offset).isoformat(timespec="milliseconds")}"' in html
    assert 'data-now="2026-03-02T09:00:00.000+00:00"' in html
    assert ("is-breached" in html) is (offset < timedelta(0))


def test_the_cases_list_renders_a_ticking_countdown(client, alice, make_complaint):
    complaint = make_complaint(alice)
    with time_machine.travel(NOW, tick=False):
        deadline_open(
            complaint=complaint,
            kind="commitment",
            due_at=NOW + timedelta(minutes=9, seconds=30),
            rule="promise",
        )
        client.force_login(alice.advisor)
        alice.advisor.language = "zh-hans"
        alice.advisor.save(update_fields=["language"])
        page = client.get(reverse("home")).content.decode()
    assert (
        '<span class="countdown" data-due="2026-03-02T09:09:30.000+00:00" '
        'data-now="2026-03-02T09:00:00.000+00:00">剩余 9 分钟</span>'
    ) in page
    assert "js/countdown." in page
