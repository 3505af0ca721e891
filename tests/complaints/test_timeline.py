"""The case timeline is append-only: not the model, the queryset, raw SQL on PostgreSQL,
nor the admin can change or remove an event; the admin cannot edit a case either."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from complaints import services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent, Complaint
from tests.factories import UserFactory


@pytest.fixture
def event(alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)
    return services.complaint_add_note(
        complaint=complaint, actor=alice.advisor, comment="Customer called, upset."
    )


def _unchanged(event):
    stored = CaseEvent.objects.get(pk=event.pk)
    assert stored.comment == "Customer called, upset."
    assert stored.kind == EventKind.NOTE


def test_saving_an_existing_event_is_refused(event):
    event.comment = "Customer called, calm."
    with pytest.raises(TypeError):
        event.save()
    fetched = CaseEvent.objects.get(pk=event.pk)
    fetched.comment = "Rewritten"
    with pytest.raises(TypeError):
        fetched.save(update_fields=["comment"])
    _unchanged(event)


def test_deleting_an_event_is_refused(event):
    with pytest.raises(TypeError):
        event.delete()
    _unchanged(event)


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).update(comment="Rewritten")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.all().delete()
    event.comment = "Rewritten"
    # bulk_update runs inside atomic(savepoint=False): give it a savepoint of its own.
    with pytest.raises(TypeError), transaction.atomic():
        CaseEvent.objects.bulk_update([event], ["comment"])
    _unchanged(event)


def test_a_case_with_a_timeline_cannot_be_deleted(event):
    with pytest.raises(ProtectedError):
        event.complaint.delete()
    assert Complaint.objects.filter(pk=event.complaint_id).exists()
    _unchanged(event)


def test_deleting_the_acting_user_does_not_rewrite_history(event, alice):
    with pytest.raises(ProtectedError):
        alice.advisor.delete()
    assert CaseEvent.objects.get(pk=event.pk).actor == alice.advisor


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE complaints_caseevent SET comment = 'Rewritten' WHERE id = %s",
        "DELETE FROM complaints_caseevent WHERE id = %s",
    ],
)
def test_raw_sql_cannot_rewrite_the_timeline_on_postgresql(sql, postgres_db, event):
    with pytest.raises(DatabaseError) as refused:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert "append-only" in str(refused.value)
    _unchanged(event)


# --- the admin --------------------------------------------------------------------------


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_offers_no_add_change_or_delete_for_events(admin, event):
    change_url = reverse("admin:complaints_caseevent_change", args=[event.pk])
    page = admin.get(change_url)
    assert page.status_code == 200  # read-only view
    assert b'name="_save"' not in page.content
    assert b"deletelink" not in page.content

    response = admin.post(change_url, {"comment": "Rewritten", "kind": "note"})
    assert response.status_code == 403
    assert admin.get(reverse("admin:complaints_caseevent_add")).status_code == 403
    assert admin.post(reverse("admin:complaints_caseevent_add"), {}).status_code == 403
    delete_url = reverse("admin:complaints_caseevent_delete", args=[event.pk])
    assert admin.get(delete_url).status_code == 403
    assert admin.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:complaints_caseevent_changelist")
    response = admin.post(
        changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    _unchanged(event)


def test_admin_cannot_add_change_or_delete_a_case(admin, event):
    complaint = event.complaint
    before = Complaint.objects.filter(pk=complaint.pk).values().get()
    change_url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    assert admin.get(change_url).status_code == 200
    response = admin.post(change_url, {"state": State.CLOSED, "description": "Rewritten"})
    assert response.status_code == 403
    delete_url = reverse("admin:complaints_complaint_delete", args=[complaint.pk])
    assert admin.get(delete_url).status_code == 403
    assert admin.post(delete_url, {"post": "yes"}).status_code == 403
    assert admin.get(reverse("admin:complaints_complaint_add")).status_code == 403
    changelist = reverse("admin:complaints_complaint_changelist")
    admin.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [complaint.pk], "post": "yes"},
    )
    assert Complaint.objects.filter(pk=complaint.pk).values().get() == before
    assert CaseEvent.objects.filter(complaint=complaint).count() == 1


def test_admin_escalation_goes_through_the_service_and_leaves_an_event(admin, admin_user, event):
    complaint = event.complaint
    admin.post(
        reverse("admin:complaints_complaint_changelist"),
        {"action": "escalate", "_selected_action": [complaint.pk]},
    )
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.escalated is True
    escalation = CaseEvent.objects.get(complaint=complaint, kind=EventKind.ESCALATION)
    assert escalation.actor == admin_user


def test_system_events_keep_each_case_and_payload_in_order_and_the_models_defaults(
    alice, make_complaint
):
    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils import timezone

    cases = [make_complaint(alice, state=State.RESOLVING) for _ in range(3)]
    at = timezone.now()
    entries = [
        (case.pk, {"action": "breached", "n": index, "due_at": at, "note": "“quoted” 'text'"})
        for index, case in enumerate(reversed(cases))
    ]

    assert services.complaint_record_system_events(entries=entries, at=at) == 3
    assert services.complaint_record_system_events(entries=[], at=at) == 0

    events = list(CaseEvent.objects.filter(kind=EventKind.DEADLINE).order_by("id"))
    assert [(event.complaint_id, event.payload["n"]) for event in events] == [
        (case_id, payload["n"]) for case_id, payload in entries
    ]
    assert events[0].payload == {
        "action": "breached",
        "n": 0,
        "due_at": DjangoJSONEncoder().default(at),
        "note": "“quoted” 'text'",
    }
    # Every other column is what the model gives an event of its own accord.
    made = CaseEvent(kind=EventKind.DEADLINE, created_at=at)
    for field in CaseEvent._meta.concrete_fields:
        if field.name in {"id", "complaint", "payload"}:
            continue
        assert {getattr(event, field.attname) for event in events} == {
            getattr(made, field.attname)
        }, field.name
