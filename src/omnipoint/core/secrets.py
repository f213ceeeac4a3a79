"""The secrets the server needs, and its refusal to start without them.

Nothing here has a default: a deployment that forgets SECRET_KEY (or SANDBOX_PAY_SECRET while
the sandbox gateway is on, SANDBOX_BILLER_SECRET while the sandbox billers are, SANDBOX_CARRIER_SECRET while the sandbox carrier is, SANDBOX_VIRTUAL_SECRET while the sandbox top-up provider is) does not start, rather than run with a published constant. The demo
generates its own once and keeps them under var/; tests set theirs in conftest.py.
"""

import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

DEMO_SECRETS_FILE = "demo-secrets.json"


def demo_secrets(var_dir: Path) -> dict[str, str]:
    """The demo's generated secrets, created on first use. Written once with O_EXCL, so the web
    server and the task consumer, started together, read the same ones."""
    path = var_dir / DEMO_SECRETS_FILE
    names = (
        "SECRET_KEY",
        "SANDBOX_PAY_SECRET",
        "SANDBOX_BILLER_SECRET",
        "SANDBOX_CARRIER_SECRET",
        "SANDBOX_VIRTUAL_SECRET",
    )
    fresh = {name: secrets.token_urlsafe(50) for name in names}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        kept = dict(json.loads(path.read_text()))
        # A file from before a secret was added: derive the newcomer from the demo's own key,
        # so the web server and the task consumer still agree without rewriting the file.
        for name in names:
            kept.setdefault(name, hashlib.sha256(f"{name}:{kept['SECRET_KEY']}".encode()).hexdigest())
        return kept
    with os.fdopen(fd, "w") as f:
        json.dump(fresh, f)
    return fresh


def missing_secrets() -> list[str]:
    """The names of the secrets the current settings need and do not have."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    missing = []
    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses to read an empty one
    except ImproperlyConfigured:
        missing.append("SECRET_KEY")
    if settings.SANDBOX_GATEWAY and not settings.SANDBOX_PAY_SECRET:
        missing.append("SANDBOX_PAY_SECRET")
    if settings.SANDBOX_BILLERS and not settings.SANDBOX_BILLER_SECRET:
        missing.append("SANDBOX_BILLER_SECRET")
    if settings.SANDBOX_CARRIER and not settings.SANDBOX_CARRIER_SECRET:
        missing.append("SANDBOX_CARRIER_SECRET")
    if settings.SANDBOX_VIRTUALS and not settings.SANDBOX_VIRTUAL_SECRET:
        missing.append("SANDBOX_VIRTUAL_SECRET")
    return missing


def _message(missing: list[str]) -> str:
    return (
        f"{', '.join(missing)} not set: set them in the environment (see README.md, "
        "'Production settings'), or run the demo (make demo), which generates its own"
    )


def require_secrets() -> None:
    """Called by the WSGI entry point: gunicorn's workers do not boot without the secrets."""
    from django.core.exceptions import ImproperlyConfigured

    missing = missing_secrets()
    if missing:
        raise ImproperlyConfigured(_message(missing))


def check_secrets(**kwargs: Any) -> list[Any]:
    """A system check, so runserver, migrate and `check` refuse too."""
    from django.core import checks

    missing = missing_secrets()
    return [checks.Error(_message(missing), id="omnipoint.E001")] if missing else []
