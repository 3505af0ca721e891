"""`Idempotency-Key` on every POST: a retry within 24 hours replays the first response.

The first request inserts a record with a unique (client, key) and runs; a concurrent
retry hits the unique constraint and gets 409 while the first is in flight, or the stored
response once it finished. The same key with another method, path or body is 422. Only
successful responses are stored: a refused request changed nothing and may be retried.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
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


def _retention() -> timedelta:
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_RETENTION_HOURS", 24))


def _in_flight_timeout() -> timedelta:
    # A request still "in flight" after this long died with its worker; let a retry run.
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_IN_FLIGHT_TIMEOUT", 300))


def fingerprint(request: Request) -> str:
    try:
        body = request._request.body
    except RawPostDataException:  # pragma: no cover - the body was streamed already
        body = repr(request.data).encode()
    digest = hashlib.sha256()
    digest.update((request.method or "").encode())
    digest.update(b"\n")
    digest.update(request.get_full_path().encode())
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def _records() -> QuerySet[IdempotencyRecord]:
    # Records are found by the caller's own client id and key (and purged by age): no actor
    # reads another's, so they need no dealer scope.
    return IdempotencyRecord.objects.unscoped(reason="idempotency")


def _claim(client: str, key: str, print_: str, dealer_id: int | None) -> IdempotencyRecord | None:
    """Insert the in-flight record; None when we own it, else the record found."""
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    client=client, key=key, fingerprint=print_, dealer_id=dealer_id
                )
            return None
        except IntegrityError:
            existing = _records().filter(client=client, key=key).first()
            if existing is None:
                continue  # removed in between: try again
        if existing.created_at < now - _retention():
            # Expired: forget it and take the key afresh.
            _records().filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if (
            existing.status_code is None
            and existing.fingerprint == print_
            and existing.created_at < now - _in_flight_timeout()
        ):
            taken = (
                _records()
                .filter(pk=existing.pk, status_code=None, created_at=existing.created_at)
                .update(created_at=now)
            )
            if taken == 1:
                return None
        return existing
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
        existing = _claim(client, key, print_, dealer_id)
        if existing is not None:
            if existing.fingerprint != print_:
                raise IdempotencyKeyReused()
            if existing.status_code is None:
                raise RequestInFlight()
            return _replay(existing)

        try:
            response = handler(view, request, *args, **kwargs)
            response = view.finalize_response(request, response, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        except BaseException:
            _records().filter(client=client, key=key, status_code=None).delete()
            raise
        if 200 <= response.status_code < 300:
            _records().filter(client=client, key=key).update(
                status_code=response.status_code,
                response_body=response.content,
                response_headers={h: response[h] for h in STORED_HEADERS if h in response},
            )
        else:
            _records().filter(client=client, key=key, status_code=None).delete()
        return response

    return wrapper
