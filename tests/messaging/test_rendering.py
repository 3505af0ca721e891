"""Templates in Chinese and English, filled in from the case; a field the case lacks never
breaks a message: it is marked in the preview and the message is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.models import CaseEvent
from core.exceptions import ValidationFailed
from followups import services as followup_services
from followups.models import ContactAttempt
from messaging import services
from messaging.models import CustomerMessage, MessageTemplate
from messaging.rendering import render

from .conftest import START


def test_a_progress_update_in_chinese_names_the_case_the_step_and_the_owner(
    waiting_case, alice, clock
):
    complaint = waiting_case()
    rendered = services.message_compose(
        complaint=complaint, actor=alice.advisor, purpose="progress", language="zh-hans"
    )
    assert rendered.missing == []
    assert rendered.body.startswith("Wang Fang您好，您的投诉（编号" + complaint.reference)
    assert "目前处于“调查中”阶段" in rendered.body
    assert f"由{alice.advisor.get_full_name()}负责" in rendered.body
    assert "24小时内" in rendered.body
    assert complaint.reference in rendered.subject


def test_a_progress_update_in_english(waiting_case, alice, clock):
    complaint = waiting_case()
    rendered = services.message_compose(
        complaint=complaint, actor=alice.advisor, purpose="progress", language="en"
    )
    assert rendered.missing == []
    assert rendered.body == (
        f"Dear Wang Fang, your complaint (reference {complaint.reference}) is now at the step "
        f"“Investigating”, looked after by {alice.advisor.get_full_name()}. We will update you "
        "again within 24 hours."
    )


def test_the_promised_repair_date_is_filled_in_in_the_dealers_time_zone(waiting_case, alice, clock):
    complaint = waiting_case(state="resolving")
    followup_services.repair_promise_set(
        complaint=complaint, actor=alice.advisor, due_at=START + timedelta(days=2, hours=6)
    )
    for language, words in (
        ("en", "completed by 2026-03-04 15:00"),
        ("zh-hans", "2026-03-04 15:00"),
    ):
        rendered = services.message_compose(
            complaint=complaint,
            actor=alice.advisor,
            purpose="repair_date_changed",
            language=language,
        )
        assert rendered.missing == [] and words in rendered.body
        assert "沪A12345 Camry" in rendered.body


@pytest.mark.parametrize(
    ("language", "marks"),
    [
        ("en", ["[vehicle?]", "[promised repair completion?]"]),
        ("zh-hans", ["[车辆?]", "[承诺的维修完成时间?]"]),
    ],
)
def test_missing_fields_are_marked_in_the_preview_in_the_messages_language(
    language, marks, waiting_case, alice, clock
):
    complaint = waiting_case(vehicle=None)
    rendered = services.message_compose(
        complaint=complaint, actor=alice.advisor, purpose="repair_date_changed", language=language
    )
    for mark in marks:
        assert mark in rendered.body
    assert len(rendered.missing) == 2


def test_a_message_with_missing_fields_is_refused_and_nothing_is_logged(waiting_case, alice, clock):
    complaint = waiting_case(vehicle=None)
    with pytest.raises(ValidationFailed) as refused:
        services.message_send(
            complaint=complaint, actor=alice.advisor, purpose="ready_for_pickup", language="en"
        )
    assert "vehicle" in str(refused.value.field_errors["purpose"])
    assert not CustomerMessage.objects.exists()
    assert not ContactAttempt.objects.exists()
    assert not CaseEvent.objects.filter(complaint=complaint).exists()


def test_a_case_without_an_owner_cannot_name_its_advisor(waiting_case, alice, clock):
    complaint = waiting_case(assignee=None)
    rendered = services.message_compose(
        complaint=complaint, actor=alice.advisor, purpose="follow_up", language="en"
    )
    assert rendered.missing == ["responsible advisor"]


def test_an_unknown_or_broken_placeholder_never_breaks_rendering(waiting_case, clock):
    complaint = waiting_case()
    rendered = render(
        complaint=complaint,
        subject="{reference",
        body="Hello {customer}, {nonsense} and {} and {{reference}}",
        language="en",
    )
    assert rendered.subject == "{reference"
    assert rendered.body.startswith("Hello Wang Fang, [nonsense?] and {} and {")
    assert rendered.missing == ["nonsense"]


def test_the_dealers_own_template_replaces_the_default(waiting_case, alice, clock):
    complaint = waiting_case()
    services.message_template_update(
        dealer=alice.dealer,
        actor=alice.manager,
        purpose="progress",
        language="en",
        subject="Update {reference}",
        body="Hi {customer}: step {step}.",
    )
    rendered = services.message_compose(
        complaint=complaint, actor=alice.advisor, purpose="progress", language="en"
    )
    assert rendered.body == "Hi Wang Fang: step Investigating."
    # The other language keeps its default.
    chinese = services.message_compose(
        complaint=complaint, actor=alice.advisor, purpose="progress", language="zh-hans"
    )
    assert "您好" in chinese.body


def test_a_template_with_an_unknown_field_is_refused(alice):
    with pytest.raises(ValidationFailed) as refused:
        services.message_template_update(
            dealer=alice.dealer,
            actor=alice.manager,
            purpose="progress",
            language="en",
            subject="",
            body="Hi {customer_phone}",
        )
    assert "{customer_phone}" in str(refused.value.field_errors["body"])
    assert not MessageTemplate.objects.exists()


def test_only_managers_change_templates_and_each_change_is_audited(alice):
    from core.exceptions import PermissionDenied
    from core.models import AuditEntry

    with pytest.raises(PermissionDenied):
        services.message_template_update(
            dealer=alice.dealer,
            actor=alice.advisor,
            purpose="progress",
            language="en",
            subject="",
            body="Hi",
        )
    services.message_template_update(
        dealer=alice.dealer,
        actor=alice.manager,
        purpose="progress",
        language="en",
        subject="",
        body="Hi",
    )
    services.message_template_reset(
        dealer=alice.dealer, actor=alice.manager, purpose="progress", language="en"
    )
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["message_template.changed", "message_template.reset"]
    assert not MessageTemplate.objects.exists()
