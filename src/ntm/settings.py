"""Django settings: SQLite under var/ by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("NTM_VAR_DIR", Path.cwd() / "var"))

DEBUG = os.environ.get("NTM_DEBUG", "1") == "1"
# The development key is public (it is in this file): sessions, password-reset links and CSRF
# tokens signed with it can be forged, so a deployment (DEBUG off) must bring its own.
_DEVELOPMENT_KEY = "dev-only-not-secret"
SECRET_KEY = os.environ.get("NTM_SECRET_KEY", "").strip()
if not DEBUG and SECRET_KEY in {"", _DEVELOPMENT_KEY}:
    raise ImproperlyConfigured(
        "NTM_DEBUG=0 cần NTM_SECRET_KEY: đặt một khoá bí mật dài, ngẫu nhiên (ví dụ "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'); khoá phát triển công "
        "khai không được dùng khi chạy thật. (NTM_DEBUG=0 needs NTM_SECRET_KEY: set a long "
        "random secret key; the public development key is refused in a deployment.)"
    )
SECRET_KEY = SECRET_KEY or _DEVELOPMENT_KEY
ALLOWED_HOSTS = os.environ.get("NTM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ntm.audit",
    "ntm.units",
    "ntm.cli",
    "ntm.accounts",
    "ntm.values",
    "ntm.decisions",
    "ntm.recognition",
    "ntm.reports",
    "ntm.web",
    "ntm.api",
    "axes",
    "ntm.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ntm.web.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a refused login into the lockout page (ntm.web.views.login_locked_out).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ntm.urls"
WSGI_APPLICATION = "ntm.wsgi.application"

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
                # `simulated_data`: the pages say "dữ liệu mô phỏng" while simulated values
                # are recorded (the demo's provenance row).
                "ntm.web.context_processors.simulated_data",
            ],
        },
    },
]

_SQLITE_FILE = VAR_DIR / "ntm.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_SQLITE_FILE}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout: one file, several readers, no "database is locked" at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# State shared between requests (an import's progress) lives in the cache, never in one
# process's memory: in-process for the embedded single-server setup, Redis (NTM_CACHE_URL,
# e.g. redis://127.0.0.1:6379/1) when several application servers share one database
# (design decision 8).
_CACHE_URL = os.environ.get("NTM_CACHE_URL", "")
if _CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "ntm",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Logins: django-axes counts failed attempts per username and client address together (an
# attacker cannot lock an officer out from elsewhere), in the database so every application
# server sees them; after AXES_FAILURE_LIMIT failures that pair is refused, even with the right
# password, until AXES_COOLOFF_TIME has passed since the last failure. A success clears the
# count. Its backend only checks the lockout (ntm.accounts.backends); ModelBackend checks the
# password, and is the one `force_login` and the sessions use, as it alone has get_user.
AUTHENTICATION_BACKENDS = [
    "ntm.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ntm.web.views.login_locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept: the table would only grow
# API bearer tokens (ntm.api.tokens): after this many failed tokens from one client address
# within the window, every token from it is refused (429) until the window has passed.
NTM_TOKEN_FAILURE_LIMIT = 20
NTM_TOKEN_FAILURE_WINDOW = dt.timedelta(minutes=10)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# Vietnamese formats (dd/mm/yyyy, decimal comma) in both interface languages.
FORMAT_MODULE_PATH = ["ntm.web.formats"]

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: evidence files (types sniffed from their bytes by ntm.values) and import files.
NTM_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
NTM_EVIDENCE_TYPES = ("pdf", "jpeg", "png", "xlsx", "docx")
NTM_IMPORT_MAX_BYTES = 20 * 1024 * 1024
# The residents' satisfaction (%) a commune's recognition requires (QĐ 18/2022, Art. 4). The
# level is set in the decision, whose commune figure our reference could not read (about 90 %,
# unverified): an office sets its own.
NTM_SATISFACTION_MIN_PERCENT = float(os.environ.get("NTM_SATISFACTION_MIN_PERCENT", "90"))
