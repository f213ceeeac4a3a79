"""Run N workers (threads or forked processes, each with its own database connection) together
for a fixed time, and collect what each one did."""

import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, connections

# A worker's step: (worker number, step number) -> operations done. Raises on failure.
Step = Callable[[int, int], int]

# Counters a step adds to (by worker, so threads never share one); merged into Outcome.extra.
_counters: dict[int, dict[str, int]] = {}


def threads_race(target: Callable[[int], None], n: int, start: threading.Barrier) -> float:
    """Run ``target(0)`` .. ``target(n - 1)`` on threads that wait at ``start`` (a barrier for
    them and this thread); the seconds from the start line until the last of them ends."""
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def count(worker: int, name: str, n: int = 1) -> None:
    c = _counters.setdefault(worker, {})
    c[name] = c.get(name, 0) + n


@dataclass
class Outcome:
    ops: int = 0  # what the steps returned, summed (postings, orders...)
    calls: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)  # counters a step may add to

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


def _work(
    step: Step, worker: int, seconds: float, max_calls: int, start: object, session_sql: list[str]
) -> Outcome:
    out = Outcome()
    _counters.pop(worker, None)
    try:
        connection.ensure_connection()
        with connection.cursor() as cur:
            for sql in session_sql:
                cur.execute(sql)
        start.wait()  # type: ignore[attr-defined]
        deadline = time.monotonic() + seconds
        while out.calls < max_calls and time.monotonic() < deadline:
            t0 = time.perf_counter()
            out.ops += step(worker, out.calls)
            out.latencies_ms.append((time.perf_counter() - t0) * 1000)
            out.calls += 1
    except Exception as exc:  # reported in the table and fails the run
        out.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
        out.extra = _counters.pop(worker, {})
    return out


def _child(queue: object, *args: object) -> None:
    queue.put(_work(*args))  # type: ignore[arg-type, attr-defined]


def run(
    step: Step,
    *,
    mode: str,
    workers: int,
    seconds: float,
    max_calls: int = 10**9,
    session_sql: list[str] | None = None,
) -> Outcome:
    """Start every worker behind a barrier, run ``step`` in a loop until the time or the call
    count runs out, and merge the outcomes. ``session_sql`` runs first in each worker session."""
    args = (seconds, max_calls)
    sql = session_sql or []
    outcomes: list[Outcome] = []
    if mode == "threads":
        start = threading.Barrier(workers + 1)
        lock = threading.Lock()

        def thread_main(w: int) -> None:
            out = _work(step, w, *args, start, sql)
            with lock:
                outcomes.append(out)

        elapsed = threads_race(thread_main, workers, start)
    elif mode == "processes":
        ctx = multiprocessing.get_context("fork")
        pstart = ctx.Barrier(workers + 1)
        queue = ctx.Queue()
        connections.close_all()  # children must not share the parent's socket
        procs = [
            ctx.Process(target=_child, args=(queue, step, w, *args, pstart, sql)) for w in range(workers)
        ]
        for p in procs:
            p.start()
        pstart.wait()
        t0 = time.perf_counter()
        outcomes = [queue.get() for _ in procs]
        elapsed = time.perf_counter() - t0
        for p in procs:
            p.join()
    else:
        raise ValueError(f"unknown mode {mode}")

    total = Outcome(seconds=elapsed)
    for o in outcomes:
        total.ops += o.ops
        total.calls += o.calls
        total.latencies_ms += o.latencies_ms
        total.errors += o.errors
        for k, v in o.extra.items():
            total.extra[k] = total.extra.get(k, 0) + v
    return total
