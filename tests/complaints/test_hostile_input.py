"""Raw JSON-like data of the wrong shape or with text the database cannot store is refused
with the field named and changes nothing, whatever the transition or correction; it never
raises anything else (which every entry point would turn into a 500)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django import forms
from django.utils import timezone

from complaints import services
from complaints.choices import State
from complaints.models import CaseEvent
from complaints.payloads import PAYLOADS
from core.exceptions import ValidationFailed
from core.text import MAX_TEXT_LENGTH
from followups import services as followup_services

from .rules import TABLE, VALID_PAYLOADS, snapshot

HOSTILE = {
    "list": ["x", {"y": 1}],
    "dict": {"text": "x"},
    "number": 42,
    "huge": "x" * (MAX_TEXT_LENGTH + 1),
    "nul": "brake\x00noise",
    "surrogate": "brake\ud800noise",
}
NUMERIC_FIELDS = (forms.DecimalField, forms.IntegerField, forms.ModelChoiceField)


def _fields(name):
    form_class = PAYLOADS[name]
    return list(form_class.base_fields.items())


def _hostile_cases():
    for name in PAYLOADS:
        for field_name, field in _fields(name):
            for kind, value in HOSTILE.items():
                if kind == "number" and isinstance(field, NUMERIC_FIELDS):
                    continue  # a number is what these fields take
                yield pytest.param(name, field_name, value, id=f"{name}-{field_name}-{kind}")


def _case_for(name, staff, make_complaint):
    state = sorted(TABLE[name][0])[0]
    return make_complaint(staff, state=state)


def _actor_for(staff, name):
    return staff.manager if TABLE[name][2] == "manager" else staff.advisor


@pytest.mark.parametrize(("name", "field", "value"), list(_hostile_cases()))
def test_hostile_payload_value_is_refused_on_its_field(name, field, value, alice, make_complaint):
    complaint = _case_for(name, alice, make_complaint)
    before = snapshot(complaint)
    data = {**VALID_PAYLOADS[name], field: value}
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_transition(
            complaint=complaint, name=name, actor=_actor_for(alice, name), data=data
        )
    assert refused.value.field_errors.get(field)
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    ("name", "field"), [(name, field) for name in PAYLOADS for field, _f in _fields(name)]
)
def test_null_payload_value_is_either_accepted_or_refused_on_its_field(
    name, field, alice, make_complaint
):
    complaint = _case_for(name, alice, make_complaint)
    data = {**VALID_PAYLOADS[name], field: None}
    try:
        services.complaint_transition(
            complaint=complaint, name=name, actor=_actor_for(alice, name), data=data
        )
    except ValidationFailed as refused:
        # Null for a required field is "required"; other refusals are the case's own rules.
        assert refused.field_errors


def test_safety_flag_given_as_a_list_is_refused_by_name(alice, make_complaint):
    complaint = make_complaint(alice, state=State.ASSESSING)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_transition(
            complaint=complaint,
            name="decide",
            actor=alice.advisor,
            data={**VALID_PAYLOADS["decide"], "is_safety_related": ["x"]},
        )
    assert list(refused.value.field_errors) == ["is_safety_related"]


def test_browser_form_data_still_decides_the_case(alice, make_complaint):
    from django.http import QueryDict

    complaint = make_complaint(alice, state=State.ASSESSING)
    data = QueryDict(mutable=True)
    for key, value in VALID_PAYLOADS["decide"].items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    data["is_safety_related"] = "true"
    decided = services.complaint_transition(
        complaint=complaint, name="decide", actor=alice.advisor, data=data
    )
    assert decided.state == State.RESOLVING
    assert decided.is_safety_related is True


def _editable_cases():
    seen: set[str] = set()
    for state, fields in services.EDITABLE_FIELDS.items():
        for field in fields:
            if field in seen:
                continue
            seen.add(field)
            for kind, value in HOSTILE.items():
                if kind == "number" and field == "vehicle":
                    continue
                yield pytest.param(state, field, value, id=f"{field}-{kind}")


@pytest.mark.parametrize(("state", "field", "value"), list(_editable_cases()))
def test_hostile_correction_is_refused_on_its_field(state, field, value, alice, make_complaint):
    complaint = make_complaint(alice, state=state)
    before = snapshot(complaint)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_update(complaint=complaint, actor=alice.advisor, data={field: value})
    assert refused.value.field_errors.get(field)
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    "field",
    ["channel", "category", "component", "description", "customer_request", "is_safety_related"],
)
def test_null_correction_is_refused_or_accepted_never_raised(field, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)
    try:
        services.complaint_update(complaint=complaint, actor=alice.advisor, data={field: None})
    except ValidationFailed as refused:
        assert field in refused.field_errors


UNSTORABLE = pytest.mark.parametrize(
    "text", ["brake\x00noise", "brake\ud800noise"], ids=["nul", "surrogate"]
)


def _timeline(complaint):
    return list(CaseEvent.objects.filter(complaint=complaint).values_list("id", flat=True))


@UNSTORABLE
def test_note_escalation_and_hand_over_refuse_unstorable_text(
    text, alice, make_complaint, postgres_db
):
    complaint = make_complaint(alice, state=State.LISTENING)
    before = snapshot(complaint)
    calls = {
        "comment": lambda: services.complaint_add_note(
            complaint=complaint, actor=alice.advisor, comment=text
        ),
        "reason": lambda: services.complaint_escalate(
            complaint=complaint, actor=alice.advisor, reason=text
        ),
    }
    for field, call in calls.items():
        with pytest.raises(ValidationFailed) as refused:
            call()
        assert refused.value.field_errors.get(field)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_reassign(
            complaint=complaint, actor=alice.manager, assignee=alice.manager2, reason=text
        )
    assert refused.value.field_errors.get("reason")
    assert snapshot(complaint) == before


@UNSTORABLE
def test_contacts_and_promises_refuse_unstorable_text(text, alice, make_complaint, postgres_db):
    complaint = make_complaint(alice, state=State.LISTENING)
    events = _timeline(complaint)
    with pytest.raises(ValidationFailed) as refused:
        followup_services.contact_record(
            complaint=complaint,
            actor=alice.advisor,
            channel="phone",
            outcome="satisfied",
            note=text,
        )
    assert refused.value.field_errors.get("note")
    due_at = timezone.now() + timedelta(hours=1)
    with pytest.raises(ValidationFailed) as refused:
        followup_services.commitment_create(
            complaint=complaint, actor=alice.advisor, promise=text, due_at=due_at
        )
    assert refused.value.field_errors.get("promise")
    assert _timeline(complaint) == events

    promise = followup_services.commitment_create(
        complaint=complaint, actor=alice.advisor, promise="Call back", due_at=due_at
    )
    with pytest.raises(ValidationFailed) as refused:
        followup_services.commitment_keep(deadline=promise, actor=alice.advisor, note=text)
    assert refused.value.field_errors.get("note")
    promise.refresh_from_db()
    assert promise.satisfied_at is None
