from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# What the file input offers; the server decides by content whatever the browser sends.
ACCEPT = "image/*,video/*,audio/*,application/pdf,.docx,.xlsx"


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        # `capture` lets a tablet open its camera; a file can still be chosen.
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "capture": "environment"}),
        help_text=_("A photo, a short video, a document or a recording."),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=500)


class IntakeAttachmentForm(AttachmentForm):
    """The same, optional: evidence the customer brought to the desk."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].required = False
        self.fields["file"].label = _("Evidence brought by the customer (optional)")
