from django.urls import path

from omnipoint.settlement import party_views, views

app_name = "settlement"

urlpatterns = [
    path("", views.statement_list, name="statements"),
    path("<int:statement_id>/", views.statement_detail, name="statement"),
    path("parties/", party_views.party_list, name="parties"),
    path("parties/<int:party_id>/", party_views.party_detail, name="party"),
    path("<int:statement_id>/export.<str:fmt>", views.statement_export, name="export"),
    path("jobs/<int:job_id>/", views.job_page, name="job"),
    path("jobs/<int:job_id>/progress", views.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/file", views.job_file, name="job_file"),
]
