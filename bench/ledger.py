"""Ledger postings per second: ``postings_create`` next to a naive read-balance-then-write.

Every posting moves 1 fen out of a member wallet (an account that may not go below zero) into
another account. Two shapes:

- hot: every worker spends from the same wallet (one account row, every posting locks it);
- many: each posting moves money between two of ``ACCOUNTS`` wallets chosen at random.

Each call posts one posting (single) or ``BATCH`` linked postings (batched: all or none). Every
``RETRY_EVERY``-th call is sent a second time with the same keys, as a client retries after a
timeout: the ledger must return the first postings and change nothing.

- real: ``omnipoint.ledger.services.postings_create``: the guarded UPDATEs of the account totals
  (``WHERE credits_posted >= debits_posted + debits_pending + amount``), in account-id order.
- grouped: ``omnipoint.ledger.batching.postings_submit``: the same call through group commit,
  folded with the other workers' calls into one leader's transaction (``core.combining``).
- naive: in one transaction, look the keys up, ``SELECT ... FOR UPDATE`` the accounts (in id
  order, so it does not deadlock), check the balance in Python, ``UPDATE`` each total to the
  value computed in Python, insert the postings. Correct, but the account rows stay locked for
  every round trip of the transaction.

Each run opens its own accounts (codes carry the run's tag); the checks afterwards compare
each account's totals with what the successful calls should have moved, and
``ledger_breaches()`` must come back empty. The run's postings and accounts are then deleted.
"""

import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from bench.stats import percentile
from bench.workers import Outcome, count
from bench.workers import run as run_workers

ACCOUNTS = 1000  # wallets in the "many" shape
BATCH = 10  # linked postings per call, batched
BIG_BATCH = 100  # the most a call may link (ledger.services.MAX_LINKED)
RETRY_EVERY = 10  # every tenth call is re-sent with the same keys
FUNDS = 10**9  # each wallet's opening balance, in fen: nobody runs out


@dataclass
class Accounts:
    tag: str
    cash: str  # the platform's side of the opening top-ups (no floor)
    hot: str
    wallets: list[str]


def accounts_open(tag: str, *, many: int = ACCOUNTS) -> Accounts:
    """A hot wallet and ``many`` wallets, each topped up with ``FUNDS`` from a platform account."""
    from omnipoint.ledger.services import PostingRequest, account_open, postings_create
    from omnipoint.outlets.domain import SYSTEM

    prefix = f"bench:{tag}"
    accts = Accounts(tag, f"{prefix}:cash", f"{prefix}:hot", [f"{prefix}:w{i}" for i in range(many)])
    account_open(actor=SYSTEM, code=accts.cash, unit="CNY")
    for code in [accts.hot, *accts.wallets]:
        account_open(actor=SYSTEM, code=code, unit="CNY", no_overdraft=True)
    codes = [accts.hot, *accts.wallets]
    for start in range(0, len(codes), 100):
        postings_create(
            [
                PostingRequest(f"{prefix}:fund:{start + i}", accts.cash, code, FUNDS, "topup")
                for i, code in enumerate(codes[start : start + 100])
            ],
            actor=SYSTEM,
        )
    return accts


def _requests(accts: Accounts, shape: str, key: str, n: int, rng: random.Random) -> list:
    from omnipoint.ledger.services import PostingRequest

    out = []
    for i in range(n):
        if shape == "hot":
            debit, credit = accts.hot, rng.choice(accts.wallets)
        else:
            debit, credit = rng.sample(accts.wallets, 2)
        out.append(PostingRequest(f"{key}:{i}", debit, credit, 1, "spend"))
    return out


def post_real(reqs: list, group: str) -> list[int]:
    from omnipoint.ledger.services import postings_create
    from omnipoint.outlets.domain import SYSTEM

    return [p.pk for p in postings_create(reqs, actor=SYSTEM, group=group)]


def post_naive(reqs: list, group: str) -> list[int]:
    """Read the balances, check them in Python, write them back: under row locks, so correct."""
    from omnipoint.ledger.models import Account, Posting, PostingState
    from omnipoint.ledger.services import InsufficientBalanceError

    with transaction.atomic():
        existing = {p.key: p.pk for p in Posting.objects.filter(key__in=[r.key for r in reqs])}
        if existing:
            return [existing[r.key] for r in reqs]
        codes = {r.debit for r in reqs} | {r.credit for r in reqs}
        rows = {a.code: a for a in Account.objects.select_for_update().filter(code__in=codes).order_by("pk")}
        for r in reqs:
            debit, credit = rows[r.debit], rows[r.credit]
            if debit.debits_must_not_exceed_credits and debit.available < r.amount:
                raise InsufficientBalanceError(f"{debit.code} has {debit.available} available")
            debit.debits_posted += r.amount
            credit.credits_posted += r.amount
        for a in sorted(rows.values(), key=lambda a: a.pk):
            Account.objects.filter(pk=a.pk).update(
                debits_posted=a.debits_posted, credits_posted=a.credits_posted
            )
        created = Posting.objects.bulk_create(
            [
                Posting(
                    key=r.key,
                    kind=PostingState.POSTED,
                    debit=rows[r.debit],
                    credit=rows[r.credit],
                    amount=r.amount,
                    unit=rows[r.debit].unit,
                    code=r.code,
                    group=group,
                )
                for r in reqs
            ]
        )
        return [p.pk for p in created]


def post_grouped(reqs: list, group: str) -> list[int]:
    """``postings_submit``: the same call through group commit (``ledger.batching``)."""
    from omnipoint.ledger.batching import postings_submit
    from omnipoint.outlets.domain import SYSTEM

    return [p.pk for p in postings_submit(reqs, actor=SYSTEM, group=group)]


IMPLS = {"grouped": post_grouped, "real": post_real, "naive": post_naive}


@dataclass
class LedgerResult:
    impl: str
    shape: str
    batch: int
    mode: str
    workers: int
    outcome: Outcome
    accounts: int = ACCOUNTS

    @property
    def errors(self) -> list[str]:
        return self.outcome.errors


def run(
    *,
    impl: str,
    shape: str,
    batch: int,
    mode: str,
    workers_n: int,
    seconds: float,
    max_calls: int = 10**9,
    accounts: int = ACCOUNTS,
) -> LedgerResult:
    """One timed run on fresh accounts, checked and then cleaned up."""
    from omnipoint.ledger.checks import ledger_breaches
    from omnipoint.ledger.models import Account

    tag = f"{impl}-{shape}-{batch}-{mode[0]}{workers_n}-{time.time_ns() % 10**12}"
    accts = accounts_open(tag, many=accounts)
    post = IMPLS[impl]

    def step(worker: int, n: int) -> int:
        key = f"bench:{tag}:{worker}:{n}"
        reqs = _requests(accts, shape, key, batch, random.Random(key))
        first = post(reqs, key)
        if n % RETRY_EVERY == 0:  # the client timed out and sends the same postings again
            if post(reqs, key) != first:
                raise AssertionError(f"retry of {key} did not return the first postings")
            count(worker, "retries")
        return batch

    outcome = run_workers(step, mode=mode, workers=workers_n, seconds=seconds, max_calls=max_calls)
    result = LedgerResult(impl, shape, batch, mode, workers_n, outcome, accounts)

    # Every successful call left exactly its `batch` postings (retries added none), and each
    # wallet's debits are exactly the postings that debit it.
    from omnipoint.ledger.models import Posting

    run_postings = Posting.objects.filter(key__startswith=f"bench:{tag}:").exclude(code="topup")
    per_call: dict[str, int] = defaultdict(int)
    debited: dict[int, int] = defaultdict(int)
    for key, debit_id, amount in run_postings.values_list("key", "debit_id", "amount"):
        per_call[key.rsplit(":", 1)[0]] += 1
        debited[debit_id] += amount
    if sum(per_call.values()) != outcome.ops or any(v != batch for v in per_call.values()):
        outcome.errors.append(f"{sum(per_call.values())} postings stored, {outcome.ops} reported")
    for a in Account.objects.filter(code__startswith=f"bench:{tag}:").exclude(code=accts.cash):
        if a.debits_posted != debited.get(a.pk, 0):
            outcome.errors.append(f"{a.code}: debits {a.debits_posted}, postings {debited.get(a.pk, 0)}")
            break
    breaches = ledger_breaches()
    if breaches:
        outcome.errors.append(f"ledger_breaches: {breaches[0]}")
    cleanup(tag)
    return result


def cleanup(tag: str) -> None:
    """Delete a run's postings and accounts (the bench owns them; nothing else refers to them)."""
    from omnipoint.ledger.models import Account, Posting

    with transaction.atomic():
        Posting.objects.filter(key__startswith=f"bench:{tag}:").delete()
        Account.objects.filter(code__startswith=f"bench:{tag}:").delete()


def rows(results: list[LedgerResult]) -> list[list[object]]:
    """Markdown rows: each real run next to the naive run of the same shape."""
    by_key = {(r.impl, r.shape, r.batch, r.mode, r.workers): r for r in results}
    out: list[list[object]] = []
    for r in results:
        if r.impl != "real":
            continue
        naive = by_key.get(("naive", r.shape, r.batch, r.mode, r.workers))
        grouped = by_key.get(("grouped", r.shape, r.batch, r.mode, r.workers))
        for x in (grouped, r, naive):
            if x is None:
                continue
            ratio = (
                f"{x.outcome.per_second / naive.outcome.per_second:.2f}x"
                if naive and naive.outcome.per_second and x is not naive
                else ""
            )
            o = x.outcome
            out.append(
                [
                    f"{'hot wallet' if x.shape == 'hot' else f'{x.accounts:,} wallets'}, "
                    f"{'single' if x.batch == 1 else f'batches of {x.batch}'} ({x.impl})",
                    f"{x.workers} {x.mode}",
                    o.calls,
                    o.extra.get("retries", 0),
                    f"{o.per_second:,.0f}/s",
                    f"{o.calls / o.seconds if o.seconds else 0:,.0f}/s",
                    f"{percentile(o.latencies_ms, 50):.1f}",
                    f"{percentile(o.latencies_ms, 99):.1f}",
                    ratio,
                    "; ".join(sorted(set(o.errors)))[:120] or "ok",
                ]
            )
    return out


HEADER = [
    "benchmark",
    "workers",
    "calls",
    "retries",
    "postings/s",
    "calls/s",
    "p50 ms",
    "p99 ms",
    "vs naive",
    "check",
]
