"""What a signed-in member's points and wallet pay of an order at checkout: pure arithmetic, no
ORM. Points go first (they expire), then the wallet, then the gateway takes the rest. The
tenders themselves are the payments app's two-phase ``payment_tender`` (a hold on the ledger,
captured when the order is paid in full), the same the API and the member centre use."""

from dataclasses import dataclass
from math import gcd


@dataclass(frozen=True)
class TenderPlan:
    points: int = 0  # points to tender
    points_fen: int = 0  # what they pay
    wallet_fen: int = 0
    rest_fen: int = 0  # left for the online gateway

    @property
    def covered(self) -> bool:
        return self.rest_fen == 0


def usable_points(*, balance: int, due_fen: int, points_per_yuan: int) -> int:
    """The most points, up to ``balance``, that pay a whole number of fen within ``due_fen``."""
    if balance <= 0 or due_fen <= 0 or points_per_yuan <= 0:
        return 0
    step = points_per_yuan // gcd(points_per_yuan, 100)  # the fewest points worth whole fen
    most = min(balance, due_fen * points_per_yuan // 100)
    return most - most % step


def tender_plan(
    *,
    total_fen: int,
    points_balance: int,
    wallet_fen: int,
    use_points: bool,
    use_wallet: bool,
    points_per_yuan: int,
) -> TenderPlan:
    due = max(total_fen, 0)
    points = (
        usable_points(balance=points_balance, due_fen=due, points_per_yuan=points_per_yuan)
        if use_points
        else 0
    )
    points_fen = points * 100 // points_per_yuan if points else 0
    due -= points_fen
    wallet = min(max(wallet_fen, 0), due) if use_wallet else 0
    return TenderPlan(points=points, points_fen=points_fen, wallet_fen=wallet, rest_fen=due - wallet)
