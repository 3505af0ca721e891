"""Password guessing: a user name is locked at an address after 5 wrong passwords, answered
429 in the reader's language, unlocked by time or by a superuser, and logged in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


def log_in(client, username, password, address="203.0.113.7", **extra):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def guess(client, username, times, address="203.0.113.7"):
    return [log_in(client, username, f"wrong-{n}", address).status_code for n in range(times)]


def entries(action):
    return AuditEntry.objects.unscoped(reason="test").filter(action=action)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_user_name_and_the_right_one_is_refused(client):
    UserFactory(username="wang")

    statuses = guess(client, "wang", 5)
    right = log_in(client, "wang", PASSWORD)

    assert statuses == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert right["Retry-After"] == str(15 * 60)
    assert "Too many failed log-ins" in right.text
    assert "Try again in 15 minutes" in right.text


@pytest.mark.django_db
def test_the_lock_page_speaks_chinese(client):
    UserFactory(username="wang")
    guess(client, "wang", 5)

    response = log_in(client, "wang", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    assert "15 分钟" in response.text


@pytest.mark.django_db
def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(client):
    UserFactory(username="wang")
    guess(client, "wang", 4)
    assert log_in(client, "wang", PASSWORD).status_code == 302
    client.logout()

    assert guess(client, "wang", 4) == [200] * 4
    assert log_in(client, "wang", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_holds_one_user_name_at_one_address(client):
    UserFactory(username="wang")
    UserFactory(username="li")
    guess(client, "wang", 5)

    assert log_in(client, "li", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "wang", PASSWORD, address="198.51.100.9").status_code == 302


@pytest.mark.django_db
def test_the_lock_ends_after_the_cool_off(client):
    UserFactory(username="wang")
    guess(client, "wang", 5)
    assert log_in(client, "wang", PASSWORD).status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert log_in(client, "wang", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_guessing_during_the_lock_does_not_extend_it(client):
    UserFactory(username="wang")
    start = timezone.now()
    guess(client, "wang", 5)
    with time_machine.travel(start + timedelta(minutes=10)):
        guess(client, "wang", 3)

    with time_machine.travel(start + timedelta(minutes=16)):
        assert log_in(client, "wang", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_superuser_unlocks_the_user_name_in_the_admin(client):
    from axes.models import AccessAttempt

    UserFactory(username="wang")
    guess(client, "wang", 5)
    attempt = AccessAttempt.objects.get(username="wang")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin = client.__class__()
    admin.force_login(root)

    listed = admin.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert listed.status_code == 200 and "wang" in listed.text
    assert deleted.status_code == 302
    assert log_in(client, "wang", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_failures_and_the_lock_are_in_the_audit_log(client):
    wang = UserFactory(username="wang")

    guess(client, "wang", 5)
    log_in(client, "wang", PASSWORD)
    guess(client, "nobody", 1)

    failed = entries("auth.login_failed")
    locked = entries("auth.locked_out")
    assert failed.count() == 5  # four for wang, one for a name nobody has
    assert locked.count() == 2  # the failure that locked, the right password refused
    first = failed.order_by("id").first()
    assert first.object_id == str(wang.pk)
    assert first.data == {"username": "wang", "ip_address": "203.0.113.7"}
    assert failed.order_by("id").last().data["username"] == "nobody"
    from core.audit import render

    assert render(locked.first()) == f"Log-in as {wang} refused: locked after repeated failures"


@pytest.mark.django_db
def test_a_nul_in_the_user_name_is_refused_by_the_form_not_an_error(client):
    response = log_in(client, "wa\x00ng", "wrong")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
