"""The case library (专属档案): training cases shown masked, searchable, with required
reading, read receipts, and new staff given the required cases automatically (003)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.exceptions import PermissionDenied, ValidationFailed
from core.models import AuditEntry
from dealers.models import Role
from dealers.services import mask, membership_create
from learning import services
from learning.models import RequiredReading

from ..factories import CustomerFactory, UserFactory, VehicleFactory
from .conftest import review

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "Wang Fang", "13800138000", "wang.fang@example.com"
PLATE, VIN = "沪A12345", "LSVAU2180N2183456"
OTHER_PHONE = "13912345678"


@pytest.fixture
def personal_case(alice, close_case, clock):
    customer = CustomerFactory(dealer=alice.dealer, name=NAME, phone=PHONE, email=EMAIL)
    vehicle = VehicleFactory(dealer=alice.dealer, owner=customer, vin=VIN, plate=PLATE)
    lines = [
        {
            "cause": f"{NAME} was not called back on {PHONE}",
            "action": f"Call-back list; write to {EMAIL} the same day",
            "due": "2026-03-05",
        }
    ]
    return close_case(
        customer=customer,
        vehicle=vehicle,
        description=f"{NAME} ({PHONE}, {EMAIL}) says car {PLATE} / VIN {VIN} squeals; "
        f"her husband on {OTHER_PHONE} too",
        data=review(lines=lines, review_why=f"{NAME} waited three days"),
    )


@pytest.fixture
def training_case(alice, personal_case):
    return services.library_case_add(
        complaint=personal_case,
        actor=alice.manager,
        title=f"Brake noise of {NAME}",
        summary=f"Call {NAME} back the same day",
    )


def _assert_masked(body: str) -> None:
    for value in (NAME, PHONE, EMAIL, PLATE, VIN, OTHER_PHONE):
        assert value not in body, value
    assert mask(NAME) in body


def test_manager_marks_a_closed_case_as_training_case(alice, training_case, personal_case):
    assert training_case.complaint == personal_case
    assert AuditEntry.objects.filter(action="library.case_added").exists()
    assert personal_case.events.filter(kind="learning", payload__action="library_added").exists()


def test_only_closed_cases_by_managers_of_the_dealer_go_into_the_library(
    alice, bob, personal_case, make_complaint
):
    with pytest.raises(PermissionDenied):
        services.library_case_add(complaint=personal_case, actor=alice.advisor, title="x")
    open_case = make_complaint(alice, state="resolving")
    with pytest.raises(ValidationFailed):
        services.library_case_add(complaint=open_case, actor=alice.manager, title="x")
    from core.exceptions import NotFound

    with pytest.raises(NotFound):
        services.library_case_add(complaint=personal_case, actor=bob.manager, title="x")


@pytest.mark.parametrize("who", ["advisor", "manager", "regional"])
def test_the_library_list_and_case_are_masked_for_every_reader(client, alice, training_case, who):
    client.force_login(getattr(alice, who))
    listing = client.get(reverse("library"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Brake noise of" in body
    _assert_masked(body)
    detail = client.get(reverse("library_detail", args=[training_case.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "squeals" in body and "Call-back list" in body and "waited three days" in body
    _assert_masked(body)


def test_the_reading_pages_are_masked(client, alice, training_case):
    services.reading_assign(library_case=training_case, actor=alice.manager, users=[alice.advisor])
    client.force_login(alice.manager)
    _assert_masked(client.get(reverse("required_reading")).content.decode())
    client.force_login(alice.advisor)
    _assert_masked(client.get(reverse("required_reading")).content.decode())
    home = client.get(reverse("home")).content.decode()
    inbox = home.split("learning-inbox", 1)[1].split("</section>", 1)[0]
    assert "Brake noise of" in inbox
    _assert_masked(inbox)


def test_another_dealer_and_a_stranger_get_404(client, bob, stranger, training_case):
    for user in (bob.advisor, bob.manager, bob.regional, stranger):
        client.force_login(user)
        assert client.get(reverse("library_detail", args=[training_case.pk])).status_code == 404
        assert "Brake noise" not in client.get(reverse("library")).content.decode()


def test_the_library_is_searchable_by_its_classifications(
    client, alice, close_case, training_case, clock
):
    other = close_case(
        category="parts",
        component="electrical",
        severity="serious",
        data=review(root_cause_category="parts_supply", cause_lies_with="person"),
    )
    services.library_case_add(complaint=other, actor=alice.manager, title="Waiting for parts")
    client.force_login(alice.manager)

    def titles(**query):
        body = client.get(reverse("library"), query).content.decode()
        return ("Brake noise" in body, "Waiting for parts" in body)

    assert titles() == (True, True)
    assert titles(root_cause="parts_supply") == (False, True)
    assert titles(root_cause="workmanship") == (True, False)
    assert titles(cause_lies_with="person") == (False, True)
    assert titles(severity="serious") == (False, True)
    assert titles(component="electrical") == (False, True)
    assert titles(category="parts") == (False, True)
    assert titles(responsibility=training_case.complaint.responsibility or "dealer")[0] in (
        True,
        False,
    )
    assert titles(q="Waiting") == (False, True)


def test_manager_assigns_reading_and_sees_who_has_not_read(client, alice, training_case):
    created = services.reading_assign(
        library_case=training_case, actor=alice.manager, users=[alice.advisor, alice.manager2]
    )
    assert len(created) == 2
    client.force_login(alice.manager)
    body = client.get(reverse("library_detail", args=[training_case.pk])).content.decode()
    assert body.count('data-read="no"') == 2
    unread = client.get(reverse("required_reading")).content.decode()
    assert str(alice.advisor) in unread and str(alice.manager2) in unread

    reading = RequiredReading.objects.get(user=alice.advisor)
    services.reading_confirm(reading=reading, actor=alice.advisor)
    services.reading_confirm(reading=reading, actor=alice.advisor)  # idempotent
    assert AuditEntry.objects.filter(action="library.reading_confirmed").count() == 1
    body = client.get(reverse("library_detail", args=[training_case.pk])).content.decode()
    assert body.count('data-read="no"') == 1 and body.count('data-read="yes"') == 1
    assert str(alice.advisor) not in client.get(reverse("required_reading")).content.decode()


def test_assigning_again_keeps_the_receipt_and_outsiders_are_refused(alice, bob, training_case):
    services.reading_assign(library_case=training_case, actor=alice.manager, users=[alice.advisor])
    reading = RequiredReading.objects.get(user=alice.advisor)
    services.reading_confirm(reading=reading, actor=alice.advisor)
    assert (
        services.reading_assign(
            library_case=training_case, actor=alice.manager, users=[alice.advisor]
        )
        == []
    )
    reading.refresh_from_db()
    assert reading.read_at is not None
    with pytest.raises(ValidationFailed):
        services.reading_assign(
            library_case=training_case, actor=alice.manager, users=[bob.advisor]
        )
    with pytest.raises(PermissionDenied):
        services.reading_assign(
            library_case=training_case, actor=alice.advisor, users=[alice.advisor]
        )


def test_a_reader_confirms_from_the_page_and_nobody_else_can(client, alice, training_case):
    services.reading_assign(library_case=training_case, actor=alice.manager, users=[alice.advisor])
    reading = RequiredReading.objects.get(user=alice.advisor)
    client.force_login(alice.manager)
    assert client.post(reverse("reading_confirm", args=[reading.pk])).status_code == 404
    client.force_login(alice.advisor)
    page = client.get(reverse("library_detail", args=[training_case.pk])).content.decode()
    assert "confirm-reading" in page
    assert client.post(reverse("reading_confirm", args=[reading.pk])).status_code == 302
    reading.refresh_from_db()
    assert reading.read_at is not None


def test_a_new_member_of_the_dealer_gets_the_required_cases_automatically(
    alice, bob, personal_case, training_case
):
    # The fixture's training case is not required of new staff; this one is.
    required = services.library_case_add(
        complaint=_another_closed(alice),
        actor=alice.manager,
        title="Every newcomer reads this",
        required_for_new_staff=True,
    )
    newcomer = UserFactory(username="sh01_newcomer")
    membership_create(actor=None, user=newcomer, role=Role.ADVISOR, dealer=alice.dealer)
    readings = RequiredReading.objects.filter(user=newcomer)
    assert [r.library_case for r in readings] == [required]
    assert readings[0].assigned_by is None and readings[0].read_at is None
    # A new member of another dealer gets nothing of this one's.
    elsewhere = UserFactory(username="gz02_newcomer")
    membership_create(actor=None, user=elsewhere, role=Role.ADVISOR, dealer=bob.dealer)
    assert not RequiredReading.objects.filter(user=elsewhere).exists()


def _another_closed(alice):
    from complaints import services as complaint_services

    from ..factories import ComplaintFactory

    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state="reviewing")
    return complaint_services.complaint_transition(
        complaint=complaint, name="close", actor=alice.manager, data=review()
    )


def test_the_managers_log_names_the_reading_by_its_training_case_and_reader(alice, training_case):
    from core.models import AuditEntry

    services.reading_assign(library_case=training_case, actor=alice.manager, users=[alice.advisor])
    entry = AuditEntry.objects.get(action="library.reading_assigned")
    assert training_case.title in entry.object_label
    assert str(alice.advisor) in entry.object_label


def test_the_managers_log_says_what_the_learning_event_on_the_case_is(client, alice, training_case):
    from django.utils import translation

    client.force_login(alice.manager)
    with translation.override("en"):
        body = client.get(reverse("audit_log"), HTTP_ACCEPT_LANGUAGE="en").text
    reference = training_case.complaint.reference
    assert f"recorded what was learned from case {reference}" in body
    assert f"changed case {reference}" not in body
