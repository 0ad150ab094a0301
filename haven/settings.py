"""Haven's one settings module, read from the environment.

Development is the default (SQLite under ./var, DEBUG on, a throwaway secret);
``HAVEN_ENV=production`` turns on the safe settings and refuses to start without a
real ``SECRET_KEY``. There are no production-only code paths: only values differ.
``haven serve`` (and so ``make demo``) runs with DEBUG off unless DEBUG is set: only
``haven runserver`` is a developer's server.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets ModelAdmin[Need], QuerySet[Offer] and friends be written at run time, as mypy reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset and empty both mean the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


HAVEN_ENV = env_str("HAVEN_ENV", "development")
if HAVEN_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"HAVEN_ENV must be development, test or production, got {HAVEN_ENV!r}")
PRODUCTION = HAVEN_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-secret-key-never-use-in-production"
elif PRODUCTION and len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("SECRET_KEY must be at least 40 characters in production")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = Path(env_str("HAVEN_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "haven.core",
    "haven.geo",
    "haven.accounts",
    "haven.aid",
    "haven.privacy",
    "haven.matching",
    "haven.borders",
    "haven.bot",
    "haven.safety",
    "haven.demo",
    "haven.jobs",
    "haven.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML and JSON after every middleware below has written the body (static
    # files are precompressed by WhiteNoise above it). BREACH: Django pads each gzip body
    # with random bytes and masks the CSRF token per response, and SameSite=Lax cookies
    # keep cross-site subrequests anonymous (docs/threat-model.md).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "haven.accounts.middleware.FrozenAccountMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "haven.accounts.middleware.StaffSessionMiddleware",
    "haven.accounts.middleware.StaffTwoFactorMiddleware",
    "haven.privacy.middleware.ConsoleAccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "haven.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "haven.urls"
CSRF_FAILURE_VIEW = "haven.core.views.csrf_failure"
WSGI_APPLICATION = "haven.wsgi.application"
ASGI_APPLICATION = "haven.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# PostgreSQL in production (DATABASE_URL=postgres://...), embedded SQLite by default.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'haven.sqlite3'}")
DATABASES = {
    # Health checks: a connection kept across requests is tested before reuse, so a
    # restarted database costs no failed request.
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + immediate transactions: concurrent readers, writers that queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "haven",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["haven.accounts.backends.HavenBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if HAVEN_ENV == "test":
    # Argon2 is slow by design; the suite creates hundreds of accounts.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "haven" / "locale"]
LANGUAGE_COOKIE_NAME = "haven_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# DEBUG off: hashed, precompressed files collected into var/static (`haven serve` runs
# collectstatic first), cached for a year. DEBUG on: served from the apps as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files served at the site's root: /favicon.ico, asked for by browsers and bots alike.
WHITENOISE_ROOT = BASE_DIR / "haven" / "web" / "root"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Contacts are encrypted under per-person keys wrapped by this master key (base64, 32 bytes).
# Keep it outside the database and its backups: a seized dump without it yields nothing.
HAVEN_MASTER_KEY = env_str("HAVEN_MASTER_KEY")
if not HAVEN_MASTER_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("HAVEN_MASTER_KEY must be set in production")
    # Development only: derived from the dev secret, so `make demo` needs no setup.
    HAVEN_MASTER_KEY = base64.urlsafe_b64encode(
        hashlib.sha256(b"haven-dev-master:" + SECRET_KEY.encode()).digest()
    ).decode()

# Haven's own knobs.
HAVEN_FRESHNESS_DAYS = env_int("HAVEN_FRESHNESS_DAYS", 7)
HAVEN_NEW_ACCOUNT_DAYS = env_int("HAVEN_NEW_ACCOUNT_DAYS", 14)
HAVEN_REVEAL_QUOTA_NEW = env_int("HAVEN_REVEAL_QUOTA_NEW", 3)
HAVEN_REVEAL_QUOTA_VERIFIED = env_int("HAVEN_REVEAL_QUOTA_VERIFIED", 30)
HAVEN_PROPOSAL_REMIND_HOURS = env_int("HAVEN_PROPOSAL_REMIND_HOURS", 24)
HAVEN_PROPOSAL_EXPIRE_HOURS = env_int("HAVEN_PROPOSAL_EXPIRE_HOURS", 72)
# A shelter holds places for an arrival (a walk-in's "ask for a place here", or a proposal
# to a shelter) this long; then they are free again (computed on read, marked by the worker).
HAVEN_SHELTER_HOLD_HOURS = env_int("HAVEN_SHELTER_HOLD_HOURS", 6)
HAVEN_MATCH_INTERVAL_SECONDS = env_int("HAVEN_MATCH_INTERVAL_SECONDS", 300)
HAVEN_MATCH_TIME_LIMIT_SECONDS = env_int("HAVEN_MATCH_TIME_LIMIT_SECONDS", 60)
HAVEN_BORDER_REPORTS_PER_10_MIN = env_int("HAVEN_BORDER_REPORTS_PER_10_MIN", 10)

# The Telegram bot (haven/bot). Off unless a token is set; webhook mode needs the secret.
TELEGRAM_BOT_TOKEN = env_str("TELEGRAM_BOT_TOKEN")
TELEGRAM_WEBHOOK_SECRET = env_str("TELEGRAM_WEBHOOK_SECRET")
TELEGRAM_API_BASE = env_str("TELEGRAM_API_BASE", "https://api.telegram.org")
TELEGRAM_BOT_USERNAME = env_str("TELEGRAM_BOT_USERNAME")  # for t.me/<bot>?start=<code> links
HAVEN_SITE_URL = env_str("HAVEN_SITE_URL", "http://127.0.0.1:8000")  # base of links sent in chats
if PRODUCTION and TELEGRAM_BOT_TOKEN and not TELEGRAM_WEBHOOK_SECRET:
    raise ImproperlyConfigured("TELEGRAM_WEBHOOK_SECRET must be set when the bot is on")
HAVEN_MAX_NOTES_LENGTH = 1000

# Login lockout (P7): failures counted in the cache over a window, per pseudonym and per
# client address. The address limit is higher: many people share one address (mobile
# carrier NAT, a shelter's Wi-Fi).
HAVEN_LOGIN_FAILURES_PER_USER = env_int("HAVEN_LOGIN_FAILURES_PER_USER", 5)
HAVEN_LOGIN_FAILURES_PER_ADDRESS = env_int("HAVEN_LOGIN_FAILURES_PER_ADDRESS", 20)
HAVEN_LOGIN_LOCKOUT_SECONDS = env_int("HAVEN_LOGIN_LOCKOUT_SECONDS", 15 * 60)
# Behind N proxies that append to X-Forwarded-For, the client is the N-th address from the
# right; 0 means REMOTE_ADDR (no proxy). Never trust the leftmost entry: clients write it.
HAVEN_FORWARDED_FOR_DEPTH = env_int("HAVEN_FORWARDED_FOR_DEPTH", 0)
# Coordinators and administrators: TOTP two-factor before anything else, short sessions.
# Off only in the test settings' default (the suite's force_login has no second factor);
# production refuses to start without it.
HAVEN_STAFF_2FA_REQUIRED = env_bool("HAVEN_STAFF_2FA_REQUIRED", HAVEN_ENV != "test")
if PRODUCTION and not HAVEN_STAFF_2FA_REQUIRED:
    raise ImproperlyConfigured("HAVEN_STAFF_2FA_REQUIRED cannot be turned off in production")
HAVEN_STAFF_SESSION_IDLE_SECONDS = env_int("HAVEN_STAFF_SESSION_IDLE_SECONDS", 30 * 60)
OTP_TOTP_ISSUER = "Haven"
# Never show a TOTP secret in the console (an administrator could copy anyone's second factor).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# `haven grant` prints a one-time code that enrolling an authenticator requires; it expires.
HAVEN_STAFF_ENROLMENT_HOURS = env_int("HAVEN_STAFF_ENROLMENT_HOURS", 72)
# Days the coordinators' read audit (privacy.AccessLog) is kept before the retention purge.
HAVEN_RETENTION_ACCESS_LOG_DAYS = env_int("HAVEN_RETENTION_ACCESS_LOG_DAYS", 365)

# Retention (P5, docs/retention.md): days after which closed records are purged by
# `haven retention` (run it daily).
HAVEN_RETENTION_CLOSED_DAYS = env_int("HAVEN_RETENTION_CLOSED_DAYS", 30)
HAVEN_RETENTION_PROPOSAL_DAYS = env_int("HAVEN_RETENTION_PROPOSAL_DAYS", 30)
HAVEN_RETENTION_REVEAL_DAYS = env_int("HAVEN_RETENTION_REVEAL_DAYS", 90)
HAVEN_RETENTION_REPORT_DAYS = env_int("HAVEN_RETENTION_REPORT_DAYS", 180)
HAVEN_REPORTS_PER_DAY = env_int("HAVEN_REPORTS_PER_DAY", 10)
# Independent reporters with open reports that hide an offer or request pending review (P4).
HAVEN_REPORTS_TO_HIDE = env_int("HAVEN_REPORTS_TO_HIDE", 3)

# Rate limits (P6, haven/core/ratelimit.py): fixed windows counted in the cache (Redis when
# REDIS_URL is set). Per client address for sign-up and browsing (generous: many people
# share one address behind a carrier NAT or a shelter's Wi-Fi), per account for posting and
# for contact reveals. 0 turns a limit off; the test settings' default is off, because the
# whole suite shares one cache and one address (tests/security/test_rate_limits.py sets them).
_RATE_ON = HAVEN_ENV != "test"
HAVEN_RATE_SIGNUPS_PER_HOUR = env_int("HAVEN_RATE_SIGNUPS_PER_HOUR", 20 if _RATE_ON else 0)
HAVEN_RATE_NEEDS_PER_HOUR = env_int("HAVEN_RATE_NEEDS_PER_HOUR", 20 if _RATE_ON else 0)
HAVEN_RATE_OFFERS_PER_HOUR = env_int("HAVEN_RATE_OFFERS_PER_HOUR", 20 if _RATE_ON else 0)
HAVEN_RATE_BROWSE_PER_MINUTE = env_int("HAVEN_RATE_BROWSE_PER_MINUTE", 120 if _RATE_ON else 0)
HAVEN_RATE_REVEALS_PER_HOUR = env_int("HAVEN_RATE_REVEALS_PER_HOUR", 20 if _RATE_ON else 0)
# Asking a shelter for a place (per account), and arrival codes tried at a desk (per account).
HAVEN_RATE_HOLDS_PER_HOUR = env_int("HAVEN_RATE_HOLDS_PER_HOUR", 10 if _RATE_ON else 0)
HAVEN_RATE_ARRIVAL_CODES_PER_HOUR = env_int("HAVEN_RATE_ARRIVAL_CODES_PER_HOUR", 120 if _RATE_ON else 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies never reach the logs; only method, path and status do.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
