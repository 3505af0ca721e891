"""Request rates per API key and per signed-in user, counted in the Django cache (Redis
when REDIS_URL is set, so every web process shares the counts). Over the limit: 429 with
Retry-After."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import ApiClient


class _Throttle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at request time, not import time, so settings overrides take effect.
        if self.scope is None:
            return None
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate is None else str(rate)

    def __init__(self) -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)


class ApiKeyRateThrottle(_Throttle):
    scope = "api_key"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not isinstance(request.user, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.api_key.prefix}


class UserRateThrottle(_Throttle):
    scope = "user"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = request.user
        if isinstance(user, ApiClient) or not getattr(user, "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}
