from django.urls import path

from omnipoint.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("<slug:key>.csv", views.dashboard_csv, name="csv"),
]
