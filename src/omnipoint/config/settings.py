"""Settings, all from the environment.

DATABASE_URL selects the database; unset means SQLite in WAL mode under var/.
REDIS_URL, when set, moves the task queue (Huey) from its SQLite storage to Redis.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/omnipoint
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("OMNIPOINT_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "omnipoint-dev-only-not-secret")
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

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
    "omnipoint.inventory",
    "omnipoint.members",
    "omnipoint.ledger",
    "omnipoint.loyalty",
    "omnipoint.orders",
    "omnipoint.payments",
    "omnipoint.showrooms",
    "omnipoint.marketing",
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
]

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Orders: how long an online order waits for payment, how long goods wait at a pickup outlet,
# and how long a "reserve online, try in store" hold lasts.
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
SANDBOX_PAY_SECRET = os.environ.get("SANDBOX_PAY_SECRET", "sandbox-dev-only-not-secret")

# Loyalty: what points are worth as a tender (100 points = 1 yuan), and how long a wallet or
# points hold taken at checkout lasts past the order's payment deadline (the order's own
# timeout releases it first; the ledger's expiry is the backstop) or, for orders paid at the
# outlet with no deadline, at all. A storefront login code (a demo: shown on screen, no SMS)
# lasts this long.
POINTS_PER_YUAN = int(os.environ.get("POINTS_PER_YUAN", "100"))
LOYALTY_HOLD_GRACE_SECONDS = int(os.environ.get("LOYALTY_HOLD_GRACE_SECONDS", "3600"))
LOYALTY_HOLD_SECONDS = int(os.environ.get("LOYALTY_HOLD_SECONDS", "1800"))
MEMBER_LOGIN_CODE_SECONDS = int(os.environ.get("MEMBER_LOGIN_CODE_SECONDS", "300"))
