from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictInt

from omnipoint.clearing.services import MAX_CASH
from omnipoint.core.api import ExplanationOut, Id, Input


class RunOut(Schema):
    day: date
    closed_at: datetime
    task: str  # the scheduled job that closed it; blank when a person did


class NodeOut(Schema):
    key: str  # "hq", "unassigned", "outlet:<id>" or a region's path
    level: str
    name: str


class FigureOut(Schema):
    channel: str  # blank: no channel (points awarded outside an order)
    method: str  # blank: not by tender (goods sold, points, commissions)
    measure: str
    value: int  # fen for money measures, else a count or points


class AdjustmentOut(FigureOut):
    corrects: date  # the closed day this corrects
    reason: ExplanationOut


class DayOut(Schema):
    day: date
    closed_at: datetime
    created: bool  # False: the day had been closed already; these are its figures
    node: NodeOut
    totals: dict[str, int]  # the day's own figures at the node, by measure
    figures: list[FigureOut]  # by channel x method x measure
    adjustments: list[AdjustmentOut]  # booked in this day for earlier closed days


class ShiftIn(Input):
    outlet_id: Id


class ShiftCloseIn(Input):
    declared_cash: Annotated[StrictInt, Field(ge=0, le=MAX_CASH)]  # fen counted in the till


class ShiftOut(Schema):
    id: int
    outlet_id: int
    outlet_code: str
    clerk_id: int
    clerk_name: str
    opened_at: datetime
    closed_at: datetime | None
    cash_taken: int | None
    cash_refunded: int | None
    expected_cash: int | None
    declared_cash: int | None
    difference: int | None  # declared less expected: over (positive) or short
