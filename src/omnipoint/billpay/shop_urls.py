from django.urls import path

from omnipoint.billpay import shop_views

app_name = "billpay_shop"

urlpatterns = [path("", shop_views.my_bills, name="mine")]
