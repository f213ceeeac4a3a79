from django.urls import path

from omnipoint.flashsales import views

app_name = "flashsales"

urlpatterns = [
    path("", views.sales, name="sales"),
    path("<int:sale_id>/", views.sale, name="sale"),
    path("<int:sale_id>/end/", views.end, name="end"),
]
