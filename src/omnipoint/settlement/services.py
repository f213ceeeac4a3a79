"""Writes of settlement: parties and their rates, a period's statements generated, a statement
confirmed and paid, and the jobs the task queue runs for the console.

Generating a statement inserts it first (one per party and period: the unique pair decides
between two generations at once, the second finds the first's and compares); a draft whose
facts moved since is refreshed, a confirmed or paid one is never touched. Confirming and paying
move the state by compare-and-set (``UPDATE ... WHERE state = ...``, one row changed or a 409),
in the transaction that books the statement on the ledger: confirming a supplier's or a
franchisee's books what is owed (party payable), paying books the payout under a key derived
from the statement, so a statement is paid out once whatever the client sends; the client's own
key (``pay_key``, unique) makes a retry return the first payment.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from omnipoint.billpay.services import rebates_true_up
from omnipoint.catalog.models import Category, Supplier
from omnipoint.clearing.domain import business_today
from omnipoint.clearing.exports import FORMATS
from omnipoint.core.errors import ConflictError, NotFoundError, ValidationError
from omnipoint.ledger import services as ledger
from omnipoint.ledger.domain import account_code
from omnipoint.ledger.services import PostingRequest
from omnipoint.outlets.domain import Perm, Role, StaffActor, SystemActor, require_platform
from omnipoint.outlets.models import Outlet, OutletKind, Region, Staff
from omnipoint.settlement import domain, facts, selectors
from omnipoint.settlement.domain import Cycle, Leg, Line, PartyKind, Period, StatementState
from omnipoint.settlement.models import JobState, Party, PartyRate, SettlementJob, SettlementLine, Statement

BOOKS = SystemActor(task="settlement")  # only the platform posts to the ledger

# --- parties --------------------------------------------------------------------------------


def _party_node(
    kind: str, *, outlet_id: int | None, staff_id: int | None, region_code: str
) -> tuple[Outlet | None, Staff | None, str]:
    if kind == PartyKind.SALESPERSON:
        staff = Staff.objects.select_related("outlet").filter(pk=staff_id or 0, role=Role.SALESPERSON).first()
        if staff is None or staff.outlet is None:
            raise NotFoundError(f"salesperson {staff_id} not found", code="staff_not_found")
        return staff.outlet, staff, staff.outlet.region_path
    if kind in (PartyKind.FRANCHISE, PartyKind.AGENT):
        outlet = Outlet.objects.filter(pk=outlet_id or 0).first()
        if outlet is None:
            raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
        if kind == PartyKind.FRANCHISE and outlet.kind != OutletKind.FRANCHISE:
            raise ValidationError(f"{outlet.code} is not a franchise store", code="not_franchise")
        return outlet, None, outlet.region_path
    if not region_code:
        return None, None, "/"
    path = Region.objects.filter(code=region_code[:6]).values_list("path", flat=True).first()
    if path is None:
        raise NotFoundError(f"region {region_code[:6]} not found", code="region_not_found")
    return None, None, path


@dataclass(frozen=True)
class PartyAdded:
    party: Party
    created: bool  # False: the party was there already, and is returned as it is


@transaction.atomic
def party_create(
    *,
    actor: StaffActor,
    kind: str,
    outlet_id: int | None = None,
    staff_id: int | None = None,
    supplier_id: int | None = None,
    region_code: str = "",
    rate: object = "0",
    cycle: str = "",
    name: str = "",
) -> PartyAdded:
    """A party settled at a node of the actor's: a concession supplier (its goods sold under a
    region, the whole network by default), a franchise or agent outlet, or a salesperson. Once:
    adding it again returns it, unchanged."""
    actor.require(Perm.FINANCE_SETTLE)
    if kind not in PartyKind.values:
        raise ValidationError(f"unknown party kind {kind[:20]}", code="invalid_kind")
    cycle = _cycle_check(kind, cycle)
    supplier = None
    if kind == PartyKind.SUPPLIER:
        supplier = Supplier.objects.filter(pk=supplier_id or 0, is_concession=True).first()
        if supplier is None:
            raise NotFoundError(f"concession supplier {supplier_id} not found", code="supplier_not_found")
    outlet, staff, path = _party_node(kind, outlet_id=outlet_id, staff_id=staff_id, region_code=region_code)
    if not selectors.covers(actor.scope, region_path=path, outlet_id=outlet.pk if outlet else None):
        raise NotFoundError("not found in your area", code="node_not_found")
    default_name = (
        supplier.name if supplier else staff.display_name if staff else outlet.name if outlet else kind
    )
    party, created = Party.objects.get_or_create(
        kind=kind,
        supplier=supplier,
        outlet=outlet,
        staff=staff,
        region_path=path,
        defaults={
            "name": (name.strip() or default_name)[:120],
            "rate": domain.rate_check(rate) if kind in domain.RATED else 0,
            "cycle": cycle,
        },
    )
    return PartyAdded(party, created)


def party_add(
    *,
    actor: StaffActor,
    kind: str,
    outlet_id: int | None = None,
    staff_id: int | None = None,
    supplier_id: int | None = None,
    region_code: str = "",
    rate: object = "0",
    cycle: str = "",
) -> Party:
    """``party_create``'s party (the demo and the tests, which do not ask whether it was new)."""
    return party_create(
        actor=actor, kind=kind, outlet_id=outlet_id, staff_id=staff_id, supplier_id=supplier_id,
        region_code=region_code, rate=rate, cycle=cycle,
    ).party  # fmt: skip


def _cycle_check(kind: str, cycle: str) -> str:
    """A party's own cycle: blank (the network's) or one of ``Cycle``; an agent's is the month,
    since its rebates are trued up by month (422 ``invalid_cycle``)."""
    if cycle and (cycle not in Cycle.values or (kind == PartyKind.AGENT and cycle != Cycle.MONTH)):
        raise ValidationError(f"{cycle[:20]!r} is no cycle for this party", code="invalid_cycle")
    return cycle


@transaction.atomic
def party_edit(
    *,
    actor: StaffActor,
    party_id: int,
    name: str | None = None,
    rate: object = None,
    cycle: str | None = None,
    is_active: bool | None = None,
) -> Party:
    """Change a party's terms: its name, its own rate (suppliers and franchisees), its cycle,
    whether it is settled at all. What it is and where it is settled do not change (add another
    party); statements drawn up already keep their figures (a draft follows at its next
    generation)."""
    actor.require(Perm.FINANCE_SETTLE)
    party = selectors.party_get(actor=actor, party_id=party_id)
    if name is not None:
        if not name.strip() or len(name) > 120:
            raise ValidationError("a party's name is 1 to 120 characters", code="invalid_name")
        party.name = name.strip()
    if rate is not None:
        if party.kind not in domain.RATED:
            raise ValidationError("only suppliers and franchisees have rates", code="not_rated")
        party.rate = domain.rate_check(rate)
    if cycle is not None:
        party.cycle = _cycle_check(party.kind, cycle)
    if is_active is not None:
        party.is_active = is_active
    party.save(update_fields=["name", "rate", "cycle", "is_active"])
    return party


@transaction.atomic
def party_rate_set(*, actor: StaffActor, party_id: int, category_id: int, rate: object) -> PartyRate:
    """The deduction rate of one category (and those under it) for a supplier or a franchisee."""
    actor.require(Perm.FINANCE_SETTLE)
    party = selectors.party_get(actor=actor, party_id=party_id)
    if party.kind not in domain.RATED:
        raise ValidationError("only suppliers and franchisees have rates", code="not_rated")
    if not Category.objects.filter(pk=category_id).exists():
        raise NotFoundError(f"category {category_id} not found", code="category_not_found")
    row, _ = PartyRate.objects.update_or_create(
        party=party, category_id=category_id, defaults={"rate": domain.rate_check(rate)}
    )
    return row


@transaction.atomic
def party_rate_remove(*, actor: StaffActor, party_id: int, category_id: int) -> Party:
    """A category's rate taken off: its goods fall back to a parent category's rate, else the
    party's own (404 ``rate_not_found`` when it had none)."""
    actor.require(Perm.FINANCE_SETTLE)
    party = selectors.party_get(actor=actor, party_id=party_id)
    if not PartyRate.objects.filter(party=party, category_id=category_id).delete()[0]:
        raise NotFoundError(f"no rate for category {category_id}", code="rate_not_found")
    return party


# --- generating -----------------------------------------------------------------------------


def _lines(party: Party, period: Period, chains: dict[int, tuple[int, ...]]) -> list[Line]:
    if party.kind == PartyKind.SUPPLIER:
        assert party.supplier_id is not None
        sold = facts.supplier_sold(
            period=period, supplier_id=party.supplier_id, region_path=party.region_path
        )
    elif party.kind == PartyKind.FRANCHISE:
        assert party.outlet_id is not None
        sold = facts.franchise_sold(period=period, outlet_id=party.outlet_id)
    elif party.kind == PartyKind.AGENT:
        assert party.outlet_id is not None and period.month is not None
        bills, amount, accrued, true_up = facts.rebates(month=period.month, outlet_id=party.outlet_id)
        return domain.rebate_lines(
            bills=bills, amount=amount, accrued=accrued, true_up=true_up, month=period.month
        )
    else:
        assert party.staff_id is not None
        return domain.commission_lines(facts.commissions(period=period, staff_id=party.staff_id))
    rates = dict(party.rates.values_list("category_id", "rate"))
    return domain.deduction_lines(sold, chains, rates, party.rate)


def _line_rows(statement: Statement, lines: list[Line]) -> list[SettlementLine]:
    return [
        SettlementLine(
            statement=statement,
            position=i,
            item=ln.item[:120],
            item_en=ln.item_en[:120],
            count=ln.count,
            sales=ln.sales,
            returns=ln.returns,
            net=ln.net,
            rate=ln.rate,
            deduction=ln.deduction,
            payable=ln.payable,
            corrects=ln.corrects,
        )
        for i, ln in enumerate(lines)
    ]


def _same(statement: Statement, lines: list[Line]) -> bool:
    def key(r: SettlementLine) -> tuple[object, ...]:
        return (r.item, r.count, r.sales, r.returns, r.net, r.rate, r.deduction, r.payable, r.corrects)

    return [key(r) for r in statement.lines.all()] == [key(r) for r in _line_rows(statement, lines)]


def _write(party: Party, period: Period, lines: list[Line]) -> str:
    """Insert the party's statement of the period, or refresh its draft: "created",
    "refreshed", "unchanged" (a draft whose facts say the same) or "kept" (confirmed or paid)."""
    t, now = domain.totals(lines), timezone.now()
    figures = {"sales": t.sales, "returns": t.returns, "deduction": t.deduction, "amount": t.amount}
    with transaction.atomic():
        try:
            with transaction.atomic():
                statement = Statement.objects.create(
                    party=party,
                    kind=party.kind,
                    period=period.code,
                    cycle=period.cycle,
                    starts_on=period.start,
                    ends_on=period.end,
                    region_path=party.region_path,
                    outlet_id=party.outlet_id,
                    generated_at=now,
                    **figures,
                )
        except IntegrityError:  # generated before, or by a generation running at the same time
            statement = Statement.objects.get(party=party, period=period.code)
            if statement.state != StatementState.DRAFT:
                return "kept"
            if _same(statement, lines):
                return "unchanged"
            if not Statement.objects.filter(pk=statement.pk, state=StatementState.DRAFT).update(
                generated_at=now, **figures
            ):
                return "kept"  # confirmed meanwhile
            statement.lines.all().delete()
            SettlementLine.objects.bulk_create(_line_rows(statement, lines))
            return "refreshed"
        SettlementLine.objects.bulk_create(_line_rows(statement, lines))
        return "created"


@dataclass(frozen=True)
class GenerateResult:
    period: Period
    outcomes: dict[int, str]  # party id -> created / refreshed / unchanged / kept

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes.values() if o == outcome)


def _period_check(*, text: str, today: date | None = None) -> Period:
    """A period to settle: well formed (422 ``invalid_period``) and over (422
    ``period_in_future``, 409 ``period_not_over``)."""
    period = domain.parse_period(text)
    domain.check_period_over(period, today=today or business_today(timezone.now()))
    return period


def statements_generate(
    *, actor: StaffActor, period: str, progress: Callable[[int, int], None] | None = None
) -> GenerateResult:
    """Every party in the actor's scope settled on the period's cycle gets its statement of the
    period (each its own short transaction); agents' months are trued up first (billpay's,
    idempotent). ``progress(done, total)`` is told after each party."""
    actor.require(Perm.FINANCE_SETTLE)
    p = _period_check(text=period)
    parties = [
        party
        for party in selectors.parties_list(actor=actor).filter(is_active=True).select_related("supplier")
        if domain.cycle_of(party.kind, party.cycle, settings.SETTLEMENT_CYCLE) == p.cycle
    ]
    if p.month and any(party.kind == PartyKind.AGENT for party in parties):
        rebates_true_up(actor=BOOKS, month=p.month)
    chains = facts.category_chains()
    outcomes: dict[int, str] = {}
    for i, party in enumerate(parties):
        outcomes[party.pk] = _write(party, p, _lines(party, p, chains))
        if progress is not None:
            progress(i + 1, len(parties))
    return GenerateResult(p, outcomes)


# --- confirming and paying ------------------------------------------------------------------


def _post(statement: Statement, leg: Leg | None, *, what: str) -> None:
    if leg is None:
        return
    owners: dict[str, int | None] = {
        PartyKind.SUPPLIER: statement.party_id,
        PartyKind.FRANCHISE: statement.party_id,
        PartyKind.AGENT: statement.outlet_id,
        PartyKind.SALESPERSON: statement.party.staff_id,
    }
    owner = owners[statement.kind]
    party_kind = domain.PARTY_ACCOUNT[statement.kind]
    codes = []
    for kind in (leg.debit, leg.credit):
        spec_owner = owner if kind == party_kind else None
        ledger.account_for(actor=BOOKS, kind=kind, owner_id=spec_owner)
        codes.append(account_code(kind, spec_owner))
    ledger.postings_create(
        [
            PostingRequest(
                key=f"settlement:{statement.pk}:{what}",
                debit=codes[0],
                credit=codes[1],
                amount=leg.amount,
                code=f"settlement_{what}",
                reference=f"statement:{statement.pk}",
            )
        ],
        actor=BOOKS,
    )


@transaction.atomic
def statement_confirm(*, actor: StaffActor, statement_id: int) -> Statement:
    """Finance confirms a draft (409 ``statement_not_draft`` / ``statement_paid`` otherwise);
    a supplier's or franchisee's amount is booked as owed to (or by) the party."""
    actor.require(Perm.FINANCE_SETTLE)
    statement = selectors.statement_get(actor=actor, statement_id=statement_id)
    domain.check_move(statement.state, StatementState.CONFIRMED)
    moved = Statement.objects.filter(pk=statement.pk, state=StatementState.DRAFT).update(
        state=StatementState.CONFIRMED, confirmed_at=timezone.now(), confirmed_by_id=actor.user_id
    )
    statement.refresh_from_db()
    if moved != 1:
        domain.check_move(statement.state, StatementState.CONFIRMED)
    _post(statement, domain.accrual_leg(statement.kind, statement.amount), what="accrual")
    return statement


@dataclass(frozen=True)
class PayResult:
    statement: Statement
    created: bool  # False: this key had paid it already (a retry)


def _key_reused(key: str) -> ConflictError:
    return ConflictError("this payout key paid another statement", code="pay_key_reused", key=key)


@transaction.atomic
def statement_pay(*, actor: StaffActor, statement_id: int, key: str) -> PayResult:
    """Finance pays a confirmed statement out (or records what the party paid in), once: the same
    ``key`` again returns the first payment; another key, or a draft, is a 409."""
    actor.require(Perm.FINANCE_SETTLE)
    key = domain.pay_key_check(key)
    statement = selectors.statement_get(actor=actor, statement_id=statement_id)
    if statement.pay_key == key:
        return PayResult(statement, created=False)
    if Statement.objects.filter(pay_key=key).exists():
        raise _key_reused(key)
    domain.check_move(statement.state, StatementState.PAID)
    try:
        with transaction.atomic():
            moved = Statement.objects.filter(pk=statement.pk, state=StatementState.CONFIRMED).update(
                state=StatementState.PAID, pay_key=key, paid_at=timezone.now(), paid_by_id=actor.user_id
            )
    except IntegrityError:  # the key paid another statement at the same moment
        raise _key_reused(key) from None
    statement.refresh_from_db()
    if moved != 1:
        if statement.pay_key == key:
            return PayResult(statement, created=False)
        domain.check_move(statement.state, StatementState.PAID)
    _post(statement, domain.payout_leg(statement.kind, statement.amount), what="payout")
    return PayResult(statement, created=True)


# --- jobs for the console ---------------------------------------------------------------------


def job_start(
    *, actor: StaffActor, kind: str, period: str = "", statement_id: int = 0, fmt: str = "", lang: str = ""
) -> SettlementJob:
    """A run for the task queue, checked before it is queued: a period's statements (as
    ``statements_generate`` checks them) or a statement's file (422 ``unknown_format``)."""
    if kind == "generate":
        actor.require(Perm.FINANCE_SETTLE)
        code = _period_check(text=period).code
        return SettlementJob.objects.create(
            kind=kind, period=code, lang=lang[:10], created_by_id=actor.user_id or 0
        )
    if fmt not in FORMATS:
        raise ValidationError(f"the export format is one of {', '.join(FORMATS)}", code="unknown_format")
    statement = selectors.statement_get(actor=actor, statement_id=statement_id)
    return SettlementJob.objects.create(
        kind="export", statement=statement, fmt=fmt, total=1, lang=lang[:10], created_by_id=actor.user_id or 0
    )


def job_progress(
    *,
    actor: SystemActor,
    job_id: int,
    state: str,
    done: int = 0,
    total: int = 0,
    file: str = "",
    error: str = "",
) -> None:
    """The task's progress on its job (the platform: the task queue)."""
    require_platform(actor)
    fields: dict[str, object] = {"state": state, "done": done, "total": total}
    if state in (JobState.DONE, JobState.FAILED):
        fields |= {"finished_at": timezone.now(), "file": file, "error": error}
    SettlementJob.objects.filter(pk=job_id).update(**fields)
