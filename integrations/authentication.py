"""`Authorization: Api-Key <key>`: a DMS connection acting as an advisor of its dealer."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

from core.scoping import ADVISOR, Access

from .models import DealerApiKey

KEYWORD = "api-key"
logger = logging.getLogger(__name__)


class ApiClient:
    """The actor behind an API key: an advisor's rights at exactly one dealer.

    Services take it like a user: `core.scoping.access_for` asks it for its access and the
    timeline names it by `actor_label`. It is never a manager, so it can never approve.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, api_key: DealerApiKey) -> None:
        self.api_key = api_key
        self.dealer = api_key.dealer

    def scoping_access(self) -> Access:
        return Access(dealer_roles={self.api_key.dealer_id: frozenset({ADVISOR})})

    @property
    def actor_label(self) -> str:
        # The key's prefix is unique and not secret: the timeline names the exact key.
        return str(
            _("API: %(name)s (%(dealer)s, key %(prefix)s)")
            % {"name": self.api_key.name, "dealer": self.dealer.code, "prefix": self.api_key.prefix}
        )

    @property
    def client_id(self) -> str:
        return f"key:{self.api_key.prefix}"

    def __str__(self) -> str:
        return self.actor_label


def find_key(raw: str) -> DealerApiKey | None:
    prefix, dot, _secret = raw.partition(".")
    if not dot or not prefix or len(prefix) > 8:
        return None
    api_key = (
        DealerApiKey.objects.unscoped(reason="authentication")
        .select_related("dealer")
        .filter(prefix=prefix, revoked=False)
        .first()
    )
    if api_key is None or not api_key.is_valid(raw):
        return None
    if api_key.expiry_date is not None and api_key.expiry_date < timezone.now():
        return None
    return api_key


class KeyGuessing:
    """Failed API-key attempts counted per address in the cache (fixed window from the first
    failure). Over API_KEY_FAILURE_LIMIT, every Api-Key request from the address is a 429
    until the window ends, a right key included: answering it would tell a guesser which
    key is right. Without the cache the count is skipped (logged), never the request."""

    @staticmethod
    def _key(request: Request) -> str:
        return f"api-key-failures:{request.META.get('REMOTE_ADDR', '')}"

    @staticmethod
    def _window() -> int:
        return int(settings.API_KEY_FAILURE_WINDOW_SECONDS)

    @classmethod
    def check(cls, request: Request) -> None:
        try:
            failures = cache.get(cls._key(request), 0)
        except Exception:  # the cache is down: let the request through
            logger.warning("API key failures could not be read from the cache", exc_info=True)
            return
        if failures >= settings.API_KEY_FAILURE_LIMIT:
            raise Throttled(
                wait=cls._window(),
                detail=gettext("Too many wrong API keys from this address. Try again later."),
            )

    @classmethod
    def failed(cls, request: Request) -> None:
        key = cls._key(request)
        try:
            cache.add(key, 0, timeout=cls._window())
            cache.incr(key)
        except ValueError:  # expired between add and incr: this failure starts a new window
            cache.set(key, 1, timeout=cls._window())
        except Exception:
            logger.warning("An API key failure could not be counted", exc_info=True)


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, DealerApiKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.encode():
            return None
        KeyGuessing.check(request)
        if len(header) != 2:
            KeyGuessing.failed(request)
            raise AuthenticationFailed(_("Send the key as: Authorization: Api-Key <key>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            KeyGuessing.failed(request)
            raise AuthenticationFailed(_("Invalid API key.")) from None
        api_key = find_key(raw)
        if api_key is None:
            KeyGuessing.failed(request)
            raise AuthenticationFailed(_("Invalid, revoked or expired API key."))
        return ApiClient(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return "Api-Key"


def client_id(request: Any) -> str:
    """A stable name of the caller, for idempotency records and throttling."""
    user = request.user
    if isinstance(user, ApiClient):
        return user.client_id
    return f"user:{user.pk}"
