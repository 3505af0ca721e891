"""Webhooks never make the server call into its own network: an endpoint must be a public
address when registered and still resolve to one when each delivery is sent."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from complaints import services
from complaints.choices import State
from core.outbox import OutboxState
from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

PRODUCTION = {"DEBUG": False, "WEBHOOKS_ALLOW_LOOPBACK": False, "WEBHOOK_ALLOWED_NETWORKS": []}


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hooks",
        "https://172.16.3.4/hooks",
        "https://192.168.1.10/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hooks",
        "https://127.0.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://[::1]/hooks",
        "https://[fd00::5]/hooks",
        "https://[::ffff:10.0.0.1]/hooks",
        "https://localhost/hooks",
        "https://dms.localhost/hooks",
        "https://224.0.0.1/hooks",
    ],
)
def test_private_loopback_and_reserved_addresses_are_refused_at_registration(alice, url):
    endpoint = WebhookEndpoint(dealer=alice.dealer, url=url)
    with override_settings(**PRODUCTION), pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert "url" in refused.value.message_dict


@pytest.mark.parametrize("url", ["https://8.8.8.8/hooks", "https://dms.example.com/hooks"])
def test_public_addresses_and_names_are_accepted(alice, url):
    with override_settings(**PRODUCTION):
        WebhookEndpoint(dealer=alice.dealer, url=url).full_clean()


def test_a_private_network_the_operator_names_is_accepted(alice):
    with override_settings(**{**PRODUCTION, "WEBHOOK_ALLOWED_NETWORKS": ["10.20.0.0/16"]}):
        WebhookEndpoint(dealer=alice.dealer, url="https://10.20.3.4/hooks").full_clean()
        with pytest.raises(ValidationError):
            WebhookEndpoint(dealer=alice.dealer, url="https://10.21.0.1/hooks").full_clean()


def test_the_api_refuses_a_private_endpoint_with_the_reason(api, alice):
    with override_settings(**PRODUCTION):
        response = api.post(
            "/api/v1/webhooks/",
            {"url": "https://169.254.169.254/latest/", "events": ["case.created"]},
            format="json",
        )

    assert response.status_code == 400
    assert "not a public address" in str(response.json()["errors"]["url"])
    assert not WebhookEndpoint.objects.exists()


class Recorder:
    """Stands in for `requests`: records what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def post(self, url: str, **kwargs: object) -> object:
        self.sent.append(url)
        return type("Response", (), {"status_code": 204})()


def _resolving_to(monkeypatch, address: str | None) -> None:
    def getaddrinfo(host, port, *args, **kwargs):
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _pending_delivery(alice, make_complaint) -> WebhookDelivery:
    WebhookEndpoint.objects.create(dealer=alice.dealer, url="https://dms.example.com/hooks")
    case = make_complaint(alice, state=State.RECEIVED)
    services.complaint_transition(complaint=case, name="start_listening", actor=alice.advisor)
    return WebhookDelivery.objects.get()


@pytest.mark.parametrize("address", ["10.1.2.3", "127.0.0.1", "fe80::1", "169.254.169.254"])
def test_a_name_re_pointed_at_a_private_address_is_not_sent_to(
    alice, make_complaint, monkeypatch, address
):
    delivery = _pending_delivery(alice, make_complaint)
    _resolving_to(monkeypatch, address)
    session = Recorder()

    with override_settings(**PRODUCTION):
        status = webhooks.deliver(delivery.pk, session=session)

    assert session.sent == []
    delivery.refresh_from_db()
    assert status == OutboxState.PENDING and delivery.last_status_code is None
    assert "not a public address" in delivery.outbox_last_error


def test_a_name_that_resolves_to_a_public_address_is_sent_to(alice, make_complaint, monkeypatch):
    delivery = _pending_delivery(alice, make_complaint)
    _resolving_to(monkeypatch, "93.184.216.34")
    session = Recorder()

    with override_settings(**PRODUCTION):
        status = webhooks.deliver(delivery.pk, session=session)

    assert session.sent == ["https://dms.example.com/hooks"]
    assert status == OutboxState.SENT


def test_a_name_that_does_not_resolve_is_retried_later(alice, make_complaint, monkeypatch):
    delivery = _pending_delivery(alice, make_complaint)
    _resolving_to(monkeypatch, None)
    session = Recorder()

    with override_settings(**PRODUCTION):
        status = webhooks.deliver(delivery.pk, session=session)

    assert session.sent == [] and status == OutboxState.PENDING
    delivery.refresh_from_db()
    assert "could not be resolved" in delivery.outbox_last_error
