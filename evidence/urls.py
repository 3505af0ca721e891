from django.urls import path

from . import views

urlpatterns = [
    path("cases/<str:reference>/evidence/", views.attachment_upload, name="attachment_upload"),
    path(
        "cases/<str:reference>/evidence/<int:pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "cases/<str:reference>/evidence/<int:pk>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
]
