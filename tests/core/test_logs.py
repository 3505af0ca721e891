"""Log lines as JSON: each line parses, has its time, level, logger and message, the request's
or the task's context, and no phone number or e-mail address."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from core.logs import JsonFormatter, log_context
from core.middleware import ObservabilityMiddleware
from core.scoping import access_for
from core.tasks import ping
from integrations.views import WhoAmIApi
from tests.api.conftest import alice_key, api  # noqa: F401 - fixtures
from tests.core.test_deploy_checks import _production, _run

PHONE = "13800138000"
EMAIL = "wang@example.com"
KEYS = {"time", "level", "logger", "message"}


@pytest.fixture
def lines():
    """The JSON lines written to the root logger during the test."""
    log_context.set(None)  # whatever an earlier test's request left
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def _no_personal_data(line: dict) -> None:
    text = json.dumps(line, ensure_ascii=False)
    assert PHONE not in text and EMAIL not in text
    assert "Wang" not in text


def test_a_line_has_its_keys_and_masks_phone_numbers_and_addresses(lines):
    logger = logging.getLogger("complaints.example")
    logger.warning("customer %s (%s) called again", PHONE, EMAIL)
    try:
        raise ValueError(f"refused +86 138-0013-8000 and {EMAIL}")
    except ValueError:
        logger.exception("sending failed")

    first, second = lines()
    assert KEYS <= set(first) and KEYS <= set(second)
    assert first["level"] == "WARNING" and first["logger"] == "complaints.example"
    assert first["message"] == "customer [redacted] ([redacted]) called again"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["time"])
    assert second["level"] == "ERROR" and "ValueError" in second["exception"]
    assert "138-0013-8000" not in second["exception"]
    _no_personal_data(first)
    _no_personal_data(second)
    # Not a request, not a task: no context at all.
    assert "request_id" not in first and "task" not in first


def _whoami_that_logs(monkeypatch) -> None:
    original = WhoAmIApi.get

    def get(self, request):
        response = original(self, request)
        logging.getLogger("integrations.example").info("asked by %s at %s", PHONE, EMAIL)
        return response

    monkeypatch.setattr(WhoAmIApi, "get", get)


def test_a_line_written_in_an_api_request_names_the_request_key_and_dealer(
    api,  # noqa: F811 - a fixture imported above
    alice,
    alice_key,  # noqa: F811 - a fixture imported above
    lines,
    monkeypatch,
):
    _whoami_that_logs(monkeypatch)

    response = api.get("/api/v1/whoami/", headers={"X-Request-ID": "lb-42"})

    assert response.status_code == 200 and response["X-Request-ID"] == "lb-42"
    (line,) = [line for line in lines() if line["logger"] == "integrations.example"]
    assert line["request_id"] == "lb-42"
    assert line["api_key"] == alice_key.prefix and line["dealer"] == alice.dealer.pk
    assert "user_id" not in line
    _no_personal_data(line)


def test_a_line_written_for_a_signed_in_user_names_their_id_and_dealer(
    client, alice, lines, monkeypatch
):
    _whoami_that_logs(monkeypatch)
    client.force_login(alice.advisor)

    response = client.get("/api/v1/whoami/")

    assert response.status_code == 200
    (line,) = [line for line in lines() if line["logger"] == "integrations.example"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == alice.advisor.pk and line["dealer"] == alice.dealer.pk
    _no_personal_data(line)


def test_a_log_line_never_queries_the_user_it_names(alice, lines, django_assert_num_queries):
    logger = logging.getLogger("core.example")

    def view(request):
        logger.info("before anybody asked who the user is")
        request.user._setup()
        access_for(request.user)
        logger.info("once the view knows them")
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: alice.advisor)
    with django_assert_num_queries(1):  # the view's own access query, none for the log
        ObservabilityMiddleware(view)(request)

    before, after = lines()
    assert "user_id" not in before and before["request_id"] == after["request_id"]
    assert after["user_id"] == alice.advisor.pk and after["dealer"] == alice.dealer.pk


def test_an_anonymous_request_has_a_request_id_and_no_user(lines):
    def view(request):
        logging.getLogger("core.example").info("anonymous")
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = ObservabilityMiddleware(view)(request)

    (line,) = lines()
    assert line["request_id"] == response["X-Request-ID"]
    assert "user_id" not in line and "dealer" not in line


def test_a_line_written_in_a_celery_task_names_the_task(lines):
    result = ping.apply()

    (line,) = [line for line in lines() if line["message"] == "pong"]
    assert line["task"] == "core.ping" and line["task_id"] == result.id
    # The task's context ends with it.
    logging.getLogger("core.example").info("after the task")
    assert "task" not in lines()[-1]


# --- the setting ----------------------------------------------------------------------

LOG_A_LINE = [
    "-c",
    "import django, logging; django.setup(); "
    f"logging.getLogger('complaints.example').warning('call {PHONE} back')",
]


def test_production_logs_json_lines_by_default():
    result = _run(LOG_A_LINE, _production())

    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(text) for text in result.stderr.splitlines() if text.startswith("{")]
    assert KEYS <= set(line) and line["logger"] == "complaints.example"
    assert line["message"] == "call [redacted] back"


def test_production_logs_text_when_asked():
    result = _run(LOG_A_LINE, _production(LOG_FORMAT="text"))

    assert result.returncode == 0, result.stderr
    assert "WARNING complaints.example call" in result.stderr
    assert not result.stderr.lstrip().startswith("{")


def test_an_unknown_log_format_stops_the_process():
    result = _run(LOG_A_LINE, _production(LOG_FORMAT="xml"))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "LOG_FORMAT" in result.stderr


def test_djangos_own_line_about_a_response_carries_its_request_id_and_the_context_ends(
    client, lines
):
    response = client.get("/no/such/page/", headers={"X-Request-ID": "lb-404"})

    assert response.status_code == 404
    (line,) = [line for line in lines() if line["logger"] == "django.request"]
    assert line["message"] == "Not Found: /no/such/page/" and line["request_id"] == "lb-404"
    logging.getLogger("core.example").info("after the response")
    assert "request_id" not in lines()[-1]
