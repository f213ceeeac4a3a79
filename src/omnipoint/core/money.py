"""Money as integer minor units (fen) with a currency. Never floats."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CNY = "CNY"


@dataclass(frozen=True, order=True)
class Money:
    amount: int  # minor units: fen for CNY
    currency: str = CNY

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")

    def _same(self, other: "Money") -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, quantity: int) -> "Money":
        return Money(self.amount * quantity, self.currency)

    def times_rate(self, rate: Decimal) -> "Money":
        """Apply a rate (a discount, a commission) with explicit half-up rounding to the fen."""
        value = (Decimal(self.amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Money(int(value), self.currency)

    def __str__(self) -> str:
        sign = "-" if self.amount < 0 else ""
        yuan, fen = divmod(abs(self.amount), 100)
        return (
            f"{sign}¥{yuan}.{fen:02d}" if self.currency == CNY else f"{sign}{yuan}.{fen:02d} {self.currency}"
        )
