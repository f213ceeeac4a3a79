from django.urls import path

from omnipoint.parcels import shop_views

app_name = "parcels_shop"

urlpatterns = [
    path("", shop_views.home, name="home"),
    path("<str:number>/", shop_views.track, name="track"),
]
