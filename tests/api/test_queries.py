"""The case list and detail run a fixed number of SQL queries, whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.choices import State

pytestmark = pytest.mark.django_db


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("client_kind", ["key", "session"])
def test_list_queries_do_not_grow_with_page_size(api, client, alice, make_complaint, client_kind):
    for state in list(State) * 3:
        make_complaint(alice, state=state)
    if client_kind == "session":
        client.force_login(alice.manager)
        api = client

    small = queries_for(api, "/api/v1/complaints/", {"page_size": 2})
    large = queries_for(api, "/api/v1/complaints/", {"page_size": 30})

    assert small == large
    assert large <= 6


def test_detail_queries_are_few(api, alice, make_complaint):
    case = make_complaint(alice, state=State.RESOLVING)

    assert queries_for(api, f"/api/v1/complaints/{case.reference}/") <= 5
