"""`make bench`: run every benchmark against PostgreSQL and print Markdown tables.

    .venv/bin/python -m bench.run            # full run (builds the 1M-row data set once)
    .venv/bin/python -m bench.run --quick    # a small smoke run

DATABASE_URL selects the database (default: a local omnipoint_bench, created and migrated).
"""

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from functools import partial

from bench import db

SECTIONS = ["limits", "reserve", "holds", "nearby", "ledger", "orders", "books", "bills"]


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cur.fetchone()[0]
    try:
        mem_kb = int(next(ln for ln in open("/proc/meminfo") if ln.startswith("MemTotal")).split()[1])
        ram = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "RAM unknown"
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or os.cpu_count()
    return (
        f"{cores} cores (nproc), {ram}, {connection.vendor} {version}, "
        f"Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes and short runs: a smoke test")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or db.DEFAULT_URL)
    parser.add_argument("--seconds", type=float, help="duration of each reservation run")
    parser.add_argument("--skip", choices=SECTIONS, action="append", default=[])
    parser.add_argument("--only", choices=SECTIONS, action="append", default=[])
    args = parser.parse_args(argv)

    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmarks need PostgreSQL (DATABASE_URL=postgres://...)")
    db.ensure_database(args.database_url)
    db.setup(args.database_url)

    from bench import nearby, reserve
    from bench.stats import markdown_table

    failed = False
    print(f"_{machine()}_\n")
    shown = " ".join(a for a in (argv if argv is not None else sys.argv[1:]) if "://" not in a)
    print(f"Command: `.venv/bin/python -m bench.run {shown}`\n")

    def wanted(name: str) -> bool:
        return name not in args.skip and (not args.only or name in args.only)

    if wanted("limits"):
        failed |= limits_section(args)
    if wanted("reserve"):
        seconds = args.seconds or (1.0 if args.quick else 4.0)
        plan = [(4, "threads", True)]
        if not args.quick:
            plan = [(w, mode, True) for mode in ("threads", "processes") for w in (16, 64)]
        hot = reserve.hot_row_ensure()
        results = []
        for workers, mode, durable in plan:
            for impl in ("grouped", "real", "naive"):
                print(f"  reserve: {impl}, {workers} {mode}, durable={durable}", file=sys.stderr)
                results.append(
                    reserve.run(
                        impl=impl, mode=mode, workers=workers, hot=hot, seconds=seconds, durable=durable
                    )
                )
        failed |= any(r.errors for r in results)
        print(f"### Reservations on one hot SKU ({seconds:g} s per run)\n")
        print(markdown_table(reserve.HEADER, reserve.rows(results)))
        print()

    if wanted("holds"):
        failed |= holds_section(args)
    if wanted("nearby"):
        size = nearby.QUICK if args.quick else nearby.FULL
        print(f"  nearby: data set {size.tag} ...", file=sys.stderr)
        data = nearby.dataset_ensure(size)
        how = f"built in {data.build_seconds:.0f} s" if data.built else "reused"
        print(f"  nearby: data set {how}", file=sys.stderr)
        timed = nearby.measure_interleaved(
            ["real", "previous"], nearby.queries(data, 200 if args.quick else 2000)
        )
        naive = nearby.measure("naive", nearby.queries(data, 10 if args.quick else 60), warmup=2)
        real, previous = timed["real"], timed["previous"]
        print(f'### "Where is it" (stock_nearby), radius 5-10 km, data set {how}; {load()}\n')
        print(markdown_table(nearby.HEADER, nearby.rows(data, real, naive, previous)))
        print()

    if wanted("ledger"):
        failed |= ledger_section(args)
    if wanted("orders"):
        failed |= orders_section(args)
    if wanted("books"):
        failed |= books_section(args)
    if wanted("bills"):
        failed |= bills_section(args)
    return 1 if failed else 0


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def limits_section(args: argparse.Namespace) -> bool:
    from bench import limits
    from bench.stats import markdown_table

    found = limits.measure(args.database_url, clients=64, seconds=2 if args.quick else 4)
    print(f"### Limits of one hot row on this machine (pgbench, 64 clients; {load()})\n")
    print(markdown_table(limits.HEADER, limits.rows(found)))
    print()
    return any(x.error for x in found)


def holds_section(args: argparse.Namespace) -> bool:
    from bench import holds, reserve
    from bench.stats import markdown_table

    seconds = args.seconds or (2.0 if args.quick else 8.0)
    workers, clients = (2, 8) if args.quick else (holds.WORKERS, 64)
    print(f"  holds over HTTP: gunicorn {workers} sync workers, {clients} clients", file=sys.stderr)
    results = holds.run(
        args.database_url, reserve.hot_row_ensure(), workers=workers, clients=clients, seconds=seconds
    )
    print(f"### Hot-SKU holds over HTTP ({seconds:g} s per run; {load()})\n")
    print(markdown_table(holds.HEADER, holds.rows(results)))
    print()
    return any(r.check not in ("", "ok") or (r.errors and "limit" not in r.label) for r in results)


def ledger_section(args: argparse.Namespace) -> bool:
    from bench import ledger
    from bench.stats import markdown_table

    seconds = args.seconds or (1.0 if args.quick else 4.0)
    plan = [(8, "threads")] if args.quick else [(8, "threads"), (16, "processes")]
    results = []
    for workers, mode in plan:
        for shape in ("hot", "many"):
            for batch in (1, ledger.BATCH, ledger.BIG_BATCH):
                for impl in ("grouped", "real", "naive"):
                    print(f"  ledger: {impl} {shape} batch={batch} {workers} {mode}", file=sys.stderr)
                    results.append(
                        ledger.run(
                            impl=impl,
                            shape=shape,
                            batch=batch,
                            mode=mode,
                            workers_n=workers,
                            seconds=seconds,
                            accounts=50 if args.quick else ledger.ACCOUNTS,
                        )
                    )
    print(
        f"### Ledger postings ({seconds:g} s per run, every {ledger.RETRY_EVERY}th call retried; {load()})\n"
    )
    print(markdown_table(ledger.HEADER, ledger.rows(results)))
    print()
    return any(r.errors for r in results)


def bills_section(args: argparse.Namespace) -> bool:
    from bench import bills
    from bench.stats import markdown_table

    seconds = args.seconds or (1.0 if args.quick else 6.0)
    print("  bills: agents ...", file=sys.stderr)
    agents = bills.agents_ensure(20 if args.quick else bills.AGENTS)
    results = []
    plan = [(4, 0.0), (4, 20.0)] if args.quick else [(8, 0.0), (16, 0.0), (8, 20.0), (16, 20.0)]
    for workers, rtt in plan:
        for shape in ("hot", "many"):
            for impl in ("real", "naive"):
                print(f"  bills: {impl} {shape} {workers} threads, biller {rtt:g} ms", file=sys.stderr)
                results.append(
                    bills.run(impl=impl, shape=shape, workers_n=workers, seconds=seconds, agents=agents,
                              rtt_ms=rtt)
                )  # fmt: skip
    print(f"### Bill payments at the counter path, in-process threads ({seconds:g} s per run; {load()})\n")
    print(markdown_table(bills.HEADER, bills.rows(results)))
    print()
    return any(r.errors for r in results)


def orders_section(args: argparse.Namespace) -> bool:
    from bench import orders
    from bench.stats import markdown_table
    from omnipoint.inventory.checks import inventory_breaches

    seconds = args.seconds or (2.0 if args.quick else 15.0)
    clients = 4 if args.quick else 32
    print("  orders: network ...", file=sys.stderr)
    orders.holds_sweep()
    net = orders.network_ensure()
    statements = orders.statements_per_order(net)
    print("  orders: CPU per order in process ...", file=sys.stderr)
    in_process = orders.cpu_in_process(net, orders=40 if args.quick else 400)
    orders.holds_sweep()
    # (workers, threads, how the parameters are bound: see orders.Server)
    servers = (
        [(2, 1, "")]
        if args.quick
        else [(4, 1, ""), (4, 1, "server"), (4, 1, "prepared"), (8, 1, ""), (4, 4, "")]
    )
    results = []
    for workers, threads, binding in servers:
        print(f"  orders: gunicorn {workers}x{threads} {binding}, {clients} clients", file=sys.stderr)
        with orders.Server(args.database_url, workers=workers, threads=threads, binding=binding) as server:
            orders.place_over_http(net, server.port, clients=clients, seconds=1.0)  # warm-up
            result = orders.measured_over_http(
                server, partial(orders.place_over_http, net, server.port, clients=clients, seconds=seconds)
            )
            shape = f"gunicorn {workers} workers" + (f" x {threads} threads" if threads > 1 else " (sync)")
            shape += {"": "", "server": ", server-side binding", "prepared": ", prepared statements"}[binding]
            result.server = shape
            breaches = inventory_breaches()
            result.check = "ok" if not breaches else f"inventory_breaches: {breaches[0]}"[:120]
            results.append(result)
            if (workers, threads, binding) == servers[0]:
                racers, units = (8, 10) if args.quick else (64, 200)
                print(f"  orders: {racers} clients race for the last {units} units", file=sys.stderr)
                race = orders.measured_over_http(
                    server,
                    partial(
                        orders.last_units_race, net, server.port, clients=racers, units=units, seconds=60
                    ),
                )
                race.server = shape
                results.append(race)
    print(f"### Orders placed over HTTP ({seconds:g} s per run; {load()})\n")
    print(markdown_table(orders.HEADER, orders.rows(results)))
    print()
    print(f"SQL statements of one order placement (3 lines, pickup, online payment): {statements}\n")
    py_ms, pg_ms, wall_ms = in_process
    print(
        f"One client in process, {40 if args.quick else 400} orders one after another: {py_ms:.1f} ms of"
        f" Python and {pg_ms:.1f} ms of PostgreSQL CPU per order, {wall_ms:.1f} ms wall\n"
    )
    # The race ends with every client told "sold out": those refusals are its check, not errors.
    return any(r.check != "ok" or (r.errors and not r.label) for r in results)


def books_section(args: argparse.Namespace) -> bool:
    from bench import books
    from bench.stats import markdown_table

    size = books.QUICK if args.quick else books.FULL
    print(f"  books: data set {size.tag} ...", file=sys.stderr)
    t0 = time.perf_counter()
    built = books.close_data_ensure(size) | books.match_data_ensure(size)
    how = f"built in {time.perf_counter() - t0:.0f} s" if built else "reused"
    print(f"  books: data set {how}; closing the day", file=sys.stderr)
    real = books.close_real(size)
    naive = books.close_naive(size)
    books.close_compare(real, naive)
    print("  books: matching the statement", file=sys.stderr)
    matched = books.match(size)
    print(
        f"### The books: a day closed over {size.outlets:,} outlets, a provider statement matched "
        f"(data set {how}; {load()})\n"
    )
    print(markdown_table(books.HEADER, books.rows([real, naive, *matched])))
    print()
    return not (real.extra["ok"] and matched[1].extra["ok"])


if __name__ == "__main__":
    sys.exit(main())
