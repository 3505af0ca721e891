"""Log lines as JSON (`LOG_FORMAT=json`, the production default), one object per line, with
the context of the request or the Celery task that wrote them.

Every line has `time` (UTC, ISO 8601), `level`, `logger` and `message`; `exception` when
there is a traceback; and, where known, `request_id`, `user_id`, `api_key` (the key's prefix),
`dealer`, `task` and `task_id`. The context names people and dealers by their ids only: no
names, phone numbers or e-mail addresses. As a last guard, anything in a message or a
traceback that looks like a mobile number or an e-mail address is masked.

This module is imported by logging's configuration, before Django is set up: it imports
nothing from Django at module level.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# What the current request or task is: set by core.middleware.ObservabilityMiddleware and by
# the Celery signals in config.celery, read by every log line written meanwhile.
log_context: ContextVar[dict[str, Any] | None] = ContextVar("log_context", default=None)

# A request id from the load balancer is kept when it is a plain token; anything else
# (spaces, quotes, newlines: a forged log line) is replaced by our own.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Mainland mobile numbers (with or without +86) and e-mail addresses.
_PERSONAL = re.compile(
    r"(?<![\d])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![\d])"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
)


def log_context_end(**kwargs: Any) -> None:
    """A request's context ends when its response is closed (Django's request_finished)."""
    log_context.set(None)


def request_id_from(header: str | None) -> str:
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def mask_personal(text: str) -> str:
    return _PERSONAL.sub("[redacted]", text)


def _request_fields(request: Any) -> dict[str, Any]:
    """Who is asking, read only if authentication already ran: a log line never queries."""
    from django.utils.functional import empty

    fields: dict[str, Any] = {}
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)  # Django's lazy user, once evaluated
    if wrapped is None or wrapped is empty:
        return fields
    api_key = getattr(wrapped, "api_key", None)
    if api_key is not None:
        fields["api_key"] = api_key.prefix
        fields["dealer"] = api_key.dealer_id
        return fields
    if getattr(wrapped, "is_authenticated", False) and wrapped.pk is not None:
        fields["user_id"] = wrapped.pk
        access = wrapped.__dict__.get("_scoping_access")
        dealers = sorted(access.dealer_roles) if access is not None else []
        if len(dealers) == 1:
            fields["dealer"] = dealers[0]
    return fields


def context_fields() -> dict[str, Any]:
    context = log_context.get()
    if not context:
        return {}
    fields = {key: value for key, value in context.items() if key != "request"}
    request = context.get("request")
    if request is not None:
        fields.update(_request_fields(request))
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module's docstring for the keys)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal(record.getMessage()),
        }
        try:
            line.update(context_fields())
        except Exception:  # noqa: BLE001 - a log line must never fail for its context
            line["context_error"] = True
        if record.exc_info:
            line["exception"] = mask_personal(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = mask_personal(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING for `text` (one readable line) or `json` lines, on the console."""
    formatters = {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    }
    if log_format not in formatters:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT={log_format!r}: use 'text' or 'json'.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {log_format: formatters[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": level},
    }
