"""Django settings: SQLite under var/ by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("NTM_VAR_DIR", Path.cwd() / "var"))

# Off unless a developer turns it on (`ntm run`, the demo's development server, does).
DEBUG = os.environ.get("NTM_DEBUG", "0") == "1"
# The development key is public (it is in this file): sessions, password-reset links and CSRF
# tokens signed with it can be forged, so only a developer's machine (DEBUG on) may use it.
_DEVELOPMENT_KEY = "dev-only-not-secret"


def _installation_key(var_dir: Path) -> str:
    """This installation's own key, made at random on first use and kept in the var directory
    (readable by its owner only). Several application servers share one through NTM_SECRET_KEY."""
    path = var_dir / "secret-key"
    try:
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_urlsafe(50))
        return path.read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Không đọc hay tạo được khoá bí mật {path} ({exc.strerror}): hãy đặt "
            "NTM_SECRET_KEY. (Cannot read or create the secret key file: set NTM_SECRET_KEY.)"
        ) from exc


SECRET_KEY = os.environ.get("NTM_SECRET_KEY", "").strip()
if not DEBUG and SECRET_KEY == _DEVELOPMENT_KEY:
    raise ImproperlyConfigured(
        "Khoá phát triển công khai không được dùng khi chạy thật: đặt NTM_SECRET_KEY là một "
        "khoá dài, ngẫu nhiên, hoặc bỏ trống để dùng khoá riêng của bản cài đặt. (The public "
        "development key is refused outside development: set a long random NTM_SECRET_KEY, or "
        "leave it unset for the installation's own key.)"
    )
if not SECRET_KEY:
    SECRET_KEY = _DEVELOPMENT_KEY if DEBUG else _installation_key(VAR_DIR)
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
    # Static files from the app itself (gunicorn has no file server; nothing from a CDN).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "ntm.web.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ntm.web.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ntm.web.middleware.PasswordChangeRequiredMiddleware",
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
                # The header's count of the user's unread notifications.
                "ntm.web.context_processors.unread_notifications",
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
STATIC_ROOT = VAR_DIR / "static"  # `ntm serve` collects the files here first
# Also from the apps' own folders: a server started without collectstatic still has its styles.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Gzip and Brotli copies made by collectstatic; no manifest, so pages render before it.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Behind a TLS-terminating proxy (NTM_HTTPS=1): cookies only over HTTPS, plain HTTP redirected,
# HSTS; NTM_PROXY_SSL_HEADER=1 trusts the proxy's X-Forwarded-Proto (set it only when the proxy
# overwrites that header: a client could otherwise claim HTTPS).
_HTTPS = os.environ.get("NTM_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("NTM_HSTS_SECONDS", "31536000")) if _HTTPS else 0
# Subdomains and the browsers' preload list are the site's own decisions: off unless asked.
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("NTM_HSTS_SUBDOMAINS", "0") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("NTM_HSTS_PRELOAD", "0") == "1"
if os.environ.get("NTM_PROXY_SSL_HEADER", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Every script, style, font and image comes from the app itself; no inline script or style
# (a browser test checks that the pages raise no violation).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
NTM_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), interest-cohort=()"
)

# Logs to standard output (the service manager or the container keeps them); warnings and
# errors unless NTM_LOG_LEVEL asks for more, so that a command's own output stays clean.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("NTM_LOG_LEVEL", "WARNING")},
}
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: evidence files (types sniffed from their bytes by ntm.values) and import files.
NTM_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
NTM_EVIDENCE_TYPES = ("pdf", "jpeg", "png", "xlsx", "docx")
NTM_IMPORT_MAX_BYTES = 20 * 1024 * 1024
# The residents' satisfaction (%) a commune's recognition requires (QĐ 18/2022, Art. 4). The
# level is set in the decision, whose commune figure our reference could not read (about 90 %,
# unverified): an office sets its own.
NTM_SATISFACTION_MIN_PERCENT = float(os.environ.get("NTM_SATISFACTION_MIN_PERCENT", "90"))
