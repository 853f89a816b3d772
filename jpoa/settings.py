"""jpoa's one settings module, driven by environment variables.

Every setting a deployer may change is read from the environment here and
listed in the README's "Configuration" table. The defaults let `make run`
work on a fresh machine with nothing set: SQLite in ``$JPOA_DATA_DIR``
(``./var``), a secret key generated once and kept there, DEBUG off.
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_secret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd style)."""
    if os.environ.get(f"{name}_FILE"):
        return Path(os.environ[f"{name}_FILE"]).read_text().strip()
    return os.environ.get(name) or None


# Where SQLite, uploads and backups live.
DATA_DIR = Path(os.environ.get("JPOA_DATA_DIR") or Path.cwd() / "var").resolve()
MEDIA_ROOT = DATA_DIR / "media"
# Downloads of published editions, each written once (`jpoa.exchange.downloads`); safe to delete.
DOWNLOADS_DIR = DATA_DIR / "downloads"
REPORTS_DIR = DATA_DIR / "reports"  # donor reports asked for on the web (jpoa.analysis.tasks)
BACKUP_DIR = DATA_DIR / "backups"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    key = env_secret("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        pass
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key
    except OSError:
        # A read-only data dir is reported clearly by the command line (jpoa.cli);
        # settings must still import so that the message can be printed.
        return "unwritable-data-dir-" + secrets.token_urlsafe(40)


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "jpoa.accounts.admin_site.BackOfficeConfig",  # django.contrib.admin, for coordinators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "jpoa.core",
    "jpoa.accounts",
    "jpoa.plan",
    "jpoa.events",
    "jpoa.matrix",
    "jpoa.library",
    "jpoa.rounds",
    "jpoa.exchange",
    "jpoa.api",
    "jpoa.public",
    "jpoa.sitebuild",
    "jpoa.analysis",
    "jpoa.search",
    "jpoa.bench",
    "jpoa.demo",
    "jpoa.ops",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "jpoa.lib.busy.BusyDatabaseMiddleware",  # a write that waited too long: 503, not 500
    "jpoa.lib.client.ClientAddressMiddleware",  # the real client behind trusted proxies
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jpoa.accounts.middleware.SecondFactorMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "jpoa.urls"
WSGI_APPLICATION = "jpoa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # `{% url %}` with its addresses kept once reversed (issue #20).
            "builtins": ["jpoa.lib.urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jpoa.public.context_processors.site",
                "jpoa.sitebuild.context_processors.static_site",
            ],
        },
    },
]

# Database: SQLite in the data dir unless DATABASE_URL names another (PostgreSQL in production).
SQLITE_PATH = DATA_DIR / "jpoa.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL") or ""
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # Kept open between requests, as PostgreSQL's: opening one (and its pragmas)
            # was a third of the time of a page served from the page cache (issue #20).
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the
                # write lock at BEGIN, so concurrent writers queue (busy timeout)
                # instead of failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("JPOA_SQLITE_BUSY_SECONDS", 20),
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;"
                ),
            },
        }
    }

# The page cache (`jpoa.lib.pagecache`), shared by the server's worker
# processes through files in the data directory: a page is built once for all of them,
# not once in each, and kept out of their memory. Keys carry the time the public data
# last changed, so a cached page is never stale.
MATRIX_PAGE_CACHE_SECONDS = env_int("JPOA_PAGE_CACHE_SECONDS", 60 * 60)  # 0: no page cache
# Each server process keeps the editions asked for as arrays and answers the matrix from
# them (jpoa.matrix.columnar); off, every answer is SQL over the edition's facts.
MATRIX_COLUMNAR = env_bool("JPOA_MATRIX_COLUMNAR", True)
CACHES = {
    "default": {
        "BACKEND": "jpoa.lib.filecache.FileCache",  # Django's, culled less often
        "LOCATION": DATA_DIR / "cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Links typed without a scheme mean https (Django 6's default; transitional in 5.2).
FORMS_URLFIELD_ASSUME_HTTPS = True

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English and Russian, interface and content; the language is in the URL.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
# One date format per language everywhere a date is written for people (jpoa/formats).
FORMAT_MODULE_PATH = "jpoa.formats"
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "ru")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("JPOA_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "accounts:login"

# Long work started from the web (checking and writing imports, publishing an edition) is
# a task kept in the database and run by `jpoa worker` (which `jpoa serve` starts beside
# the web server), so it survives a restart of either; its page shows how far it got.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LOGIN_REDIRECT_URL = "rounds:index"

# Uploads are untrusted: keep them small in memory and bounded in size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The database, uploads, imports and backups are the programme's, not every local user's:
# whatever the shell's umask (often 022), what jpoa writes is not readable by others.
os.umask(0o027)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Library files (PDF, DOCX, HTML): the largest upload, the largest a DOCX may unpack to,
# and how much extracted text is kept for search.
LIBRARY_UPLOAD_MAX_BYTES = int(os.environ.get("JPOA_LIBRARY_UPLOAD_MAX_MB") or 25) * 1024 * 1024
LIBRARY_DOCX_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
LIBRARY_PDF_MAX_PAGES = 3_000  # pages of a PDF whose text is read for search
LIBRARY_TEXT_MAX_CHARS = 2_000_000

# Security headers. Behind TLS in production set JPOA_HTTPS=1.
HTTPS = env_bool("JPOA_HTTPS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * env_int("JPOA_SESSION_HOURS", 8)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("JPOA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Refusals (403) and missing pages (404) are logged as one line, without a traceback.
    "filters": {"expected_refusals": {"()": "jpoa.lib.log.ExpectedRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["expected_refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Signing in: django-axes counts failed sign-ins in the database (so every worker
# process sees them) and locks a user name from one address out after too many.
AUTHENTICATION_BACKENDS = [
    "jpoa.accounts.backends.LoginThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
# Proxies in front of jpoa that append the client's address to X-Forwarded-For
# (`jpoa.lib.client`): lockout and rate limits count the address the outermost one saw.
TRUSTED_PROXIES = env_int("JPOA_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "jpoa.lib.client.client_address"
# Requests per minute to the API, by address without a token and by user with one.
API_ANON_RATE = os.environ.get("JPOA_API_ANON_RATE") or "120/min"
API_TOKEN_RATE = os.environ.get("JPOA_API_TOKEN_RATE") or "1200/min"
NINJA_NUM_PROXIES = 0  # REMOTE_ADDR is already the client's (`ClientAddressMiddleware`)
AXES_FAILURE_LIMIT = env_int("JPOA_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("JPOA_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# A second factor (TOTP) for coordinators: optional, or required with this setting.
JPOA_COORDINATOR_2FA = env_bool("JPOA_COORDINATOR_2FA")
OTP_TOTP_ISSUER = "jpoa"

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "jpoa@localhost"
# The site's public address, for the links in e-mails (the rounds' invitations, reminders).
JPOA_SITE_URL = os.environ.get("JPOA_SITE_URL") or "http://localhost:8000"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Content Security Policy: everything from this site only; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
