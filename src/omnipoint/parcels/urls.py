from django.urls import path

from omnipoint.parcels import views

app_name = "parcels"

urlpatterns = [
    path("", views.counter, name="counter"),
    path("scan/", views.scan, name="scan"),
    path("collect/", views.collect, name="collect"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/pay/", views.pay, name="pay"),
    path("<str:number>/void/", views.void, name="void"),
    path("<str:number>/label/", views.label_page, name="label"),
    path("<str:number>/label.pdf", views.label_file, {"fmt": "pdf"}, name="label_pdf"),
    path("<str:number>/label.svg", views.label_file, {"fmt": "svg"}, name="label_svg"),
]
