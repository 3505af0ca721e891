"""The demo's history gives analytics real shapes: no "0.0 hours" on a newcomer's first look."""

from __future__ import annotations

import pytest

from analytics.demo import CASES_PER_DEALER, seed_history
from analytics.period import default_period
from analytics.selectors import dealer_figures
from complaints.demo.seed import CaseSeedContext
from complaints.models import Complaint


@pytest.mark.django_db
def test_demo_history_gives_real_figures_for_the_last_30_days(alice):
    ctx = CaseSeedContext(write=lambda text: None)
    dealer = alice.dealer
    ctx.dealers = {dealer.code: dealer}
    ctx.staff = {
        dealer.code: {
            "advisor": alice.advisor,
            "manager": alice.manager,
            "manager2": alice.manager2,
        }
    }
    seed_history(ctx)
    figures = dealer_figures(
        dealer=dealer, period=default_period(dealer.tzinfo), by="week", with_advisors=True
    )
    summary = figures["summary"]
    assert summary["cases"] > 20
    for name in (
        "first_contact_median_hours",
        "first_contact_p90_hours",
        "resolution_median_hours",
        "closure_median_hours",
        "closure_p90_hours",
    ):
        assert summary[name] is not None and summary[name] > 0.5, name
    # First contact within hours, closure within days.
    assert summary["first_contact_median_hours"] < 12
    assert 24 < summary["closure_median_hours"] < 24 * 20
    assert 0 < summary["breach_rate"] < 0.5
    assert 0.5 < summary["satisfaction_rate"] < 1
    assert summary["reopened"] > 0 and summary["repeat"] > 0
    assert summary["compensation_total"] > 0
    assert 5 < summary["per_thousand_repair_orders"] < 100
    assert figures["root_causes"] and figures["corrective_actions"]["checks"][0]["count"] > 0
    assert figures["previous"]["cases"] > 20
    assert sum(1 for week in figures["trend"] if week["cases"]) >= 4
    assert len(figures["advisors"]) == 3

    # A second run leaves the history as it is.
    seed_history(ctx)
    assert Complaint.objects.filter(dealer=dealer).count() == CASES_PER_DEALER["SH01"]
