"""Settings for the magazine, driven by the environment (see .env.example)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The magazine itself.
MAGAZINE_NAME = env.str("MAGAZINE_NAME", default="Cyrus Magazine")
MAGAZINE_TAGLINE = env.str(
    "MAGAZINE_TAGLINE", default="Independent journalism on technology, science and culture"
)
MAGAZINE_WORDS_PER_MINUTE = env.int("MAGAZINE_WORDS_PER_MINUTE", default=230)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_prose_editor",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "magazine.middleware.SecurityHeadersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "magazine.middleware.AdminStylePolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "magazine.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached pages for anonymous readers are answered here, before sessions and auth.
    "articles.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "magazine.urls"
WSGI_APPLICATION = "magazine.wsgi.application"

# Readers' pages are Jinja2 (templates/jinja2/, articles/templating.py): it renders several times
# faster than Django's template language. The admin and its forms keep Django's templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "articles.templating.environment",
            "context_processors": ["articles.context_processors.magazine"],
            # Templates are compiled once per process and never looked at again.
            "auto_reload": DEBUG,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "articles.context_processors.magazine",
            ],
        },
    },
]

if "DATABASE_URL" not in env.ENVIRON:
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before reuse: a restarted server is survived. The
    # check (a round trip) is skipped for a connection used less than HEALTH_CHECK_IDLE
    # seconds ago (magazine/postgresql/base.py); 0 checks before every request.
    DATABASES["default"]["ENGINE"] = "magazine.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["HEALTH_CHECK_IDLE"] = env.float("DATABASE_HEALTH_CHECK_IDLE", default=1.0)
    # Server-side prepared statements: a query a connection has run 5 times is planned
    # once and then only executed (an article page's query: 0.8 ms -> 0.2 ms). Turn off
    # behind a pooler that cannot keep them (PgBouncer in transaction mode).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
    _settings = []
    # The planner's price of a random page read. PostgreSQL's default (4) assumes spinning
    # disks; on SSDs or with the archive in memory, 1.1 is the usual setting, and it lets
    # the planner pick index lookups for the small per-article subqueries (a section
    # page's query: 0.35 -> 0.18 ms).
    if _page_cost := env.str("DATABASE_RANDOM_PAGE_COST", default="1.1"):
        _settings.append(f"-c random_page_cost={float(_page_cost)}")
    # A prepared statement is planned once: left to choose, PostgreSQL planned the author
    # page's query again on every run (0.9 ms each) although its one generic plan is as
    # good. Statements that should be planned for their values are not prepared
    # (search: models/prepared.py, server_prepared=False).
    if _plan_mode := env.str("DATABASE_PLAN_CACHE_MODE", default="force_generic_plan"):
        if _plan_mode not in {"auto", "force_generic_plan", "force_custom_plan"}:
            raise ImproperlyConfigured(f"DATABASE_PLAN_CACHE_MODE: unknown mode {_plan_mode!r}")
        _settings.append(f"-c plan_cache_mode={_plan_mode}")
    # Set on each connection, not the server.
    if _settings:
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = " ".join(filter(None, [_options.get("options"), *_settings]))
    INSTALLED_APPS.append("django.contrib.postgres")
else:
    # SQLite builds the covering indexes without their INCLUDE columns (a plain index on
    # the same keys), which is all it can use; PostgreSQL is where the archive is large.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "magazine.cache.RedisCache"

# Whole pages for anonymous readers (articles/caching.py): kept this long in the cache,
# invalidated by tags as soon as what they show changes.
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600)
# What browsers and CDNs are told (Cache-Control): max-age, s-maxage, stale-while-revalidate.
PAGE_BROWSER_SECONDS = env.int("PAGE_BROWSER_SECONDS", default=60)
PAGE_CDN_SECONDS = env.int("PAGE_CDN_SECONDS", default=300)
PAGE_STALE_SECONDS = env.int("PAGE_STALE_SECONDS", default=60)
# Dotted path of a function called with the site paths to purge from a CDN when an
# article changes, e.g. "myproject.cdn.purge" (see README). Empty: no CDN.
CDN_PURGE_FUNCTION = env.str("CDN_PURGE_FUNCTION", default="")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Let Django serve uploaded media itself (development, tests, a small single server).
# Larger sites serve media from object storage or the web server instead.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# Only the benchmark (bench/run.py) turns this on: a bare "hello" view at /bench/hello/.
BENCH_HELLO = env.bool("BENCH_HELLO", default=False)

# Uploaded media: the local file system by default; an S3-compatible object store when
# MEDIA_S3_BUCKET is set, so that several app servers share the same files.
if env.str("MEDIA_S3_BUCKET", default=""):
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("MEDIA_S3_BUCKET"),
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "custom_domain": env.str("MEDIA_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env.str("MEDIA_S3_PREFIX", default=""),
            "default_acl": None,
            "querystring_auth": env.bool("MEDIA_S3_SIGNED_URLS", default=False),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "magazine.storage.MediaStorage"}

STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Images editors and imports may bring in (bytes, and pixels: a decompression bomb guard).
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=25 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=50_000_000)

# Largest upload kept in memory before it spills to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work (image renditions). The immediate backend runs a task right after the
# transaction that queued it commits; set TASKS_BACKEND to a worker-backed backend
# (e.g. django-tasks-db's DatabaseBackend) to move it out of the editor's request.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Security. Production sits behind a TLS proxy that sets X-Forwarded-Proto (see README).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Editors' sessions end after 8 hours, or when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)
# Failed admin sign-ins: this many per account or per address in the window locks them.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCK_SECONDS = env.int("LOGIN_LOCK_SECONDS", default=15 * 60)

_MEDIA_ORIGIN = (
    [f"https://{env.str('MEDIA_S3_CUSTOM_DOMAIN')}"]
    if env.str("MEDIA_S3_CUSTOM_DOMAIN", default="")
    else [env.str("MEDIA_S3_ENDPOINT_URL")]
    if env.str("MEDIA_S3_ENDPOINT_URL", default="")
    else []
)
# An enforced policy on every response: scripts only from this site (or with the
# request's nonce), no eval, no plugins, no framing, no <base>.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *_MEDIA_ORIGIN],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF, *_MEDIA_ORIGIN],
    "object-src": [CSP.NONE],
    "frame-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
