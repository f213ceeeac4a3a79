"""Bill payments per second at the counter path, next to a naive read-then-write in the same run.

One operation is one bill paid in cash at an agent outlet, end to end: the biller asked what the
account owes, the payment held on the agent's float, the (sandbox) biller asked to take it, its
confirmation taken, the hold captured and the agent's tiered rebate accrued. Two shapes:

- hot: every worker pays at the same agent (one float row, one rebate row);
- many: each payment at one of ``AGENTS`` agents chosen at random.

- real: ``billpay.services.bill_pay`` (the payment row, then the float held by the ledger's
  guarded UPDATE in its own short transaction; the biller asked outside any transaction), then
  the capture the biller's callback runs (``_capture``: compare-and-set, post the hold, accrue).
- naive: one transaction: ``SELECT ... FOR UPDATE`` the float, check the balance in Python,
  insert the payment, ask the biller and take its confirmation, write the float's and the
  payable's new totals computed in Python, then the rebate likewise. Correct, but the float row
  (and the platform's payable) stay locked across the biller's round trip.

The agents are made once and kept (``BENCH-AG-*`` outlets, each float funded far beyond any run);
each run pays fresh accounts (random, well-formed, open at the sandbox biller), checks that every
payment it reported is paid, and that ``ledger_breaches()`` is empty. CPU is this process's
(``time.process_time``) per payment: the Python side, not the database server's.
"""

import random
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bench.stats import percentile
from bench.workers import Outcome
from bench.workers import run as run_workers

AGENTS = 1000
FUNDS = 10_000_000_00  # fen in each float (the largest deposit): far beyond any run
BILLER = "sbx-sh-electricity"
PREFIX = "BENCH-AG-"


class FarBiller:
    """The sandbox biller a network round trip away: ``pay`` waits ``rtt_ms`` first, as a real
    biller's answer would (the sandbox's own is a local insert)."""

    def __init__(self, inner: object, rtt_ms: float) -> None:
        self._inner, self.rtt_ms = inner, rtt_ms

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def pay(self, **kwargs: object) -> object:
        time.sleep(self.rtt_ms / 1000)
        return self._inner.pay(**kwargs)  # type: ignore[attr-defined]


def configure(rtt_ms: float = 0) -> None:
    """The sandbox billers on, confirming only when the bench says (no queued callbacks), the
    electricity biller ``rtt_ms`` away."""
    from omnipoint.billpay import billers
    from omnipoint.billpay.sandbox import sandbox_billers

    settings.SANDBOX_BILLERS = True
    settings.SANDBOX_BILLER_SECRET = settings.SANDBOX_BILLER_SECRET or "bench-biller-secret"
    settings.SANDBOX_BILLER_AUTOCONFIRM = False
    settings.SANDBOX_BILLER_FAULTS = {}
    inner = next(b for b in sandbox_billers() if b.code == BILLER)
    billers.register(FarBiller(inner, rtt_ms) if rtt_ms else inner)  # type: ignore[arg-type]


def agents_ensure(n: int = AGENTS) -> list[int]:
    """``n`` agent outlets in 黄浦, enrolled with the default schedule and a funded float."""
    from omnipoint.billpay.domain import DEFAULT_SCHEDULE, PayMode
    from omnipoint.billpay.models import BillOutlet
    from omnipoint.billpay.services import float_fund
    from omnipoint.ledger import services as ledger
    from omnipoint.ledger.domain import AccountKind
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.models import Outlet, OutletKind, Region

    region = Region.objects.get(code="310101")
    have = set(Outlet.objects.filter(code__startswith=PREFIX).values_list("code", flat=True))
    missing = [f"{PREFIX}{i:04d}" for i in range(n) if f"{PREFIX}{i:04d}" not in have]
    Outlet.objects.bulk_create(
        [Outlet(code=c, name="便民服务点", kind=OutletKind.AGENT_POINT, region=region, region_path=region.path,
                lat=region.lat, lng=region.lng, sells_at_counter=False) for c in missing],
        batch_size=500,
    )  # fmt: skip
    ids = list(
        Outlet.objects.filter(code__startswith=PREFIX).order_by("code").values_list("pk", flat=True)[:n]
    )
    enrolled = set(BillOutlet.objects.filter(outlet_id__in=ids).values_list("outlet_id", flat=True))
    BillOutlet.objects.bulk_create(
        [BillOutlet(outlet_id=i, mode=PayMode.AGENT_FLOAT, rebate_schedule=DEFAULT_SCHEDULE.as_json())
         for i in ids if i not in enrolled]
    )  # fmt: skip
    for kind in (AccountKind.BILLER_PAYABLE, AccountKind.REBATE_EXPENSE):
        ledger.account_for(actor=SYSTEM, kind=kind)
    for i in ids:
        if i not in enrolled:
            ledger.account_for(actor=SYSTEM, kind=AccountKind.AGENT_REBATE, owner_id=i)
            float_fund(actor=SYSTEM, outlet_id=i, amount=FUNDS, key="bench")
    return ids


def account_new(rng: random.Random) -> str:
    """A well-formed account that exists and is open at the sandbox biller (its bill unpaid)."""
    from omnipoint.billpay.billers import biller_get

    biller = biller_get(BILLER)
    fmt = biller.account_format
    while True:
        account = fmt.build("".join(rng.choice("0123456789") for _ in range(fmt.example_body_length())))
        if biller._standing(account) == "open":  # type: ignore[attr-defined]
            return account


def pay_real(outlet_id: int, account: str) -> str:
    from omnipoint.billpay import sandbox, services
    from omnipoint.billpay.billers import biller_get
    from omnipoint.billpay.services.paying import _capture
    from omnipoint.outlets.domain import SYSTEM

    amount = biller_get(BILLER).lookup(account).amount
    payment = services.bill_pay(
        actor=SYSTEM, outlet_id=outlet_id, biller=BILLER, account=account, amount=amount
    )
    row = sandbox.bill_confirm(bill_ref=payment.bill_ref)  # the biller books it and calls back
    assert row is not None
    _capture(payment.pk, biller_ref=row.txn_ref)
    return payment.number


def _locked_post(debit_code: str, credit_code: str, amount: int, key: str, code: str) -> None:
    """Read both accounts under FOR UPDATE (debit first), write their totals computed here."""
    from omnipoint.ledger.models import Account, Posting, PostingState
    from omnipoint.ledger.services import InsufficientBalanceError

    debit = Account.objects.select_for_update().get(code=debit_code)
    credit = Account.objects.select_for_update().get(code=credit_code)
    if debit.debits_must_not_exceed_credits and debit.available < amount:
        raise InsufficientBalanceError(f"{debit.code} has {debit.available} available")
    Account.objects.filter(pk=debit.pk).update(debits_posted=debit.debits_posted + amount)
    Account.objects.filter(pk=credit.pk).update(credits_posted=credit.credits_posted + amount)
    Posting.objects.create(key=key, kind=PostingState.POSTED, debit=debit, credit=credit, amount=amount,
                           unit=debit.unit, code=code)  # fmt: skip


def pay_naive(outlet_id: int, account: str) -> str:
    from omnipoint.billpay import domain, sandbox
    from omnipoint.billpay.billers import biller_get
    from omnipoint.billpay.models import BillOutlet, BillPayment
    from omnipoint.billpay.selectors import month_paid
    from omnipoint.ledger.domain import AccountKind, account_code

    biller = biller_get(BILLER)
    due = biller.lookup(account)
    now = timezone.now()
    with transaction.atomic():
        float_code = account_code(AccountKind.AGENT_FLOAT, outlet_id)
        payable = account_code(AccountKind.BILLER_PAYABLE)
        number = "N" + now.strftime("%y%m%d") + secrets.token_hex(6)
        payment = BillPayment.objects.create(
            number=number[:20], biller=BILLER, kind=biller.kind, account=account, bill_ref=due.bill_ref,
            period=due.period, due_date=due.due_date, masked_name=due.masked_name, amount=due.amount,
            mode=domain.PayMode.AGENT_FLOAT, outlet_id=outlet_id, deadline=now + timedelta(minutes=2),
        )  # fmt: skip
        answer = biller.pay(bill=due, amount=due.amount, merchant_ref=payment.number)  # under the locks
        row = sandbox.bill_confirm(bill_ref=due.bill_ref)
        assert answer.status == "pending" and row is not None
        _locked_post(float_code, payable, due.amount, f"naive:{number}:pay", "bill_pay")
        schedule = domain.RebateSchedule.from_json(
            BillOutlet.objects.get(outlet_id=outlet_id).rebate_schedule
        )
        count, amount = month_paid(outlet_id=outlet_id, when=now, before_id=payment.pk)
        rebate = domain.rebate_accrue(schedule, count_before=count, amount_before=amount, amount=due.amount)
        _locked_post(account_code(AccountKind.REBATE_EXPENSE), account_code(AccountKind.AGENT_REBATE, outlet_id),
                     rebate, f"naive:{number}:rebate", "rebate")  # fmt: skip
        BillPayment.objects.filter(pk=payment.pk).update(
            state=domain.PayState.PAID, paid_at=now, rebate=rebate, biller_ref=row.txn_ref
        )
    return payment.number


IMPLS = {"real": pay_real, "naive": pay_naive}


@dataclass
class BillResult:
    impl: str
    shape: str
    workers: int
    agents: int
    rtt_ms: float
    outcome: Outcome
    cpu_ms: float  # this process's CPU per payment

    @property
    def errors(self) -> list[str]:
        return self.outcome.errors


def run(
    *,
    impl: str,
    shape: str,
    workers_n: int,
    seconds: float,
    agents: list[int],
    rtt_ms: float = 0,
    max_calls: int = 10**9,
) -> BillResult:
    """One timed run of in-process threads, checked afterwards."""
    from omnipoint.billpay.models import BillPayment
    from omnipoint.ledger.checks import ledger_breaches

    configure(rtt_ms)
    pay = IMPLS[impl]
    numbers: list[str] = []

    def step(worker: int, n: int) -> int:
        rng = random.Random(f"{impl}-{shape}-{worker}-{n}-{time.time_ns()}")
        outlet = agents[0] if shape == "hot" else rng.choice(agents)
        numbers.append(pay(outlet, account_new(rng)))
        return 1

    cpu = time.process_time()
    outcome = run_workers(step, mode="threads", workers=workers_n, seconds=seconds, max_calls=max_calls)
    cpu_ms = (time.process_time() - cpu) * 1000 / max(outcome.ops, 1)
    paid = BillPayment.objects.filter(number__in=numbers, state="paid").count()
    if paid != outcome.ops:
        outcome.errors.append(f"{paid} payments paid, {outcome.ops} reported")
    breaches = ledger_breaches()
    if breaches:
        outcome.errors.append(f"ledger_breaches: {breaches[0]}")
    configure()
    return BillResult(impl, shape, workers_n, len(agents), rtt_ms, outcome, cpu_ms)


def rows(results: list[BillResult]) -> list[list[object]]:
    """Markdown rows: each real run next to the naive run of the same shape and workers."""
    by_key = {(r.impl, r.shape, r.workers, r.rtt_ms): r for r in results}
    out: list[list[object]] = []
    for r in results:
        if r.impl != "real":
            continue
        naive = by_key.get(("naive", r.shape, r.workers, r.rtt_ms))
        ratio = (
            f"{r.outcome.per_second / naive.outcome.per_second:.2f}x"
            if naive and naive.outcome.per_second
            else "n/a"
        )
        for x in (r, naive):
            if x is None:
                continue
            o = x.outcome
            where = "one agent's float (hot row)" if x.shape == "hot" else f"{x.agents:,} agents"
            out.append([
                f"{where} ({x.impl})", f"{x.rtt_ms:g} ms", f"{x.workers} threads", o.calls, f"{o.per_second:,.0f}/s",
                f"{percentile(o.latencies_ms, 50):.1f}", f"{percentile(o.latencies_ms, 99):.1f}",
                f"{x.cpu_ms:.1f}", ratio if x is r else "", "; ".join(sorted(set(o.errors)))[:120] or "ok",
            ])  # fmt: skip
    return out


HEADER = [
    "benchmark",
    "biller round trip",
    "workers",
    "bills",
    "bills/s",
    "p50 ms",
    "p99 ms",
    "CPU ms/bill",
    "real/naive",
    "check",
]
