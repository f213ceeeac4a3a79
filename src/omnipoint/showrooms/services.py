"""Showroom and commission writes.

Commissions are ledger postings from ``platform:commission:expense`` to the salesperson's
``staff:<id>:commission`` account, keyed by the order (``commission:<order number>``) and by the
return (``commission:<order number>:return:<id>``), so a retry posts nothing twice. The orders
services call ``commission_accrue`` when an order completes and ``commission_reverse`` when
goods come back, inside their own transactions: the commission moves with the order or not at all.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q

from omnipoint.catalog.models import Category, Product
from omnipoint.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.ledger.domain import AccountKind, account_code
from omnipoint.ledger.services import PostingRequest, account_for, postings_create
from omnipoint.outlets.domain import SYSTEM, Actor, Perm, Role, StaffActor, SystemActor, require_platform
from omnipoint.outlets.models import Region, Staff
from omnipoint.showrooms import domain
from omnipoint.showrooms.models import CommissionAccrual, CommissionReversal, CommissionRule, Showroom
from omnipoint.showrooms.selectors import salesperson_mine

EXPENSE_ACCOUNT = account_code(AccountKind.COMMISSION_EXPENSE)
MAX_SHOWROOM_PRODUCTS = 200


# --- showrooms --------------------------------------------------------------------------------


def showroom_ensure(*, actor: StaffActor, staff: Staff | None = None) -> Showroom:
    """A salesperson's showroom, opened on first use with a fresh code: the actor's own (a
    salesperson), or the one of a salesperson the platform names (the demo's story)."""
    if staff is None:
        staff = salesperson_mine(actor=actor)  # type: ignore[arg-type]
    elif not actor.is_system and staff.pk != actor.staff_id:
        raise PermissionDeniedError("a salesperson opens only their own showroom", code="forbidden")
    return _open(staff)


def _open(staff: Staff) -> Showroom:
    if staff.role != Role.SALESPERSON:
        raise PermissionDeniedError("only salespeople have a showroom", code="not_salesperson")
    existing = Showroom.objects.filter(staff=staff).first()
    if existing is not None:
        return existing
    for _ in range(5):
        try:
            with transaction.atomic():
                return Showroom.objects.create(staff=staff, code=domain.showroom_code_new())
        except IntegrityError:
            existing = Showroom.objects.filter(staff=staff).first()
            if existing is not None:  # opened meanwhile by another request
                return existing
    raise ValidationError("could not pick a free showroom code", code="showroom_code_taken")


@transaction.atomic
def showroom_update(
    *,
    actor: Actor,
    title: str | None = None,
    greeting: str | None = None,
    all_products: bool | None = None,
    product_ids: list[int] | None = None,
) -> Showroom:
    """A salesperson edits their own showroom: its title, greeting and what it shows."""
    showroom = _open(salesperson_mine(actor=actor))
    if title is not None:
        showroom.title = title.strip()[:80]
    if greeting is not None:
        showroom.greeting = greeting.strip()[:300]
    if all_products is not None:
        showroom.all_products = all_products
    if product_ids is not None:
        wanted = sorted(set(product_ids))
        if len(wanted) > MAX_SHOWROOM_PRODUCTS:
            raise ValidationError(f"at most {MAX_SHOWROOM_PRODUCTS} products", code="too_many_products")
        found = set(Product.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
        missing = [p for p in wanted if p not in found]
        if missing:
            raise NotFoundError(f"product {missing[0]} not found", code="product_not_found")
        showroom.products.set(wanted)
    if not showroom.all_products and not showroom.products.exists():
        raise ValidationError("choose some products, or show all of them", code="no_products")
    showroom.save()
    return showroom


# --- commission rules -------------------------------------------------------------------------


def _rule_node(actor: Actor, region_code: str) -> str:
    actor.require(Perm.PRICE_EDIT)
    if not region_code:
        if actor.scope.region_path is None:
            raise PermissionDeniedError("commission rules are set at HQ or a region", code="forbidden")
        return actor.scope.region_path
    region = Region.objects.filter(code=region_code).first()
    if region is None or not actor.scope.covers_region(region.path):
        raise NotFoundError(f"region {region_code} not found", code="region_not_found")
    return region.path


def rule_in_scope(*, actor: Actor, rule_id: int) -> CommissionRule:
    """A rule the actor may change: owned at or under their node."""
    actor.require(Perm.PRICE_EDIT)
    rule = CommissionRule.objects.filter(pk=rule_id).first()
    if rule is None or not actor.scope.covers_region(rule.region_path):
        raise NotFoundError(f"commission rule {rule_id} not found", code="rule_not_found")
    return rule


@transaction.atomic
def commission_rule_create(
    *,
    actor: Actor,
    region_code: str = "",
    product_id: int | None = None,
    category_id: int | None = None,
    rate: Decimal | None = None,
    fixed_per_unit: int | None = None,
) -> CommissionRule:
    region_path = _rule_node(actor, region_code)
    domain.rule_check(
        rate=rate, fixed_per_unit=fixed_per_unit, product_id=product_id, category_id=category_id
    )
    if product_id is not None and not Product.objects.filter(pk=product_id).exists():
        raise NotFoundError(f"product {product_id} not found", code="product_not_found")
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise NotFoundError(f"category {category_id} not found", code="category_not_found")
    clash = CommissionRule.objects.filter(
        Q(product_id=product_id) if product_id is not None else Q(product__isnull=True),
        Q(category_id=category_id) if category_id is not None else Q(category__isnull=True),
        region_path=region_path,
    )
    if clash.exists():
        raise ValidationError(
            "this node already has a rule for this target; change that one", code="duplicate_rule"
        )
    return CommissionRule.objects.create(
        region_path=region_path,
        product_id=product_id,
        category_id=category_id,
        rate=rate,
        fixed_per_unit=fixed_per_unit,
        created_by_id=actor.user_id,
    )


@transaction.atomic
def commission_rule_update(
    *, actor: Actor, rule_id: int, rate: Decimal | None = None, fixed_per_unit: int | None = None
) -> CommissionRule:
    """Change what a rule pays (a rate or a fixed amount: giving one drops the other). Orders
    already completed keep what they earned."""
    rule = rule_in_scope(actor=actor, rule_id=rule_id)
    domain.rule_check(
        rate=rate, fixed_per_unit=fixed_per_unit, product_id=rule.product_id, category_id=rule.category_id
    )
    rule.rate, rule.fixed_per_unit = rate, fixed_per_unit
    rule.save(update_fields=["rate", "fixed_per_unit"])
    return rule


@transaction.atomic
def commission_rule_delete(*, actor: Actor, rule_id: int) -> None:
    rule_in_scope(actor=actor, rule_id=rule_id).delete()


# --- accruals and reversals -------------------------------------------------------------------


def _ancestors(path: str) -> list[str]:
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]


def _category_chains() -> dict[int, tuple[int, ...]]:
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    chains: dict[int, tuple[int, ...]] = {}
    for pk in parents:
        chain: list[int] = []
        seen: set[int] = set()
        cur: int | None = pk
        while cur is not None and cur not in seen:
            seen.add(cur)
            chain.append(cur)
            cur = parents.get(cur)
        chains[pk] = tuple(chain)
    return chains


def _rules_for(region_path: str) -> list[domain.Rule]:
    return [
        domain.Rule(r.pk, r.region_path, r.product_id, r.category_id, r.rate, r.fixed_per_unit)
        for r in CommissionRule.objects.filter(region_path__in=_ancestors(region_path))
    ]


def _post(key: str, *, staff_id: int, back: bool, amount: int, code: str, reference: str) -> None:
    expense = account_for(actor=SYSTEM, kind=AccountKind.COMMISSION_EXPENSE, name="commission")
    earned = account_for(
        actor=SYSTEM, kind=AccountKind.STAFF_COMMISSION, owner_id=staff_id, name="commission"
    )
    debit, credit = (earned, expense) if back else (expense, earned)
    postings_create([PostingRequest(key, debit.code, credit.code, amount, code, reference)], actor=SYSTEM)


@transaction.atomic
def commission_accrue(*, actor: SystemActor, order: domain.OrderForCommission) -> CommissionAccrual | None:
    """Credit the order's salesperson with the commission its lines earned. Once per order. The
    platform does it, as orders complete the order."""
    require_platform(actor)
    if order.salesperson_id is None:
        return None
    existing = CommissionAccrual.objects.filter(order_id=order.order_id).first()
    if existing is not None:
        return existing
    staff = Staff.objects.select_related("outlet").get(pk=order.salesperson_id)
    region_path = staff.outlet.region_path if staff.outlet else "/"
    chains = _category_chains()
    lines = [
        domain.Line(ln.line_id, ln.product_id, chains.get(ln.category_id or 0, ()), ln.quantity, ln.amount)
        for ln in order.lines
    ]
    earned = domain.commissions(lines, _rules_for(region_path), region_path=region_path)
    total = sum(c.amount for c in earned)
    key = f"commission:{order.number}" if total else ""
    if total:
        _post(
            key,
            staff_id=staff.pk,
            back=False,
            amount=total,
            code="commission",
            reference=f"order:{order.number}",
        )
    sku_of = {ln.line_id: (ln.sku_id, ln.quantity) for ln in order.lines}
    return CommissionAccrual.objects.create(
        order_id=order.order_id,
        staff=staff,
        amount=total,
        posting_key=key,
        lines=[
            {
                "line_id": c.line_id,
                "sku_id": sku_of[c.line_id][0],
                "quantity": sku_of[c.line_id][1],
                "rule_id": c.rule_id,
                "amount": c.amount,
            }
            for c in earned
        ],
    )


@transaction.atomic
def commission_reverse(
    *, actor: SystemActor, order_return: domain.ReturnForCommission
) -> CommissionReversal | None:
    """Take back the commission on the units a return brought back, in proportion (the platform,
    as orders take the goods back)."""
    require_platform(actor)
    accrual = CommissionAccrual.objects.filter(order_id=order_return.order.order_id).first()
    if accrual is None or accrual.amount == 0:
        return None
    existing = CommissionReversal.objects.filter(order_return_id=order_return.return_id).first()
    if existing is not None:
        return existing
    by_sku = {ln["sku_id"]: ln for ln in accrual.lines}
    returned_after = {ln.sku_id: ln.returned_quantity for ln in order_return.order.lines}
    amount = 0
    for sku_id, quantity in order_return.lines:
        line = by_sku.get(sku_id)
        if line is None or not line["amount"]:
            continue
        amount += domain.reversal(
            commission=line["amount"],
            quantity=line["quantity"],
            returned_after=returned_after[sku_id],
            returned_now=quantity,
        )
    number = order_return.order.number
    key = f"commission:{number}:return:{order_return.return_id}" if amount else ""
    if amount:
        _post(
            key,
            staff_id=accrual.staff_id,
            back=True,
            amount=amount,
            code="commission_reversal",
            reference=f"order:{number}",
        )
    return CommissionReversal.objects.create(
        accrual=accrual, order_return_id=order_return.return_id, amount=amount, posting_key=key
    )
