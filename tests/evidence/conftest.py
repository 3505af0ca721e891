"""Evidence is stored in a folder of the test's own, never under var/media/."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.choices import State
from dealers.models import Role

from ..factories import ComplaintFactory, MembershipFactory, UserFactory
from . import files


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }
    return tmp_path / "media"


@pytest.fixture
def case(alice):
    return ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.INVESTIGATING)


@pytest.fixture
def technician(alice):
    user = UserFactory(username="sh01_technician")
    MembershipFactory(user=user, dealer=alice.dealer, role=Role.TECHNICIAN)
    return user


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def photo():
    return upload("brake-disc.jpg", files.jpeg(), "image/jpeg")
