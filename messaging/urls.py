from django.urls import path

from . import views

urlpatterns = [
    path("cases/<str:reference>/send/", views.message_send, name="message_send"),
    path("cases/<str:reference>/preview/", views.message_preview, name="message_preview"),
    path("templates/", views.message_templates, name="message_templates"),
    path(
        "templates/<slug:purpose>/<str:language>/",
        views.message_template_save,
        name="message_template_save",
    ),
    path("quiet-hours/", views.quiet_hours_save, name="quiet_hours_save"),
    path("receipts/sms/", views.sms_receipt, name="sms_receipt"),
]
