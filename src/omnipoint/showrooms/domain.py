"""Showroom and commission rules. Pure: no ORM.

A commission rule belongs to a node of the organisation tree (HQ is "/") and applies to the
salespeople of the outlets under it. It targets one product, one category (and so its
subcategories), or nothing (the node's default rule), and pays either a rate of what the line
was charged or a fixed amount per unit. For each order line the most specific rule wins: a
product rule over a category rule, a nearer category over a parent category, any target over
the default; then the rule of the nearer node; then the newer rule.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from omnipoint.core.errors import ValidationError
from omnipoint.ledger.domain import AccountKind, account_code
from omnipoint.outlets.domain import Role

# Who may see salespeople's figures (in their scope), and who may change commission rules.
MANAGER_ROLES = frozenset(
    {
        Role.HQ_ADMIN,
        Role.PROVINCE_MANAGER,
        Role.CITY_MANAGER,
        Role.DISTRICT_MANAGER,
        Role.OUTLET_MANAGER,
    }
)
MAX_RATE = Decimal("0.5")  # half of what the customer paid: anything above is a typing error
MAX_FIXED_PER_UNIT = 1_000_000  # fen: ten thousand yuan per unit
ATTRIBUTION_DAYS = 7  # a showroom visit credits the salesperson for orders placed this long after

# Showroom codes: short, easy to read aloud and type, no 0/o/1/l.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8


@dataclass(frozen=True)
class SaleLine:
    line_id: int
    sku_id: int
    product_id: int
    category_id: int | None
    quantity: int
    amount: int  # fen charged for the line
    returned_quantity: int  # units brought back so far


@dataclass(frozen=True)
class OrderForCommission:
    """What showrooms need of an order to accrue its salesperson's commission. Orders give it
    (``orders.selectors.order_for_commission``): showrooms never read an order's lines."""

    order_id: int
    number: str
    salesperson_id: int | None
    lines: tuple[SaleLine, ...]  # empty without a salesperson


@dataclass(frozen=True)
class ReturnForCommission:
    """A return, to take back the commission on what it brought back
    (``orders.selectors.return_for_commission``)."""

    return_id: int
    order: OrderForCommission  # its lines' returned quantities include this return
    lines: tuple[tuple[int, int], ...]  # (sku id, quantity) brought back


def showroom_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def showroom_code_valid(code: str) -> bool:
    return 4 <= len(code) <= 20 and all(c in CODE_ALPHABET or c == "-" for c in code)


@dataclass(frozen=True)
class Rule:
    id: int
    region_path: str  # the owning node: "/" for HQ, "/31/3101/" for a city
    product_id: int | None
    category_id: int | None
    rate: Decimal | None  # of the line's amount
    fixed_per_unit: int | None  # fen per unit sold


@dataclass(frozen=True)
class Line:
    line_id: int
    product_id: int
    categories: tuple[int, ...]  # the product's category first, then its parents up to the root
    quantity: int
    amount: int  # fen charged for the line, discounts taken off


@dataclass(frozen=True)
class LineCommission:
    line_id: int
    rule_id: int | None
    amount: int  # fen


def rule_check(
    *, rate: Decimal | None, fixed_per_unit: int | None, product_id: int | None, category_id: int | None
) -> None:
    """A rule pays one way (a rate or a fixed amount) and targets at most one thing."""
    if (rate is None) == (fixed_per_unit is None):
        raise ValidationError("give either a rate or a fixed amount per unit", code="invalid_rule")
    if product_id is not None and category_id is not None:
        raise ValidationError("a rule targets a product or a category, not both", code="invalid_rule")
    if rate is not None:
        if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate <= MAX_RATE:
            raise ValidationError(f"rate must be 0..{MAX_RATE}", code="invalid_rate")
        if rate.as_tuple().exponent < -4:  # type: ignore[operator]
            raise ValidationError("rate has at most 4 decimal places", code="invalid_rate")
    if fixed_per_unit is not None and (
        isinstance(fixed_per_unit, bool)
        or not isinstance(fixed_per_unit, int)
        or not 0 <= fixed_per_unit <= MAX_FIXED_PER_UNIT
    ):
        raise ValidationError(f"fixed_per_unit must be 0..{MAX_FIXED_PER_UNIT} fen", code="invalid_fixed")


def _specificity(rule: Rule, line: Line) -> tuple[int, int, int] | None:
    """How closely a rule fits a line (higher is closer), or None when it does not apply."""
    if rule.product_id is not None:
        if rule.product_id != line.product_id:
            return None
        target = 1000
    elif rule.category_id is not None:
        if rule.category_id not in line.categories:
            return None
        target = 500 - line.categories.index(rule.category_id)
    else:
        target = 0
    return target, rule.region_path.count("/"), rule.id


def rule_for(line: Line, rules: Sequence[Rule], *, region_path: str) -> Rule | None:
    """The rule that pays for a line sold by a salesperson at an outlet under ``region_path``."""
    best: tuple[tuple[int, int, int], Rule] | None = None
    for rule in rules:
        if not region_path.startswith(rule.region_path):
            continue
        fit = _specificity(rule, line)
        if fit is not None and (best is None or fit > best[0]):
            best = (fit, rule)
    return best[1] if best else None


def line_commission(line: Line, rule: Rule | None) -> int:
    """Fen earned on a line: never more than the line was charged."""
    if rule is None or line.amount <= 0:
        return 0
    if rule.rate is not None:
        earned = int((Decimal(line.amount) * rule.rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        earned = (rule.fixed_per_unit or 0) * line.quantity
    return max(0, min(earned, line.amount))


def commissions(lines: Sequence[Line], rules: Sequence[Rule], *, region_path: str) -> list[LineCommission]:
    out = []
    for line in lines:
        rule = rule_for(line, rules, region_path=region_path)
        out.append(LineCommission(line.line_id, rule.id if rule else None, line_commission(line, rule)))
    return out


def reversal(*, commission: int, quantity: int, returned_after: int, returned_now: int) -> int:
    """The part of a line's commission that a return of ``returned_now`` units takes back, the
    line's returns now adding up to ``returned_after``. Spread over the units the same way as
    the refund, so that all the returns of a line reverse exactly its commission."""
    if quantity <= 0 or not 0 < returned_now <= returned_after <= quantity:
        raise ValidationError("returned quantities do not fit the line", code="invalid_quantity")
    before = returned_after - returned_now
    return commission * returned_after // quantity - commission * before // quantity


def staff_account(staff_id: int) -> str:
    """The ledger account of a salesperson's commission."""
    return account_code(AccountKind.STAFF_COMMISSION, staff_id)
