from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.customer_search, name="customer_search"),
    path("<int:pk>/", views.customer_page, name="customer_page"),
    path("<int:pk>/profile/", views.customer_profile, name="customer_profile"),
    path("<int:pk>/vehicles/<int:vehicle_pk>/", views.customer_vehicle, name="customer_vehicle"),
    path("<int:pk>/repair-orders/", views.customer_repair_order, name="customer_repair_order"),
    path("<int:pk>/data/", views.customer_data, name="customer_data"),
    path("<int:pk>/erase/", views.customer_erase, name="customer_erase"),
]
