"""HTTP clients driving a server for a fixed time, and the CPU the server and PostgreSQL spent.

``drive`` starts ``clients`` threads behind a barrier, each on its own keep-alive connection
(reconnecting when a sync worker closes it), sending ``request(client, n)`` in a loop until the
time runs out, ``max_requests`` are sent, ``request`` answers ``None`` or the server answers the
error ``stop_on`` (e.g. ``"409 insufficient_stock"``: that client is done).
Answers 200/201 count as done, with their latency; every other answer is counted by status and
error code.

``cpu_by_pid(pids)`` reads the CPU seconds (user + system) that processes have used from /proc: read
before and after a run for the server's workers and for the PostgreSQL backends serving them,
it gives the CPU an operation costs, a figure that a busy machine inflates far less than it
inflates the wall time.
"""

import http.client
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.workers import threads_race

# (client, n) -> (method, path, body, headers), or None when that client has nothing more to send
Request = Callable[[int, int], tuple[str, str, bytes | None, dict[str, str]] | None]


@dataclass
class Answers:
    clients: int
    label: str = ""
    server: str = ""
    seconds: float = 0.0
    ok: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    check: str = ""
    cpu_ms: float | None = None  # server + PostgreSQL CPU per answer done, when measured

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def errors_text(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "0"


def drive(
    port: int,
    *,
    clients: int,
    seconds: float,
    request: Request,
    max_requests: int = 10**9,
    stop_on: str | None = None,
) -> Answers:
    result = Answers(clients=clients)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client_main(c: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies: list[float] = []
        errors: dict[str, int] = {}
        start.wait()
        deadline = time.monotonic() + seconds
        n = 0
        while n < max_requests and time.monotonic() < deadline:
            sent = request(c, n)
            if sent is None:
                break
            method, path, body, headers = sent
            n += 1
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body, headers)
                resp = conn.getresponse()
                payload = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # reconnects on the next request
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if resp.status in (200, 201):
                latencies.append((time.perf_counter() - t0) * 1000)
            else:
                try:
                    code = json.loads(payload).get("code", "")
                except ValueError:
                    code = ""
                key = f"{resp.status} {code}".strip()
                errors[key] = errors.get(key, 0) + 1
                if key == stop_on:
                    break
        conn.close()
        with lock:
            result.latencies_ms += latencies
            result.ok += len(latencies)
            for k, v in errors.items():
                result.errors[k] = result.errors.get(k, 0) + v

    result.seconds = threads_race(client_main, clients, start)
    return result


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far; a process that is gone is left out."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """The CPU seconds used between two readings: a process started in between counts whole."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def postgres_pids() -> list[int]:
    """The PostgreSQL backends connected to this database (the server's workers' connections,
    kept open with ``CONN_MAX_AGE``), not the other databases' on a shared machine; their CPU is
    read from /proc, so it is counted only when the server runs on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cur.fetchall()]
