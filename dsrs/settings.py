"""DSRS settings.

Everything comes from the environment (django-environ). Without any environment the project runs on
its embedded default: SQLite, the `local` event transport, the SQL analytics store and an in-process
Celery broker. `DSRS_PROFILE=production` switches to the production profile, which refuses to start
without its servers being named (Postgres, Kafka, MongoDB, Redis) and a real secret key.
"""

from datetime import timedelta
from pathlib import Path

import environ

from dsrs import connection_security as _tls
from dsrs import signing_keys
from dsrs.observability import LOG_FORMATTERS

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PROFILE = env.str("DSRS_PROFILE", default="dev")
if PROFILE not in {"dev", "production"}:
    raise environ.ImproperlyConfigured(f"DSRS_PROFILE must be 'dev' or 'production', not {PROFILE!r}")
IS_PRODUCTION = PROFILE == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
if IS_PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "dsrs.events",
    "dsrs.audit",
    "registry",
    "eligibility",
    "payment",
    "analytics",
    "identity",
    "dsrs.benchmarks",
]

MIDDLEWARE = [
    "dsrs.observability.CorrelationIdMiddleware",  # first: every response, redirects included, logged with its id
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Inside the correlation id, outside everything that may answer: API answers are no-store, API errors JSON.
    "dsrs.api_responses.ApiResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The caller's address: X-Forwarded-For is believed only as far as this many proxies (the ingress,
# a load balancer) in front of the web pods append to it; 0 = the socket's address, the header ignored.
# DRF's throttles read it as NUM_PROXIES; the login lockout and the audit trail through
# dsrs.access.client_address, the same rule. deploy/README.md, "Ingress".
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Login lockout (django-axes), counted two ways (identity.lockout.LockoutHandler): this many failures
# for one username from one address lock that pair (by username alone, anyone could lock a caseworker
# out on purpose), and LOGIN_SOURCE_FAILURE_LIMIT failures from one address, whatever the usernames,
# lock that address (password spraying). A success clears only its own pair.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_SOURCE_FAILURE_LIMIT = env.int("LOGIN_SOURCE_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # this order: LockoutHandler reads it so
AXES_HANDLER = "identity.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "dsrs.access.client_address"
AXES_USERNAME_CALLABLE = "identity.lockout.bounded_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "identity.lockout.locked_out_response"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

ROOT_URLCONF = "dsrs.urls"
WSGI_APPLICATION = "dsrs.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
if IS_PRODUCTION:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs the web server, relay and consumers as separate processes on one
    # SQLite file: WAL lets readers work while one writer commits, and the timeout makes writers queue
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
         "transaction_mode": "IMMEDIATE"}
    )
    # A file, not memory, so that the crash tests' subprocesses share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    # TLS to PostgreSQL: `?sslmode=verify-full&sslrootcert=/etc/dsrs/tls/ca.crt` on DATABASE_URL (django-environ
    # hands unknown query parameters to the driver), or these variables, which win over the URL's.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        option: value for option, value in {
            "sslmode": env.str("DATABASE_SSLMODE", default=""),
            "sslrootcert": env.str("DATABASE_SSLROOTCERT", default=""),
            "sslcert": env.str("DATABASE_SSLCERT", default=""),
            "sslkey": env.str("DATABASE_SSLKEY", default=""),
        }.items() if value
    })
# The API's hottest queries (the caller, a household with its members) are compiled by the ORM once per
# connection and sent with new values (dsrs.prepared), as prepared statements unless turned off (a
# pgbouncer before 1.21 in transaction mode). PostgreSQL only; elsewhere they run through the ORM.
DATABASE_COMPILED_QUERIES = env.bool("DATABASE_COMPILED_QUERIES", default=True)
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Manila"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- REST API ---------------------------------------------------------------------------------------


def throttle_rate(name: str, default: str) -> str | None:
    """A DRF throttle rate from the environment, e.g. `1200/minute`; `none` turns that throttle off
    (DRF's rate None: the throttle allows every request without reading or writing the cache)."""
    rate = env.str(name, default=default).strip()
    return None if rate.lower() == "none" else rate


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "identity.authentication.JWTAuthentication",  # simplejwt's, reading the caller in one query
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "dsrs.api.DefaultPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "dsrs.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "dsrs.schema.AutoSchema",
    # JSON only (bounded in size and depth): a form or multipart body answers 415, never a 400 echoing it.
    "DEFAULT_PARSER_CLASSES": ["dsrs.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "dsrs.negotiation.ContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": throttle_rate("THROTTLE_ANON", "60/minute"),
        "user": throttle_rate("THROTTLE_USER", "1200/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if IS_PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
}

# The largest request body the API reads; a larger one answers 413 before it is parsed.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

if IS_PRODUCTION:
    JWT_PRIVATE_KEY = env.str("JWT_PRIVATE_KEY", multiline=True)
else:
    JWT_PRIVATE_KEY = env.str("JWT_PRIVATE_KEY", multiline=True, default="") or signing_keys.dev_private_key(
        BASE_DIR / ".keys" / "jwt-dev.pem")
JWT_PUBLIC_KEY = signing_keys.public_key_of(JWT_PRIVATE_KEY)

SPECTACULAR_SETTINGS = {
    "TITLE": "DSRS API",
    "DESCRIPTION": "Dynamic Social Registry System: households, eligibility, payments and live figures "
                   "for partner agencies and staff. Authenticate with a Bearer token from /api/v1/auth/token.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs load their JavaScript and CSS from this server, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "dsrs.schema.openapi_links"],
    "ENUM_NAME_OVERRIDES": {
        "HouseholdStatusEnum": "registry.models.Household.Status",
        "PaymentStatusEnum": "payment.models.Payment.Status",
        "DecisionEnum": "eligibility.models.Assessment.Decision",
    },
}

SIMPLE_JWT = {
    "ALGORITHM": "RS256",
    "SIGNING_KEY": JWT_PRIVATE_KEY,
    "VERIFYING_KEY": JWT_PUBLIC_KEY,
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(hours=env.int("JWT_REFRESH_HOURS", default=12)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ISSUER": env.str("JWT_ISSUER", default="dsrs"),
    "AUDIENCE": env.str("JWT_AUDIENCE", default="dsrs-api"),
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# Access tokens whose signature was verified, remembered per process by their hash (identity.authentication):
# how many; 0 verifies the signature on every request. Expiry and the caller are checked every time.
JWT_VERIFIED_CACHE_SIZE = env.int("JWT_VERIFIED_CACHE_SIZE", default=4096)

# Throttling and lockout count in the cache: shared through Redis in production, per process otherwise.
if IS_PRODUCTION:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env.str("REDIS_URL")}}

# Personal data at rest: django-fernet-encrypted-fields derives its keys from SECRET_KEY (and
# SECRET_KEY_FALLBACKS, for rotation) with these salts; the first salt encrypts, every one decrypts.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
SALT_KEY = env.list("FIELD_ENCRYPTION_SALTS", default=["dsrs-personal-data-v1"])
# Exact lookups of encrypted values go through a keyed hash (a blind index) under a key of its own.
if IS_PRODUCTION:
    BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY")
else:
    BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="dev-only-blind-index-key")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Events -----------------------------------------------------------------------------------------
EVENTS_TRANSPORT = env.str("EVENTS_TRANSPORT", default="kafka" if IS_PRODUCTION else "local")
EVENTS_SOURCE = env.str("EVENTS_SOURCE", default="dsrs")
EVENTS_TOPIC_PREFIX = env.str("EVENTS_TOPIC_PREFIX", default="")
EVENTS_GROUP_PREFIX = env.str("EVENTS_GROUP_PREFIX", default="")
EVENTS_KAFKA_BOOTSTRAP_SERVERS = (
    env.str("KAFKA_BOOTSTRAP_SERVERS") if IS_PRODUCTION else env.str("KAFKA_BOOTSTRAP_SERVERS", default="127.0.0.1:9092")
)
# Secured connections to the brokers (librdkafka's names): TLS with SASL SCRAM-SHA-512 is
# KAFKA_SECURITY_PROTOCOL=SASL_SSL with a username, a password and the CA that signed the brokers'
# certificates. Every client (producer, consumers, admin) is built from this dict.
EVENTS_KAFKA_SECURITY = _tls.kafka_client_config(env)
EVENTS_KAFKA_TOPIC_PARTITIONS = env.int("KAFKA_TOPIC_PARTITIONS", default=6)
EVENTS_KAFKA_REPLICATION_FACTOR = env.int("KAFKA_REPLICATION_FACTOR", default=3 if IS_PRODUCTION else 1)
# retention.ms of the event topics the project creates (not their .dlq): -1 keeps every event, so that
# `manage.py analytics_rebuild` can re-read the log from its first event (docs/analytics.md).
EVENTS_KAFKA_TOPIC_RETENTION_MS = env.int("KAFKA_TOPIC_RETENTION_MS", default=-1)
# How long the relay waits for the broker to acknowledge a batch before leaving it for the next run.
EVENTS_KAFKA_DELIVERY_TIMEOUT_SECONDS = env.float("KAFKA_DELIVERY_TIMEOUT_SECONDS", default=15.0)
# How soon a consumer learns of a subscribed topic, or of partitions, created after it subscribed.
EVENTS_KAFKA_METADATA_REFRESH_MS = env.int("KAFKA_METADATA_REFRESH_MS", default=5000)
EVENTS_RELAY_BATCH_SIZE = env.int("EVENTS_RELAY_BATCH_SIZE", default=3000)
# The relay claims fewer rows than EVENTS_RELAY_BATCH_SIZE when its records are large: about this many bytes.
EVENTS_RELAY_BATCH_BYTES = env.int("EVENTS_RELAY_BATCH_BYTES", default=4 * 1024 * 1024)
EVENTS_CONSUMER_BATCH_SIZE = env.int("EVENTS_CONSUMER_BATCH_SIZE", default=500)
EVENTS_MAX_ATTEMPTS = env.int("EVENTS_MAX_ATTEMPTS", default=5)
EVENTS_RETRY_BACKOFF_SECONDS = env.float("EVENTS_RETRY_BACKOFF_SECONDS", default=0.5)
EVENTS_RETRY_BACKOFF_MAX_SECONDS = env.float("EVENTS_RETRY_BACKOFF_MAX_SECONDS", default=30.0)
EVENTS_OUTBOX_RETENTION_SECONDS = env.int("EVENTS_OUTBOX_RETENTION_SECONDS", default=24 * 3600)
EVENTS_PRUNE_BATCH_SIZE = env.int("EVENTS_PRUNE_BATCH_SIZE", default=5000)

# --- Business rules ---------------------------------------------------------------------------------
# The threshold rule of the default program; a household qualifies when both figures are at or below
# these limits (a lower PMT score means poorer).
# Members with the same birth date in the same barangay whose names are at least this alike (0-100,
# rapidfuzz token sort ratio) are queued for a supervisor as probable duplicates.
REGISTRY_DUPLICATE_NAME_SIMILARITY = env.float("REGISTRY_DUPLICATE_NAME_SIMILARITY", default=88.0)
# The duplicate check's bounds (registry/dedup.py): earlier members compared per block (barangay and
# birth date), and review rows a member adds at most (one per match cluster, the closest first).
REGISTRY_DUPLICATE_MAX_CANDIDATES = env.int("REGISTRY_DUPLICATE_MAX_CANDIDATES", default=200)
REGISTRY_DUPLICATE_MAX_FLAGS = env.int("REGISTRY_DUPLICATE_MAX_FLAGS", default=3)

# How long an API write's Idempotency-Key is remembered: a retry within it gets the first answer again.
REGISTRY_IDEMPOTENCY_KEY_HOURS = env.int("REGISTRY_IDEMPOTENCY_KEY_HOURS", default=24)

# Processes a bulk import runs on PostgreSQL (each takes the households of its own barangays).
REGISTRY_IMPORT_WORKERS = env.int("REGISTRY_IMPORT_WORKERS", default=2)
# Processes a rule set's preview runs on PostgreSQL (each evaluates a range of households).
ELIGIBILITY_PREVIEW_WORKERS = env.int("ELIGIBILITY_PREVIEW_WORKERS", default=2)

ELIGIBILITY_PROGRAM_CODE = env.str("ELIGIBILITY_PROGRAM_CODE", default="4PS")
ELIGIBILITY_MAX_PMT_SCORE = env.float("ELIGIBILITY_MAX_PMT_SCORE", default=0.5)
ELIGIBILITY_MAX_MONTHLY_INCOME = env.float("ELIGIBILITY_MAX_MONTHLY_INCOME", default=12000.0)
# Disbursement files (they hold payees' accounts: owner-only permissions) and their manifests.
PAYMENT_FILES_DIR = Path(env.str("PAYMENT_FILES_DIR", default=str(BASE_DIR / "var" / "payment-files")))

# --- Analytics read model ---------------------------------------------------------------------------
# Without MONGODB_URI the read model lives in the SQL database (the embedded default).
ANALYTICS_MONGODB_URI = env.str("MONGODB_URI") if IS_PRODUCTION else env.str("MONGODB_URI", default="")
# TLS to MongoDB: `tls=true&tlsCAFile=...` in MONGODB_URI, or MONGODB_TLS_CA_FILE (which adds both).
ANALYTICS_MONGODB_URI = _tls.mongodb_uri_with_tls(
    ANALYTICS_MONGODB_URI, ca_file=env.str("MONGODB_TLS_CA_FILE", default=""),
    certificate_key_file=env.str("MONGODB_TLS_CERTIFICATE_KEY_FILE", default=""))
ANALYTICS_MONGODB_DB = env.str("MONGODB_DB", default="dsrs_analytics")
# A figure over fewer households than this is withheld from callers who may not see households.
ANALYTICS_MIN_CELL = env.int("ANALYTICS_MIN_CELL", default=10)

# --- Celery -----------------------------------------------------------------------------------------
# The embedded default queues Celery tasks in a SQLite file through kombu's SQLAlchemy transport, so
# beat, worker and web share them without a server. Not kombu's filesystem transport: its worker dies
# on a message file it lists before the sender has written it (kombu#1551, open in kombu 5.7.0).
EMBEDDED_CELERY_DIR = Path(env.str("CELERY_STATE_DIR", default=str(BASE_DIR / ".celery")))
CELERY_BROKER_URL = env.str("REDIS_URL") if IS_PRODUCTION else env.str(
    "CELERY_BROKER_URL", default=f"sqla+sqlite:///{EMBEDDED_CELERY_DIR / 'broker.sqlite3'}")
if CELERY_BROKER_URL.startswith("sqla+sqlite:"):
    EMBEDDED_CELERY_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}  # wait for the other process's write
CELERY_BEAT_SCHEDULE_FILENAME = str(EMBEDDED_CELERY_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULER = "dsrs.celery_probes:ProbedScheduler"  # the default one, noting its ticks for the probe
# The worker's and beat's /healthz/live and /healthz/ready (dsrs.celery_probes); unset, none are served.
CELERY_PROBE_PORT = env.int("CELERY_PROBE_PORT", default=None)
CELERY_PROBE_ADDR = env.str("CELERY_PROBE_ADDR", default="127.0.0.1")
CELERY_PROBE_STALL_SECONDS = env.float("CELERY_PROBE_STALL_SECONDS", default=60.0)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "dsrs.events.tasks.relay_outbox", "schedule": 1.0},
    "prune-outbox": {"task": "dsrs.events.tasks.prune_outbox", "schedule": 60.0},
    "flush-expired-tokens": {"task": "identity.tasks.flush_expired_tokens", "schedule": 3600.0},
    "prune-broker": {"task": "dsrs.celery.prune_broker", "schedule": 600.0},
    "prune-idempotency-keys": {"task": "registry.tasks.prune_idempotency_keys", "schedule": 3600.0},
}
# A relay run that is still going when the next beat fires must not pile up behind it.
CELERY_TASK_ANNOTATIONS = {"dsrs.events.tasks.relay_outbox": {"expires": 2.0}}

# --- Logging ----------------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "dsrs.observability.CorrelationIdFilter"},
                "refusals": {"()": "dsrs.observability.RequestRefusalFilter"}},
    "formatters": LOG_FORMATTERS,
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["correlation"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "kafka": {"level": "WARNING"}, "axes": {"level": "WARNING"},
                # Each request's line is dsrs.request's (dsrs.observability); these would repeat it.
                "django.request": {"filters": ["refusals"]}, "django.server": {"filters": ["refusals"]}},
}

if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
