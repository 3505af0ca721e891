"""The generated network every benchmark reads: generated once (or found) per database.

`ensure()` generates BENCH_CASES cases (default 1,000,000) with complaints.loadgen, or
reuses those an earlier run left; `people()` names the dealer, advisor, manager and regional
user the benchmarks act as: the first dealer of the first region, the region of 200 dealers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from bench import setting

DEFAULT_CASES = 1_000_000


def cases() -> int:
    return setting("BENCH_CASES", DEFAULT_CASES)


@cache
def ensure() -> Any:
    """The generated network's report (generated now, or reused)."""
    from complaints.loadgen import Plan, generate

    raw = os.environ.get("BENCH_OPEN_DEADLINES", "")
    open_deadlines = setting("BENCH_OPEN_DEADLINES", 1) if raw else None
    report = generate(
        Plan(cases=cases(), open_deadlines=open_deadlines),
        log=lambda line: print(f"   generate_load: {line}", flush=True),
    )
    for line in report.lines():
        print(f"   {line}", flush=True)
    return report


@dataclass(frozen=True)
class People:
    dealer: Any
    region: Any
    advisor: Any
    manager: Any
    regional: Any
    region_dealers: int


@cache
def people() -> People:
    from complaints.loadgen import DEALER_PREFIX, REGION_PREFIX
    from core.scoping import unscoped
    from dealers.models import Dealer, Membership, Region

    with unscoped("bench"):
        region = Region.objects.get(code=f"{REGION_PREFIX}1")
        dealer = Dealer.objects.get(code=f"{DEALER_PREFIX}00001")
        members = Membership.objects.select_related("user")
        advisor = members.filter(dealer=dealer, role="advisor").order_by("user_id")[0].user
        manager = members.filter(dealer=dealer, role="manager").get().user
        regional = members.filter(region=region, role="regional").get().user
        region_dealers = Dealer.objects.filter(region=region).count()
    return People(dealer, region, advisor, manager, regional, region_dealers)
