"""One settings module, read from the environment.

Every value that differs between a laptop and production comes from an environment variable
through the small typed helpers below, which refuse a value they cannot read.
"""

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as e:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from e


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in envstr(name, default).split(",") if part.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """postgres://user:password@host:port/name, or sqlite:///path (relative to BASE_DIR;
    sqlite:////abs/path for an absolute one)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = parsed.path[1:] or "db.sqlite3"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / path,
            # Concurrent writers wait for each other instead of failing with
            # 「database is locked」: write-ahead log, the write lock taken when a transaction
            # begins, and up to 20 s of waiting for it.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": envint("SQLITE_TIMEOUT_SECONDS", 20),
            },
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": unquote(parsed.hostname or ""),
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", 60),
        }
    raise ImproperlyConfigured(f"DATABASE_URL has an unknown scheme: {parsed.scheme!r}")


DEBUG = envbool("DEBUG", False)
# The test runner and the type checker load these settings but serve nobody.
TOOLING = "pytest" in sys.modules or "mypy" in sys.modules
# The committed key is for a laptop only: `check --deploy` flags it (security.W009), and a
# production process (DEBUG false) refuses to start without a key of its own.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-8f3a"
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TOOLING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG false) needs a long random SECRET_KEY "
            "in the environment; the development key is used only with DEBUG=true."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
# This installation's id in upward packages; empty means derived (one-way) from SECRET_KEY.
INSTALLATION_ID = envstr("INSTALLATION_ID", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = envstr("SITE_NAME", "党建工作平台")
# Behind a reverse proxy: the proxies' addresses or networks whose client-address header is
# believed (audit.context.client_address); from anyone else the header is ignored.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
CLIENT_ADDRESS_HEADER = envstr("CLIENT_ADDRESS_HEADER", "X-Forwarded-For")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "template_partials",
    "treebeard",
    "axes",
    "django_tasks",
    # Before django_tasks_db: ops' db_worker runs the start-up hooks, then the worker.
    "ops",
    "django_tasks_db",
    "access",
    "audit",
    "orgs",
    "members",
    "uploads",
    "campaigns",
    "rosters",
    "duty",
    "meetings",
    "talks",
    "development",
    "study",
    "rolemodels",
    "notices",
    "reports",
    "escalations",
    "gates",
    "carefund",
    "honours",
    "ledger",
    "assessment",
    "showcase",
    "dashboard",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "access.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.dberrors.DatabaseRefusalMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "home.views.csrf_failure"  # a Chinese page, not Django's English one
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "access.context_processors.nav",
                "notices.context_processors.unread",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(envstr("DATABASE_URL", "sqlite:///db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, refusing passwords when PASSWORD_LOGIN says so (see "Operations" below).
    "ops.auth.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "access.passwords.MinimumLengthValidator",  # its message in Chinese
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: after AXES_FAILURE_LIMIT failures a username is locked whatever address the
# attempts came from; after AXES_ADDRESS_FAILURE_LIMIT failures an address is throttled
# whatever usernames it tried (higher: a campus NAT puts many people behind one address).
AXES_FAILURE_LIMIT = "config.lockout.failure_limit"
AXES_USERNAME_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The address is the client's, read through TRUSTED_PROXIES as the audit log reads it.
AXES_CLIENT_IP_CALLABLE = "audit.context.client_address"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号或本机地址已被暂时锁定，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号或本机地址已被锁定，请联系组织部。"
AXES_LOCKOUT_TEMPLATE = "access/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
# The one language: a browser asking for English still gets Django's messages in Chinese.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Background work (roster solving, reminders): django-tasks with the database backend;
# `manage.py db_worker` runs it. TASKS_IMMEDIATE=true runs tasks in the request (tests).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if envbool("TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}


# 情况报告 / 请示: seconds an org has to acknowledge before it rises, per urgency
# (ESCALATION_LIMITS="critical=1800,urgent=7200,normal=86400"), and the fever threshold in ℃.
def escalation_limits(value: str) -> dict[str, int]:
    limits: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        key, _, seconds = part.partition("=")
        if key.strip() not in ("critical", "urgent", "normal") or not seconds.strip().isdigit():
            raise ImproperlyConfigured(
                f"ESCALATION_LIMITS: each part is critical|urgent|normal=<seconds>, not {part!r}"
            )
        limits[key.strip()] = int(seconds)
    return limits


ESCALATION_LIMITS = escalation_limits(envstr("ESCALATION_LIMITS", ""))
# A temperature at or above this (℃) is a fever, in a report or at a gate.
FEVER_THRESHOLD = envstr("FEVER_THRESHOLD", "37.3")
try:
    if not 35 <= float(FEVER_THRESHOLD) <= 42:
        raise ValueError
except ValueError as e:
    raise ImproperlyConfigured(
        f"FEVER_THRESHOLD must be a number between 35 and 42, not {FEVER_THRESHOLD!r}"
    ) from e
# Run by `manage.py db_worker` (ops) before its first task: the heartbeat /healthz reads, and
# what fell due while no worker ran (notices to deliver; situation reports past their limit,
# then a sweep every few minutes).
TASKS_ON_WORKER_START = [
    "ops.heartbeat.start_heartbeat",
    "notices.tasks.sweep",
    "escalations.tasks.sweep_soon",
]
# The site's address for links in e-mails and robot messages ("" = paths only).
SITE_URL = envstr("SITE_URL", "")

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "zzb@example.edu.cn")

# Production hardening: on unless DEBUG, so `check --deploy` passes with production values.
# HTTPS_ONLY=false serves plain HTTP (a loopback demo); the test runner's client and live
# server speak plain HTTP too.
HTTPS_ONLY = envbool("HTTPS_ONLY", not (DEBUG or TOOLING))
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
# Django's database sessions, loaded with a fixed SELECT (config/sessions.py, ADR 0014).
SESSION_ENGINE = "config.sessions"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}


# --- Operations (issue 13): CAS single sign-on, object storage, backups ----------------------

# CAS sign-in (django-cas-ng) is on when CAS_SERVER_URL is set ("https://cas.example.edu.cn/cas/").
# The CAS user name is the 学工号: it signs in the login that belongs to the member with that
# number (or a login of that user name); nobody else gets in and no account is created.
CAS_SERVER_URL = envstr("CAS_SERVER_URL", "") or None
CAS_ENABLED = CAS_SERVER_URL is not None
CAS_VERSION = envstr("CAS_VERSION", "3")
CAS_CREATE_USER = False
CAS_LOGOUT_COMPLETELY = True  # signing out here ends the CAS session too
CAS_REDIRECT_URL = "/"
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
CAS_CHECK_NEXT = True
CAS_VERIFY_SSL_CERTIFICATE = envbool("CAS_VERIFY_SSL_CERTIFICATE", True)
# This site's address as the CAS server sees it, behind a proxy ("https://dangjian.example.edu.cn").
CAS_ROOT_PROXIED_AS = envstr("CAS_ROOT_PROXIED_AS", "") or None
# Who may still sign in with a password: "all" (the default, and always without CAS),
# "admins" (superusers only, a way in when CAS is down) or "none" (CAS is required).
PASSWORD_LOGIN = envstr("PASSWORD_LOGIN", "all")
if PASSWORD_LOGIN not in ("all", "admins", "none"):
    raise ImproperlyConfigured(
        f"PASSWORD_LOGIN must be all, admins or none, not {PASSWORD_LOGIN!r}"
    )
INSTALLED_APPS.append("django_cas_ng")  # its session ↔ ticket table, for single sign-out
TEMPLATES[0]["OPTIONS"]["context_processors"].append("ops.context_processors.sign_in")  # type: ignore[index]
if CAS_ENABLED:
    AUTHENTICATION_BACKENDS.append("ops.cas.MemberCASBackend")
    if PASSWORD_LOGIN == "none":
        LOGIN_URL = "cas_ng_login"  # straight to the CAS server

# Uploaded files: local disk (MEDIA_ROOT) unless S3_BUCKET names a bucket on S3-compatible
# storage (MinIO, Ceph, a cloud's object storage), which every app node then shares.
S3_BUCKET = envstr("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": envstr("S3_ENDPOINT_URL", "") or None,
                "region_name": envstr("S3_REGION", "") or None,
                "access_key": envstr("S3_ACCESS_KEY_ID", "") or None,
                "secret_key": envstr("S3_SECRET_ACCESS_KEY", "") or None,
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 3600,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

# Stored files are sent by nginx (X-Accel-Redirect to SENDFILE_PREFIX + name, an internal
# location: deploy/nginx-dangjian.conf) once the view has checked access; empty: by Django.
# On S3 a download is a redirect to a signed URL valid for 5 minutes.
SENDFILE_PREFIX = envstr("SENDFILE_PREFIX", "")

# Backups (`manage.py backup` / `restore`, pg_dump custom format plus the uploaded files):
# where they go and how many nightly backups are kept.
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(BASE_DIR / "backups")))
BACKUP_KEEP = envint("BACKUP_KEEP", 14)
# /healthz calls the worker dead when its last heartbeat is older than this.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = envint("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 120)
