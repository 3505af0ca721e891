from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedManager, ScopedQuerySet, unscoped


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


class AppendOnlyQuerySet(ScopedQuerySet):
    """A queryset that writes nothing but new rows: a log is history, not state (the audit
    log here, the case timeline in complaints)."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model._meta.verbose_name} is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model._meta.verbose_name} is append-only.")


class AppendOnlyManager(ScopedManager):
    """The scoped manager of a dealer-owned log (see AppendOnlyQuerySet)."""

    _queryset_class = AppendOnlyQuerySet


class AppendOnly(DealerOwned):
    """A dealer-owned log: rows are written once and never changed or deleted, by the model,
    by its queryset and (each log's migration adds it) by a PostgreSQL trigger."""

    objects: ClassVar[AppendOnlyManager] = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise TypeError(f"{self._meta.verbose_name} cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self._meta.verbose_name} cannot be deleted.")


class AuditEntry(AppendOnly):
    """One change to anything a user can change, written once and never changed or deleted.

    Who acted is a user, an API key (by id and label: the key lives in another app, and this
    one imports none), or nobody (the system). The text is not stored: it is rendered from
    `action` when read, in the reader's language (core.audit). A PostgreSQL trigger refuses
    UPDATE and DELETE, so not even raw SQL can rewrite it.
    """

    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Users are deactivated, not deleted: the log keeps naming them.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # The key's primary key is text (its prefix and hash), as in the API app.
    api_key_id = models.CharField(  # noqa: DJ001 - NULL: no key acted
        _("API key id"), max_length=150, null=True, blank=True
    )
    api_key_label = models.CharField(_("API key"), max_length=200, blank=True)
    # A plain number, not a foreign key: dealers live in another app, and entries about
    # the system as a whole (a user account) belong to no dealer.
    dealer_id = models.BigIntegerField(_("dealer id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=150, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["dealer_id", "-created_at"], name="audit_dealer_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"

    @property
    def text(self) -> str:
        """What happened, in the active language."""
        from .audit import render

        return render(self)


class Lease(models.Model):
    """A named right held by one process at a time until it expires (core.leases).

    Times are the database's clock, the one clock every machine shares. Beat holds the lease
    "celery-beat" so that only one of several beat processes sends the periodic tasks.
    """

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    holder = models.CharField(_("holder"), max_length=200)
    acquired_at = models.DateTimeField(_("acquired at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"
