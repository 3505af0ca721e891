"""Writes of the user's own settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed


def user_set_language(*, user: Any, language: str) -> Any:
    """Save the interface language a user chose; only the languages the product speaks."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed({"language": [_("This language is not available.")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
