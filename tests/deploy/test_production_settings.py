"""Safe by default (issue 7, item 2): with no environment DEBUG is off and nothing of the demo is
on; the server does not start without its secrets; `check --deploy` passes with the production
settings that README.md documents. Each check runs Django in a fresh process with exactly the
environment given, as a deployment would."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Each test runs its own processes with their own environment (SQLite or none): the same run whichever
# database the suite is on, so `make test` runs them once, beside SQLite.
pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parents[2]
# What README.md lists under "Production settings" (with this host's values).
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "shop.example.com",
    "HTTPS": "1",
    "PROXY_COUNT": "1",
}


def django_env(tmp_path: Path, **env: str) -> dict[str, str]:
    """A bare environment: only what a process needs to run, plus ``env``."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return (
        keep
        | {
            "PYTHONPATH": str(ROOT / "src"),
            "DJANGO_SETTINGS_MODULE": "omnipoint.config.settings",
            "OMNIPOINT_VAR_DIR": str(tmp_path / "var"),
        }
        | env
    )


def run(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=django_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(tmp_path: Path, names: list[str], **env: str) -> dict[str, object]:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    done = run(tmp_path, ["-c", code], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_with_no_environment_debug_and_the_demo_are_off(tmp_path):
    got = settings_of(tmp_path, ["DEBUG", "DEMO_MODE", "SANDBOX_GATEWAY", "SANDBOX_PAY_SECRET"])
    assert got == {"DEBUG": False, "DEMO_MODE": False, "SANDBOX_GATEWAY": False, "SANDBOX_PAY_SECRET": ""}


def test_the_server_does_not_start_without_its_secret_key(tmp_path):
    wsgi = run(tmp_path, ["-c", "import omnipoint.config.wsgi"])
    assert wsgi.returncode != 0 and "SECRET_KEY not set" in wsgi.stderr
    check = run(tmp_path, ["manage.py", "check"])
    assert check.returncode != 0 and "omnipoint.E001" in check.stderr
    runserver = run(tmp_path, ["manage.py", "runserver", "--noreload", "127.0.0.1:0"])
    assert runserver.returncode != 0 and "SECRET_KEY not set" in runserver.stderr


def test_gunicorn_does_not_start_without_its_secret_key(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "omnipoint.config.wsgi:application", "--bind", "127.0.0.1:0", "--workers", "1"],
        cwd=ROOT,
        env=django_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("gunicorn kept running without a SECRET_KEY")
    assert proc.returncode != 0 and "SECRET_KEY not set" in err


def test_the_sandbox_gateway_needs_its_own_secret(tmp_path):
    check = run(tmp_path, ["manage.py", "check"], SECRET_KEY=PRODUCTION["SECRET_KEY"], SANDBOX_GATEWAY="1")
    assert check.returncode != 0 and "SANDBOX_PAY_SECRET not set" in check.stderr


def test_check_deploy_passes_with_the_documented_production_settings(tmp_path):
    done = run(tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert done.returncode == 0, done.stderr + done.stdout
    got = settings_of(
        tmp_path,
        ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"],
        **PRODUCTION,
    )
    assert got["SESSION_COOKIE_SECURE"] and got["CSRF_COOKIE_SECURE"] and got["SECURE_SSL_REDIRECT"]
    assert got["SECURE_HSTS_SECONDS"] >= 31536000


def test_check_deploy_fails_when_https_is_left_out(tmp_path):
    without = {k: v for k, v in PRODUCTION.items() if k != "HTTPS"}
    done = run(tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **without)
    assert done.returncode != 0 and "security.W004" in done.stderr + done.stdout


def test_the_demo_generates_and_shares_its_secrets(tmp_path):
    names = ["SECRET_KEY", "SANDBOX_PAY_SECRET", "DEMO_MODE", "SANDBOX_GATEWAY", "DEBUG"]
    first = settings_of(tmp_path, names, OMNIPOINT_DEMO="1")
    second = settings_of(tmp_path, names, OMNIPOINT_DEMO="1")  # the task consumer, say
    assert first == second and first["DEMO_MODE"] and first["SANDBOX_GATEWAY"] and not first["DEBUG"]
    assert len(first["SECRET_KEY"]) >= 50 and first["SECRET_KEY"] != first["SANDBOX_PAY_SECRET"]
    stored = tmp_path / "var" / "demo-secrets.json"
    assert stored.stat().st_mode & 0o077 == 0  # readable by its owner only
    other = settings_of(tmp_path / "elsewhere", names, OMNIPOINT_DEMO="1")
    assert other["SECRET_KEY"] != first["SECRET_KEY"]  # generated, not a published constant


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_make_demo_runs_with_no_environment_and_turns_the_demo_on(tmp_path):
    """What `make demo` runs, with no SECRET_KEY: migrate, demo_seed, demo_serve. The demo
    commands switch the demo on themselves: the code is shown, the SMS page and the gateway
    are there."""
    assert run(tmp_path, ["manage.py", "migrate", "--noinput", "-v0"], OMNIPOINT_DEMO="1").returncode == 0
    seeded = run(tmp_path, ["manage.py", "demo_seed", "--size", "small"])
    assert seeded.returncode == 0, seeded.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "demo_serve", "--port", str(port)],
        cwd=ROOT,
        env=django_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health/ready", timeout=5) as ready:
                    assert json.load(ready)["queue"] == "ok"
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "demo_serve did not start"
                time.sleep(0.5)
        ask = urllib.request.Request(
            f"{base}/api/v1/members/login/code",
            data=json.dumps({"mobile": "13700000077"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(ask, timeout=30) as answer:
            code = json.load(answer)["demo_code"]
        with urllib.request.urlopen(f"{base}/sandbox/sms/?mobile=13700000077", timeout=30) as page:
            assert code in page.read().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
