"""Run callables on real threads that start together, each with its own database connection.

Each thread opens its connection before the start line, retrying for a while when the server
refuses it (PostgreSQL's "too many clients" on a machine shared by other test runs): that is the
machine's load, not the race under test, and the race only starts once every thread is connected.
What each thread raised is printed with its traceback (pytest shows it with a failure), as an
assertion on a list of exceptions is cut short in the report.
"""

import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, connection

JOIN_TIMEOUT_S = 120
CONNECT_PATIENCE_S = 60


def _connect() -> None:
    deadline = time.monotonic() + CONNECT_PATIENCE_S
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run_together(workers: list[Callable[[], Any]]) -> list[Any]:
    """Start every worker at the same moment (a barrier) and return what each returned, or the
    exception it raised. Each thread closes its own connection when it is done."""
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            try:
                _connect()
            except BaseException:
                barrier.abort()  # the others must not wait at the start line for this one
                raise
            barrier.wait()
            results[i] = fn()
        except BaseException as exc:  # handed to the test, which fails on it
            results[i] = exc
            print(
                f"thread {i} raised {type(exc).__module__}.{type(exc).__qualname__}: {exc}\n"
                + "".join(traceback.format_exception(exc)),
                file=sys.stderr,
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn), daemon=True) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT_S)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"threads still running after {JOIN_TIMEOUT_S}s (deadlock?): {stuck}"
    return results


def raised(results: list[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]
