from __future__ import annotations

import pytest

from dealers.models import Role

from ..evidence.conftest import evidence_folder  # noqa: F401 - files stay in the test's folder
from ..factories import MembershipFactory, UserFactory


@pytest.fixture
def technician(alice):
    user = UserFactory(username="sh01_technician", first_name="Li", last_name="Gong")
    MembershipFactory(user=user, dealer=alice.dealer, role=Role.TECHNICIAN)
    return user


@pytest.fixture
def bob_technician(bob):
    user = UserFactory(username="gz02_technician")
    MembershipFactory(user=user, dealer=bob.dealer, role=Role.TECHNICIAN)
    return user
