"""OpenMIL settings, read from the environment with safe laptop defaults.

Every setting that differs between a laptop and production comes from an
environment variable; nothing exists only in production.
"""

import base64
import json
import os
import secrets
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("OPENMIL_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("DEBUG", False)
HTTPS = env_bool("OPENMIL_HTTPS", not DEBUG)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # A laptop needs no configuration: keep a random key in the data folder.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _encryption_keys() -> tuple[list[str], str]:
    """Keys for data encrypted at rest (openmil.core.crypto); first one current.

    Production sets OPENMIL_ENCRYPTION_KEYS (comma-separated) and keeps the
    keys away from the database and its backups. A laptop needs no
    configuration: a key file in the data folder, one key a line.
    """
    if keys := env_list("OPENMIL_ENCRYPTION_KEYS"):
        return keys, "OPENMIL_ENCRYPTION_KEYS"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "encryption_keys"
    if not path.exists():
        # Created whole or not at all, so concurrent first starts agree on a key.
        temp = path.with_name(f".encryption_keys.{os.getpid()}")
        temp.write_text(
            base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n",
            encoding="utf-8",
        )
        temp.chmod(0o600)
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    lines = path.read_text(encoding="utf-8").splitlines()
    return [k.strip() for k in lines if k.strip() and not k.startswith("#")], str(path)


OPENMIL_ENCRYPTION_KEYS, OPENMIL_ENCRYPTION_KEYS_SOURCE = _encryption_keys()
# WhiteNoise expects the static folder to exist even before collectstatic.
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
    "openmil.core",
    "openmil.classifications",
    "openmil.participants",
    "openmil.indicators",
    "openmil.privacy",
    "openmil.partners",
    "openmil.notifications",
    "openmil.portal",
    "openmil.records",
    "openmil.imports",
    "openmil.dedup",
    "openmil.pathways",
    "openmil.activities",
    "openmil.ventures",
    "openmil.training",
    "openmil.network",
    "openmil.events",
    "openmil.campaigns",
    # Matching rounds (openmil.placements).
    "openmil.placements",
    # Public site, citizen projects and recommendations (issue 7).
    "openmil.public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "openmil.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "openmil.campaigns.middleware.CampaignAttributionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "openmil.core.middleware.SessionRenewalMiddleware",
    "openmil.core.middleware.UserLanguageMiddleware",
    "openmil.core.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openmil.config.urls"
WSGI_APPLICATION = "openmil.config.wsgi.application"

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
                "openmil.core.context_processors.openmil",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'openmil.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No query streams a large result, and plain cursors cost less per query.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("OPENMIL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("OPENMIL_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# Idle sessions expire: activity renews a short-lived session, at most once a
# minute (core.middleware.SessionRenewalMiddleware) to spare a write per request.
SESSION_COOKIE_AGE = int(os.environ.get("OPENMIL_SESSION_IDLE_SECONDS", "1800"))
OPENMIL_SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("OPENMIL_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = (
    int(os.environ.get("OPENMIL_HSTS_SECONDS", "31536000")) if HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
OPENMIL_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "serial=(), bluetooth=(), midi=(), interest-cohort=()"
)

# Second factor: required for these roles unless switched off (the demo does).
OPENMIL_REQUIRE_2FA = env_bool("OPENMIL_REQUIRE_2FA", True)
OPENMIL_2FA_ROLES = env_list("OPENMIL_2FA_ROLES", "coordinator,network_admin")
OTP_TOTP_ISSUER = "OpenMIL"

# Disclosure control for published counts: under the threshold show "<N",
# round the others to the base.
OPENMIL_SUPPRESS_BELOW = int(os.environ.get("OPENMIL_SUPPRESS_BELOW", "10"))
OPENMIL_ROUND_TO = int(os.environ.get("OPENMIL_ROUND_TO", "5"))
# Per-country thresholds, e.g. {"DE": {"threshold": 5, "base": 3}}.
OPENMIL_DISCLOSURE_BY_COUNTRY = json.loads(
    os.environ.get("OPENMIL_DISCLOSURE_BY_COUNTRY", "{}")
)
# Database connections a recompute of the indicators spreads its queries
# over (PostgreSQL; each reads the same snapshot). One per core the
# database may use.
OPENMIL_ANALYTIC_CONNECTIONS = int(os.environ.get("OPENMIL_ANALYTIC_CONNECTIONS", "2"))

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("ar", "العربية"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("de", "Deutsch"),
    ("pt", "Português"),
    ("uk", "Українська"),
    ("fa", "فارسی"),
    ("tr", "Türkçe"),
]  # noqa: E501
#: Staff pages stay in the languages whose catalogs are complete for every
#: message; the public site (/site/) offers all of LANGUAGES.
STAFF_LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
#: Pages under these paths offer every language of LANGUAGES.
OPENMIL_PUBLIC_PATHS = ("/site/",)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Every FileField's content is encrypted on disk (openmil.core.storage).
    "default": {"BACKEND": "openmil.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "openmil@localhost")
OPENMIL_SITE_DOMAIN = os.environ.get("OPENMIL_SITE_DOMAIN", "127.0.0.1:8000")

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "OPENMIL_TASK_BACKEND", "django_tasks_db.DatabaseBackend"
        )
    }
}

# Logs never hold personal data: openmil.core.log strips query strings
# and SQL parameters from every record, and nothing logs request bodies.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "openmil.core.log.PersonalDataFilter"}},
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Federation (openmil.network): how far a payload's timestamp may be from the
# hub's clock, and the first retry delay of the lab's outbox (then doubled).
OPENMIL_NETWORK_WINDOW_SECONDS = int(
    os.environ.get("OPENMIL_NETWORK_WINDOW_SECONDS", "300")
)
OPENMIL_NETWORK_RETRY_BASE_SECONDS = int(
    os.environ.get("OPENMIL_NETWORK_RETRY_BASE_SECONDS", "30")
)

SILENCED_SYSTEM_CHECKS: list[str] = []

# Throttling of public forms (django-ratelimit): counters live in the cache.
# One process keeps them in memory; several processes need a shared cache
# (OPENMIL_CACHE_BACKEND and OPENMIL_CACHE_LOCATION, e.g. Redis).
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "OPENMIL_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": os.environ.get("OPENMIL_CACHE_LOCATION", "openmil"),
    }
}
RATELIMIT_ENABLE = env_bool("OPENMIL_RATELIMIT", True)
