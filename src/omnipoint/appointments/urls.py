"""The appointment pages: ``console_patterns`` under /console/appointments/ (namespace
appointments_console), ``shop_patterns`` under /shop/appointments/ (appointments_shop)."""

from django.urls import path

from omnipoint.appointments import console_views, shop_views

console_patterns = [
    path("", console_views.desk, name="desk"),
    path("check-in/", console_views.check_in, name="check_in"),
    path("walk-in/", console_views.walk_in, name="walk_in"),
    path("call/", console_views.call_next, name="call"),
    path("tickets/<int:ticket_id>/<str:step>/", console_views.ticket_step, name="ticket_step"),
    path("bookings/<int:booking_id>/", console_views.booking_page, name="booking"),
    path(
        "bookings/<int:booking_id>/files/<int:upload_id>/", console_views.material_file, name="material_file"
    ),
    path("book/", console_views.book_for_member, name="book"),
    path("setup/", console_views.setup, name="setup"),
    path("screen/<int:outlet_id>/", console_views.screen, name="screen"),
    path("screen/<int:outlet_id>/board/", console_views.screen_board, name="screen_board"),
]

shop_patterns = [
    path("", shop_views.service_list, name="services"),
    path("s/<int:service_id>/", shop_views.service_near, name="service"),
    path("s/<int:service_id>/<int:outlet_id>/", shop_views.slot_list, name="slots"),
    path("mine/", shop_views.my_bookings, name="mine"),
    path("b/<str:code>/", shop_views.booking, name="booking"),
    path("b/<str:code>/cancel/", shop_views.booking_cancel, name="cancel"),
    path("b/<str:code>/materials/<str:item>/", shop_views.material_upload, name="material_upload"),
    path("b/<str:code>/files/<int:upload_id>/", shop_views.material_file, name="material_file"),
]
