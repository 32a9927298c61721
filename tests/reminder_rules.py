"""The reminder rules the apps' data migrations seed, for tests that need them again."""

import importlib

from django.apps import apps

RULE_MIGRATIONS = ["committees.migrations.0002_reminder_rules", "calls.migrations.0002_reminder_rules"]


def seed_reminder_rules():
    """Seed the rules as the migrations do (idempotent)."""
    for name in RULE_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)
