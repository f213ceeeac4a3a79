from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "omnipoint.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
