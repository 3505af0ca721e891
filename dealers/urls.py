from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.customer_search, name="customer_search"),
    path("<int:pk>/data/", views.customer_data, name="customer_data"),
    path("<int:pk>/erase/", views.customer_erase, name="customer_erase"),
]
