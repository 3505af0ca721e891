"""What every API view shares: the acting dealer, path and body guards, and the docs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import PermissionDenied, ValidationFailed
from core.scoping import access_for
from dealers.models import Dealer
from dealers.selectors import dealer_list

from .authentication import ApiClient


class ApiView(GenericAPIView):
    """Base of the API's views; authentication, throttles and errors come from settings.

    Every read goes through a selector, never `get_queryset`; OPTIONS is not offered (the
    OpenAPI schema describes the API instead).
    """

    metadata_class = None


def path_value(value: str, *, max_length: int = 64) -> str:
    """A path parameter that cannot name anything stored is simply not found."""
    if not value or len(value) > max_length or not _clean_text(value):
        raise NotFound()
    return value


def _clean_text(value: str) -> bool:
    # NUL and lone surrogates cannot be stored in PostgreSQL text: refuse them up front.
    return "\x00" not in value and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)


def request_object(data: Any) -> dict[str, Any]:
    """The JSON body as an object, with every text in it storable."""
    if not isinstance(data, Mapping):
        raise ValidationFailed({"non_field_errors": [_("The request body must be a JSON object.")]})
    bad = sorted(str(name) for name, value in data.items() if not _storable(value))
    if bad:
        raise ValidationFailed(
            {name: [_("Contains characters that are not allowed.")] for name in bad}
        )
    return dict(data)


def _storable(value: Any) -> bool:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, Mapping):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_storable(v) for v in value)
    return True


def acting_dealer(actor: Any, code: str | None = None) -> Dealer:
    """The dealer a write is for: an API key's own dealer; for staff, the dealer named by
    `code`, or the only dealer they work at."""
    if isinstance(actor, ApiClient):
        if code and code != actor.dealer.code:
            raise ValidationFailed({"dealer": [_("This API key belongs to another dealer.")]})
        return actor.dealer
    dealers = dealer_list(actor=actor)
    access = access_for(actor)
    if not access.is_superuser:
        dealers = dealers.filter(pk__in=sorted(access.worked_dealer_ids))
    if code:
        if not _clean_text(code):
            raise ValidationFailed({"dealer": [_("Unknown dealer.")]})
        dealer = dealers.filter(code=code).first()
        if dealer is None:
            raise ValidationFailed({"dealer": [_("Unknown dealer.")]})
        return dealer
    found = list(dealers[:2])
    if not found:
        raise PermissionDenied(_("You do not work at any dealer."))
    if len(found) > 1:
        raise ValidationFailed({"dealer": [_("You work at several dealers: name one.")]})
    return found[0]


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document, public so integrators and tools can read it."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes: list[Any] = []


# Swagger UI's page carries one small inline style block; its scripts are separate files.
@method_decorator(
    csp_override(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": ["'self'", "data:"],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "frame-ancestors": ["'none'"],
        }
    ),
    name="dispatch",
)
class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes: list[Any] = []
    url_name = "api-schema"


class WhoAmISerializer(serializers.Serializer):
    actor = serializers.CharField(help_text="How the timeline names the caller.")
    kind = serializers.ChoiceField(choices=["api_key", "user"])
    dealers = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the dealers the caller works for."
    )


class WhoAmIApi(ApiView):
    """Who the credentials belong to: check an API key without touching any case."""

    serializer_class = WhoAmISerializer

    @extend_schema(operation_id="whoami", responses=WhoAmISerializer)
    def get(self, request: Request) -> Response:
        actor = request.user
        if isinstance(actor, ApiClient):
            kind, dealers = "api_key", [actor.dealer.code]
        else:
            access = access_for(actor)
            kind = "user"
            dealers = sorted(
                dealer_list(actor=actor)
                .filter(pk__in=sorted(access.worked_dealer_ids))
                .values_list("code", flat=True)
            )
        label = getattr(actor, "actor_label", None) or str(actor)
        return Response({"actor": label, "kind": kind, "dealers": dealers})
