"""Shared fixtures: two dealers in two regions, each with an advisor, a manager, a second
manager and a regional user, plus a stranger who belongs nowhere and must see nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.scoping import allow_direct_reads_under
from dealers.models import Role

from .factories import (
    ComplaintFactory,
    CustomerFactory,
    DealerFactory,
    MembershipFactory,
    RegionFactory,
    UserFactory,
    VehicleFactory,
)

# The tests' own reads (set-up, assertions) need no scope; the application code they call is
# checked as always (config.settings.test makes an unscoped read there fail the test).
allow_direct_reads_under(Path(__file__).parent)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


def service_missing(reason: str) -> None:
    """Skip on a laptop without the service; fail in CI, where REQUIRE_SERVICES=1."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def database_url(settings_dict: dict) -> str:
    """The URL of a DATABASES entry, for a process the tests start (a worker, production
    settings): a TCP server's host and port, or the embedded server's socket folder."""
    from urllib.parse import quote

    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    host = settings_dict["HOST"] or ""
    if host.startswith("/"):
        where = quote(host, safe="")
    else:
        where = f"{host}:{settings_dict['PORT'] or 5432}"
    return f"postgres://{user}:{password}@{where}/{quote(settings_dict['NAME'], safe='')}"


@pytest.fixture
def postgres(transactional_db):
    """Real commits, for tests of concurrency and of what happens after a commit."""


@pytest.fixture
def postgres_db(db):
    """The database, inside the test's transaction (every test runs on PostgreSQL)."""


@dataclass
class DealerStaff:
    dealer: object
    advisor: object
    manager: object
    manager2: object
    regional: object


def _staff(code: str, region_code: str) -> DealerStaff:
    region = RegionFactory(code=region_code, name=f"Region {region_code}")
    dealer = DealerFactory(code=code, name=f"Dealer {code}", region=region)
    advisor = UserFactory(username=f"{code.lower()}_advisor")
    manager = UserFactory(username=f"{code.lower()}_manager")
    manager2 = UserFactory(username=f"{code.lower()}_manager2")
    regional = UserFactory(username=f"{code.lower()}_regional")
    MembershipFactory(user=advisor, dealer=dealer, role=Role.ADVISOR)
    MembershipFactory(user=manager, dealer=dealer, role=Role.MANAGER)
    MembershipFactory(user=manager2, dealer=dealer, role=Role.MANAGER)
    MembershipFactory(user=regional, dealer=None, region=region, role=Role.REGIONAL)
    return DealerStaff(dealer, advisor, manager, manager2, regional)


@pytest.fixture
def alice(db) -> DealerStaff:
    """Dealer SH01 in region EAST."""
    return _staff("SH01", "EAST")


@pytest.fixture
def bob(db) -> DealerStaff:
    """Dealer GZ02 in region SOUTH."""
    return _staff("GZ02", "SOUTH")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def make_complaint():
    def make(staff: DealerStaff, **kwargs):
        kwargs.setdefault("dealer", staff.dealer)
        kwargs.setdefault("assignee", staff.advisor)
        return ComplaintFactory(**kwargs)

    return make


@pytest.fixture
def customer(alice):
    return CustomerFactory(dealer=alice.dealer, name="Wang Fang", phone="13800138000")


@pytest.fixture
def vehicle(alice, customer):
    return VehicleFactory(dealer=alice.dealer, owner=customer)


@pytest.fixture(autouse=True)
def _no_language_left_behind():
    """A request through the test client activates its language in the thread and leaves it
    there; the next test starts from the site's language again."""
    from django.utils import translation

    yield
    translation.deactivate()
