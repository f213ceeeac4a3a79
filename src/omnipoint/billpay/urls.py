from django.urls import path

from omnipoint.billpay import views

app_name = "billpay"

urlpatterns = [
    path("", views.counter, name="counter"),
    path("agent/", views.agent, name="agent"),
    path("agents/", views.agents, name="agents"),
    path("<str:number>/", views.receipt, name="receipt"),
    path("<str:number>/complaint/", views.complaint, name="complaint"),
]
