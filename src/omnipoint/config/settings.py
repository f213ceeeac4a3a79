"""Settings, all from the environment, safe when it is empty.

DATABASE_URL selects the database; unset means SQLite in WAL mode under var/.
REDIS_URL, when set, moves the task queue (Huey) from its SQLite storage to Redis.
With no environment, DEBUG is off, nothing of the demo is on and the server refuses to start
without SECRET_KEY (omnipoint.core.secrets). The production settings are listed in README.md.
"""

import json
import os
from pathlib import Path

import dj_database_url

from omnipoint.core.secrets import demo_secrets

BASE_DIR = Path(__file__).resolve().parent.parent  # src/omnipoint
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("OMNIPOINT_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The demo switch: OMNIPOINT_DEMO=1 is set by the demo commands only (`manage.py demo_seed`,
# `demo_serve`, `make demo`). It shows members their sign-in code on screen and the sandbox SMS
# outbox at /sandbox/sms/, mounts the sandbox payment gateway, and generates the secrets (kept in
# var/demo-secrets.json so that the web server and the task consumer share them).
DEMO_MODE = os.environ.get("OMNIPOINT_DEMO") == "1"
_DEMO_SECRETS = demo_secrets(VAR_DIR) if DEMO_MODE else {}

# Empty when unset: the server then refuses to start (omnipoint.core.secrets.check_secrets).
SECRET_KEY = os.environ.get("SECRET_KEY") or _DEMO_SECRETS.get("SECRET_KEY", "")
DEBUG = os.environ.get("DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# HTTPS=1 behind a TLS-terminating proxy that sets X-Forwarded-Proto: redirect plain HTTP
# (but not the health probes), secure cookies, HSTS. `manage.py check --deploy` passes with it.
HTTPS = os.environ.get("HTTPS") == "1"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "1") == "1"
# How many proxies in front of the server append to X-Forwarded-For: the client address that
# throttles count is the one the outermost of them saw. 0 (no proxy): REMOTE_ADDR.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "ninja",
    "omnipoint.core",
    "omnipoint.outlets",
    "omnipoint.catalog",
    "omnipoint.funnel",
    "omnipoint.inventory",
    "omnipoint.members",
    "omnipoint.ledger",
    "omnipoint.loyalty",
    "omnipoint.orders",
    "omnipoint.payments",
    "omnipoint.showrooms",
    "omnipoint.marketing",
    "omnipoint.billpay",
    "omnipoint.parcels",
    "omnipoint.flashsales",
    "omnipoint.virtuals",
    "omnipoint.clearing",
    "omnipoint.reconciliation",
    "omnipoint.settlement",
    "omnipoint.appointments",
    "omnipoint.identity",
    "omnipoint.aftersales",
    "omnipoint.dashboards",
    "omnipoint.web",
    "omnipoint.storefront",
    "omnipoint.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "omnipoint.core.idempotency.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "omnipoint.config.errors.ApiErrorMiddleware",
]

# A customer never sees Django's debug pages: friendly pages in the reader's language, and a
# JSON {code, message} under /api/v1/ (omnipoint.config.errors; the handlers are in urls.py).
CSRF_FAILURE_VIEW = "omnipoint.config.errors.csrf_failure"

# Staff sign-in (console, admin, API token) goes through a backend that throttles failures per
# account and per client address before it spends time hashing the password.
AUTHENTICATION_BACKENDS = ["omnipoint.core.auth.ThrottledModelBackend"]

ROOT_URLCONF = "omnipoint.config.urls"
WSGI_APPLICATION = "omnipoint.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "omnipoint.web.context.console",
            ],
        },
    },
]

SQLITE_PATH = VAR_DIR / "omnipoint.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing a lock upgrade half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so that tests with real threads share one database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif os.environ.get("DATABASE_SERVER_SIDE_BINDING") == "1":
    # Off by default: measured, it did not pay (docs/ARCHITECTURE.md, "Server-side binding").
    # DATABASE_PREPARE_THRESHOLD=n also prepares a statement once a connection has run it n
    # times: only with persistent connections (CONN_MAX_AGE), and behind pgbouncer only in
    # session mode or 1.21+ with max_prepared_statements.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["server_side_binding"] = True
    if os.environ.get("DATABASE_PREPARE_THRESHOLD"):
        _options["prepare_threshold"] = int(os.environ["DATABASE_PREPARE_THRESHOLD"])
# Reports and dashboards read from a replica when one is given (core.replica); unset: the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["omnipoint.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("OMNIPOINT_FAST_HASHER") == "1"
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"  # the business day; storage stays UTC (USE_TZ)
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/console/login/"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/console/login/"

# Reservations held for carts and checkouts lapse after this many seconds unless committed.
RESERVATION_TTL_SECONDS = int(os.environ.get("RESERVATION_TTL_SECONDS", "900"))
# check_inventory reports a held reservation this long past its expiry as a breach:
# the sweep runs every minute, so anything older means the sweep is not running.
RESERVATION_SWEEP_GRACE_SECONDS = int(os.environ.get("RESERVATION_SWEEP_GRACE_SECONDS", "600"))
# Group commit (omnipoint.core.combining): concurrent holds of one stock row, and ledger postings,
# folded into one leader's transaction across processes. 0 turns it off (one commit per call).
GROUP_COMMIT = os.environ.get("GROUP_COMMIT", "1") != "0"

REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY = {
    "name": "omnipoint",
    "immediate": False,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}

# Django's cache keeps the reads that rarely change (omnipoint.core.cached): in Redis when there
# is one, shared by every process and host; else in each process, for a few seconds.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Orders: how long an online order waits for payment, how long goods wait at a pickup outlet,
# and how long a "reserve online, try in store" hold lasts.
# A flash sale's claim holds its units this long for the buyer to check out.
FLASH_CLAIM_SECONDS = int(os.environ.get("FLASH_CLAIM_SECONDS", "300"))
ORDER_PAYMENT_TIMEOUT_SECONDS = int(os.environ.get("ORDER_PAYMENT_TIMEOUT_SECONDS", "900"))
ORDER_PICKUP_HOLD_HOURS = int(os.environ.get("ORDER_PICKUP_HOLD_HOURS", "72"))  # paid pickup orders
# A pickup order to be paid at the outlet holds its goods for less time than a paid one.
ORDER_PICKUP_UNPAID_HOLD_HOURS = int(os.environ.get("ORDER_PICKUP_UNPAID_HOLD_HOURS", "24"))
ORDER_DELIVERY_HOLD_HOURS = int(os.environ.get("ORDER_DELIVERY_HOLD_HOURS", "168"))  # until it ships
# Against hoarding (customer channels; a SKU's max_per_order / max_per_member override them):
# units of one SKU in one order, and in all of one member's open orders together.
ORDER_MAX_UNITS_PER_SKU = int(os.environ.get("ORDER_MAX_UNITS_PER_SKU", "20"))
MEMBER_MAX_OPEN_UNITS_PER_SKU = int(os.environ.get("MEMBER_MAX_OPEN_UNITS_PER_SKU", "40"))
ORDER_TRY_IN_STORE_HOURS = int(os.environ.get("ORDER_TRY_IN_STORE_HOURS", "24"))
# Routing looks for stock this far from the customer or the pickup outlet.
ROUTING_RADIUS_KM = float(os.environ.get("ROUTING_RADIUS_KM", "150"))

# Payments: where the sandbox gateway sends its notifications (this site's own address), and
# the key both sides sign them with.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The sandbox gateway (its hosted pay page and notifications) is mounted only when enabled,
# and then needs its own secret (generated by the demo).
SANDBOX_GATEWAY = os.environ.get("SANDBOX_GATEWAY", "1" if DEMO_MODE else "0") == "1"
SANDBOX_PAY_SECRET = os.environ.get("SANDBOX_PAY_SECRET") or _DEMO_SECRETS.get("SANDBOX_PAY_SECRET", "")

# Bill payment: how long a payment held at the counter waits for the biller's confirmation
# before the sweep asks the biller and, unconfirmed, reverses it (冲正). The sandbox billers
# (one per kind and city, billpay.sandbox) are reachable only when enabled, and then sign their
# callbacks with their own secret (generated by the demo); their accounts derive from the seed,
# and refusals are configured per account (JSON: {"<account>": "closed" | "amount_changed" |
# "timeout" | "slow"}).
# The payment provider's contracted fee rate, in basis points (WeChat Pay's standard 0.60%):
# reconciliation flags a statement line whose fee differs from it.
RECON_FEE_RATE_BP = int(os.environ.get("RECON_FEE_RATE_BP", "60"))
BILLPAY_CONFIRM_SECONDS = int(os.environ.get("BILLPAY_CONFIRM_SECONDS", "120"))
# The network's settlement cycle (a party may have its own): month, half_month or week.
SETTLEMENT_CYCLE = os.environ.get("SETTLEMENT_CYCLE", "month")
# A bill paid online waits this long for the payer at the gateway (the bill is theirs meanwhile).
BILLPAY_PAY_SECONDS = int(os.environ.get("BILLPAY_PAY_SECONDS", "900"))
SANDBOX_BILLERS = os.environ.get("SANDBOX_BILLERS", "1" if DEMO_MODE else "0") == "1"
# The key of the identity numbers' keyed hash (omnipoint.identity). Set it apart from
# SECRET_KEY in production, so that rotating SECRET_KEY does not lose who was verified; unset,
# it is derived from SECRET_KEY.
IDENTITY_HASH_KEY = os.environ.get("IDENTITY_HASH_KEY", "")
SANDBOX_BILLER_SECRET = os.environ.get("SANDBOX_BILLER_SECRET") or _DEMO_SECRETS.get(
    "SANDBOX_BILLER_SECRET", ""
)
SANDBOX_BILLER_SEED = os.environ.get("SANDBOX_BILLER_SEED", "omnipoint")
SANDBOX_BILLER_FAULTS: dict[str, str] = json.loads(os.environ.get("SANDBOX_BILLER_FAULTS", "{}"))
SANDBOX_BILLER_AUTOCONFIRM = os.environ.get("SANDBOX_BILLER_AUTOCONFIRM", "1") == "1"

# Parcels: the country code of the tracking numbers we issue (UPU S10), and the sandbox carrier,
# whose tracking webhooks are taken only when enabled and then must be signed with its own
# secret (generated by the demo; no default).
PARCEL_COUNTRY = os.environ.get("PARCEL_COUNTRY", "CN")
PARCEL_NETWORK = os.environ.get("PARCEL_NETWORK", "post")  # the rate table in force
# A parcel accepted but not paid expires after this long (the gateway asked first).
PARCEL_PAY_SECONDS = int(os.environ.get("PARCEL_PAY_SECONDS", "1800"))
SANDBOX_CARRIER = os.environ.get("SANDBOX_CARRIER", "1" if DEMO_MODE else "0") == "1"
SANDBOX_CARRIER_SECRET = os.environ.get("SANDBOX_CARRIER_SECRET") or _DEMO_SECRETS.get(
    "SANDBOX_CARRIER_SECRET", ""
)
# Virtual items (top-ups, subscriptions, prepaid cards): the provider that fulfils them, and how
# long one may stay unconfirmed before the provider is asked to cancel it (the line refunded).
VIRTUALS_PROVIDER = os.environ.get("VIRTUALS_PROVIDER", "sandbox")
VIRTUALS_CONFIRM_SECONDS = int(os.environ.get("VIRTUALS_CONFIRM_SECONDS", "300"))
SANDBOX_VIRTUALS = os.environ.get("SANDBOX_VIRTUALS", "1" if DEMO_MODE else "0") == "1"
SANDBOX_VIRTUAL_SECRET = os.environ.get("SANDBOX_VIRTUAL_SECRET") or _DEMO_SECRETS.get(
    "SANDBOX_VIRTUAL_SECRET", ""
)
SANDBOX_VIRTUAL_FAULTS: dict[str, str] = json.loads(os.environ.get("SANDBOX_VIRTUAL_FAULTS", "{}"))
SANDBOX_VIRTUAL_AUTOCONFIRM = os.environ.get("SANDBOX_VIRTUAL_AUTOCONFIRM", "1") == "1"

# Loyalty: what points are worth as a tender (100 points = 1 yuan), and how long a wallet or
# points hold taken at checkout lasts past the order's payment deadline (the order's own
# timeout releases it first; the ledger's expiry is the backstop) or, for orders paid at the
# outlet with no deadline, at all. A storefront login code (sent by SMS) lasts this long.
POINTS_PER_YUAN = int(os.environ.get("POINTS_PER_YUAN", "100"))
LOYALTY_HOLD_GRACE_SECONDS = int(os.environ.get("LOYALTY_HOLD_GRACE_SECONDS", "3600"))
LOYALTY_HOLD_SECONDS = int(os.environ.get("LOYALTY_HOLD_SECONDS", "1800"))
MEMBER_LOGIN_CODE_SECONDS = int(os.environ.get("MEMBER_LOGIN_CODE_SECONDS", "300"))

# Sign-in codes go out through this SMS provider (omnipoint.members.sms). The sandbox sends
# nothing: it logs the message and, in the demo only, keeps it for the /sandbox/sms/ page.
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "omnipoint.members.sms.SandboxSms")

# API bearer tokens expire: staff tokens after STAFF_TOKEN_SECONDS, member tokens after
# MEMBER_TOKEN_SECONDS. A password change revokes every token of the account.
STAFF_TOKEN_SECONDS = int(os.environ.get("STAFF_TOKEN_SECONDS", str(12 * 3600)))
MEMBER_TOKEN_SECONDS = int(os.environ.get("MEMBER_TOKEN_SECONDS", str(30 * 86400)))

# Throttles, (attempts, window in seconds), counted atomically in the database
# (omnipoint.core.throttle) so that they hold across processes and hosts.
THROTTLES = {
    "member_code_mobile": (5, 3600),  # sign-in codes asked for one mobile number
    "member_code_address": (20, 3600),  # ... from one client address
    "member_login_mobile": (5, 900),  # sign-in attempts with a code, per mobile number
    "member_login_address": (20, 900),  # ... per client address
    "staff_login_account": (5, 900),  # failed staff password sign-ins, per username
    "staff_login_address": (20, 900),  # ... per client address
    "parcel_pickup_code": (5, 3600),  # wrong pickup codes tried for one parcel
}
