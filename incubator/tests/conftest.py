"""Fixtures of the core app's tests: a real SMTP server on loopback and a real Celery worker."""

import os
import uuid

import pytest
from django.db import connection

from incubator.tests.mailserver import WorkerProcess, database_url, publishing_to, purge_queue, running_smtp_server
from incubator.tests.services import require_postgres, require_redis


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; script its answers with ``smtp_server.handler.script()``."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp_delivery(settings, smtp_server):
    """The outbox delivers through Django's SMTP backend to ``smtp_server``; returns its handler."""
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server.handler


@pytest.fixture
def celery_worker(_eager_celery, transactional_db, smtp_server, tmp_path):
    """A real Celery worker on PostgreSQL (this test's database) and Redis, mailing ``smtp_server``.

    Rows must be committed for the worker to see them, hence ``transactional_db``. Each test
    gets its own queue, purged on teardown, so no task leaks from one test into the next.
    """
    require_postgres()
    redis_url = require_redis()
    queue = f"outbox-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    worker = WorkerProcess(queue=queue, env=env, log_path=tmp_path / "celery-worker.log")
    with publishing_to(redis_url, queue):
        try:
            worker.start()
            worker.wait_ready()
            yield worker
        finally:
            worker.stop()
            purge_queue(redis_url, queue)
            print(f"--- Celery worker log ---\n{worker.output()}")  # shown when the test fails
