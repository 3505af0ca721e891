from django.urls import path

from . import views

urlpatterns = [
    path("actions/", views.action_list, name="corrective_actions"),
    path("actions/<int:pk>/check/", views.action_check, name="corrective_action_check"),
    path("cases/<str:reference>/reflection/", views.reflection_write, name="reflection_write"),
    path(
        "cases/<str:reference>/reflection/comment/",
        views.reflection_comment,
        name="reflection_comment",
    ),
    path("cases/<str:reference>/library/", views.library_add, name="library_add"),
    path("library/", views.library_list, name="library"),
    path("library/<int:pk>/", views.library_detail, name="library_detail"),
    path("library/<int:pk>/assign/", views.library_assign, name="library_assign"),
    path("reading/", views.reading_overview, name="required_reading"),
    path("reading/<int:pk>/confirm/", views.reading_confirm, name="reading_confirm"),
    path("lessons/", views.lesson_list, name="lessons"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("lessons/receipts/<int:pk>/read/", views.lesson_read, name="lesson_read"),
    path("root-causes/", views.root_causes, name="root_causes"),
]
