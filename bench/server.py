"""gunicorn serving the real application (the production server: worker processes, ``DEBUG=0``)
on 127.0.0.1 and a free port, for the order benchmark and the worker-kill test.

It is started against a given database, waited for until it answers (every wait has a deadline),
and stopped by ``stop()`` or on leaving a ``with`` block.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = int(os.environ.get("BENCH_SERVER_DEADLINE_S", "60"))  # a loaded machine may need more
READY_PATH = "/api/v1/health/ready"  # cheap: the database and the queue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> str:
    """Django's default connection (a test database too) as a server's ``DATABASE_URL``."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


class Gunicorn:
    """``workers`` processes (``threads`` each, gthread, when more than one) serving the
    application. ``env`` adds to the environment; the tokens a caller issued carry an HMAC keyed
    by its ``SECRET_KEY``, which the server is given. Ready once ``ready_path`` answers 200, or
    answers at all with ``any_answer``."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int,
        threads: int = 1,
        timeout: int | None = None,
        env: dict[str, str] | None = None,
        ready_path: str = READY_PATH,
        any_answer: bool = False,
    ) -> None:
        from django.conf import settings

        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.ready_path, self.any_answer = ready_path, any_answer
        full_env = os.environ | {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "omnipoint.config.settings",
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "PYTHONPATH": str(ROOT / "src"),
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        cmd = [str(gunicorn), "omnipoint.config.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        cmd += ["--workers", str(workers), "--log-level", "warning"]
        if timeout is not None:
            cmd += ["--timeout", str(timeout)]
        if threads > 1:
            cmd += ["--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "30"]
        self.proc = subprocess.Popen(cmd, env=full_env | (env or {}), cwd=ROOT)
        self.wait_ready()

    def wait_ready(self) -> None:
        """Until the server answers; it did not start when it exits or the deadline passes."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                try:
                    conn.request("GET", self.ready_path)
                    answer = conn.getresponse()
                    answer.read()
                finally:
                    conn.close()
                if self.any_answer or answer.status == 200:
                    return
                raise ConnectionError(f"not ready: {answer.status}")
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "Gunicorn":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
