"""The API's one JSON parser: the boundary every request body crosses.

Refused here, before any view runs, as a problem (integrations.problems):
- a body larger than settings.DATA_UPLOAD_MAX_MEMORY_SIZE (Django's limit for form data): 413;
- JSON nested deeper than MAX_DEPTH (a 500-deep array would otherwise exhaust the recursion of
  whatever walks it next): 400;
- text the database cannot store or a response cannot even be encoded with (a NUL character
  or a lone UTF-16 surrogate) anywhere, keys included: 400;
- numbers JSON cannot carry back (1e400 parses to infinity): 400.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

from core.text import text_problem

from .problems import BodyTooLarge

MAX_DEPTH = 32


def max_body_bytes() -> int:
    # Unset (None) in Django means no limit; the API keeps Django's default one regardless.
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        limit = max_body_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(_depth_message()) from None
        except ValueError as error:
            raise ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from None
        check_json(data)
        return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(_("%(name)s is not a JSON number.") % {"name": name})


def _depth_message() -> str:
    return _("The JSON is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}


def check_json(data: Any) -> None:
    """Walk the parsed body without recursion. A refused key or number, or nesting too deep,
    is a ParseError; refused text in a value is a ValidationError naming the field
    (`customer.name`, `items.0`)."""
    pending: list[tuple[Any, int, str]] = [(data, 1, "")]
    while pending:
        value, depth, path = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(_depth_message())
            if isinstance(value, dict):
                for key, item in value.items():
                    if problem := text_problem(key):
                        # The key cannot be named in the answer: it cannot even be encoded.
                        raise ParseError(
                            _("A field name contains characters that are not allowed: %(problem)s")
                            % {"problem": problem}
                        )
                    pending.append((item, depth + 1, f"{path}.{key}" if path else key))
            else:
                pending.extend(
                    (item, depth + 1, f"{path}.{index}" if path else str(index))
                    for index, item in enumerate(value)
                )
        elif isinstance(value, str):
            if problem := text_problem(value):
                raise ValidationError({path or "non_field_errors": [problem]})
        elif isinstance(value, float) and not math.isfinite(value):
            raise ParseError(_("A number in the body is out of range."))
