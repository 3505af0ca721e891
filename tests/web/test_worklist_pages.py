"""The cases list read a page at a time: the same cases in the same order as the whole list,
and a first page whose cost does not grow with the dealer's open cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.choices import State
from complaints.selectors import complaint_worklist, complaint_worklist_pages
from followups.choices import DeadlineKind
from followups.models import Deadline

pytestmark = pytest.mark.django_db


def deadline(complaint, due_at, *, kind=DeadlineKind.COMMITMENT, **fields):
    return Deadline.objects.create(
        complaint=complaint, dealer=complaint.dealer, kind=kind, due_at=due_at, **fields
    )


@pytest.fixture
def mixed_cases(alice, make_complaint):
    """Cases with one or several open deadlines, deadlines due at the same moment, an
    earlier deadline already met or cancelled, closed cases with an open deadline, and
    cases without any open deadline."""
    now = timezone.now()
    cases = []
    for index in range(14):
        complaint = make_complaint(alice)
        # Every third case shares its due time with another.
        due_at = now + timedelta(hours=index // 3)
        if index % 5 == 0:
            deadline(complaint, now - timedelta(days=3), satisfied_at=now)
        if index % 5 == 1:
            deadline(complaint, now - timedelta(days=2), cancelled_at=now)
        deadline(complaint, due_at)
        if index % 4 == 0:
            deadline(complaint, due_at + timedelta(minutes=5))
        if index % 7 == 0:
            # Two open deadlines of one case due at the same moment: listed once.
            deadline(complaint, due_at, kind=DeadlineKind.FOLLOW_UP)
        cases.append(complaint)
    for state in (State.CLOSED, State.WITHDRAWN):
        deadline(make_complaint(alice, state=state), now - timedelta(days=9))
    for _ in range(8):
        complaint = make_complaint(alice)
        deadline(complaint, now - timedelta(days=5), satisfied_at=now)
        cases.append(complaint)
    cases.append(make_complaint(alice))
    return cases


@pytest.mark.parametrize("size", [1, 3, 4, 25])
@pytest.mark.parametrize("filters", [{"open": True}, {"open": False}])
def test_pages_list_the_worklist_in_its_order(alice, mixed_cases, size, filters):
    expected = list(complaint_worklist(actor=alice.manager, dealer=alice.dealer, filters=filters))
    pages = complaint_worklist_pages(actor=alice.manager, dealer=alice.dealer, filters=filters)
    assert pages.count() == len(expected)
    listed = []
    for start in range(0, len(expected) + size, size):
        listed += pages[start : start + size]
    assert [c.reference for c in listed] == [c.reference for c in expected]
    assert [c.next_due_at for c in listed] == [c.next_due_at for c in expected]


def test_a_page_past_the_cases_with_deadlines_lists_the_others_newest_first(alice, mixed_cases):
    expected = list(complaint_worklist(actor=alice.manager, dealer=alice.dealer))
    pages = complaint_worklist_pages(actor=alice.manager, dealer=alice.dealer)
    assert [c.reference for c in pages[20:24]] == [c.reference for c in expected[20:24]]
    assert all(c.next_due_at is None for c in pages[20:24])
    assert pages[len(expected) : len(expected) + 5] == []


def test_pages_keep_to_the_advisors_own_cases(alice, mixed_cases, make_complaint):
    other = make_complaint(alice, assignee=alice.manager)
    deadline(other, timezone.now() - timedelta(days=30))
    filters = {"open": True, "assignee": alice.advisor.pk}
    pages = complaint_worklist_pages(actor=alice.advisor, dealer=alice.dealer, filters=filters)
    listed = pages[0:100]
    assert other not in listed
    expected = complaint_worklist(actor=alice.advisor, dealer=alice.dealer, filters=filters)
    assert listed == list(expected)


def test_pages_show_nothing_of_another_dealer(alice, bob, mixed_cases):
    pages = complaint_worklist_pages(actor=bob.manager, dealer=alice.dealer)
    assert pages.count() == 0
    assert pages[0:25] == []


def home_queries(client, user, page="1"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"), {"page": page})
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("role", ["manager", "advisor"])
def test_home_page_costs_the_same_queries_however_many_open_cases(
    client, alice, make_complaint, role
):
    user = getattr(alice, role)
    client.force_login(user)
    now = timezone.now()

    def add_cases(count):
        for index in range(count):
            complaint = make_complaint(alice)
            deadline(complaint, now + timedelta(hours=index))

    add_cases(30)
    home_queries(client, user)  # the first request fills the per-user caches
    few, body = home_queries(client, user)
    assert "Page 1 of 2" in body
    add_cases(60)
    many, body = home_queries(client, user)
    assert "Page 1 of 4" in body
    assert many == few
    assert home_queries(client, user, page="4")[0] == few


def test_the_worklist_read_whole_or_by_position_keeps_its_order(alice, mixed_cases):
    expected = list(complaint_worklist(actor=alice.manager, dealer=alice.dealer))
    pages = complaint_worklist_pages(actor=alice.manager, dealer=alice.dealer)
    assert len(pages) == len(expected)
    assert list(pages) == expected
    assert pages[0] == expected[0]
    assert pages[len(expected) - 1] == expected[-1]
    with pytest.raises(IndexError):
        pages[len(expected)]
