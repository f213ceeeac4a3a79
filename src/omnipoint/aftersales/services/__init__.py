"""Ticket writes, by sub-domain: opening tickets (``opening``), agreeing visits at the desk
or by the customer (``visits``), the technician's steps (``steps``) and a technician's places a
day (``capacity``)."""

from omnipoint.aftersales.services.capacity import (
    CapacitySet,
    technician_capacity_set,
    technician_day_clear,
    technician_day_set,
)
from omnipoint.aftersales.services.opening import ticket_open, tickets_open_for_goods
from omnipoint.aftersales.services.steps import ticket_step
from omnipoint.aftersales.services.visits import (
    ticket_cancel,
    ticket_reschedule,
    ticket_schedule,
    ticket_visit_choose,
)

__all__ = [
    "CapacitySet",
    "technician_capacity_set",
    "technician_day_clear",
    "technician_day_set",
    "ticket_cancel",
    "ticket_open",
    "ticket_reschedule",
    "ticket_schedule",
    "ticket_step",
    "ticket_visit_choose",
    "tickets_open_for_goods",
]
