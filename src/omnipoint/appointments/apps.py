from django.apps import AppConfig

from omnipoint.appointments.explain import TEXTS
from omnipoint.core.explain import register


class AppointmentsConfig(AppConfig):
    name = "omnipoint.appointments"
    label = "appointments"
    verbose_name = "Appointments"

    def ready(self) -> None:
        register(TEXTS)
