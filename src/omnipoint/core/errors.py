"""The one error type that crosses from services to the API and the pages.

Every refusal carries a stable machine-readable ``code`` (clients branch on it), a readable
``message`` and an HTTP status. Services raise these before changing anything, or inside the
transaction that a refusal rolls back, so a refused request leaves the database as it was.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class ValidationError(DomainError):
    code = "invalid_input"
    status = 422


class InvalidQuantityError(ValidationError):
    code = "invalid_quantity"


class NotFoundError(DomainError):
    """Unknown ids, and ids that exist outside the caller's scope: both look the same."""

    code = "not_found"
    status = 404


class PermissionDeniedError(DomainError):
    code = "forbidden"
    status = 403


class InvalidStateError(DomainError):
    code = "invalid_state"
    status = 409


class ConflictError(DomainError):
    code = "conflict"
    status = 409


# Quantities above this are typing errors or attacks, never real stock moves.
MAX_QUANTITY = 1_000_000


def require_quantity(quantity: int, *, allow_zero: bool = False, field: str = "quantity") -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise InvalidQuantityError(f"{field} must be a whole number", field=field)
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise InvalidQuantityError(f"{field} must be positive", field=field, value=quantity)
    if quantity > MAX_QUANTITY:
        raise InvalidQuantityError(f"{field} is larger than {MAX_QUANTITY}", field=field, value=quantity)
    return quantity
