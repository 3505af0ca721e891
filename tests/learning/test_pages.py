"""The learning pages in the page shell, and who may open which."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEntry
from learning.models import RootCauseCategory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["advisor", "manager"])
def test_staff_find_library_lessons_and_open_actions_in_the_navigation(client, alice, who):
    client.force_login(getattr(alice, who))
    body = client.get(reverse("home")).content.decode()
    for name in ("library", "lessons", "corrective_actions"):
        assert f'href="{reverse(name)}"' in body


def test_manager_adds_a_root_cause_category_of_the_dealers_own(client, alice, bob):
    client.force_login(alice.manager)
    page = client.get(reverse("root_causes")).content.decode()
    assert "Parts supply" in page
    response = client.post(reverse("root_causes"), {"label": "Loan car availability"})
    assert response.status_code == 302
    category = RootCauseCategory.objects.get(dealer=alice.dealer, label="Loan car availability")
    assert category.display == "Loan car availability"
    assert AuditEntry.objects.filter(action="root_cause.added").exists()
    assert not RootCauseCategory.objects.filter(dealer=bob.dealer, label__startswith="Loan")


@pytest.mark.parametrize("who", ["advisor", "regional"])
def test_only_managers_manage_root_causes(client, alice, who):
    client.force_login(getattr(alice, who))
    assert client.get(reverse("root_causes")).status_code == 404
    assert client.post(reverse("root_causes"), {"label": "x"}).status_code == 404


def test_a_stranger_sees_nothing_of_the_learning_pages(client, stranger):
    client.force_login(stranger)
    assert client.get(reverse("corrective_actions")).status_code == 404
    assert client.get(reverse("root_causes")).status_code == 404
    assert "library-cases" in client.get(reverse("library")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in ("library", "lessons", "corrective_actions", "required_reading"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_closed_case_page_shows_its_review_and_actions(client, alice, close_case, clock):
    complaint = close_case()
    client.force_login(alice.manager)

    html = client.get(f"/cases/{complaint.reference}/").content.decode()

    assert 'class="card shadow-sm mb-3 learning-panel"' in html
    assert "Pads not checked at the 20,000 km service" in html
    assert "Brake check on every service checklist" in html
