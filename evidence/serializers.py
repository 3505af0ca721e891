"""The API's shapes of evidence."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from .choices import AttachmentKind
from .models import Attachment


class AttachmentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, read_only=True)
    step = serializers.CharField(
        source="state", read_only=True, help_text="The case's state when the evidence was added."
    )
    added_by = serializers.CharField(source="uploaded_by_label", read_only=True)
    content_url = serializers.SerializerMethodField(
        help_text="Where the file is downloaded (with the same API key)."
    )

    class Meta:
        model = Attachment
        fields = (
            "id",
            "kind",
            "content_type",
            "original_name",
            "size",
            "sha256",
            "caption",
            "step",
            "added_by",
            "created_at",
            "content_url",
        )
        read_only_fields = fields

    def get_content_url(self, attachment: Any) -> str:
        return reverse(
            "api-complaint-attachment-content",
            args=[attachment.complaint.reference, attachment.pk],
        )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The file; its kind is decided by its content (photo, video, document or "
        "audio), never by its name. HTML, SVG and anything else are refused."
    )
    caption = serializers.CharField(required=False, allow_blank=True, max_length=500)
