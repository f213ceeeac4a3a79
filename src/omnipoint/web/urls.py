from django.contrib.auth import views as auth_views
from django.urls import path

from omnipoint.web import member_views, showroom_views, views

app_name = "web"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("stock/", views.stock_lookup, name="stock"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/new/", views.transfer_new, name="transfer_new"),
    path("transfers/<int:transfer_id>/", views.transfer_detail, name="transfer"),
    path("transfers/<int:transfer_id>/dispatch/", views.transfer_dispatch, name="transfer_dispatch"),
    path("transfers/<int:transfer_id>/receive/", views.transfer_receive, name="transfer_receive"),
    path("transfers/<int:transfer_id>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("counts/", views.count_list, name="counts"),
    path("counts/<int:count_id>/", views.count_detail, name="count"),
    path("counts/<int:count_id>/record/", views.count_record, name="count_record"),
    path("counts/<int:count_id>/post/", views.count_post, name="count_post"),
    path("outlets/", views.outlets, name="outlets"),
    path("showroom/", showroom_views.showroom_home, name="showroom"),
    path("showroom/<int:staff_id>/", showroom_views.showroom_staff, name="showroom_staff"),
    path("members/", member_views.member_lookup, name="members"),
    path("members/topup/", member_views.member_topup, name="member_topup"),
    path("members/<int:member_id>/", member_views.member_activity, name="member"),
]
