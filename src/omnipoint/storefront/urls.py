from django.urls import path

from omnipoint.storefront import (
    checkout_views,
    marketing_views,
    member_views,
    order_views,
    outlet_views,
    showroom_views,
    views,
)

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:code>/", views.category, name="category"),
    path("search/", views.search, name="search"),
    path("p/<int:product_id>/", views.product, name="product"),
    path("region/", views.region, name="region"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add_view, name="cart_add"),
    path("cart/update/", views.cart_update_view, name="cart_update"),
    path("cart/remove/", views.cart_remove_view, name="cart_remove"),
    path("checkout/", checkout_views.checkout, name="checkout"),
    path("track/", order_views.track, name="track"),
    path("orders/<str:number>/", order_views.order, name="order"),
    path("orders/<str:number>/pay/", order_views.order_pay, name="order_pay"),
    path("s/<str:code>/", showroom_views.showroom, name="showroom"),
    path("nearby/", showroom_views.nearby, name="nearby"),
    path("outlets/", outlet_views.outlets, name="outlets"),
    path("nearby/try/", showroom_views.try_in_store, name="try_in_store"),
    path("coupons/", marketing_views.coupon_centre, name="coupons"),
    path("coupons/claim/", marketing_views.coupon_claim, name="coupon_claim"),
    path("games/", marketing_views.games, name="games"),
    path("games/<int:game_id>/", marketing_views.game, name="game"),
    path("games/<int:game_id>/play/", marketing_views.game_play, name="game_play"),
    path("member/coupons/", marketing_views.my_coupons, name="my_coupons"),
    path("member/", member_views.member_centre, name="member"),
    path("member/login/", member_views.member_login, name="member_login"),
    path("member/logout/", member_views.member_logout, name="member_logout"),
    path("member/topup/", member_views.member_topup, name="member_topup"),
    path("member/orders/<str:number>/tender/", member_views.member_tender, name="member_tender"),
    path("member/orders/<str:number>/pay/", member_views.member_pay_rest, name="member_pay_rest"),
]
