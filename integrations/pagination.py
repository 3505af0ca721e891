"""Cursor pagination that refuses a cursor it did not make.

DRF decodes a cursor's position and hands it to the database as it is: a forged position
(`p=abc`, `p=0000-00-00` for a date ordering) raised a server error inside the query. Here
every cursor is checked before the query: undecodable, or a position the ordering field
cannot hold, is a 400 problem on `cursor`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination

from core.text import text_problem


class CheckedCursorPagination(CursorPagination):
    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Any) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._invalid() from None
        if cursor is None or cursor.position is None:
            return cursor
        field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        if text_problem(str(cursor.position)):
            raise self._invalid()
        try:
            value = field.to_python(cursor.position)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise self._invalid() from None
        if value is None:
            raise self._invalid()
        return cursor

    def _invalid(self) -> ValidationError:
        return ValidationError({"cursor": [_("This cursor is not valid: start again without it.")]})
