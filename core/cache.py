"""A Redis cache that degrades instead of failing while Redis is unreachable.

The cache holds nothing that must survive (API throttle counters, cached values), so an outage
must not turn requests into 500s: while Redis cannot be reached every read is a miss and every
write is dropped, which means no throttling until it is back. After a failure the cache does
not try Redis again for `RETRY_AFTER` seconds (OPTIONS["RETRY_AFTER"], default 5), so a Redis
that does not answer at all costs one connect timeout per interval, not one per request.

Each failure is counted (`failures`, shown by the readiness check) and logged as a warning at
most once per interval, so an outage does not flood the log.

Django's own RedisCache raises on every call while Redis is down; django-redis's
IGNORE_EXCEPTIONS would swallow the errors but logs each one (or none), keeps no count and
tries to connect on every call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Fail fast when Redis does not answer; the defaults would wait for the operating system.
DEFAULT_SOCKET_TIMEOUT = 1.0


class DegradingRedisCache(RedisCache):
    """Django's RedisCache; while Redis is unreachable, reads miss and writes are dropped."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.failures = 0
        self._down_until = 0.0
        self._last_warning = float("-inf")
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while the last failure is less than RETRY_AFTER seconds old."""
        return time.monotonic() < self._down_until

    def ping(self) -> bool:
        """Whether Redis answers now (for the readiness check); a failure counts as any other."""
        return self._guard(lambda: bool(self._cache.get_client().ping()), False, force=True)

    def _guard(self, call: Callable[[], T], fallback: T, *, force: bool = False) -> T:
        if not force and self.degraded:
            return fallback
        try:
            return call()
        except RedisError as error:
            self._failed(error)
            return fallback

    def _failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self.failures += 1
            self._down_until = now + self.retry_after
            warn = now - self._last_warning >= self.retry_after
            if warn:
                self._last_warning = now
            count = self.failures
        if warn:
            logger.warning(
                "Cache unreachable, carrying on without it (no API throttling) for %ss: %s "
                "(%d failures so far)",
                self.retry_after,
                error,
                count,
            )

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._guard(
            lambda: super(DegradingRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(
            lambda: super(DegradingRedisCache, self).get(key, default, version), default
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard(
            lambda: super(DegradingRedisCache, self).set(key, value, timeout, version), None
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._guard(
            lambda: super(DegradingRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._guard(lambda: super(DegradingRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._guard(lambda: super(DegradingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> Any:
        return self._guard(lambda: super(DegradingRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        missing = object()
        result = self._guard(
            lambda: super(DegradingRedisCache, self).incr(key, delta, version), missing
        )
        if result is missing:
            # What any cache answers for a key it does not hold.
            raise ValueError(f"Key '{key}' not found.")
        return result

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        # The keys that could not be stored: all of them.
        return self._guard(
            lambda: super(DegradingRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard(lambda: super(DegradingRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._guard(lambda: super(DegradingRedisCache, self).clear(), None)
