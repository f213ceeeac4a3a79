"""Run callables on real threads that start together, each with its own database connection."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

JOIN_TIMEOUT_S = 120


def run_together(workers: list[Callable[[], Any]]) -> list[Any]:
    """Start every worker at the same moment (a barrier) and return what each returned, or the
    exception it raised. Each thread closes its own connection when it is done."""
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as exc:  # handed to the test, which fails on it
            results[i] = exc
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
