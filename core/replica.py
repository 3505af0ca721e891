"""Reads that tolerate lag go to a streaming replica; everything else stays on the primary.

With `DATABASE_REPLICA_URL` set, the settings add the `replica` database and install
`ReplicaRouter`. The router sends nothing to the replica by itself: only code running inside
`tolerates_lag()` reads from it, and the entry points that use it are named, one by one — the
analytics figures (page, exports, API) and the case lists (the browser's worklist and region
watch list, the API's list, the manager's overview and overdue board). Every other read —
each service that writes, each transition's lock, the sweep, log-in, sessions, API keys and
idempotency records — is on the primary, as without a replica.

Read-your-writes: a request that changed something (an unsafe method that reached a view, or
any statement that changed rows on the primary, whatever the method) pins its user to the
primary for `REPLICA_STICKY_SECONDS`. The pin is kept where every web process sees it, never
in a process's memory: a signed cookie for the browser, and the shared cache (Redis) keyed by
the user or the API key, so an API client without cookies is pinned as well.

The replica is checked when a lag-tolerant block starts (one query): down, or further behind
than `REPLICA_MAX_LAG_SECONDS`, and the block reads from the primary instead, with a warning
in the log at most every `RETRY_AFTER` seconds. A replica that is down is not tried again for
`RETRY_AFTER` seconds, so it costs one failed connection per interval, not one per request.
Starting up refuses a lag bound longer than the pin: a user whose pin has run out reads from a
replica that has replayed their write.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
ROUTER = "core.replica.ReplicaRouter"
# After a failed connection the replica is left alone this long (seconds).
RETRY_AFTER = 10.0
COOKIE = "primary_reads"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Read from the primary even inside a lag-tolerant block: who the user is, what they may do
# (a role just taken away must not linger), and the records that guard against replays.
PRIMARY_APPS = frozenset({"sessions", "auth", "axes", "admin", "rest_framework_api_key"})
PRIMARY_MODELS = frozenset(
    {"core.user", "dealers.membership", "api.dealerapikey", "api.idempotencyrecord"}
)

# How far the replica is behind, in seconds: 0 while it has replayed everything it received
# and is streaming from the primary; otherwise the age of the last transaction it replayed
# (an upper bound: nothing newer is visible there). Infinity before it replayed anything.
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
             AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0
        ELSE COALESCE(
            EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 'Infinity'
        )
    END
"""
WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
WRITE_IN_CTE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def enabled() -> bool:
    """Whether a replica is configured and routed to (never under the test settings, where
    the replica alias is a mirror of the test database)."""
    return REPLICA in settings.DATABASES and ROUTER in settings.DATABASE_ROUTERS


# --- the request: who is reading, and did they write ------------------------------------------


@dataclass
class _RequestState:
    request: HttpRequest
    reached_view: bool = False
    wrote: bool = False

    def watch(
        self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
    ) -> Any:
        result = execute(sql, params, many, context)
        if not self.wrote and _changes_rows(sql):
            self.wrote = True
        return result


def _changes_rows(sql: Any) -> bool:
    text = sql if isinstance(sql, str) else str(sql)
    if WRITE.match(text):
        return True
    return text.lstrip()[:4].upper() == "WITH" and bool(WRITE_IN_CTE.search(text))


_request: ContextVar[_RequestState | None] = ContextVar("replica_request", default=None)
_route: ContextVar[str | None] = ContextVar("replica_route", default=None)


def _client_id(user: Any) -> str | None:
    """The user or the API key behind a request (integrations.authentication.client_id)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    own = getattr(user, "client_id", None)
    return str(own) if own else f"user:{user.pk}"


def _cache_key(client: str) -> str:
    return f"replica-pin:{client}"


def pin(request: HttpRequest, response: HttpResponse) -> None:
    """Pin the request's user to the primary for REPLICA_STICKY_SECONDS."""
    client = _client_id(getattr(request, "user", None))
    if client is None:
        return
    seconds = settings.REPLICA_STICKY_SECONDS
    cache.set(_cache_key(client), time.time(), timeout=seconds)
    if client.startswith("user:"):  # a browser: the cookie needs no shared cache
        response.set_signed_cookie(
            COOKIE,
            client,
            salt=COOKIE,
            max_age=seconds,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def pinned(request: HttpRequest) -> bool:
    """Whether the request's user wrote within REPLICA_STICKY_SECONDS, or may have: while the
    shared cache is unreachable a pin kept there cannot be seen, so everyone counts as pinned."""
    client = _client_id(getattr(request, "user", None))
    if client is None:
        return False
    seconds = settings.REPLICA_STICKY_SECONDS
    signed = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE, max_age=seconds)
    if signed == client:
        return True
    if getattr(cache, "degraded", False):
        return True
    written = cache.get(_cache_key(client))
    return written is not None and time.time() - float(written) < seconds


class ReplicaMiddleware:
    """Knows the request for `tolerates_lag()`, and pins the user after a write. Placed after
    the CSRF and authentication middleware: a request refused there reached no view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = _RequestState(request)
        token = _request.set(state)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(state.watch):
                response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote or (state.reached_view and request.method not in SAFE_METHODS):
            pin(request, response)
        return response

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        state = _request.get()
        if state is not None:
            state.reached_view = True


# --- the replica's health -----------------------------------------------------------------


class _Health:
    def __init__(self) -> None:
        self.down_until = 0.0
        self.last_warning = float("-inf")
        self.lock = threading.Lock()

    def warn(self, message: str, *args: Any) -> None:
        now = time.monotonic()
        with self.lock:
            if now - self.last_warning < RETRY_AFTER:
                return
            self.last_warning = now
        logger.warning(message, *args)

    def failed(self, error: Exception) -> None:
        with self.lock:
            self.down_until = time.monotonic() + RETRY_AFTER
        reason = " ".join(str(error).split())
        self.warn("Read replica unavailable (%s): reading from the primary.", reason)

    def usable(self) -> bool:
        """Whether the replica answers and is within REPLICA_MAX_LAG_SECONDS."""
        if time.monotonic() < self.down_until:
            return False
        connection = connections[REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                (lag,) = cursor.fetchone()
        except DatabaseError as error:
            # A connection broken mid-way would fail this process's next requests too.
            connection.close()
            self.failed(error)
            return False
        bound = settings.REPLICA_MAX_LAG_SECONDS
        if float(lag) > bound:
            self.warn(
                "Read replica %.1f s behind (more than %s s): reading from the primary.", lag, bound
            )
            return False
        return True


health = _Health()


# --- routing ------------------------------------------------------------------------------


@contextmanager
def tolerates_lag() -> Iterator[None]:
    """Reads inside may come from the replica: use it (`with` or as a decorator) only where
    a figure or a list a few seconds old is right. The replica is used unless the request
    writes or its user is pinned, or the replica is down or too far behind."""
    if _route.get() is not None or not enabled():
        yield
        return
    state = _request.get()
    request = state.request if state is not None else None
    primary = request is not None and (request.method not in SAFE_METHODS or pinned(request))
    token = _route.set(DEFAULT_DB_ALIAS if primary or not health.usable() else REPLICA)
    try:
        yield
    finally:
        _route.reset(token)


def read_database() -> str:
    """The database the reads here go to, for raw SQL (`connections[read_database()]`)."""
    if _route.get() == REPLICA and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Only reads inside `tolerates_lag()` go to the replica; writes, migrations and the
    reads of a transaction open on the primary (it may need to see its own writes) do not."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        meta = model._meta
        if meta.app_label in PRIMARY_APPS or meta.label_lower in PRIMARY_MODELS:
            return DEFAULT_DB_ALIAS
        return read_database()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both databases hold the same rows.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
