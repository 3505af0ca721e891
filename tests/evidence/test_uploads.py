"""Uploads: every accepted kind is stored with its kind decided by content; every refused
kind (a page renamed .jpg, SVG, an archive, text, too large) is refused and stores nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from PIL import Image

from complaints.choices import EventKind, State
from core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationFailed
from evidence import services
from evidence.models import Attachment

from ..factories import ComplaintFactory
from . import files
from .conftest import upload

pytestmark = pytest.mark.django_db


def _add(case, actor, name, content, caption=""):
    file = upload(name, content)
    return services.attachment_add(
        complaint=case, actor=actor, file=file, name=name, size=len(content), caption=caption
    )


@pytest.mark.parametrize("name", sorted(files.ACCEPTED))
def test_every_accepted_kind_is_stored_with_the_kind_its_content_shows(
    case, alice, name, evidence_folder
):
    make, kind, content_type = files.ACCEPTED[name]
    content = make()
    attachment = _add(case, alice.advisor, name, content, caption="As found")
    assert (attachment.kind, attachment.content_type) == (kind, content_type)
    assert attachment.original_name == name
    assert attachment.state == State.INVESTIGATING
    assert attachment.uploaded_by == alice.advisor
    assert attachment.size == len(content)
    # Stored under a name the system made, with the extension the content says.
    assert name not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    event = case.events.get(kind=EventKind.ATTACHMENT)
    assert event.payload["attachment"] == attachment.pk
    assert name in event.text and "As found" in event.text


def test_a_photo_gets_a_small_jpeg_thumbnail(case, alice):
    attachment = _add(case, alice.advisor, "big.jpg", files.jpeg(size=(2000, 1500)))
    with attachment.thumbnail.open("rb") as stored, Image.open(stored) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) == 480


def test_documents_videos_and_audio_get_no_thumbnail(case, alice):
    attachment = _add(case, alice.advisor, "invoice.pdf", files.pdf())
    assert not attachment.thumbnail


@pytest.mark.parametrize("name", sorted(files.REFUSED))
def test_files_that_are_none_of_the_accepted_kinds_are_refused_whatever_their_name(
    case, alice, name, evidence_folder
):
    with pytest.raises(ValidationFailed) as refused:
        _add(case, alice.advisor, name, files.REFUSED[name])
    assert refused.value.code == "file_type_refused"
    assert not Attachment.objects.exists()
    assert not case.events.filter(kind=EventKind.ATTACHMENT).exists()
    assert (
        not any(p.is_file() for p in evidence_folder.rglob("*"))
        if evidence_folder.exists()
        else True
    )


def test_a_file_above_its_kinds_size_limit_is_refused(case, alice, settings):
    settings.EVIDENCE_MAX_BYTES = {**settings.EVIDENCE_MAX_BYTES, "document": 1024 * 1024}
    big_pdf = files.pdf() + b"0" * (1024 * 1024)
    with pytest.raises(ValidationFailed) as refused:
        _add(case, alice.advisor, "big.pdf", big_pdf)
    assert refused.value.code == "file_too_large"
    assert not Attachment.objects.exists()


def test_an_empty_file_is_refused(case, alice):
    with pytest.raises(ValidationFailed):
        _add(case, alice.advisor, "empty.jpg", b"")


def test_evidence_cannot_be_added_to_a_closed_case(alice):
    closed = ComplaintFactory(dealer=alice.dealer, state=State.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        _add(closed, alice.advisor, "late.jpg", files.jpeg())


def test_regional_staff_read_but_never_add_evidence(alice):
    serious = ComplaintFactory(dealer=alice.dealer, state=State.INVESTIGATING, severity="serious")
    with pytest.raises(PermissionDenied):
        _add(serious, alice.regional, "photo.jpg", files.jpeg())


def test_the_case_page_uploads_a_photo_from_the_tablets_camera(client, case, alice, photo):
    client.force_login(alice.advisor)
    page = client.get(reverse("complaint_detail", args=[case.reference]))
    html = page.content.decode()
    # The file input opens the camera on a tablet and still lets a file be chosen.
    assert 'type="file"' in html and 'capture="environment"' in html and "image/*" in html
    response = client.post(
        reverse("attachment_upload", args=[case.reference]),
        {"file": photo, "caption": "Scored brake disc"},
    )
    assert response.status_code == 302
    page = client.get(reverse("complaint_detail", args=[case.reference])).content.decode()
    assert "brake-disc.jpg" in page and "Scored brake disc" in page
    attachment = Attachment.objects.get()
    assert reverse("attachment_thumbnail", args=[case.reference, attachment.pk]) in page


def test_the_case_page_says_why_a_page_renamed_jpg_is_refused(client, case, alice):
    client.force_login(alice.advisor)
    response = client.post(
        reverse("attachment_upload", args=[case.reference]),
        {"file": upload("photo.jpg", files.HTML, "image/jpeg")},
    )
    assert response.status_code == 422
    assert "This kind of file is not accepted" in response.content.decode()
    assert not Attachment.objects.exists()


def test_another_dealers_user_cannot_upload_to_a_case(client, case, bob, stranger, photo):
    for user in (bob.advisor, bob.manager, stranger):
        client.force_login(user)
        response = client.post(reverse("attachment_upload", args=[case.reference]), {"file": photo})
        assert response.status_code == 404
    assert not Attachment.objects.exists()
