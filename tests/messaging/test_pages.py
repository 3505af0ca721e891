"""The case page's message panel (preview, send, delivery state), the managers' templates
page, and the API's messages endpoint."""

from __future__ import annotations

from django.urls import reverse

from core.models import AuditEntry
from core.outbox import outbox_deliver
from messaging.models import CustomerMessage, MessageTemplate

from .conftest import START  # noqa: F401


def login(client, user):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def case_url(complaint):
    return reverse("complaint_detail", args=[complaint.reference])


def test_the_case_page_offers_a_message_in_the_customers_preferred_channel(
    client, waiting_case, alice, clock
):
    complaint = waiting_case()
    body = login(client, alice.advisor).get(case_url(complaint)).content.decode()
    assert 'id="message-form"' in body
    assert '<option value="sms" selected>' in body
    assert '<option value="progress" selected>' in body


def test_the_preview_shows_the_filled_in_text_and_what_is_missing(
    client, waiting_case, alice, clock
):
    complaint = waiting_case(vehicle=None)
    login(client, alice.advisor)
    url = reverse("message_preview", args=[complaint.reference])
    form = {
        "message-purpose": "ready_for_pickup",
        "message-language": "en",
        "message-channel": "sms",
    }
    body = client.post(url, form, headers={"HX-Request": "true"}).content.decode()
    assert "Dear Wang Fang, your vehicle ([vehicle?]) is ready" in body
    assert "cannot be sent: vehicle" in body
    form["message-purpose"] = "nonsense"
    assert "Select a valid choice" in client.post(url, form).content.decode()


def test_sending_from_the_case_page_shows_the_message_with_its_delivery_state(
    client, waiting_case, alice, clock
):
    complaint = waiting_case()
    login(client, alice.advisor)
    response = client.post(
        reverse("message_send", args=[complaint.reference]),
        {"message-purpose": "progress", "message-language": "en", "message-channel": "sms"},
    )
    assert response.status_code == 302
    body = client.get(case_url(complaint)).content.decode()
    assert 'data-state="queued"' in body
    assert "Progress update by SMS · Queued" in body  # the timeline
    outbox_deliver(names=["customer_message"])
    body = client.get(case_url(complaint)).content.decode()
    assert 'data-state="delivered"' in body
    assert "Progress update by SMS · Delivered" in body


def test_a_refused_message_comes_back_with_the_reason_next_to_the_form(
    client, waiting_case, alice, clock
):
    complaint = waiting_case(vehicle=None)
    login(client, alice.advisor)
    response = client.post(
        reverse("message_send", args=[complaint.reference]),
        {"message-purpose": "ready_for_pickup", "message-language": "en", "message-channel": "sms"},
    )
    assert response.status_code == 422
    assert (
        "This message needs what the case does not have yet: vehicle." in response.content.decode()
    )
    assert not CustomerMessage.objects.exists()


def test_other_dealers_cannot_send_or_preview(client, waiting_case, bob, clock):
    complaint = waiting_case()
    login(client, bob.manager)
    data = {"message-purpose": "progress", "message-language": "en", "message-channel": "sms"}
    for name in ("message_send", "message_preview"):
        assert client.post(reverse(name, args=[complaint.reference]), data).status_code == 404
    assert not CustomerMessage.objects.exists()


def test_a_manager_edits_a_template_and_the_change_is_audited(client, alice):
    login(client, alice.manager)
    page = client.get(reverse("message_templates")).content.decode()
    assert 'id="template-progress-zh-hans"' in page and "{update_hours}" in page
    url = reverse("message_template_save", args=["progress", "en"])
    response = client.post(url, {"progress-en-subject": "", "progress-en-body": "Hi {customer}"})
    assert response.status_code == 302
    assert MessageTemplate.objects.get().body == "Hi {customer}"
    assert AuditEntry.objects.get().action == "message_template.changed"
    refused = client.post(url, {"progress-en-subject": "", "progress-en-body": "Hi {phone}"})
    assert refused.status_code == 422 and "Unknown fields: {phone}." in refused.content.decode()
    client.post(url, {"reset": "1"})
    assert not MessageTemplate.objects.exists()


def test_a_manager_sets_the_quiet_hours(client, alice):
    login(client, alice.manager)
    response = client.post(
        reverse("quiet_hours_save"), {"quiet_from": "22:00", "quiet_until": "07:30"}
    )
    assert response.status_code == 302
    assert 'value="22:00' in client.get(reverse("message_templates")).content.decode()


def test_advisors_do_not_see_the_templates_page(client, alice):
    login(client, alice.advisor)
    assert client.get(reverse("message_templates")).status_code == 404
