"""OpenAPI details drf-spectacular cannot guess: the API-key scheme and the problem+json
responses every operation may give."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .problems import PROBLEM_CONTENT_TYPE, TITLES


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (`application/problem+json`)."""

    type = serializers.CharField(
        help_text="`urn:complaint-desk:problem:<code>`; codes include validation_failed, "
        "malformed_request, not_authenticated, authentication_failed, permission_denied, "
        "not_found, unknown_transition, method_not_allowed, not_acceptable, "
        "unsupported_media_type, transition_not_allowed (409, with allowed_transitions), "
        "conflict, request_in_flight (409), vehicle_belongs_to_another_customer (409), "
        "duplicate_complaint (409, with reference), customer_ambiguous (409), "
        "precondition_failed (412), "
        "idempotency_key_reused (422), throttled (429, with Retry-After), server_error."
    )
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    # Documentation only, never validated: the problem body's member is called `errors`.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field name (nested fields joined with dots) → messages.",
    )
    allowed_transitions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="On an illegal transition (409): the transitions allowed now.",
    )
    version = serializers.IntegerField(required=False, help_text="The case's current version.")
    state = serializers.CharField(required=False, help_text="The case's current state.")
    reference = serializers.CharField(
        required=False, help_text="On a duplicate complaint (409): the open case that has it."
    )


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Authorization: Api-Key <key>`; create keys with "
            "`manage.py createapikey --dealer CODE --name NAME`.",
        }


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": "^[!-~]{1,255}$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Send a unique key (e.g. a UUID) to make retries safe: a retry within 24 h "
    "with the same key and body returns the first response and creates nothing.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag of the case as you read it, e.g. "3"; 412 if it changed since.',
)


class ProblemAutoSchema(AutoSchema):
    """Adds the problem+json error responses an operation can produce."""

    def _problem_codes(self) -> list[str]:
        if getattr(self.view, "public_schema", False):
            return []
        codes = ["400", "401", "403", "404", "406", "429"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["415"]
        if self.method == "POST":
            codes += ["409", "422"]
        if getattr(self.view, "conditional", False) and self.method in ("POST", "PATCH"):
            codes += ["409", "412"]
        extra_codes = getattr(self.view, "extra_problem_codes", None)
        if extra_codes:
            codes += [str(c) for c in extra_codes]
        return sorted(set(codes))

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = self._problem_codes()
        if not codes:
            return responses
        component = self.resolve_serializer(ProblemSerializer, "response")
        for code in codes:
            responses.setdefault(
                code,
                {
                    "description": str(TITLES.get(int(code), "")),
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": component.ref}},
                },
            )
        return responses


VIN_SCHEMA = {
    "type": "string",
    "pattern": "^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$",
    "description": "17 characters, no I, O or Q; the check digit (9th) is verified.",
}
