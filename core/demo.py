"""What every app's demo step shares: the seed run's bookkeeping, and the idempotent save of a
row found by its natural key. The steps themselves live beside their apps (`dealers.demo`,
`complaints.demo`, `followups.demo`); `seed_demo` runs them in order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


@dataclass
class SeedContext:
    """What was written so far, by kind. Each app's context adds the rows its step made, by
    natural key, so that the steps after it find them."""

    write: Callable[[str], None]
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, *, created: bool, changed: bool = True) -> None:
        if created:
            self.created[kind] += 1
        elif changed:
            self.updated[kind] += 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def differs(instance: Any, fields: Mapping[str, Any]) -> bool:
    """Whether saving these field values would change the row."""
    return any(getattr(instance, name) != value for name, value in fields.items())


def save_reference_row(model: type[Any], lookup: dict[str, Any], fields: dict[str, Any]) -> tuple:
    """Create or update the row found by `lookup`, validated; untouched when nothing differs.

    Returns (instance, created, changed)."""
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if instance is None:
        instance = model(**lookup)
    elif not differs(instance, fields):
        return instance, False, False
    for name, value in fields.items():
        setattr(instance, name, value)
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise CommandError(f"{model.__name__} {lookup}: {exc.message_dict}") from None
    instance.save()
    return instance, created, True
