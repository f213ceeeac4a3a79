from django.urls import path

from omnipoint.clearing import views

app_name = "clearing"

urlpatterns = [
    path("", views.day_list, name="days"),
    path("shifts/", views.shifts, name="shifts"),
    path("<str:day>/", views.day_detail, name="day"),
    path("<str:day>/export.<str:fmt>", views.day_export, name="export"),
]
