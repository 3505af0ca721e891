"""A decision cites attachments as the evidence for the responsibility it assigns: "no
evidence, not the customer's fault" then points at real files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints import services as complaint_services
from complaints.choices import State
from core.exceptions import ValidationFailed
from evidence import services
from evidence.models import Citation

from ..complaints.rules import VALID_PAYLOADS
from ..factories import ComplaintFactory
from . import files
from .conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessing(alice):
    return ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.ASSESSING)


def _attach(case, actor, name="oil-sludge.jpg", caption="Sludge: oil not changed in 3 years"):
    content = files.jpeg()
    return services.attachment_add(
        complaint=case,
        actor=actor,
        file=upload(name, content),
        name=name,
        size=len(content),
        caption=caption,
    )


def _customer_fault(**extra):
    return {
        **VALID_PAYLOADS["decide"],
        "responsibility": "customer",
        "responsibility_reason": "no_maintenance",
        "responsibility_evidence": "",
        **extra,
    }


def test_the_decision_cites_attachments_and_the_timeline_shows_them(client, assessing, alice):
    photo = _attach(assessing, alice.advisor)
    complaint_services.complaint_transition(
        complaint=assessing,
        name="decide",
        actor=alice.advisor,
        data=_customer_fault(evidence=[photo.pk]),
    )
    citation = Citation.objects.get()
    assert citation.attachment == photo
    assert citation.event.transition == "decide"
    client.force_login(alice.manager)
    page = client.get(reverse("complaint_detail", args=[assessing.reference])).content.decode()
    assert "Evidence cited" in page
    assert reverse("attachment_download", args=[assessing.reference, photo.pk]) in page


def test_holding_the_customer_responsible_without_any_evidence_is_refused(assessing, alice):
    with pytest.raises(ValidationFailed) as refused:
        complaint_services.complaint_transition(
            complaint=assessing, name="decide", actor=alice.advisor, data=_customer_fault()
        )
    assert "responsibility_evidence" in refused.value.field_errors
    assert not Citation.objects.exists()


def test_a_decision_cannot_cite_another_cases_attachment(assessing, alice):
    other = ComplaintFactory(dealer=alice.dealer, state=State.INVESTIGATING)
    foreign = _attach(other, alice.advisor)
    with pytest.raises(ValidationFailed) as refused:
        complaint_services.complaint_transition(
            complaint=assessing,
            name="decide",
            actor=alice.advisor,
            data=_customer_fault(evidence=[foreign.pk]),
        )
    assert "evidence" in refused.value.field_errors
    assert not Citation.objects.exists()


def test_the_decide_form_offers_the_cases_attachments(client, assessing, alice):
    photo = _attach(assessing, alice.advisor)
    client.force_login(alice.advisor)
    page = client.get(reverse("complaint_detail", args=[assessing.reference])).content.decode()
    assert f'name="evidence" value="{photo.pk}"' in page
    assert "Sludge: oil not changed in 3 years" in page


def test_the_api_cites_evidence_in_a_decision(assessing, alice):
    from rest_framework.test import APIClient

    from integrations.models import DealerApiKey

    _key, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="DMS")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    photo = _attach(assessing, alice.advisor)
    response = api.post(
        f"/api/v1/complaints/{assessing.reference}/transitions/decide/",
        _customer_fault(evidence=[photo.pk]),
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Citation.objects.get().attachment == photo
