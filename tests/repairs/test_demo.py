"""The demo gives its technician repairs to read, as the README's logins promise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from complaints.models import Complaint

pytestmark = pytest.mark.django_db


def test_the_demo_technician_has_cases_to_read(client):
    call_command("seed_demo", stdout=StringIO())
    technician = get_user_model().objects.get(username="technician_sh")
    assigned = list(
        Complaint.objects.unscoped(reason="test")
        .filter(technician=technician)
        .values_list("reference", flat=True)
    )
    assert assigned
    client.force_login(technician)
    home = client.get(reverse("home")).text
    assert all(reference in home for reference in assigned)

    call_command("seed_demo", stdout=StringIO())
    assert Complaint.objects.unscoped(reason="test").filter(technician=technician).count() == len(
        assigned
    )
