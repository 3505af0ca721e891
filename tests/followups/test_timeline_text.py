"""The sweep's timeline events store facts; each reader reads them in their own language, on
the case page and through the API. Events written before with their text keep it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.choices import EventKind, State
from complaints.models import CaseEvent
from followups.models import Deadline
from followups.sweep import deadline_sweep
from integrations.models import DealerApiKey

from ..factories import ComplaintFactory

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # 16:00 in Shanghai
BREACHED = DUE + dt.timedelta(minutes=5)

ENGLISH_BREACH = "Deadline missed: Promise to the customer, due 2026-03-02 16:00 (Asia/Shanghai)"
CHINESE_BREACH = "时限已超：对顾客的承诺，到期时间 2026-03-02 16:00 (Asia/Shanghai)"
# A broken promise says which one, in the words it was made with.
ENGLISH_BROKEN = f"{ENGLISH_BREACH} The promise “We will call you back” is broken."
CHINESE_BROKEN = f"{CHINESE_BREACH} 承诺“We will call you back”未兑现。"
ENGLISH_ESCALATION = (
    "Deadline still missed after 24 hours: Promise to the customer, "
    "due 2026-03-02 16:00 (Asia/Shanghai)"
)
CHINESE_ESCALATION = "超时 24 小时仍未完成：对顾客的承诺，到期时间 2026-03-02 16:00 (Asia/Shanghai)"


@pytest.fixture
def breached(alice):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING)
    Deadline.objects.create(
        complaint=complaint, kind="commitment", due_at=DUE, promise="We will call you back"
    )
    assert deadline_sweep(now=BREACHED).breached == 1
    return complaint


def _reader(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _page(client, user, complaint) -> str:
    client.force_login(user)
    response = client.get(reverse("complaint_detail", args=[complaint.reference]))
    assert response.status_code == 200
    return response.content.decode()


def _api_events(alice, complaint, language: str) -> list[dict]:
    _key, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name=f"DMS {language}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = client.get(
        f"/api/v1/complaints/{complaint.reference}/events/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return [e for e in response.json()["results"] if e["kind"] == EventKind.DEADLINE]


def test_a_breach_reads_in_english_for_an_english_reader_and_in_chinese_for_a_chinese_one(
    client, alice, breached
):
    english = _page(client, _reader(alice.manager, "en"), breached)
    assert ENGLISH_BREACH in english and CHINESE_BREACH not in english

    chinese = _page(client, _reader(alice.advisor, "zh-hans"), breached)
    assert CHINESE_BREACH in chinese and ENGLISH_BREACH not in chinese
    assert "系统" in chinese


def test_a_breach_reads_in_the_api_clients_language(alice, breached):
    (english,) = _api_events(alice, breached, "en")
    (chinese,) = _api_events(alice, breached, "zh-hans")

    assert (english["text"], english["actor"]) == (ENGLISH_BROKEN, "System")
    assert (chinese["text"], chinese["actor"]) == (CHINESE_BROKEN, "系统")
    # The facts are the same for every reader.
    assert english["payload"] == chinese["payload"]
    assert english["payload"]["action"] == "breached"
    assert english["payload"]["kind"] == "commitment"
    assert english["payload"]["escalation_level"] == 1
    assert english["comment"] == chinese["comment"] == ""


def test_an_escalation_reads_in_each_readers_language(client, alice, breached):
    assert deadline_sweep(now=BREACHED + dt.timedelta(hours=24)).escalated == 1

    english = _page(client, _reader(alice.manager, "en"), breached)
    chinese = _page(client, _reader(alice.advisor, "zh-hans"), breached)

    assert ENGLISH_BREACH in english and ENGLISH_ESCALATION in english
    assert CHINESE_BREACH in chinese and CHINESE_ESCALATION in chinese
    texts = [e["text"] for e in _api_events(alice, breached, "zh-hans")]
    assert texts == [CHINESE_BROKEN, CHINESE_ESCALATION]


def test_an_event_written_with_its_text_still_shows_that_text(client, alice):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING)
    # As the sweep wrote its events before they stored facts only: text and actor in the
    # site's language at the time.
    stored = "时限已超：对顾客的承诺，到期时间 2025-12-01 16:00 (Asia/Shanghai)"
    CaseEvent.objects.create(
        complaint=complaint,
        kind=EventKind.DEADLINE,
        actor_label="系统",
        comment=stored,
        payload={"action": "breached", "kind": "commitment", "due_at": "2025-12-01T08:00:00Z"},
    )

    english = _page(client, _reader(alice.manager, "en"), complaint)

    assert stored in english and "Deadline missed" not in english
    (event,) = _api_events(alice, complaint, "en")
    assert (event["text"], event["comment"], event["actor"]) == (stored, stored, "系统")
