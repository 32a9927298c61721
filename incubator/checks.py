"""System checks for configuration invariants."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_production_services(app_configs, **kwargs):
    errors = []
    if not settings.DEBUG and not settings.REDIS_URL:
        errors.append(
            checks.Warning(
                "REDIS_URL is not set: Celery tasks run in the web process.",
                hint="Set REDIS_URL in production so emails and reminders go through the worker.",
                id="incubator.W001",
            )
        )
    if not settings.DEBUG and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        errors.append(
            checks.Warning(
                "The database is SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database in production.",
                id="incubator.W002",
            )
        )
    if not settings.DEBUG and settings.OUTBOX_DELIVERY_BACKEND.endswith(
        ("console.EmailBackend", "console_email.ConsoleEmailBackend")
    ):
        errors.append(
            checks.Warning(
                "Emails are printed to the console, not sent.",
                hint="Set EMAIL_URL (smtp://user:password@host:587/?tls=True) in production.",
                id="incubator.W003",
            )
        )
    return errors
