"""The evidence endpoints: multipart upload (idempotent), list, download; scoped per key."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.choices import State
from core.models import AuditEntry
from evidence.models import Attachment

from ..evidence import files
from ..evidence.conftest import evidence_folder  # noqa: F401 - the files stay in the test's folder
from ..factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice):
    return ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.INVESTIGATING)


def _url(case):
    return f"/api/v1/complaints/{case.reference}/attachments/"


def _photo():
    return SimpleUploadedFile("dash.jpg", files.jpeg(), content_type="image/jpeg")


def test_a_dms_uploads_a_photo_and_reads_it_back(api, case):
    response = api.post(_url(case), {"file": _photo(), "caption": "Dashboard"}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "photo" and body["content_type"] == "image/jpeg"
    assert body["caption"] == "Dashboard" and body["step"] == "investigating"
    listed = api.get(_url(case)).json()
    assert [a["id"] for a in listed] == [body["id"]]
    download = api.get(body["content_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == files.jpeg()
    assert AuditEntry.objects.filter(action="attachment.downloaded").count() == 1


def test_an_upload_retried_with_its_idempotency_key_is_stored_once(api, case):
    headers = {"HTTP_IDEMPOTENCY_KEY": "upload-1"}
    first = api.post(_url(case), {"file": _photo()}, format="multipart", **headers)
    again = api.post(_url(case), {"file": _photo()}, format="multipart", **headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Attachment.objects.count() == 1
    other = SimpleUploadedFile("other.pdf", files.pdf(), content_type="application/pdf")
    reused = api.post(_url(case), {"file": other}, format="multipart", **headers)
    assert reused.status_code == 422


@pytest.mark.parametrize(
    "name,content",
    [("page.jpg", files.HTML), ("logo.svg", files.SVG), ("x.docx", files.plain_zip())],
)
def test_refused_kinds_are_a_400_problem(api, case, name, content):
    response = api.post(_url(case), {"file": SimpleUploadedFile(name, content)}, format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_a_json_body_or_a_missing_file_is_a_4xx(api, case):
    assert api.post(_url(case), {"caption": "x"}, format="json").status_code == 415
    assert api.post(_url(case), {"caption": "x"}, format="multipart").status_code == 400


def test_another_dealers_key_finds_neither_the_case_nor_its_files(api, bob_api, case):
    created = api.post(_url(case), {"file": _photo()}, format="multipart").json()
    assert bob_api.get(_url(case)).status_code == 404
    assert bob_api.post(_url(case), {"file": _photo()}, format="multipart").status_code == 404
    assert bob_api.get(created["content_url"]).status_code == 404


def test_without_a_key_the_api_answers_401(client, api, case):
    created = api.post(_url(case), {"file": _photo()}, format="multipart").json()
    assert client.get(created["content_url"]).status_code == 401
    assert client.get(_url(case)).status_code == 401


def test_an_upload_larger_than_the_request_body_limit_is_idempotent_too(api, case, settings):
    # The fingerprint reads the parsed upload, never the whole body into memory.
    big = files.pdf() + b"0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024)
    headers = {"HTTP_IDEMPOTENCY_KEY": "big-upload"}
    for _attempt in range(2):
        response = api.post(
            _url(case),
            {"file": SimpleUploadedFile("report.pdf", big, content_type="application/pdf")},
            format="multipart",
            **headers,
        )
        assert response.status_code == 201, response.content
    assert Attachment.objects.get().size == len(big)
