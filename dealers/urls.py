from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.customer_search, name="customer_search"),
]
