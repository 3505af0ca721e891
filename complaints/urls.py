from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.complaint_new, name="complaint_new"),
    path("cases/<str:reference>/", views.complaint_detail, name="complaint_detail"),
    path(
        "cases/<str:reference>/do/<slug:name>/",
        views.complaint_transition,
        name="complaint_transition",
    ),
    path("cases/<str:reference>/escalate/", views.complaint_escalate, name="complaint_escalate"),
    path("cases/<str:reference>/reassign/", views.complaint_reassign, name="complaint_reassign"),
    path("cases/<str:reference>/supplier/", views.complaint_supplier, name="complaint_supplier"),
    path("cases/<str:reference>/receipt/", views.complaint_receipt, name="complaint_receipt"),
    path("cases/<str:reference>/note/", views.complaint_note, name="complaint_note"),
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("overview/", views.dealer_overview, name="dealer_overview"),
    path("audit/", views.audit_log, name="audit_log"),
    path("switch-dealer/", views.switch_dealer, name="switch_dealer"),
    path("language/", views.set_language, name="user_language"),
]
