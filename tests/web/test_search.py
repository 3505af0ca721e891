"""The cases list's search: what the advisor typed finds its case, closed or not, in the
customer's details and in the case's own words, in Chinese and English; phones are masked."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import selectors
from complaints.choices import State
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def search(client, user, term, **extra):
    client.force_login(user)
    response = client.get(reverse("home"), {"q": term, "filtered": "1", **extra})
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index('id="case-results"') :]


def test_a_closed_cases_exact_reference_finds_it_with_include_closed_off(
    client, alice, make_complaint
):
    closed = make_complaint(alice, state=State.CLOSED)
    other_closed = make_complaint(alice, state=State.CLOSED)
    body = search(client, alice.advisor, closed.reference)
    assert closed.reference in body
    assert other_closed.reference not in body
    # Typed in lower case, as a person on the phone reads it out.
    assert closed.reference in search(client, alice.advisor, closed.reference.lower())


def test_a_phone_number_finds_the_customers_closed_case(client, alice, make_complaint):
    customer = CustomerFactory(dealer=alice.dealer, phone="13912342007")
    closed = make_complaint(alice, customer=customer, state=State.CLOSED)
    body = search(client, alice.advisor, "139 1234 2007")
    assert closed.reference in body


def test_a_customers_full_name_finds_their_closed_case_but_part_of_it_does_not(
    client, alice, make_complaint
):
    customer = CustomerFactory(dealer=alice.dealer, name="王建国")
    closed = make_complaint(alice, customer=customer, state=State.CLOSED)
    open_case = make_complaint(alice, customer=customer, state=State.LISTENING)
    body = search(client, alice.advisor, "王建国")
    assert closed.reference in body and open_case.reference in body
    # Part of a name is not an exact match: closed cases stay behind "include closed".
    body = search(client, alice.advisor, "建国")
    assert open_case.reference in body
    assert closed.reference not in body
    assert closed.reference in search(client, alice.advisor, "建国", closed="on")


def test_a_substring_of_the_chinese_description_finds_the_case(client, alice, make_complaint):
    brakes = make_complaint(alice, description="客户反映刹车时有异响，保养后出现")
    other = make_complaint(alice, description="空调不制冷")
    for term in ("刹车", "刹车时有异响"):  # two characters (no trigram) and more
        body = search(client, alice.advisor, term)
        assert brakes.reference in body, term
        assert other.reference not in body, term


def test_the_root_cause_request_and_resolution_are_searched_in_both_languages(
    client, alice, make_complaint
):
    found = make_complaint(
        alice,
        state=State.FOLLOWING_UP,
        root_cause="刹车片安装不当",
        customer_request="Please refund the last service",
        agreed_resolution="New discs at no cost",
    )
    other = make_complaint(alice, state=State.FOLLOWING_UP, root_cause="冷媒泄漏")
    for term in ("片安装", "refund the LAST", "DISCS at no"):
        body = search(client, alice.advisor, term)
        assert found.reference in body, term
        assert other.reference not in body, term


def test_search_text_with_wildcards_matches_them_literally(client, alice, make_complaint):
    percent = make_complaint(alice, description="Charged 100% more than quoted")
    other = make_complaint(alice, description="Charged 100 yuan more than quoted")
    body = search(client, alice.advisor, "100%")
    assert percent.reference in body
    assert other.reference not in body


def test_search_never_reaches_another_dealers_cases(client, alice, bob, make_complaint):
    theirs = make_complaint(bob, description="刹车时有异响", state=State.CLOSED)
    body = search(client, alice.advisor, "刹车时有异响", closed="on")
    assert theirs.reference not in body
    assert theirs.reference not in search(client, alice.advisor, theirs.reference)
    assert theirs.reference not in search(client, alice.advisor, theirs.customer.phone)


def test_the_api_list_searches_the_cases_own_words(alice, make_complaint):
    brakes = make_complaint(alice, description="刹车时有异响")
    make_complaint(alice, description="空调不制冷")
    found = selectors.complaint_list(actor=alice.manager, filters={"q": "刹车"})
    assert [c.reference for c in found] == [brakes.reference]


def test_a_short_term_is_not_looked_up_through_the_trigram_index(alice):
    # One or two characters have no trigram: the searched text's expression (what the
    # trigram index is built on, each field in COALESCE) would make PostgreSQL read the
    # whole index for nothing.
    indexed = re.compile(r'COALESCE\("\w+"\."description"')

    def sql(term):
        filters = {"q": term, "open": True}
        queryset = selectors.complaint_worklist(
            actor=alice.manager, dealer=alice.dealer, filters=filters
        )
        return queryset.query.sql_with_params()[0]

    assert not indexed.search(sql("刹车"))
    assert indexed.search(sql("刹车片"))


def test_the_cases_lists_rows_are_read_without_jit_compiling(client, alice, make_complaint):
    # Ordered by each case's next deadline, a search finding thousands of cases is costed
    # high enough for PostgreSQL to spend seconds compiling a query that runs in a fraction.
    brakes = make_complaint(alice, description="刹车时有异响")
    client.force_login(alice.advisor)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"), {"q": "刹车", "filtered": "1"})
    assert brakes.reference in response.content.decode()
    statements = [query["sql"] for query in captured.captured_queries]
    rows = next(
        i
        for i, sql in enumerate(statements)
        if sql.startswith('SELECT "complaints_complaint"."id"') and "next_due_at" in sql
    )
    assert statements[rows - 1] == "SET LOCAL jit = off"


# --- phones masked in lists ----------------------------------------------------------


def test_the_case_list_masks_phones_and_the_case_page_shows_them_whole(
    client, alice, make_complaint
):
    customer = CustomerFactory(dealer=alice.dealer, phone="13912342007")
    complaint = make_complaint(alice, customer=customer)
    client.force_login(alice.advisor)
    body = client.get(reverse("home")).content.decode()
    assert complaint.reference in body
    assert "139****2007" in body
    assert "13912342007" not in body
    page = client.get(reverse("complaint_detail", args=[complaint.reference])).content.decode()
    assert "13912342007" in page


def test_the_intake_customer_search_masks_phones(client, alice):
    CustomerFactory(dealer=alice.dealer, name="Li Lei", phone="13912342007")
    client.force_login(alice.advisor)
    response = client.get(reverse("customer_search"), {"q": "Li Lei"})
    body = response.content.decode()
    assert "Li Lei" in body
    assert "139****2007" in body
    assert "13912342007" not in body
