from django.urls import path

from . import views

urlpatterns = [
    path("", views.analytics_page, name="analytics"),
    path("export/<slug:key>.csv", views.table_export, name="analytics_table_csv"),
    path("export.xlsx", views.workbook_export, name="analytics_xlsx"),
    path("cases.<str:extension>", views.case_export, name="analytics_cases"),
]
