"""ETag and If-Match: a write based on an old read is refused with 412 and changes nothing."""

from __future__ import annotations

import pytest

from complaints import services
from complaints.choices import State
from complaints.models import CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice, make_complaint):
    return make_complaint(alice, state=State.LISTENING)


def url(case, suffix=""):
    return f"/api/v1/complaints/{case.reference}/{suffix}"


def test_patch_with_current_etag_succeeds(api, case):
    etag = api.get(url(case))["ETag"]

    response = api.patch(url(case), {"category": "billing"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_patch_with_stale_etag_is_412_and_changes_nothing(api, alice, case):
    etag = api.get(url(case))["ETag"]
    services.complaint_update(complaint=case, actor=alice.advisor, data={"category": "parts"})

    response = api.patch(url(case), {"category": "billing"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    body = response.json()
    assert body["type"].endswith(":precondition_failed")
    assert body["version"] == case.version + 1
    case.refresh_from_db()
    assert case.category == "parts"


def test_transition_with_stale_etag_is_412(api, alice, case):
    etag = api.get(url(case))["ETag"]
    services.complaint_add_note(complaint=case, actor=alice.advisor, comment="called back")
    services.complaint_update(complaint=case, actor=alice.advisor, data={"category": "parts"})

    response = api.post(
        url(case, "transitions/start_investigation/"),
        {"description": "Confirmed summary"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    case.refresh_from_db()
    assert case.state == State.LISTENING
    assert not CaseEvent.objects.filter(complaint=case, kind="transition").exists()


def test_transition_with_current_etag_succeeds(api, case):
    etag = api.get(url(case))["ETag"]

    response = api.post(
        url(case, "transitions/start_investigation/"),
        {"description": "Confirmed summary"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200
    assert response.json()["state"] == "investigating"


@pytest.mark.parametrize("header", ["*", None])
def test_if_match_is_optional_and_star_matches(api, case, header):
    extra = {"HTTP_IF_MATCH": header} if header else {}

    response = api.patch(url(case), {"category": "billing"}, format="json", **extra)

    assert response.status_code == 200


@pytest.mark.parametrize("header", ['W/"1"', "1", "garbage", '"999"'])
def test_weak_or_malformed_or_wrong_if_match_is_412(api, case, header):
    response = api.patch(url(case), {"category": "billing"}, format="json", HTTP_IF_MATCH=header)

    assert response.status_code == 412


def test_one_of_several_etags_may_match(api, case):
    response = api.patch(
        url(case), {"category": "billing"}, format="json", HTTP_IF_MATCH=f'"77", "{case.version}"'
    )

    assert response.status_code == 200


def test_change_between_read_and_lock_is_412_too(api, alice, case, monkeypatch):
    """The If-Match is checked again under the row lock: a change that lands after the
    view's check but before the service locks the row is refused the same way."""
    from complaints import apis

    real = apis.expected_version

    def change_in_between(request, version):
        checked = real(request, version)
        services.complaint_update(complaint=case, actor=alice.advisor, data={"category": "parts"})
        return checked

    monkeypatch.setattr(apis, "expected_version", change_in_between)
    etag = api.get(url(case))["ETag"]

    response = api.patch(url(case), {"category": "billing"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert response.json()["type"].endswith(":precondition_failed")
    case.refresh_from_db()
    assert case.category == "parts"
