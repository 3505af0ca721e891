"""The case page reads a fixed number of SQL queries, however long the case's timeline."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.choices import State
from complaints.services import complaint_add_note
from dealers.models import Role
from followups.services import contact_record

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_queries(client, complaint) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/cases/{complaint.reference}/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def options(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_name
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_queries_do_not_grow_with_the_timeline(client, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RESOLVING)
    client.force_login(alice.advisor)

    def add(number: int) -> None:
        complaint_add_note(complaint=complaint, actor=alice.advisor, comment=f"Note {number}")
        contact_record(
            complaint=complaint, actor=alice.advisor, channel="phone", outcome="satisfied"
        )

    add(0)
    client.get(f"/cases/{complaint.reference}/")  # the first request reads what is cached later
    short, _html = page_queries(client, complaint)
    for number in range(1, 12):
        add(number)
    long, html = page_queries(client, complaint)

    assert html.count("Note 11") == 1
    assert long == short
    assert long <= 21


def test_colleague_drop_downs_offer_the_dealer_people(client, alice, bob, make_complaint):
    technician = UserFactory(username="sh01_technician", first_name="Zhou")
    MembershipFactory(user=technician, dealer=alice.dealer, role=Role.TECHNICIAN)
    leaver = UserFactory(username="sh01_leaver", is_active=False)
    MembershipFactory(user=leaver, dealer=alice.dealer, role=Role.ADVISOR)
    MembershipFactory(user=alice.manager, dealer=bob.dealer, role=Role.MANAGER)
    complaint = make_complaint(alice, state=State.RESOLVING)
    client.force_login(alice.advisor)

    _count, html = page_queries(client, complaint)

    staff = sorted(
        [alice.advisor, alice.manager, alice.manager2],
        key=lambda u: (u.first_name, u.last_name, u.username),
    )
    assert options(html, "assignee") == ["", *(str(u.pk) for u in staff)]
    assert options(html, "technician") == ["", str(technician.pk)]
    lead = sorted([*staff, technician], key=lambda u: (u.first_name, u.last_name, u.username))
    assert options(html, "lead") == ["", *(str(u.pk) for u in lead)]
    selected = re.search(r'<select name="assignee".*?</select>', html, re.S).group(0)
    assert f'<option value="{alice.advisor.pk}" selected>' in selected
