"""The evidence endpoints of the REST API. Thin: reads through evidence.selectors, writes
through evidence.services; errors become problem+json."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from complaints import selectors as complaint_selectors
from core.exceptions import ValidationFailed
from integrations.idempotency import idempotent
from integrations.schema import IDEMPOTENCY_KEY
from integrations.views import ApiView, path_value

from . import selectors, services
from .serializers import AttachmentSerializer, AttachmentUploadSerializer
from .views import serve_attachment

REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH)
ATTACHMENT = OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)


class AttachmentsApi(ApiView):
    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="complaints_attachments_list",
        parameters=[REFERENCE],
        responses=AttachmentSerializer(many=True),
        description="The case's evidence, oldest first.",
    )
    def get(self, request: Request, reference: str) -> Response:
        complaint = complaint_selectors.complaint_get(
            actor=request.user, reference=path_value(reference)
        )
        attachments = selectors.attachment_list(actor=request.user, complaint=complaint)
        return Response(AttachmentSerializer(attachments, many=True).data)

    @extend_schema(
        operation_id="complaints_attachments_create",
        parameters=[REFERENCE, IDEMPOTENCY_KEY],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
        description="Attach a photo, video, document or recording to the case, in the step "
        "it is in. The content decides the kind; anything else (HTML, SVG, an archive...) is "
        "a 400, and so is a file above its kind's size limit.",
    )
    @idempotent
    def post(self, request: Request, reference: str) -> Response:
        complaint = complaint_selectors.complaint_get(
            actor=request.user, reference=path_value(reference)
        )
        serializer = AttachmentUploadSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationFailed({k: [str(m) for m in v] for k, v in serializer.errors.items()})
        upload = serializer.validated_data["file"]
        attachment = services.attachment_add(
            complaint=complaint,
            actor=request.user,
            file=upload,
            name=upload.name,
            size=upload.size,
            caption=serializer.validated_data.get("caption", ""),
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentContentApi(ApiView):
    @extend_schema(
        operation_id="complaints_attachments_content",
        parameters=[REFERENCE, ATTACHMENT],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, as an attachment, with its sniffed content type.",
            )
        },
        description="Download one evidence file. Every download is recorded in the audit log.",
    )
    def get(self, request: Request, reference: str, attachment_id: int) -> FileResponse:
        attachment = selectors.attachment_get(
            actor=request.user, reference=path_value(reference), attachment_id=attachment_id
        )
        return serve_attachment(attachment, actor=request.user, thumbnail=False)
