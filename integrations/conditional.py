"""ETag and If-Match for cases: the ETag is the case's `version`, bumped on every change."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.request import Request

from .problems import PreconditionFailed

_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


def etag_for(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request, current_version: int) -> int | None:
    """The version the caller's If-Match names, or None when it sent none (or `*`).

    Raises PreconditionFailed (412) when no strong entity tag in If-Match is the current
    one; the service checks again under the row lock, so a change in between is a 412 too.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    header = header.strip()
    if header == "*":
        return None
    versions = set()
    position = 0
    while position < len(header):
        match = _ENTITY_TAG.match(header, position)
        if match is None:
            break
        weak, value = match.groups()
        # If-Match uses the strong comparison (RFC 9110 13.1.1): weak tags never match.
        if not weak and value.isdigit() and len(value) < 10:
            versions.add(int(value))
        position = match.end()
    if current_version not in versions:
        raise PreconditionFailed(extra={"version": current_version})
    return current_version


def with_etag(response: Any, version: int) -> Any:
    response["ETag"] = etag_for(version)
    return response
