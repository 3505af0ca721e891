"""Every figure of the known data set (see conftest.py), worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from analytics.period import Period, parse_period
from analytics.selectors import case_summary, dealer_figures
from core.exceptions import ValidationFailed

from .conftest import PERIOD

pytestmark = pytest.mark.django_db


def figures(known, *, by="week", with_advisors=True):
    return dealer_figures(
        dealer=known.staff.dealer, period=PERIOD, by=by, with_advisors=with_advisors
    )


def test_period_bounds_are_local_midnights_of_the_dealer(known):
    since, until = PERIOD.bounds(known.staff.dealer.tzinfo)
    assert since.isoformat() == "2026-06-01T00:00:00+08:00"
    assert until.isoformat() == "2026-06-11T00:00:00+08:00"
    assert PERIOD.previous() == Period(date(2026, 5, 22), date(2026, 5, 31))


def test_volume_counts_the_cases_received_in_the_period_in_the_dealers_time_zone(known):
    summary = figures(known)["summary"]
    # c1 (1 June 00:00), c2 (10 June 23:59), c5, c6, c7; not c3 (11 June 00:00) nor c4
    # (31 May 23:59), though both lie inside the period in UTC terms or next to it.
    assert summary["cases"] == 5


def test_previous_period_is_the_same_length_just_before(known):
    assert figures(known)["previous"]["cases"] == 1  # c4 alone


def test_volume_by_channel_category_and_component(known):
    result = figures(known)
    assert [(r["code"], r["count"]) for r in result["by_channel"]] == [("phone", 4), ("email", 1)]
    assert [(r["code"], r["count"]) for r in result["by_category"]] == [
        ("workmanship", 4),
        ("billing", 1),
    ]
    assert [(r["code"], r["count"]) for r in result["by_component"]] == [
        ("none", 3),
        ("brakes", 1),
        ("engine", 1),
    ]
    assert result["by_channel"][0]["share"] == pytest.approx(4 / 5)


def test_share_of_safety_and_serious_cases(known):
    summary = figures(known)["summary"]
    assert (summary["safety"], summary["serious"]) == (1, 1)
    assert summary["safety_share"] == pytest.approx(0.2)
    assert summary["serious_share"] == pytest.approx(0.2)


def test_responsibility_split_counts_undecided_cases_apart(known):
    split = [(r["code"], r["count"]) for r in figures(known)["responsibility"]]
    assert split == [("", 3), ("customer", 1), ("dealer", 1)]


def test_median_and_90th_percentile_times(known):
    summary = figures(known)["summary"]
    # First contact after 1, 3 and 5 hours: median 3; p90 = 3 + 0.8 * (5 - 3) = 4.6.
    assert summary["first_contact_median_hours"] == pytest.approx(3.0)
    assert summary["first_contact_p90_hours"] == pytest.approx(4.6)
    # Resolved (customer satisfied) after 10 and 30 hours: median 20, p90 10 + 0.9 * 20.
    assert summary["resolution_median_hours"] == pytest.approx(20.0)
    assert summary["resolution_p90_hours"] == pytest.approx(28.0)
    # Closed after 20 and 40 hours: median 30, p90 38.
    assert summary["closure_median_hours"] == pytest.approx(30.0)
    assert summary["closure_p90_hours"] == pytest.approx(38.0)


def test_deadline_breach_rate_by_kind_counts_deadlines_due_in_the_period(known):
    rows = [(r["kind"], r["due"], r["breached"]) for r in figures(known)["deadlines"]]
    # c3's deadline fell due at the period's end (excluded), c4's before it, c5's was
    # cancelled.
    assert rows == [("commitment", 1, 0), ("first_response", 1, 1), ("follow_up", 1, 0)]
    summary = figures(known)["summary"]
    assert (summary["deadlines_due"], summary["deadlines_breached"]) == (3, 1)
    assert summary["breach_rate"] == pytest.approx(1 / 3)


def test_follow_up_satisfaction_rate_counts_contacts_that_reached_the_customer(known):
    summary = figures(known)["summary"]
    assert (summary["contacts_reached"], summary["contacts_satisfied"]) == (3, 2)
    assert summary["satisfaction_rate"] == pytest.approx(2 / 3)


def test_reopen_rate_among_cases_that_reached_follow_up(known):
    summary = figures(known)["summary"]
    assert (summary["reached_follow_up"], summary["reopened"]) == (2, 1)
    assert summary["reopen_rate"] == pytest.approx(0.5)


def test_repeat_complaints_within_90_days_by_customer_or_vehicle(known):
    summary = figures(known)["summary"]
    # c5: c4's customer five days on; c7: c0's vehicle exactly 90 days on. c6's vehicle
    # last complained 90 days and a minute before: not a repeat.
    assert summary["repeat"] == 2
    assert summary["repeat_share"] == pytest.approx(0.4)


def test_goodwill_and_compensation_leave_out_withdrawn_cases(known):
    summary = figures(known)["summary"]
    assert summary["compensation_total"] == Decimal("150.50")
    assert summary["compensated_cases"] == 2


def test_complaints_per_thousand_repair_orders(known):
    summary = figures(known)["summary"]
    assert summary["repair_orders"] == 4
    assert summary["per_thousand_repair_orders"] == pytest.approx(1250.0)


def test_per_advisor_figures(known):
    rows = {r["user_id"]: r for r in figures(known)["advisors"]}
    advisor = rows[known.staff.advisor.pk]
    assert (advisor["cases"], advisor["deadlines_due"], advisor["deadlines_on_time"]) == (4, 3, 2)
    assert advisor["on_time_rate"] == pytest.approx(2 / 3)
    assert advisor["satisfaction_rate"] == pytest.approx(2 / 3)
    manager = rows[known.staff.manager.pk]
    assert (manager["cases"], manager["deadlines_due"], manager["contacts_reached"]) == (1, 0, 0)
    assert manager["on_time_rate"] is None
    assert manager["satisfaction_rate"] is None


def test_root_cause_pareto_orders_causes_with_their_cumulative_share(known):
    rows = [
        (r["label"], r["count"], round(r["cumulative_share"], 4))
        for r in figures(known)["root_causes"]
    ]
    # c4's review lies before the period.
    assert rows == [("Workmanship", 2, round(2 / 3, 4)), ("Tyre supplier late", 1, 1.0)]


def test_corrective_actions_open_now_and_checked_in_the_period(known):
    actions = figures(known)["corrective_actions"]
    assert (actions["open"], actions["overdue"], actions["agreed"]) == (2, 1, 3)
    checks = {r["code"]: r["count"] for r in actions["checks"]}
    assert checks == {"worked": 1, "not_done": 0, "did_not_work": 1}


def test_weekly_trend_buckets_in_the_dealers_time_zone(known):
    trend = [(r["start"], r["cases"], r["safety"]) for r in figures(known)["trend"]]
    # c7 came in on Sunday 7 June in UTC but Monday 8 June in Shanghai.
    assert trend == [(date(2026, 6, 1), 3, 1), (date(2026, 6, 8), 2, 0)]


def test_monthly_trend_lists_every_month_of_the_period(known):
    trend = [(r["start"], r["cases"]) for r in figures(known, by="month")["trend"]]
    assert trend == [(date(2026, 6, 1), 5)]


def test_empty_period_gives_zeros_and_no_rates(alice, now):
    summary = case_summary(dealer=alice.dealer, period=PERIOD)
    assert summary["cases"] == 0
    assert summary["safety_share"] is None
    assert summary["first_contact_median_hours"] is None
    assert summary["per_thousand_repair_orders"] is None


def test_period_defaults_to_the_last_30_days_in_the_dealers_time_zone(alice, now):
    period, by = parse_period({}, alice.dealer.tzinfo)
    assert (period.start, period.end, by) == (date(2026, 5, 17), date(2026, 6, 15), "week")


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-01"},
        {"start": "yesterday"},
        {"start": "2026-06-10", "end": "2026-06-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
        {"by": "day"},
    ],
)
def test_bad_periods_are_refused(alice, now, params):
    with pytest.raises(ValidationFailed):
        parse_period(params, alice.dealer.tzinfo)
