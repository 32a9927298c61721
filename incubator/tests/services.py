"""Real services for the tests: PostgreSQL, Redis, Chromium.

On a newcomer's machine a test that needs a missing service is skipped with the reason; when
``REQUIRE_SERVICES=1`` (set by ``.ci/run``) it fails instead, so CI always runs it.
"""

import os
import shutil

import pytest
import redis
from django.conf import settings
from django.db import connection

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def require(available, reason):
    """Skip (or fail, when services are required) unless ``available``."""
    if available:
        return
    if REQUIRED:
        pytest.fail(f"{reason} — REQUIRE_SERVICES=1, so this test must run.")
    pytest.skip(reason)


def redis_url():
    return os.environ.get("TEST_REDIS_URL") or settings.REDIS_URL


def redis_available():
    url = redis_url()
    if not url:
        return False
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False


def require_redis():
    require(redis_available(), "Redis is not reachable (set REDIS_URL)")
    return redis_url()


def require_postgres():
    require(connection.vendor == "postgresql", "the database is not PostgreSQL (set DATABASE_URL)")


def require_chromium():
    require(os.path.exists(CHROMIUM), f"Chromium is not installed at {CHROMIUM}")
    return CHROMIUM
