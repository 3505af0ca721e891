"""The demo's history gives analytics real shapes: no "0.0 hours" on a newcomer's first look."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from analytics.period import default_period
from analytics.selectors import dealer_figures
from dealers.models import Dealer


@pytest.mark.django_db
def test_demo_data_gives_real_figures_for_the_last_30_days():
    call_command("seed_demo", stdout=StringIO())
    dealer = Dealer.objects.get(code="SH01")
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

    # A second run leaves the history as it is.
    count = dealer.complaints.count()
    call_command("seed_demo", stdout=StringIO())
    assert dealer.complaints.count() == count
