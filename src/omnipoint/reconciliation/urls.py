from django.urls import path

from omnipoint.reconciliation import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("differences/<int:difference_id>/", views.difference_act, name="act"),
    path("<str:day>/", views.run_detail, name="run"),
    path("<str:day>/rematch/", views.run_rematch, name="rematch"),
]
