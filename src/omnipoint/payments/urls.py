from django.urls import path

from omnipoint.payments import views

app_name = "payments"

urlpatterns = [
    path("pay/<str:ref>/", views.sandbox_pay, name="sandbox_pay"),
]
