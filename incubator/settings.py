"""Settings of the incubator portal: one file, driven by the environment.

Every value has a development default that just works (SQLite, tasks run in-process, emails
to the console). In production (``DEBUG`` false) a missing ``SECRET_KEY`` or ``ALLOWED_HOSTS``
stops start-up with a clear message. See ``.env.example`` for a production environment.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment when DEBUG is off.")

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "incubator.apps.IncubatorConfig",
    "portfolio",
    "committees",
    "calls",
    "community",
    "standards",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's security-key list
    "django.contrib.sites",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "crispy_forms",
    "django_htmx",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "incubator.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "incubator.middleware.SessionTimeoutMiddleware",
    "incubator.middleware.AnonymousPostRateLimitMiddleware",
    "incubator.middleware.PublicAPIRateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "incubator.middleware.MFARequiredMiddleware",
    "incubator.middleware.AuditDenialMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "incubator.urls"
WSGI_APPLICATION = "incubator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "incubator.context_processors.portal",
            ],
        },
    },
]

# Database: a SQLite file unless DATABASE_URL says otherwise (PostgreSQL in production and CI).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a connection lost to a restart is replaced before its next query
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_NO_JIT", default=True):
    # PostgreSQL's JIT compiler costs more than it saves on a web page's short queries: the steering
    # pages' flags query took 44 ms to compile and 7 to run (bench/steering.py, bench/README.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker and the shared cache. Unset: tasks run in-process, cache in memory.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and "pytest" in sys.modules and os.environ.get("PYTEST_XDIST_WORKER"):
    # The test suite runs in parallel (pytest-xdist, `make test`): each worker gets its own Redis
    # db, as pytest-django gives it its own test database, so that one worker's cache.clear()
    # never empties another's cache or queues. gw0 keeps the db given, gw1 the next one. The
    # worker's subprocesses (Celery workers, planners) are handed this URL and import no pytest.
    _url = urlsplit(REDIS_URL)
    _db = int(_url.path.strip("/") or 0) + int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_db}"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a piece of a page stays kept ({% kept %}, incubator/templatetags/kept.py), in seconds. Any
# write replaces what is kept sooner; this bounds the memory the pieces of a quiet portal hold.
KEPT_FRAGMENT_TIMEOUT = env.int("KEPT_FRAGMENT_TIMEOUT", default=15 * 60)

AUTH_USER_MODEL = "incubator.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# 12 characters, 16 for network admins and managers (ANSSI's rule for administrators); neither
# Django's English list of common passwords nor the French one (incubator/data/README.md), even
# with digits or symbols around; no password made of runs (aaaa, 1234, abcd, azerty).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "incubator.passwords.PrivilegedMinimumLengthValidator", "OPTIONS": {"min_length": 16}},
    {"NAME": "incubator.passwords.CommonPasswordValidator"},
    {"NAME": "incubator.passwords.SequenceValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "incubator:my_space"
LOGOUT_REDIRECT_URL = "incubator:home"

SITE_ID = 1

# django-allauth: the email address is the login; verification is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portail des incubateurs] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

ACCOUNT_SIGNUP_FORM_CLASS = "incubator.forms.SignupForm"
# The client address of every rate limit (incubator.security.client_ip): X-Forwarded-For as set by
# this many proxies of ours, counted from the right; 0: REMOTE_ADDR, the header is ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_RATE_LIMITS = {
    # Failed logins per IP and per (IP, email); a lock after repeated failures.
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    # Ours (incubator.middleware.AnonymousPostRateLimitMiddleware): POSTs by anonymous visitors.
    "anonymous_post": env.str("RATE_LIMIT_ANONYMOUS_POST", default="30/m/ip"),
}
# The open data (portfolio.opendata): requests per client address (incubator.middleware.
# PublicAPIRateLimitMiddleware; "" for no limit), and how long browsers and proxies may keep it.
OPEN_DATA_RATE_LIMIT = env.str("RATE_LIMIT_OPEN_DATA", default="60/m")
OPEN_DATA_MAX_AGE = env.int("OPEN_DATA_MAX_AGE", default=300)

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with recovery codes, or a
# security key (WebAuthn). Mandatory for network admins and managers (incubator.security.is_privileged):
# until enrolled they reach only the enrolment pages (incubator.middleware.MFARequiredMiddleware).
MFA_ADAPTER = "incubator.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Portail des incubateurs")
MFA_PASSKEY_LOGIN_ENABLED = False  # a key is a second factor, never the only one
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # http://127.0.0.1 in development only

# ProConnect (OpenID Connect, the State's identity federation) through allauth's OpenID Connect
# provider: on only when the three variables are set (incubator.proconnect, README "ProConnect").
PROCONNECT_SERVER_URL = env.str("PROCONNECT_SERVER_URL", default="").rstrip("/")
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")
PROCONNECT_ENABLED = bool(PROCONNECT_SERVER_URL and PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET)
ACCOUNT_ADAPTER = "incubator.proconnect.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "incubator.proconnect.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "incubator.proconnect.provider.ProConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "proconnect",
                "name": "ProConnect",
                "client_id": PROCONNECT_CLIENT_ID,
                "secret": PROCONNECT_CLIENT_SECRET,
                "settings": {
                    "server_url": PROCONNECT_SERVER_URL,
                    "scope": ["openid", "email", "given_name", "usual_name"],
                    "token_auth_method": "client_secret_post",
                    "email_verified": True,  # no such claim: its identity providers verify the address
                },
            }
        ]
        if PROCONNECT_ENABLED
        else [],
    }
}
# An account is linked by its verified email address (ProConnect's addresses are verified by the
# identity providers it federates): an existing account signs in, no duplicate is created.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False

# Sessions. Remembered ("Remember me" at login): SESSION_COOKIE_AGE (Django's, 14 days). Not
# remembered: the cookie ends with the browser and the server ends the session after
# SESSION_BROWSER_MAX_AGE. Network admins and managers: SESSION_PRIVILEGED_MAX_AGE at most, and
# SESSION_PRIVILEGED_IDLE_TIMEOUT without a request (incubator.middleware.SessionTimeoutMiddleware).
SESSION_BROWSER_MAX_AGE = env.int("SESSION_BROWSER_MAX_AGE", default=24 * 3600)
SESSION_PRIVILEGED_MAX_AGE = env.int("SESSION_PRIVILEGED_MAX_AGE", default=12 * 3600)
SESSION_PRIVILEGED_IDLE_TIMEOUT = env.int("SESSION_PRIVILEGED_IDLE_TIMEOUT", default=2 * 3600)

# The audit log (incubator.audit): kept this many days (CNIL: 6 months to a year), then purged.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# Retention (incubator.retention): sent emails' recipients and bodies; applications a call did not keep.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=365)
APPLICATION_RETENTION_DAYS = env.int("APPLICATION_RETENTION_DAYS", default=90)
# ... or, with the applicant's recorded consent (the talent pool), this long after the call closes.
TALENT_POOL_RETENTION_DAYS = env.int("TALENT_POOL_RETENTION_DAYS", default=730)
# The privacy page's controller and data protection officer.
PRIVACY_CONTROLLER = env.str("PRIVACY_CONTROLLER", default="Réseau des incubateurs de services publics")
PRIVACY_DPO_EMAIL = env.str("PRIVACY_DPO_EMAIL", default="dpd@example.gouv.fr")

# Internationalisation: French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [env.path("LOCALE_DIR", default=BASE_DIR / "locale")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files and uploads.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Forms: DSFR template pack for crispy-forms, kept in templates/dsfr_crispy/.
CRISPY_ALLOWED_TEMPLATE_PACKS = ("dsfr_crispy",)
CRISPY_TEMPLATE_PACK = "dsfr_crispy"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Email. Django's EMAIL_BACKEND is the outbox: every message becomes a row that a Celery task
# delivers with OUTBOX_DELIVERY_BACKEND (from EMAIL_URL: console by default, smtp://... in prod).
_delivery = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = "incubator.mail.OutboxEmailBackend"
OUTBOX_DELIVERY_BACKEND = _delivery["EMAIL_BACKEND"]
if OUTBOX_DELIVERY_BACKEND == "django.core.mail.backends.console.EmailBackend":
    OUTBOX_DELIVERY_BACKEND = "incubator.console_email.ConsoleEmailBackend"  # decoded subject, text body
EMAIL_HOST = _delivery.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _delivery.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _delivery.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _delivery.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _delivery.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _delivery.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Portail des incubateurs <ne-pas-repondre@incubateurs.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_STUCK_AFTER_SECONDS = env.int("OUTBOX_STUCK_AFTER_SECONDS", default=15 * 60)

# Celery: JSON only, late acknowledgement, one task prefetched at a time, time limits.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "reminders-plan": {
        "task": "incubator.plan_reminders",
        "schedule": 300.0,  # every 5 minutes, an interval in UTC (never a local-time crontab)
    },
    "outbox-requeue-stuck": {
        "task": "incubator.requeue_outbox",
        "schedule": 300.0,  # every 5 minutes, an interval in UTC
    },
    "audit-purge": {
        "task": "incubator.purge_audit_events",
        "schedule": 24 * 3600.0,  # daily; without Celery beat: `python manage.py purge_audit_events --apply`
    },
    "personal-data-purge": {
        "task": "incubator.purge_expired_personal_data",
        "schedule": 24 * 3600.0,  # daily; without Celery beat: `python manage.py purge_personal_data --apply`
    },
    "sessions-clear-expired": {
        "task": "incubator.clear_expired_sessions",
        "schedule": 3600.0,  # hourly; without Celery beat: `python manage.py clearsessions` from cron
    },
}

# Security. Production values are on whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# "__Host-": the browser keeps these cookies only if Secure, on Path=/ and without Domain, so no
# other host (a sibling subdomain) can set or shadow them. Needs HTTPS, hence production only.
if not DEBUG:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Browser features no page uses (incubator.middleware.SecurityHeadersMiddleware, every response).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
        "interest-cohort",  # its predecessor, for the browsers that still know it
    )
)

# Content-Security-Policy (django-csp): no inline script or style, no third party.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Demo accounts print their password in the terminal only in development.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")
