"""Django settings for xiaotu: one SQLite file in the data folder by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext

# Lets model admin and querysets be written with type parameters (ModelAdmin[Item]) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("XIAOTU_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Keep one random key per installation in the data folder, so a school never has to set one."""
    if key := os.environ.get("XIAOTU_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("XIAOTU_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("XIAOTU_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("XIAOTU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "huey.contrib.djhuey",
    "xiaotu.accounts",
    "xiaotu.schools",
    "xiaotu.catalogue",
    "xiaotu.intake",
    "xiaotu.readers",
    "xiaotu.circulation",
    "xiaotu.search",
    "xiaotu.reports",
    "xiaotu.opac",
    "xiaotu.stocktake",
    "xiaotu.ops",
    "xiaotu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xiaotu.i18n.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
# API calls made with a bearer token (a desk program, a script) carry no session, form or page: they skip the rest.
# xiaotu/wsgi.py chooses the chain by request.
API_TOKEN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xiaotu.i18n.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "xiaotu.urls"
WSGI_APPLICATION = "xiaotu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiaotu.accounts.context_processors.staff",
            ],
        },
    },
]

SQLITE_PATH = DATA_DIR / "xiaotu.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parameters bound by the server rather than quoted into the SQL in Python: in alternating circulation
        # benches, about an eighth more throughput. Statements stay unprepared, as Django leaves them: a cached
        # generic plan would ignore the catalogue search's per-query planner settings (xiaotu/search/engines.py)
        # and the data of one school among many. `?server_side_binding=false` in DATABASE_URL turns binding off.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("server_side_binding", True)
else:
    DATABASES = {
        "default": {
            "ENGINE": "xiaotu.sqlite",
            "NAME": str(SQLITE_PATH),
            # Keep each server thread's connection: opening the file and running the PRAGMAs on every request
            # cost a fifth of a desk scan's time.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # Writers queue for the lock at BEGIN instead of failing half-way through a loan.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-65536;"
                    "PRAGMA temp_store=MEMORY;"
                    # No mmap_size: each time another connection commits, SQLite unmaps and remaps the whole file,
                    # and with several desks writing that cost a quarter of a scan's server time.
                ),
            },
            # A file, not :memory:, so the race tests can share it between processes.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("XIAOTU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

MEDIA_ROOT = DATA_DIR / "media"  # readers' photos; only staff pages serve them, through a view that checks roles
MEDIA_URL = "media/"
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Jobs run inside `xiaotu serve` on SQLite by default; on Redis when REDIS_URL is set.
if redis_url:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "xiaotu", "url": redis_url, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "xiaotu",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": os.environ.get("XIAOTU_JOBS_IMMEDIATE", "") == "1",
    }

XIAOTU_BACKUP_DIR = Path(os.environ.get("XIAOTU_BACKUP_DIR", str(DATA_DIR / "backups")))
XIAOTU_BACKUP_KEEP = int(os.environ.get("XIAOTU_BACKUP_KEEP", "14"))
XIAOTU_LOGIN_MAX_FAILURES = 5
XIAOTU_LOGIN_LOCKOUT_SECONDS = 15 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"xiaotu": {"level": "INFO"}, "huey": {"level": "WARNING"}},
}
