from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("overdue/", views.overdue_board, name="overdue_board"),
    path("cases/<str:reference>/contact/", views.contact_create, name="contact_create"),
    path("cases/<str:reference>/promise/", views.promise_create, name="promise_create"),
    path("promises/<int:pk>/keep/", views.promise_keep, name="promise_keep"),
]
