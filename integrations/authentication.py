"""`Authorization: Api-Key <key>`: a DMS connection acting as an advisor of its dealer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from core.scoping import ADVISOR, Access

from .models import DealerApiKey

KEYWORD = "api-key"


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


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, DealerApiKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.encode():
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("Send the key as: Authorization: Api-Key <key>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid API key.")) from None
        api_key = find_key(raw)
        if api_key is None:
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
