"""API fixtures: one API key per dealer (alice's SH01, bob's GZ02) and clients using them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from integrations.models import DealerApiKey


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counters live in the cache, which outlives a test's database rollback.
    cache.clear()
    yield
    cache.clear()


def key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture
def alice_key(alice):
    api_key, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="SH01 DMS")
    api_key.raw = raw
    return api_key


@pytest.fixture
def bob_key(bob):
    api_key, raw = DealerApiKey.objects.create_key(dealer=bob.dealer, name="GZ02 DMS")
    api_key.raw = raw
    return api_key


@pytest.fixture
def api(alice_key) -> APIClient:
    """A DMS client of dealer SH01."""
    return key_client(alice_key.raw)


@pytest.fixture
def bob_api(bob_key) -> APIClient:
    """A DMS client of dealer GZ02."""
    return key_client(bob_key.raw)


@pytest.fixture
def new_case() -> dict:
    return {
        "customer": {
            "dms_id": "C-1001",
            "name": "王芳",
            "phone": "13800138000",
            "email": "wang@example.com",
            "preferred_channel": "phone",
        },
        "vehicle": {"vin": "LVSHCAMB7CE012345", "model": "Corolla", "plate": "沪A12345"},
        "channel": "phone",
        "category": "workmanship",
        "component": "brakes",
        "description": "刹车异响，上次保养后开始。",
        "customer_request": "免费修好",
    }
