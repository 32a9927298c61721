"""The reminder rules the apps' data migrations seed, for tests that need them again."""

import importlib

from django.apps import apps

RULE_MIGRATIONS = ["committees.migrations.0002_reminder_rules", "calls.migrations.0002_reminder_rules"]


def seed_reminder_rules():
    """Seed the rules as the migrations do (idempotent), in today's model: the migrations' rules
    also name an audience, a field of their historical model that today's no longer has."""
    reminder_rule = apps.get_model("incubator", "ReminderRule")
    for name in RULE_MIGRATIONS:
        for rule in importlib.import_module(name).RULES:
            fields = {field: value for field, value in rule.items() if field != "audience"}
            reminder_rule.objects.update_or_create(kind=rule["kind"], offset_days=rule["offset_days"], defaults=fields)
