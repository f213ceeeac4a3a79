from django.contrib.auth import views as auth_views
from django.urls import path

from omnipoint.core.auth import ThrottledAuthenticationForm
from omnipoint.web import member_views, showroom_views, staff_views, views
from omnipoint.web.order_views import counter, keyed, order_pages, pickup, returns, work_queue

app_name = "web"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
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
    path("staff/", staff_views.staff_index, name="staff"),
    path("staff/<int:staff_id>/", staff_views.staff_detail, name="staff_member"),
    path("members/", member_views.member_lookup, name="members"),
    path("members/topup/", member_views.member_topup, name="member_topup"),
    path("members/<int:member_id>/", member_views.member_activity, name="member"),
    # orders: the work queue, hand-over, the counter, order pages, returns, staff-keyed orders
    path("queue/", work_queue.order_queue, name="order_queue"),
    path("tasks/<int:task_id>/<str:step>/", work_queue.task_step, name="task_step"),
    path("pickup/", pickup.pickup, name="pickup"),
    path("pickup/pay/", pickup.pickup_pay, name="pickup_pay"),
    path("pos/", counter.pos, name="pos"),
    path("pos/checkout/", counter.pos_checkout, name="pos_checkout"),
    path("pos/<int:order_id>/", counter.pos_pay, name="pos_pay"),
    path("pos/<int:order_id>/cash/", counter.pos_cash, name="pos_cash"),
    path("pos/<int:order_id>/online/", counter.pos_online, name="pos_online"),
    path("pos/<int:order_id>/tender/<str:method>/", counter.pos_tender, name="pos_tender"),
    path("pos/<int:order_id>/status/", counter.pos_status, name="pos_status"),
    path("pos/<int:order_id>/receipt/", counter.pos_receipt, name="pos_receipt"),
    path("orders/", order_pages.order_list, name="orders"),
    path("orders/new/", keyed.order_new, name="order_new"),
    path("orders/<int:order_id>/", order_pages.order_detail, name="order"),
    path("orders/<int:order_id>/cancel/", order_pages.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/deliver/", order_pages.order_deliver, name="order_deliver"),
    path("orders/<int:order_id>/pay-link/", order_pages.order_pay_link, name="order_pay_link"),
    path("returns/", returns.return_find, name="returns"),
    path("returns/<str:number>/", returns.order_return, name="order_return"),
]
