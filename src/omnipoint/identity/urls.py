"""``console_patterns`` under /console/identity/ (namespace identity), ``shop_patterns`` under
/shop/identity/ (identity_shop)."""

from django.urls import path

from omnipoint.identity import views

console_patterns = [
    path("", views.desk, name="desk"),
    path("<int:verification_id>/revoke/", views.revoke, name="revoke"),
    path("partners/", views.partners, name="partners"),
]

shop_patterns = [path("", views.mine, name="mine")]
