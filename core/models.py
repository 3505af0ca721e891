from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedManager, unscoped


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class DealerOwned(models.Model):
    """The base of every dealer-owned model: a `ScopedManager` as `objects`.

    A model with a manager of its own makes it a `ScopedManager` (or mixes in
    `ScopedManagerMixin` and uses a `ScopedQuerySet`); `core.scoping.register()` refuses
    anything else.
    Uniqueness checks (`full_clean()`, model forms) look at every row, whoever owns it: a
    value that is taken is taken, and they report only whether one exists.
    """

    objects = ScopedManager()

    class Meta:
        abstract = True

    def validate_unique(self, exclude: Any = None) -> None:
        with unscoped("validation"):
            super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude: Any = None) -> None:
        with unscoped("validation"):
            super().validate_constraints(exclude=exclude)


class User(AbstractUser):
    """A person who signs in: service advisor, manager, regional staff or administrator.

    What a user may see and do is decided per dealer by `dealers.Membership`.
    """

    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Interface language; empty means the browser's choice."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta(AbstractUser.Meta):
        # The stubs type the inherited names as str; Django takes lazy translations.
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
