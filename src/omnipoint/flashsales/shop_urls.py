from django.urls import path

from omnipoint.flashsales import shop_views

app_name = "flashsales_shop"

urlpatterns = [
    path("", shop_views.sales, name="sales"),
    path("<int:sale_id>/", shop_views.sale, name="sale"),
    path("<int:sale_id>/standing/", shop_views.standing, name="standing"),
    path("<int:sale_id>/claim/", shop_views.claim, name="claim"),
    path("claims/<int:claim_id>/checkout/", shop_views.checkout, name="checkout"),
]
