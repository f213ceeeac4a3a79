from datetime import date

from ninja import Schema


class DashNodeOut(Schema):
    key: str  # "hq", "outlet:<id>" or a region's path
    level: str
    name: str


class PeriodOut(Schema):
    first: date
    last: date
    today: date


class TilesOut(Schema):
    orders: int
    sales: int  # fen, after discounts
    average_order: int | None  # fen; None without orders
    paid: int
    refunded: int
    net: int
    customers: int  # members who ordered in the period
    repeat_customers: int  # of them, who ordered more than once
    repeat_rate: float | None  # repeat_customers / customers
    stock_outs: int  # SKU x outlet rows with nothing free to sell, now
    pending_differences: int | None  # open reconciliation differences; None: the role reads no books
    overdue_tickets: int | None  # open after-sales tickets late for response or completion; None: no desk


class DaySalesOut(Schema):
    day: date
    closed: bool  # from the day's close; False: live from the day's facts
    orders: int
    sales: int
    net: int
    by_channel: dict[str, int]  # sales by channel


class FunnelOut(Schema):
    visits: int  # storefront visitors (one a day each) who browsed a district under the node
    carts: int
    orders: int
    cart_rate: float | None
    order_rate: float | None


class FunnelDayOut(FunnelOut):
    day: date


class RankedOutletOut(Schema):
    outlet_id: int
    code: str
    name: str
    orders: int
    sales: int


class TopProductOut(Schema):
    sku_id: int
    sku_code: str
    name: str
    name_en: str
    units: int
    sales: int


class StockOutOut(Schema):
    outlet_code: str
    outlet_name: str
    sku_code: str
    name: str
    name_en: str
    on_hand: int
    reserved: int


class OverdueOut(Schema):
    open: int  # open tickets at the node
    response: int  # late for their first response
    completion: int  # late for completion
    overdue: int  # late for either
    by_kind: dict[str, int]  # late, by kind of ticket


class DashboardOut(Schema):
    node: DashNodeOut
    period: PeriodOut
    tiles: TilesOut
    days: list[DaySalesOut]
    by_channel: dict[str, int]  # sales in the period by channel
    by_method: dict[str, int]  # taken in the period by payment method
    funnel: FunnelOut
    funnel_days: list[FunnelDayOut]
    ranking: list[RankedOutletOut]  # the node's outlets by sales (none at an outlet)
    top_products: list[TopProductOut]
    stock_outs: list[StockOutOut]  # the first few of tiles.stock_outs
    differences: dict[str, int] | None  # open reconciliation differences by class (None: as the tile)
    overdue: OverdueOut | None  # the node's tickets (None: as the tile)
