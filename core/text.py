"""Text that can be stored: one check shared by forms, payloads and services.

PostgreSQL refuses a NUL character in text, and a lone UTF-16 surrogate ("\\ud800") cannot be
encoded as UTF-8 at all; either reaches the database driver as an exception, that is a 500.
Callers that build data themselves (the API, imports from a DMS, tasks) do not go through a
browser that would never send them, so the services refuse them with the field named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.exceptions import ValidationFailed

# Generous for any free text of a case; a bound for what one request may make us store.
MAX_TEXT_LENGTH = 10_000

NUL_MESSAGE = _("Null characters are not allowed.")
SURROGATE_MESSAGE = _("Contains characters that are not valid text.")
SINGLE_VALUE_MESSAGE = _("Give a single value, not a list or an object.")
TEXT_MESSAGE = _("Give a text.")

# Django's own words, said better by this project's catalogue, which takes precedence: its
# zh-hans length error reads like a programmer's ("确保该变量包含不超过 10000 字符"), and
# Django 6's blank choice of a select list has no zh-hans text at all. Marked here so that
# makemessages keeps them in the catalogue.
DJANGO_WORDING = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    _("- Select an option -"),
)


def text_problem(value: str) -> Any:
    """The message explaining why this text cannot be stored, or None when it can."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _nested_problem(value: Any) -> Any:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = _nested_problem(key) or _nested_problem(item)
            if problem:
                return problem
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            problem = _nested_problem(item)
            if problem:
                return problem
    return None


def validate_storable_text(value: Any) -> None:
    """A validator for form and model fields: refuses NUL characters and lone surrogates."""
    problem = _nested_problem(value)
    if problem:
        raise forms.ValidationError(problem, code="invalid_text")


def require_storable(values: Mapping[str, Any], *, max_length: int | None = None) -> None:
    """Refuse, with each field named, what is not text the database can store (or is longer
    than `max_length`)."""
    errors: dict[str, list[Any]] = {}
    for name, value in values.items():
        if not isinstance(value, str):
            errors[name] = [TEXT_MESSAGE]
        elif problem := text_problem(value):
            errors[name] = [problem]
        elif max_length is not None and len(value) > max_length:
            errors[name] = [
                _("Ensure this value has at most %(limit)d characters.") % {"limit": max_length}
            ]
    if errors:
        raise ValidationFailed(errors)


_COLLECTIONS = (list, tuple, set, frozenset, dict)


def require_storable_instance(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Check an unsaved model's own columns before `full_clean`, which would pass a list to a
    date parser (TypeError) and lets NUL characters and lone surrogates through to the driver."""
    errors: dict[str, list[Any]] = {}
    skipped = set(exclude)
    for field in instance._meta.concrete_fields:
        if field.name in skipped or field.is_relation:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, _COLLECTIONS) and not isinstance(field, models.JSONField):
            errors[field.name] = [SINGLE_VALUE_MESSAGE]
        elif problem := _nested_problem(value):
            errors[field.name] = [problem]
    if errors:
        raise ValidationFailed(errors)


class StorableInputMixin:
    """For forms fed raw data (JSON from the API, dicts from services): every value the form
    cannot take is refused as an error on its field, never raised as TypeError, and text is
    bounded and storable. A browser's form data passes exactly as before."""

    max_text_length = MAX_TEXT_LENGTH

    fields: dict[str, forms.Field]
    data: Any
    files: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(validate_storable_text)
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = self.max_text_length
                field.validators.append(MaxLengthValidator(self.max_text_length))

    def full_clean(self) -> None:
        hostile = self._hostile_values() if getattr(self, "is_bound", False) else {}
        if not hostile:
            super().full_clean()  # type: ignore[misc]
            return
        original = self.data
        if hasattr(original, "copy") and hasattr(original, "getlist"):
            self.data = original.copy()
            for name in hostile:
                self.data.pop(self.add_prefix(name), None)  # type: ignore[attr-defined]
        else:
            self.data = {k: v for k, v in original.items() if k not in hostile}
        try:
            super().full_clean()  # type: ignore[misc]
        finally:
            self.data = original
        for name, message in hostile.items():
            self._errors[name] = self.error_class([message])  # type: ignore[attr-defined]
            self.cleaned_data.pop(name, None)  # type: ignore[attr-defined]

    def _hostile_values(self) -> dict[str, Any]:
        """Raw values of the wrong shape: a list or object where one value is expected, or
        anything but text where text is expected."""
        if not isinstance(self.data, Mapping):
            return {}
        hostile: dict[str, Any] = {}
        for name, field in self.fields.items():
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            if key not in self.data:
                continue
            if hasattr(self.data, "getlist"):
                # Form data from a browser: every value is a string already.
                continue
            value = self.data[key]
            if value is None:
                continue
            if getattr(field, "accepts_list", False) or isinstance(
                field, forms.MultipleChoiceField
            ):
                # Such fields take lists and refuse anything else themselves.
                continue
            if isinstance(value, Mapping | list | tuple | set):
                hostile[name] = SINGLE_VALUE_MESSAGE
            elif isinstance(field, forms.CharField) and not isinstance(value, str):
                hostile[name] = TEXT_MESSAGE
            elif isinstance(field, forms.BooleanField | forms.NullBooleanField) and (
                value not in _BOOLEAN_VALUES
            ):
                # Their widgets read any other value as "no" or "unknown" without a word.
                hostile[name] = _("Give true, false or null.")
        return hostile


# What the checkbox and yes/no/unknown widgets understand; `1 in` matches True, `0` False.
_BOOLEAN_VALUES = frozenset(
    {True, False, "", "true", "false", "True", "False", "on", "1", "0", "2", "3", "unknown"}
)
