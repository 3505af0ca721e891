"""Every write of evidence: attaching a file to a case, citing attachments in a decision,
and recording each download in the audit log."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterable
from typing import IO

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from complaints.choices import EventKind
from complaints.models import CaseEvent, Complaint, actor_user_id
from complaints.services.case import _lock, _record, _require_contributor, actor_label
from core.actors import Actor
from core.audit import audit_log
from core.exceptions import TransitionNotAllowed, ValidationFailed
from core.text import require_storable

from .content import check_upload
from .models import Attachment, Citation, evidence_storage

THUMBNAIL_SIZE = (480, 480)
CAPTION_MAX_LENGTH = 500


def _digest(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _thumbnail(file: IO[bytes]) -> bytes | None:
    # The photo as the tablet took it (EXIF orientation applied), small, always a JPEG.
    try:
        file.seek(0)
        with Image.open(file) as opened:
            image = ImageOps.exif_transpose(opened)
            image.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError):
        return None
    finally:
        file.seek(0)


def _storage_name(complaint: Complaint, extension: str, suffix: str = "") -> str:
    # Made by the system, never from the uploaded name: no path tricks, no double extensions.
    return f"cases/{complaint.dealer_id}/{complaint.pk}/{uuid.uuid4().hex}{suffix}.{extension}"


def attachment_add(
    *,
    complaint: Complaint,
    actor: Actor,
    file: IO[bytes],
    name: str,
    size: int,
    caption: str = "",
) -> Attachment:
    """Attach a file to a case as evidence, in the step the case is in.

    Invariant: only a file whose content is an accepted kind, within that kind's size limit,
    is stored, under a name the system makes; only someone who may add to the case (its
    advisors and managers, or its technician) attaches it; each attachment leaves one
    timeline event. A refused upload stores nothing.
    """
    caption = " ".join(str(caption or "").split())
    require_storable({"caption": caption, "file": name}, max_length=CAPTION_MAX_LENGTH)
    if len(caption) > CAPTION_MAX_LENGTH:
        raise ValidationFailed(
            {"caption": [_("At most %(limit)d characters.") % {"limit": CAPTION_MAX_LENGTH}]}
        )
    sniffed = check_upload(file, size)
    digest = _digest(file)
    thumbnail = _thumbnail(file) if sniffed.kind == "photo" else None
    storage = evidence_storage()
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _lock(complaint, actor)
            _require_contributor(locked, actor)
            if not locked.is_open:
                raise TransitionNotAllowed(_("Evidence cannot be added to a closed case."))
            stored_name = storage.save(
                _storage_name(locked, sniffed.extension), File(file, name="upload")
            )
            stored.append(stored_name)
            thumbnail_name = ""
            if thumbnail is not None:
                thumbnail_name = storage.save(
                    _storage_name(locked, "jpg", "-thumb"), ContentFile(thumbnail)
                )
                stored.append(thumbnail_name)
            attachment = Attachment.objects.create(
                complaint=locked,
                kind=sniffed.kind,
                content_type=sniffed.content_type,
                original_name=(str(name or "").replace("/", "_").replace("\\", "_")[-200:])
                or f"evidence.{sniffed.extension}",
                size=size,
                sha256=digest,
                file=stored_name,
                thumbnail=thumbnail_name,
                caption=caption,
                state=locked.state,
                uploaded_by_id=actor_user_id(actor),
                uploaded_by_label=actor_label(actor)[:200],
            )
            _record(
                complaint=locked,
                actor=actor,
                kind=EventKind.ATTACHMENT,
                comment="",
                payload={
                    "attachment": attachment.pk,
                    "kind": attachment.kind,
                    "name": attachment.original_name,
                    "caption": caption,
                },
            )
    except BaseException:
        # The row was not written: the files it would have named go too.
        for stored_name in stored:
            storage.delete(stored_name)
        raise
    return attachment


def attachments_cite(*, event: CaseEvent, attachment_ids: Iterable[int]) -> list[Citation]:
    """Link a decision's timeline event to the attachments it cites as its evidence. The
    caller (complaints.services.complaint_transition) has checked the ids against the case
    the actor may read; any other id is ignored."""
    ids = sorted(set(attachment_ids))
    if not ids:
        return []
    attachments = list(event.complaint.attachments.filter(pk__in=ids))
    return Citation.objects.bulk_create(
        [Citation(event=event, attachment=attachment) for attachment in attachments]
    )


def attachment_downloaded(*, attachment: Attachment, actor: Actor, thumbnail: bool) -> None:
    """Record that a reader opened an evidence file (the file itself, not its thumbnail in a
    list: the log would otherwise grow with every page view)."""
    if thumbnail:
        return
    audit_log(
        actor=actor,
        action="attachment.downloaded",
        target=attachment,
        dealer_id=attachment.complaint.dealer_id,
        data={"complaint": attachment.complaint.reference, "name": attachment.original_name},
    )
