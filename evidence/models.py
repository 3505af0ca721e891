from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.choices import State
from complaints.models import CaseEvent, Complaint
from core.models import DealerOwned

from .choices import AttachmentKind


class EvidenceStorage(Storage):
    """Whatever STORAGES["evidence"] is now: a folder under var/media/ by default, an
    S3-compatible bucket in production. Nothing in it is public: every file is read through
    the download view, which checks the reader's scope.

    A proxy rather than the storage itself, because a FileField keeps the storage it was
    given for ever, and the configured one may change (tests, a settings override)."""

    def _target(self) -> Storage:
        return storages["evidence"]

    def open(self, name: str, mode: str = "rb") -> Any:
        return self._target().open(name, mode)

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        return self._target().save(name, content, max_length=max_length)

    def delete(self, name: str) -> None:
        self._target().delete(name)

    def exists(self, name: str) -> bool:
        return self._target().exists(name)

    def size(self, name: str) -> int:
        return self._target().size(name)

    def url(self, name: str | None) -> str:
        return self._target().url(name)

    def path(self, name: str) -> str:
        return self._target().path(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self._target().listdir(path)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self._target().generate_filename(filename)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self._target().get_available_name(name, max_length=max_length)


def evidence_storage() -> Storage:
    return EvidenceStorage()


class Attachment(DealerOwned):
    """A photo, video, document or recording attached to a case as evidence (现地现物).

    The file's kind and type come from its content, never from its name; the stored name is
    made by the system (the customer's file name is kept only to offer it on download).
    """

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("complaint")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), storage=evidence_storage, max_length=300)
    thumbnail = models.FileField(
        _("thumbnail"), storage=evidence_storage, max_length=300, blank=True
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    # The step the case was in when the evidence was added (a state code, rendered at read).
    state = models.CharField(_("step"), max_length=20, choices=State.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    uploaded_by_label = models.CharField(_("added by"), max_length=200)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["complaint", "created_at"], name="attachment_case_time")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.original_name}"

    @property
    def audit_label(self) -> str:
        return f"{self.complaint.reference} · {self.original_name}"[:200]

    @property
    def is_image(self) -> bool:
        return self.kind == AttachmentKind.PHOTO


class Citation(DealerOwned):
    """An attachment a decision (its timeline event) cites as the evidence for the
    responsibility it assigns: "no evidence, not the customer's fault" points at real files."""

    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, related_name="citations", verbose_name=_("event")
    )
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        related_name="citations",
        verbose_name=_("attachment"),
    )

    class Meta:
        verbose_name = _("cited evidence")
        verbose_name_plural = _("cited evidence")
        constraints = [
            models.UniqueConstraint(fields=["event", "attachment"], name="citation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.attachment_id}"
