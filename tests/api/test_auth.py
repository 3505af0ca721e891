"""API keys: created by a command and shown once, stored hashed, revocable, acting as an
advisor of their dealer and named on the timeline. Browser users need CSRF."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from complaints.choices import State
from complaints.models import CaseEvent
from integrations.models import DealerApiKey

from .conftest import key_client

pytestmark = pytest.mark.django_db


def test_createapikey_prints_a_working_key_once_and_stores_only_its_hash(alice):
    out, err = StringIO(), StringIO()

    call_command("createapikey", "--dealer", "SH01", "--name", "Main DMS", stdout=out, stderr=err)

    raw = out.getvalue().strip()
    stored = DealerApiKey.objects.get()
    assert stored.dealer == alice.dealer and stored.name == "Main DMS"
    assert raw.startswith(stored.prefix + ".")
    assert raw not in stored.hashed_key
    assert "cannot be shown again" in err.getvalue()
    assert key_client(raw).get("/api/v1/complaints/").status_code == 200


def test_createapikey_refuses_unknown_dealer(db):
    with pytest.raises(CommandError):
        call_command("createapikey", "--dealer", "NOPE", "--name", "x", stdout=StringIO())


@pytest.mark.parametrize(
    "header",
    ["Api-Key", "Api-Key nonsense", "Api-Key abc.def", "Api-Key a b", "Bearer token"],
)
def test_bad_credentials_are_401(alice_key, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/complaints/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_revoked_key_is_refused(api, alice_key):
    alice_key.revoked = True
    alice_key.save()

    assert api.get("/api/v1/complaints/").status_code == 401


def test_key_with_wrong_secret_is_refused(alice_key):
    client = key_client(alice_key.prefix + ".not-the-secret")

    assert client.get("/api/v1/complaints/").status_code == 401


def test_key_acts_as_advisor_and_is_named_on_the_timeline(api, alice_key, alice, make_complaint):
    case = make_complaint(alice, state=State.RECEIVED)

    detail = api.get(f"/api/v1/complaints/{case.reference}/").json()
    api.post(f"/api/v1/complaints/{case.reference}/transitions/start_listening/", {}, format="json")

    assert detail["available_transitions"] == ["start_listening"]  # no manager-only withdraw
    event = CaseEvent.objects.get(complaint=case)
    assert event.actor is None and event.api_key == alice_key
    assert event.actor_label == f"API: SH01 DMS (SH01, key {alice_key.prefix})"


def test_session_user_needs_csrf_token_to_write(alice, new_case):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice.advisor)

    response = client.post("/api/v1/complaints/", new_case, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_manager_may_approve_through_the_api(client, alice, make_complaint):
    case = make_complaint(alice, state=State.AWAITING_APPROVAL, submitted_by=alice.advisor)
    client.force_login(alice.manager)

    response = client.post(
        f"/api/v1/complaints/{case.reference}/transitions/approve/",
        {},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "resolving"


def test_session_user_of_several_dealers_must_name_one(client, alice, bob, new_case):
    from dealers.services import membership_grant

    membership_grant(user=alice.advisor, role="advisor", dealer=bob.dealer)
    client.force_login(alice.advisor)

    unnamed = client.post("/api/v1/complaints/", new_case, content_type="application/json")
    named = client.post(
        "/api/v1/complaints/", {**new_case, "dealer": "GZ02"}, content_type="application/json"
    )

    assert unnamed.status_code == 400 and "dealer" in unnamed.json()["errors"]
    assert named.status_code == 201 and named.json()["dealer"] == "GZ02"
    assert named.json()["assignee"]["id"] == alice.advisor.pk


def test_key_is_revoked_in_the_admin(admin_client, api, alice_key):
    url = f"/admin/api/dealerapikey/{alice_key.pk}/change/"
    page = admin_client.get(url)

    response = admin_client.post(
        url, {"name": alice_key.name, "revoked": "on", "expiry_date_0": "", "expiry_date_1": ""}
    )

    assert page.status_code == 200
    assert response.status_code == 302, response.content[:500]
    alice_key.refresh_from_db()
    assert alice_key.revoked is True
    assert api.get("/api/v1/complaints/").status_code == 401


def test_key_created_in_the_admin_is_shown_once(admin_client, alice):
    response = admin_client.post(
        "/admin/api/dealerapikey/add/",
        {"name": "Admin-made", "dealer": alice.dealer.pk, "expiry_date_0": "", "expiry_date_1": ""},
        follow=True,
    )

    stored = DealerApiKey.objects.get(name="Admin-made")
    shown = [str(m) for m in response.context["messages"]]
    assert any(stored.prefix in m for m in shown)


def test_unexpected_error_is_a_problem_500(alice_key, monkeypatch):
    from complaints import apis

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(apis, "complaint_api_list", broken)
    client = key_client(alice_key.raw)
    client.raise_request_exception = False

    response = client.get("/api/v1/complaints/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith(":server_error")
    assert "boom" not in response.content.decode()


# --- guessing keys -----------------------------------------------------------------------------

WHOAMI = "/api/v1/whoami/"


def _from(address: str, key: str) -> APIClient:
    client = key_client(key)
    client.defaults["REMOTE_ADDR"] = address
    return client


def test_ten_wrong_keys_from_an_address_are_then_throttled_even_the_right_one(settings, alice_key):
    guesser = _from("203.0.113.7", f"{alice_key.prefix}.wrong")

    statuses = [guesser.get(WHOAMI).status_code for _ in range(11)]
    right = _from("203.0.113.7", alice_key.raw).get(WHOAMI)

    assert statuses == [401] * 10 + [429]
    assert right.status_code == 429
    assert right["Content-Type"] == "application/problem+json"
    assert right.json()["type"].endswith(":throttled")
    assert "Too many wrong API keys" in right.json()["detail"]
    assert int(right["Retry-After"]) == settings.API_KEY_FAILURE_WINDOW_SECONDS


def test_wrong_keys_are_counted_per_address(alice_key):
    guesser = _from("203.0.113.7", "nope.nope")
    for _ in range(10):
        guesser.get(WHOAMI)

    assert _from("198.51.100.9", alice_key.raw).get(WHOAMI).status_code == 200
    assert _from("198.51.100.9", "nope.nope").get(WHOAMI).status_code == 401


def test_malformed_keys_count_as_wrong_ones(alice_key):
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    guesser.credentials(HTTP_AUTHORIZATION="Api-Key one two")
    for _ in range(10):
        assert guesser.get(WHOAMI).status_code == 401

    assert _from("203.0.113.7", alice_key.raw).get(WHOAMI).status_code == 429


def test_the_address_may_try_again_after_the_window(settings, alice_key):
    settings.API_KEY_FAILURE_WINDOW_SECONDS = 1
    guesser = _from("203.0.113.7", "nope.nope")
    for _ in range(10):
        guesser.get(WHOAMI)
    assert _from("203.0.113.7", alice_key.raw).get(WHOAMI).status_code == 429

    import time

    time.sleep(1.1)  # the cache's own expiry; time_machine does not move Redis's clock

    assert _from("203.0.113.7", alice_key.raw).get(WHOAMI).status_code == 200


def test_right_keys_are_never_counted(alice_key):
    dms = _from("203.0.113.7", alice_key.raw)

    assert {dms.get(WHOAMI).status_code for _ in range(15)} == {200}
