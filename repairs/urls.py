from django.urls import path

from . import views

urlpatterns = [
    path("cases/<str:reference>/technician/", views.technician_assign, name="technician_assign"),
    path("cases/<str:reference>/lead/", views.lead_consult, name="lead_consult"),
    path("cases/<str:reference>/parts/", views.parts_order_create, name="parts_order_create"),
    path(
        "cases/<str:reference>/parts/<int:pk>/arrived/",
        views.parts_order_arrived,
        name="parts_order_arrived",
    ),
    path("cases/<str:reference>/agreement/", views.agreement_create, name="agreement_create"),
]
