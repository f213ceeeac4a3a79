from omnipoint.core.errors import ConflictError, InvalidStateError


class InsufficientStockError(ConflictError):
    code = "insufficient_stock"


class ReservationExpiredError(InvalidStateError):
    code = "reservation_expired"


class CountBelowReservedError(ConflictError):
    code = "count_below_reserved"
