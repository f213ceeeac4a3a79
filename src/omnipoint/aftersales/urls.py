"""The ticket pages: ``console_patterns`` under /console/tickets/ (namespace aftersales_console),
``shop_patterns`` under /shop/tickets/ (aftersales_shop)."""

from django.urls import path

from omnipoint.aftersales import console_views, shop_views

console_patterns = [
    path("", console_views.desk, name="desk"),
    path("overdue/", console_views.overdue, name="overdue"),
    path("open/", console_views.open_ticket, name="open"),
    path("<int:ticket_id>/", console_views.ticket_page, name="ticket"),
    path("technicians/", console_views.technicians, name="technicians"),
    path("technicians/<int:technician_id>/", console_views.technician, name="technician"),
    path("mine/", console_views.mine, name="mine"),
    path("mine/<int:ticket_id>/", console_views.visit, name="visit"),
    path("mine/<int:ticket_id>/step/", console_views.visit_step, name="visit_step"),
]

shop_patterns = [
    path("", shop_views.my_tickets, name="mine"),
    path("new/<str:order_number>/", shop_views.open_ticket, name="open"),
    path("<str:number>/", shop_views.ticket, name="ticket"),
    path("<str:number>/visit/", shop_views.choose_visit, name="visit"),
]
