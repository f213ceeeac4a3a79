from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from omnipoint.core.api import Id, Input


class TicketOpenIn(Input):
    order_id: Id
    kind: Annotated[str, Field(max_length=12)]
    description: Annotated[str, Field(max_length=500)]
    line_id: Id | None = None


class TicketVisitIn(Input):
    technician_id: Id
    day: date
    window: Annotated[str, Field(max_length=2)]
    note: Annotated[str, Field(max_length=300)] = ""
    address: Annotated[str, Field(max_length=200)] = ""


class TicketSlotIn(Input):
    day: date
    window: Annotated[str, Field(max_length=2)]


class TicketSlotOut(Schema):
    day: date
    window: str
    free: int  # places left that day (both windows share them)
    open: bool  # may be picked: not started, a place left


class TicketCancelIn(Input):
    note: Annotated[str, Field(max_length=300)]


class TicketStepIn(Input):
    step: Annotated[str, Field(max_length=12)]
    note: Annotated[str, Field(max_length=300)] = ""
    code: Annotated[str, Field(max_length=12)] = ""


class TicketEventOut(Schema):
    step: str
    from_state: str
    to_state: str
    note: str
    at: datetime


class ServiceTicketOut(Schema):
    id: int
    number: str
    kind: str
    state: str
    order_id: int
    order_number: str
    order_line_id: int | None
    outlet_id: int
    outlet_name: str
    member_id: int | None
    customer_name: str
    address: str
    description: str
    technician_id: int | None
    technician_name: str
    visit_day: date | None
    visit_window: str
    opened_at: datetime
    respond_by: datetime
    complete_by: datetime
    responded_at: datetime | None
    done_at: datetime | None
    customer_changes_left: int  # moves of the visit the customer may still make online
    overdue: list[str]
    next_steps: list[str]
    # Only the customer sees it (their own ticket): the technician asks for it on site.
    confirmation_code: str | None
    events: list[TicketEventOut]


class TicketTechnicianOut(Schema):
    id: int
    name: str
    role: str
    free: int  # places left on the day asked


class TicketsOverdueOut(Schema):
    open: int
    response: int
    completion: int
    overdue: int
    by_kind: dict[str, int]
    tickets: list[ServiceTicketOut]
