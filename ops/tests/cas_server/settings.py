"""A real CAS server for the tests (django-mama-cas), a Django project of its own that
ops/tests/test_cas.py starts with gunicorn on loopback. Not part of the platform."""

import os

SECRET_KEY = "cas-test-server-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mama_cas",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "ops.tests.cas_server.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["CAS_SERVER_DB"]}
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
# The platform and this server share 127.0.0.1: cookies do not tell ports apart.
SESSION_COOKIE_NAME = "cas_sessionid"
CSRF_COOKIE_NAME = "cas_csrftoken"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Any service on loopback; single sign-out messages go to it.
MAMA_CAS_SERVICES = [{"SERVICE": r"^http://127\.0\.0\.1:\d+/", "LOGOUT_ALLOW": True}]
MAMA_CAS_FOLLOW_LOGOUT_URL = True
