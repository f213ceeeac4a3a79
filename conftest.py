import os
import shutil

import pytest

os.environ.setdefault("OMNIPOINT_FAST_HASHER", "1")


def pytest_configure(config):
    """pytest-django has read the settings before this file runs: apply the fast hasher and
    the tests' own secrets here. The sandbox gateway is on (the payment tests drive it); the
    demo is off, as in production (tests that need it turn it on)."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.SECRET_KEY = "tests-only-secret-key-" + "x" * 40
    settings.SANDBOX_GATEWAY = True
    settings.SANDBOX_PAY_SECRET = "tests-only-sandbox-secret"
    settings.SANDBOX_BILLERS = True
    settings.SANDBOX_BILLER_SECRET = "tests-only-biller-secret"
    settings.SANDBOX_CARRIER = True
    settings.SANDBOX_CARRIER_SECRET = "tests-only-carrier-secret"
    settings.SANDBOX_VIRTUALS = True
    settings.SANDBOX_VIRTUAL_SECRET = "tests-only-virtual-secret"
    settings.SANDBOX_VIRTUAL_AUTOCONFIRM = False  # tests send the provider's callback themselves

    _quick_flush_on_postgresql()

    if os.environ["OMNIPOINT_FAST_HASHER"] == "1":
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        get_hashers.cache_clear()
        get_hashers_by_algorithm.cache_clear()


def _quick_flush_on_postgresql():
    """A test with real transactions ends with Django's flush: one TRUNCATE of every table, which
    on PostgreSQL creates and fsyncs new files for each of them, 2-4 s a test here, most of the
    PostgreSQL run's time. This flush deletes the rows of just the tables that have any (a test
    fills a dozen), with foreign-key triggers off for the moment (``session_replication_role``,
    a superuser's setting, as the machine's PostgreSQL gives): the same empty tables, in ~0.05 s.
    Content types and permissions stay (post_migrate would write the same rows again); sequences
    are not reset, as Django's own test flush does not reset them. Elsewhere Django's flush runs."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    django_flush = DatabaseOperations.sql_flush
    kept = {"django_content_type", "auth_permission"}
    superuser: dict[str, bool] = {}

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if "yes" not in superuser:
            with self.connection.cursor() as cur:
                cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                superuser["yes"] = bool(cur.fetchone()[0])
        if reset_sequences or not superuser["yes"] or not tables:
            return django_flush(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        names = ", ".join("'" + t.replace("'", "''") + "'" for t in sorted(set(tables) - kept))
        each = f"FOREACH t IN ARRAY ARRAY[{names}]::text[] LOOP "
        return [
            "DO $flush$ DECLARE t text; filled boolean; BEGIN "  # noqa: S608 (Django's own table names)
            "SET LOCAL session_replication_role = replica; "
            + each
            + "EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', t) INTO filled; "
            "IF filled THEN EXECUTE format('DELETE FROM %I', t); END IF; "
            "END LOOP; END $flush$"
        ]

    DatabaseOperations.sql_flush = sql_flush


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium; PostgreSQL-only tests need DATABASE_URL."""
    from django.db import connection

    no_browser = pytest.mark.skip(reason="chromium is not installed (apt-get install chromium)")
    not_pg = pytest.mark.skip(reason="runs on PostgreSQL only (set DATABASE_URL)")
    # `make test` runs the PostgreSQL and SQLite suites side by side: a test that uses neither
    # database runs in the SQLite one only.
    beside = os.environ.get("OMNIPOINT_SQLITE_ALONGSIDE") == "1" and connection.vendor == "postgresql"
    once = pytest.mark.skip(reason="uses no database: run by the SQLite suite beside this one")
    for item in items:
        if beside and "database_independent" in item.keywords:
            item.add_marker(once)
        if "browser" in item.keywords and not shutil.which("chromium"):
            item.add_marker(no_browser)
        if "postgres_only" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(not_pg)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (omnipoint.core.cached): what an earlier test kept
    names rows its rollback took away, and ids come round again on SQLite."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_mode(settings):
    """The demo's switch (OMNIPOINT_DEMO=1): sign-in codes shown on screen, the SMS outbox kept."""
    settings.DEMO_MODE = True
    return settings


@pytest.fixture
def network(db):
    from omnipoint.testing import build_network

    return build_network()


@pytest.fixture
def api(client):
    """The Django test client, with JSON bodies by default."""

    class Api:
        def __init__(self, c):
            self.c = c

        def get(self, url, persona_headers=None, **params):
            return self.c.get(url, params, **(persona_headers or {}))

        def post(self, url, body=None, headers=None):
            return self.c.post(url, body or {}, content_type="application/json", **(headers or {}))

        def put(self, url, body=None, headers=None):
            return self.c.put(url, body or {}, content_type="application/json", **(headers or {}))

        def patch(self, url, body=None, headers=None):
            return self.c.patch(url, body or {}, content_type="application/json", **(headers or {}))

        def raw(self, method, url, data, headers=None):
            return getattr(self.c, method)(url, data, content_type="application/json", **(headers or {}))

    return Api(client)
