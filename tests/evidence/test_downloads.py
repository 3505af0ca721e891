"""Downloads: only through the scoped view, as an attachment with nosniff, and logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEntry
from evidence import services

from . import files
from .conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(case, alice):
    content = files.jpeg()
    return services.attachment_add(
        complaint=case,
        actor=alice.advisor,
        file=upload("Disc <b>.jpg", content),
        name="Disc <b>.jpg",
        size=len(content),
    )


def _url(attachment, name="attachment_download"):
    return reverse(name, args=[attachment.complaint.reference, attachment.pk])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_reader_of_the_case_downloads_the_file_as_an_attachment_never_inline(
    client, attachment, alice
):
    client.force_login(alice.manager)
    response = client.get(_url(attachment))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]
    assert _body(response) == files.jpeg()


def test_every_download_is_recorded_in_the_audit_log(client, attachment, alice):
    client.force_login(alice.manager)
    _body(client.get(_url(attachment)))
    entry = AuditEntry.objects.get(action="attachment.downloaded")
    assert entry.actor == alice.manager
    assert entry.dealer_id == alice.dealer.pk
    assert entry.object_id == str(attachment.pk)
    assert "downloaded the evidence file" in entry.text


def test_thumbnails_are_served_as_attachments_too(client, attachment, alice):
    client.force_login(alice.advisor)
    response = client.get(_url(attachment, "attachment_thumbnail"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
    assert _body(response).startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize("who", ["bob_advisor", "bob_manager", "bob_regional", "stranger"])
def test_users_of_another_dealer_or_of_no_dealer_get_404(client, attachment, bob, stranger, who):
    user = {
        "bob_advisor": bob.advisor,
        "bob_manager": bob.manager,
        "bob_regional": bob.regional,
        "stranger": stranger,
    }[who]
    client.force_login(user)
    for name in ("attachment_download", "attachment_thumbnail"):
        assert client.get(_url(attachment, name)).status_code == 404
    assert not AuditEntry.objects.filter(action="attachment.downloaded").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, attachment):
    response = client.get(_url(attachment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_attachment_is_not_found_under_another_case(client, attachment, alice, make_complaint):
    other = make_complaint(alice)
    client.force_login(alice.advisor)
    url = reverse("attachment_download", args=[other.reference, attachment.pk])
    assert client.get(url).status_code == 404


def test_no_public_media_address_serves_the_files(client, attachment, alice, settings):
    client.force_login(alice.advisor)
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"
    assert client.get("/media/" + attachment.file.name).status_code == 404


def test_the_managers_log_says_evidence_was_added_not_that_the_case_changed(
    client, attachment, alice
):
    from django.utils import translation

    client.force_login(alice.manager)
    with translation.override("en"):
        body = client.get(reverse("audit_log"), HTTP_ACCEPT_LANGUAGE="en").text
    reference = attachment.complaint.reference
    assert f"added evidence to case {reference}" in body
    assert f"changed case {reference}" not in body
