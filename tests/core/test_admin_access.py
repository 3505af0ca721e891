"""The admin sees every dealer, so only superusers may enter it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.parametrize("url_name", ["admin:index", "admin:complaints_complaint_changelist"])
def test_staff_manager_of_another_dealer_cannot_open_the_admin(
    client, alice, bob, make_complaint, url_name
):
    make_complaint(alice)
    bob.manager.is_staff = True
    bob.manager.save(update_fields=["is_staff"])
    client.force_login(bob.manager)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_superuser_sees_every_dealers_cases_in_the_admin(client, alice, bob, make_complaint):
    mine = make_complaint(alice)
    theirs = make_complaint(bob)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:complaints_complaint_changelist"))

    assert response.status_code == 200
    assert mine.reference in response.text and theirs.reference in response.text
