from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("overdue/", views.overdue_board, name="overdue_board"),
    path("rules/", views.deadline_rules, name="deadline_rules"),
    path("rules/<slug:kind>/", views.deadline_rule_save, name="deadline_rule_save"),
    path("cases/<str:reference>/contact/", views.contact_create, name="contact_create"),
    path("cases/<str:reference>/promise/", views.promise_create, name="promise_create"),
    path(
        "cases/<str:reference>/repair-promise/",
        views.repair_promise_set,
        name="repair_promise_set",
    ),
    path("promises/<int:pk>/keep/", views.promise_keep, name="promise_keep"),
    path(
        "hand-over-checks/<int:pk>/confirm/",
        views.transfer_check_confirm,
        name="transfer_check_confirm",
    ),
]
