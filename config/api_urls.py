"""The REST API, included under /api/ by config.urls. Anything unmatched here is a JSON 404."""

from __future__ import annotations

from django.urls import include, path, re_path

from analytics import apis as analytics_apis
from complaints import apis as complaint_apis
from dealers import apis as dealer_apis
from evidence import apis as evidence_apis
from followups import apis as followup_apis
from integrations.problems import not_found
from integrations.views import DocsView, SchemaView, WhoAmIApi
from integrations.webhook_apis import WebhookEndpointApi, WebhookEndpointsApi
from messaging import apis as messaging_apis

v1 = [
    path("whoami/", WhoAmIApi.as_view(), name="api-whoami"),
    path("webhooks/", WebhookEndpointsApi.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>/", WebhookEndpointApi.as_view(), name="api-webhook"),
    path(
        "complaints/",
        complaint_apis.ComplaintListCreateApi.as_view(),
        name="api-complaints",
    ),
    path(
        "complaints/<str:reference>/",
        complaint_apis.ComplaintDetailApi.as_view(),
        name="api-complaint",
    ),
    path(
        "complaints/<str:reference>/transitions/<str:transition>/",
        complaint_apis.ComplaintTransitionApi.as_view(),
        name="api-complaint-transition",
    ),
    path(
        "complaints/<str:reference>/events/",
        complaint_apis.ComplaintEventsApi.as_view(),
        name="api-complaint-events",
    ),
    path(
        "complaints/<str:reference>/contacts/",
        followup_apis.ContactsApi.as_view(),
        name="api-complaint-contacts",
    ),
    path(
        "complaints/<str:reference>/commitments/",
        followup_apis.CommitmentsApi.as_view(),
        name="api-complaint-commitments",
    ),
    path(
        "complaints/<str:reference>/attachments/",
        evidence_apis.AttachmentsApi.as_view(),
        name="api-complaint-attachments",
    ),
    path(
        "complaints/<str:reference>/attachments/<int:attachment_id>/content/",
        evidence_apis.AttachmentContentApi.as_view(),
        name="api-complaint-attachment-content",
    ),
    path(
        "complaints/<str:reference>/messages/",
        messaging_apis.MessagesApi.as_view(),
        name="api-complaint-messages",
    ),
    path("analytics/", analytics_apis.AnalyticsApi.as_view(), name="api-analytics"),
    path(
        "analytics/dealers/",
        analytics_apis.AnalyticsDealersApi.as_view(),
        name="api-analytics-dealers",
    ),
    path("customers/<str:dms_id>/", dealer_apis.CustomerApi.as_view(), name="api-customer"),
    path("vehicles/<str:vin>/", dealer_apis.VehicleApi.as_view(), name="api-vehicle"),
    path(
        "vehicles/<str:vin>/repair-orders/",
        dealer_apis.RepairOrderApi.as_view(),
        name="api-vehicle-repair-orders",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(), name="api-docs"),
    re_path(r"^", not_found),
]
