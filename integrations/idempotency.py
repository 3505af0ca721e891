"""`Idempotency-Key` on every POST: a retry within 24 hours replays the first response.

The first request inserts a record with a unique (client, key), runs and stores its response,
all in one transaction; a concurrent retry waits on the uncommitted record for a moment and
then gets the stored response, or 409 while the first is still in flight. The same key with
another method, path or body is 422. Only successful responses are stored: a refused request
changed nothing and may be retried.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from .authentication import ApiClient, client_id
from .models import IdempotencyRecord
from .problems import IdempotencyKeyReused, RequestInFlight

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[!-~]{1,255}")
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("Content-Type", "Location", "ETag")
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out


def _retention() -> timedelta:
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_RETENTION_HOURS", 24))


def _in_flight_timeout() -> timedelta:
    # A request still "in flight" after this long died with its worker; let a retry run.
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_IN_FLIGHT_TIMEOUT", 300))


def fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update((request.method or "").encode())
    digest.update(b"\n")
    digest.update(request.get_full_path().encode())
    digest.update(b"\n")
    if (request.content_type or "").startswith("multipart/form-data"):
        # An upload is not read into memory whole (its size may pass the body limit): the
        # parsed fields and each file's name and content make its fingerprint instead (the
        # multipart boundary differs from one retry to the next anyway).
        _multipart_digest(request, digest)
        return digest.hexdigest()
    try:
        body = request._request.body
    except RawPostDataException:  # pragma: no cover - the body was streamed already
        body = repr(request.data).encode()
    digest.update(body)
    return digest.hexdigest()


def _multipart_digest(request: Request, digest: Any) -> None:
    data: Any = request.data  # a QueryDict of fields and files
    for name in sorted(data.keys()):
        for value in data.getlist(name):
            digest.update(name.encode() + b"=")
            if hasattr(value, "chunks"):
                digest.update(f"file:{value.name}:{value.size}:".encode())
                for chunk in value.chunks():
                    digest.update(chunk)
                value.seek(0)
            else:
                digest.update(str(value).encode())
            digest.update(b"\n")


def _records() -> QuerySet[IdempotencyRecord]:
    # Records are found by the caller's own client id and key (and purged by age): no actor
    # reads another's, so they need no dealer scope.
    return IdempotencyRecord.objects.unscoped(reason="idempotency")


def _lock_wait() -> float:
    # A concurrent duplicate waits this long for the first request's transaction, then gets 409.
    return float(getattr(settings, "IDEMPOTENCY_LOCK_WAIT_SECONDS", 2))


# The lock_timeout for the duplicate's wait is set by the INSERT itself: the row it inserts is
# computed from set_config(), so the timeout is in force before the unique index is checked.
_INSERT = """
    INSERT INTO {table} (client, key, dealer_id, fingerprint, status_code, response_body,
                         response_headers, created_at)
    SELECT %s, %s, %s, %s, NULL, ''::bytea, '{{}}'::jsonb, %s
    FROM (SELECT set_config('lock_timeout', %s, true)) AS wait (timeout)
    WHERE wait.timeout IS NOT NULL
    ON CONFLICT (client, key) DO NOTHING
    RETURNING id
"""


def _session_lock_timeout() -> str:
    """The session's lock_timeout, to restore after the claim; read once per connection.

    Nothing in the project changes it within a session (a pooler in transaction mode would
    not keep such a change anyway), so the value read on a connection's first claim holds
    for its life; a reconnection reads it again."""
    raw = connection.connection
    cached = getattr(connection, "_idempotency_lock_timeout", None)
    if cached is not None and cached[0] is raw:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        value = cursor.fetchone()[0]
    connection._idempotency_lock_timeout = (connection.connection, value)  # type: ignore[attr-defined]
    return value


def _claim(client: str, key: str, print_: str, dealer_id: int | None) -> IdempotencyRecord | None:
    """Insert the in-flight record in the caller's transaction; None when we own it, else the
    record found.

    Runs inside the transaction that also runs the request's effect: a duplicate arriving
    meanwhile blocks on the uncommitted row (unique index) until that transaction ends, so
    it sees either the finished record or nothing at all, never a case without its record.
    Two statements on the way of a new key: the INSERT (which sets the wait) and the reset.
    """
    previous = _session_lock_timeout()
    # At least 1 ms: a lock_timeout of 0 would mean waiting for ever.
    wait = f"{max(1, int(_lock_wait() * 1000))}ms"
    with connection.cursor() as cursor:
        try:
            owned, existing = _insert_or_find(cursor, client, key, print_, dealer_id, wait)
        except OperationalError as error:
            if getattr(error.__cause__, "pgcode", None) == LOCK_NOT_AVAILABLE:
                raise RequestInFlight() from error
            raise
        # The request's own statements wait for locks as they always did.
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    return None if owned else existing


def _insert_or_find(
    cursor: Any, client: str, key: str, print_: str, dealer_id: int | None, wait: str
) -> tuple[bool, IdempotencyRecord | None]:
    now = timezone.now()
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    for _attempt in range(3):
        cursor.execute(_INSERT.format(table=table), [client, key, dealer_id, print_, now, wait])
        if cursor.fetchone() is not None:
            return True, None
        existing = _records().select_for_update().filter(client=client, key=key).first()
        if existing is None:
            continue  # purged in between: try again
        expired = existing.created_at < now - _retention()
        # A record without a response can only be left by a worker that died while claims
        # still had their own transaction: a retry with the same body runs after the timeout.
        abandoned = (
            existing.status_code is None
            and existing.fingerprint == print_
            and existing.created_at < now - _in_flight_timeout()
        )
        if not (expired or abandoned):
            return False, existing
        # Take the key afresh within this transaction: should the request fail, the old
        # record stays as it was.
        _records().filter(pk=existing.pk).update(
            fingerprint=print_,
            dealer_id=dealer_id,
            status_code=None,
            response_body=b"",
            response_headers={},
            created_at=now,
        )
        return True, None
    raise RequestInFlight()


def purge_expired() -> int:
    """Forget records older than the retention (24 h): their keys may be used again."""
    deleted, _rows = _records().filter(created_at__lt=timezone.now() - _retention()).delete()
    return deleted


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.status_code)
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a DRF view's `post` handler."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise ValidationError(
                {HEADER: [_("Use 1 to 255 visible ASCII characters, e.g. a UUID.")]}
            )
        client = client_id(request)
        user = request.user
        dealer_id = user.api_key.dealer_id if isinstance(user, ApiClient) else None
        print_ = fingerprint(request)
        # One transaction for the claim, the request's effect and the stored response: a crash
        # at any point leaves either nothing (a retry runs the request) or the effect with its
        # response (a retry replays it).
        with transaction.atomic():
            existing = _claim(client, key, print_, dealer_id)
            if existing is not None:
                if existing.fingerprint != print_:
                    raise IdempotencyKeyReused()
                if existing.status_code is None:
                    raise RequestInFlight()
                return _replay(existing)
            response = handler(view, request, *args, **kwargs)
            response = view.finalize_response(request, response, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if 200 <= response.status_code < 300:
                _records().filter(client=client, key=key).update(
                    status_code=response.status_code,
                    response_body=response.content,
                    response_headers={h: response[h] for h in STORED_HEADERS if h in response},
                )
            else:
                # Only successes are replayed: a refused request may be sent again.
                _records().filter(client=client, key=key, status_code=None).delete()
        return response

    return wrapper
