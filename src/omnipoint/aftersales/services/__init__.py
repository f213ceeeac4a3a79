"""Ticket writes, by sub-domain: opening tickets (``opening``), agreeing visits at the desk
(``visits``) and the technician's steps (``steps``)."""

from omnipoint.aftersales.services.opening import ticket_open, tickets_open_for_goods
from omnipoint.aftersales.services.steps import ticket_step
from omnipoint.aftersales.services.visits import ticket_cancel, ticket_reschedule, ticket_schedule

__all__ = [
    "ticket_cancel",
    "ticket_open",
    "ticket_reschedule",
    "ticket_schedule",
    "ticket_step",
    "tickets_open_for_goods",
]
