"""The read replica's rules that need no replica: its settings, which reads the router may
send there, and who is pinned to the primary after a write. Reading a real streaming replica
is tests/core/test_read_replica.py."""

from __future__ import annotations

import runpy
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from complaints.models import Complaint
from config.settings import base as base_settings
from core import replica
from core.models import User
from dealers.models import Dealer, Membership, Region
from integrations.models import DealerApiKey, IdempotencyRecord

PRIMARY = "postgres://app@db-primary:5432/complaints"
REPLICA_URL = "postgres://app@db-replica:5432/complaints"


# --- settings -----------------------------------------------------------------------------


def _settings(monkeypatch, **env: str) -> dict[str, object]:
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REPLICA_STICKY_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("REPLICA_MAX_LAG_SECONDS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(base_settings.__file__)


def test_a_replica_url_adds_a_replica_that_tests_mirror_and_the_router(monkeypatch):
    values = _settings(monkeypatch, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA_URL)

    databases = values["DATABASES"]
    assert databases["replica"]["HOST"] == "db-replica"
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}
    assert databases["replica"]["OPTIONS"]["connect_timeout"] == 2
    assert values["DATABASE_ROUTERS"] == [replica.ROUTER]
    assert values["REPLICA_STICKY_SECONDS"] == values["REPLICA_MAX_LAG_SECONDS"] == 15


def test_without_a_replica_url_there_is_no_replica_and_no_router(monkeypatch):
    values = _settings(monkeypatch, DATABASE_URL=PRIMARY)

    assert set(values["DATABASES"]) == {"default"}
    assert values["DATABASE_ROUTERS"] == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_URL": REPLICA_URL}, "needs DATABASE_URL"),
        (
            {"DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URL": "mysql://app@db/complaints"},
            "PostgreSQL",
        ),
        (
            {"REPLICA_STICKY_SECONDS": "10", "REPLICA_MAX_LAG_SECONDS": "30"},
            "must not exceed",
        ),
        ({"REPLICA_STICKY_SECONDS": "0"}, "REPLICA_STICKY_SECONDS"),
    ],
)
def test_a_replica_setting_that_cannot_work_stops_the_start(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        _settings(monkeypatch, **env)


def test_under_the_test_settings_nothing_is_routed_and_the_middleware_steps_aside():
    assert not replica.enabled()
    with replica.tolerates_lag():
        assert replica.read_database() == "default"
    with pytest.raises(MiddlewareNotUsed):
        replica.ReplicaMiddleware(lambda request: HttpResponse())


# --- the router -----------------------------------------------------------------------------


@pytest.fixture
def lag_tolerant():
    """Inside a lag-tolerant block whose check chose the replica."""
    token = replica._route.set(replica.REPLICA)
    yield
    replica._route.reset(token)


def test_only_reads_inside_a_lag_tolerant_block_may_go_to_the_replica(lag_tolerant):
    router = replica.ReplicaRouter()
    for model in (Complaint, Dealer, Region):
        assert router.db_for_read(model) == "replica"
        assert router.db_for_write(model) == "default"
    replica._route.set("default")
    assert router.db_for_read(Complaint) == "default"


def test_who_the_user_is_and_what_they_may_do_is_always_read_from_the_primary(lag_tolerant):
    router = replica.ReplicaRouter()
    for model in (Session, User, Membership, DealerApiKey, IdempotencyRecord):
        assert router.db_for_read(model) == "default", model


def test_a_read_inside_a_transaction_on_the_primary_stays_there(postgres, lag_tolerant):
    # Real transactions: a test's own transaction would keep every read on the primary.
    router = replica.ReplicaRouter()
    with transaction.atomic():
        assert router.db_for_read(Complaint) == "default"
        assert replica.read_database() == "default"
    assert router.db_for_read(Complaint) == "replica"


def test_nothing_is_migrated_on_the_replica():
    router = replica.ReplicaRouter()
    assert router.allow_migrate("replica", "complaints") is False
    assert router.allow_migrate("default", "complaints") is None


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('INSERT INTO "complaints_complaint" VALUES (1)', True),
        ('  update "followups_deadline" SET breached_at = now()', True),
        ('DELETE FROM "django_session"', True),
        ('WITH moved AS (UPDATE "x" SET y = 1 RETURNING id) SELECT * FROM moved', True),
        ('SELECT * FROM "complaints_complaint" FOR UPDATE', False),
        ('WITH recent AS (SELECT id FROM "x") SELECT * FROM recent', False),
        ("SELECT 1", False),
    ],
)
def test_a_statement_that_changes_rows_is_told_from_a_read(sql, writes):
    assert replica._changes_rows(sql) is writes


# --- read-your-writes -----------------------------------------------------------------------


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _request(user, cookies: dict[str, str] | None = None, method: str = "get"):
    request = getattr(RequestFactory(), method)("/")
    request.user = user
    request.COOKIES.update(cookies or {})
    return request


def _cookies_of(response: HttpResponse) -> dict[str, str]:
    return {name: morsel.value for name, morsel in response.cookies.items()}


def _user(pk: int):
    return SimpleNamespace(pk=pk, is_authenticated=True)


def test_a_user_who_wrote_is_pinned_by_a_signed_cookie_until_it_runs_out(settings, fresh_cache):
    settings.REPLICA_STICKY_SECONDS = 15
    writer, other = _user(7), _user(8)
    response = HttpResponse()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        replica.pin(_request(writer), response)
        cookies = _cookies_of(response)
        assert response.cookies[replica.COOKIE]["max-age"] == 15
        assert response.cookies[replica.COOKIE]["httponly"]
        cache.clear()  # the cookie alone pins: no shared cache needed for a browser

        assert replica.pinned(_request(writer, cookies))
        assert not replica.pinned(_request(writer))
        assert not replica.pinned(_request(other, cookies))  # another user's cookie
        forged = {replica.COOKIE: cookies[replica.COOKIE].replace("user:7", "user:8")}
        assert not replica.pinned(_request(other, forged))
        clock.shift(timedelta(seconds=16))
        assert not replica.pinned(_request(writer, cookies))


def test_an_api_client_that_wrote_is_pinned_through_the_shared_cache(settings, fresh_cache):
    settings.REPLICA_STICKY_SECONDS = 15
    dms = SimpleNamespace(pk=None, is_authenticated=True, client_id="key:abc123")
    other = SimpleNamespace(pk=None, is_authenticated=True, client_id="key:def456")
    response = HttpResponse()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        replica.pin(_request(dms), response)

        assert replica.COOKIE not in response.cookies
        assert replica.pinned(_request(dms))
        assert not replica.pinned(_request(other))
        clock.shift(timedelta(seconds=16))
        assert not replica.pinned(_request(dms))


def test_with_the_shared_cache_unreachable_everyone_is_treated_as_pinned(monkeypatch):
    monkeypatch.setattr(replica, "cache", SimpleNamespace(degraded=True, get=lambda key: None))
    dms = SimpleNamespace(pk=None, is_authenticated=True, client_id="key:abc123")

    assert replica.pinned(_request(dms))


def test_an_anonymous_request_is_never_pinned(fresh_cache):
    anonymous = SimpleNamespace(pk=None, is_authenticated=False)
    response = HttpResponse()
    replica.pin(_request(anonymous), response)
    assert not response.cookies
    assert not replica.pinned(_request(anonymous))


@pytest.fixture
def middleware(monkeypatch, fresh_cache):
    """The middleware as installed with a replica configured, around `view`."""
    monkeypatch.setattr(replica, "enabled", lambda: True)

    def build(view):
        def get_response(request):
            wrapper.process_view(request, view, (), {})
            return view(request)

        wrapper = replica.ReplicaMiddleware(get_response)
        return wrapper

    return build


def test_a_request_that_changed_rows_pins_its_user_whatever_its_method(db, middleware):
    def writes(request):
        Region.objects.filter(code="none").update(name="x")
        return HttpResponse()

    def reads(request):
        list(Region.objects.all())
        return HttpResponse()

    writer, reader = _user(1), _user(2)
    assert replica.COOKIE in middleware(writes)(_request(writer)).cookies
    assert replica.COOKIE not in middleware(reads)(_request(reader)).cookies
    assert replica.pinned(_request(writer)) and not replica.pinned(_request(reader))


def test_an_unsafe_request_that_reached_a_view_pins_its_user(db, middleware):
    def refuses(request):
        return HttpResponse(status=400)

    response = middleware(refuses)(_request(_user(3), method="post"))
    assert replica.COOKIE in response.cookies


# --- which block reads the replica ----------------------------------------------------------


@pytest.fixture
def replica_answers(monkeypatch, fresh_cache):
    """A replica configured, up and within the lag bound."""
    monkeypatch.setattr(replica, "enabled", lambda: True)
    monkeypatch.setattr(replica.health, "usable", lambda: True)


def _inside_request(request) -> str:
    token = replica._request.set(replica._RequestState(request))
    try:
        with replica.tolerates_lag():
            return replica.read_database()
    finally:
        replica._request.reset(token)


def test_a_lag_tolerant_block_reads_the_replica_unless_its_user_wrote(replica_answers):
    reader, writer = _user(1), _user(2)
    replica.pin(_request(writer), HttpResponse())

    assert _inside_request(_request(reader)) == "replica"
    assert _inside_request(_request(writer)) == "default"
    assert replica.read_database() == "default"  # outside the block


def test_a_request_that_writes_reads_from_the_primary_even_in_a_lag_tolerant_block(
    replica_answers,
):
    assert _inside_request(_request(_user(1), method="post")) == "default"


def test_a_replica_that_is_down_or_behind_leaves_the_block_on_the_primary(
    replica_answers, monkeypatch
):
    monkeypatch.setattr(replica.health, "usable", lambda: False)
    assert _inside_request(_request(_user(1))) == "default"


class _Replica:
    """A replica connection answering `lag` seconds, or failing with `error`."""

    def __init__(self, *, lag: float = 0.0, error: Exception | None = None) -> None:
        self.lag, self.error, self.queries, self.closed = lag, error, 0, 0

    def cursor(self):
        replica_connection = self

        class Cursor:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def execute(self, sql):
                replica_connection.queries += 1
                if replica_connection.error is not None:
                    raise replica_connection.error

            def fetchone(self):
                return (replica_connection.lag,)

        return Cursor()

    def close(self):
        self.closed += 1


@pytest.fixture
def health(monkeypatch):
    checker = replica._Health()

    def with_replica(connection: _Replica) -> replica._Health:
        monkeypatch.setattr(replica, "connections", {"replica": connection})
        return checker

    return with_replica


def test_a_replica_that_is_down_is_left_alone_for_a_while_with_one_warning(health, caplog):
    from django.db import OperationalError

    down = _Replica(error=OperationalError("connection refused"))
    checker = health(down)

    assert not checker.usable()
    assert not checker.usable()
    assert down.queries == 1 and down.closed == 1  # not tried again at once
    warnings = [r.getMessage() for r in caplog.records if r.name == "core.replica"]
    assert warnings == ["Read replica unavailable (connection refused): reading from the primary."]
    checker.down_until = 0  # the interval has passed
    assert not checker.usable()
    assert down.queries == 2


def test_a_replica_further_behind_than_the_bound_is_not_read(health, settings, caplog):
    settings.REPLICA_MAX_LAG_SECONDS = 15

    assert health(_Replica(lag=0.0)).usable()
    assert health(_Replica(lag=14.5)).usable()
    assert not health(_Replica(lag=20.0)).usable()
    assert "20.0 s behind" in caplog.text
