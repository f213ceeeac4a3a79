"""The machine's own limits for a hot row, measured with pgbench in the same run: a guarded
single-row ``UPDATE ... SET reserved = reserved + 1 WHERE on_hand >= reserved + 1``, one per
commit and ten per commit, and one UPDATE of +10 per commit (what a batch of ten costs at best).
No Python, no ORM, no HTTP: what PostgreSQL and the disk allow on one row here.
"""

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

GUARD = "UPDATE bench_limit SET reserved = reserved + {q} WHERE id = 1 AND on_hand >= reserved + {q};"
SCRIPTS = {
    "guarded UPDATE +1, one per commit": (GUARD.format(q=1), 1),
    "guarded UPDATE +1, ten per commit": ("BEGIN;\n" + (GUARD.format(q=1) + "\n") * 10 + "COMMIT;", 10),
    "guarded UPDATE +10, one per commit": (GUARD.format(q=10), 10),
}


@dataclass
class Limit:
    label: str
    clients: int
    per_second: float  # units held per second (commits x units per commit)
    error: str = ""


def _psql_args(url: str) -> list[str]:
    u = urlsplit(url)
    args = ["-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    return [*args, u.path.lstrip("/")]


def measure(url: str, *, clients: int = 16, seconds: float = 4.0) -> list[Limit]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_limit")
        cur.execute("CREATE TABLE bench_limit (id int PRIMARY KEY, on_hand bigint, reserved bigint)")
        cur.execute("INSERT INTO bench_limit VALUES (1, 1000000000000, 0)")
    out = []
    env = {"PGPASSWORD": urlsplit(url).password or ""}
    for label, (script, units) in SCRIPTS.items():
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(script + "\n")
        cmd = ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(int(seconds)), "-f", f.name]
        try:
            run = subprocess.run(
                [*cmd, *_psql_args(url)], capture_output=True, text=True, env=env, timeout=120
            )
            tps = re.search(r"tps = ([\d.]+)", run.stdout)
            out.append(
                Limit(
                    label,
                    clients,
                    float(tps.group(1)) * units if tps else 0.0,
                    "" if tps else run.stderr[-200:],
                )
            )
        except (OSError, subprocess.SubprocessError) as exc:
            out.append(Limit(label, clients, 0.0, f"{type(exc).__name__}: {exc}"))
        finally:
            Path(f.name).unlink(missing_ok=True)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_limit")
    return out


def rows(limits: list[Limit]) -> list[list[object]]:
    return [
        [
            f"limit (pgbench): {x.label}",
            f"{x.clients} clients",
            f"{x.per_second:,.0f} units/s",
            x.error or "ok",
        ]
        for x in limits
    ]


HEADER = ["benchmark", "clients", "throughput", "check"]
