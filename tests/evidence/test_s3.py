"""Evidence in an S3-compatible store: django-storages' S3 backend against moto's S3 server
(a local, in-process S3 endpoint spoken to over HTTP, as MinIO would be)."""

from __future__ import annotations

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from evidence import services

from ..processes import free_port
from . import files
from .conftest import upload

pytestmark = [
    pytest.mark.django_db,
    # botocore and moto still call datetime.utcnow() (deprecated in Python 3.12).
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

BUCKET = "complaint-evidence"


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for listed in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=listed["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_evidence_is_stored_in_the_bucket_and_downloaded_through_the_scoped_view(
    client, s3, case, alice, bob
):
    content = files.jpeg()
    attachment = services.attachment_add(
        complaint=case,
        actor=alice.advisor,
        file=upload("door.jpg", content),
        name="door.jpg",
        size=len(content),
    )
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {attachment.file.name, attachment.thumbnail.name}
    stored = s3.get_object(Bucket=BUCKET, Key=attachment.file.name)["Body"].read()
    assert stored == content
    # Private: the bucket grants nobody else anything.
    grants = s3.get_object_acl(Bucket=BUCKET, Key=attachment.file.name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]

    url = reverse("attachment_download", args=[case.reference, attachment.pk])
    client.force_login(alice.advisor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
    client.force_login(bob.advisor)
    assert client.get(url).status_code == 404


def test_a_refused_upload_leaves_nothing_in_the_bucket(s3, case, alice):
    with pytest.raises(Exception):  # noqa: B017 - ValidationFailed, the kind does not matter here
        services.attachment_add(
            complaint=case,
            actor=alice.advisor,
            file=upload("x.jpg", files.HTML),
            name="x.jpg",
            size=len(files.HTML),
        )
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)
