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


def test_the_case_people_are_read_by_id_not_joined(client, alice, make_complaint):
    """PostgreSQL's planning time grows with a join's tables: the case, its dealer, customer,
    vehicle and owner plan in about half a millisecond, three more users joined in about
    five. The co-owner, technician and technical lead are read in one more query instead."""
    technician = UserFactory(username="sh01_tech", first_name="Zhou", last_name="Gong")
    MembershipFactory(user=technician, dealer=alice.dealer, role=Role.TECHNICIAN)
    complaint = make_complaint(alice, state=State.RESOLVING)
    type(complaint).objects.unscoped(reason="test").filter(pk=complaint.pk).update(
        co_owner=alice.manager, technician=technician, technical_lead=alice.manager2
    )
    client.force_login(alice.advisor)
    client.get(f"/cases/{complaint.reference}/")

    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/cases/{complaint.reference}/")

    html = response.content.decode()
    assert f"<strong>{alice.manager}</strong>" in html  # the co-owner
    assert re.search(rf'<dd class="col-sm-8 technician">{technician}</dd>', html)
    assert str(alice.manager2) in html  # the technical lead
    sqls = [query["sql"] for query in captured]
    case_reads = [
        sql
        for sql in sqls
        if sql.startswith('SELECT "complaints_complaint"."id"') and '"reference" =' in sql
    ]
    assert len(case_reads) == 1
    assert case_reads[0].count(" JOIN ") <= 4
    people_reads = [sql for sql in sqls if sql.startswith('SELECT "core_user"') and " IN (" in sql]
    assert len(people_reads) == 1


@pytest.mark.parametrize("state", [State.RESOLVING, State.REVIEWING])
def test_an_open_case_reads_none_of_step_7s_tables(client, alice, make_complaint, state):
    # The review, its corrective actions, reflection reports and library entries are
    # written at the close or after it.
    complaint = make_complaint(alice, state=state)
    client.force_login(alice.manager)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/cases/{complaint.reference}/")

    assert response.status_code == 200
    read = " ".join(query["sql"] for query in captured)
    for table in ("learning_casereview", "learning_reflectionreport", "learning_librarycase"):
        assert table not in read
