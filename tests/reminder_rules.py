"""The rows the apps' data migrations seed, for tests that need them again.

A transactional test ends by emptying every table (``TransactionTestCase``'s flush), the seeded
rows with them: the reminder rules, the standards' current version and the site. The root
``conftest.py`` puts them back after each flush (the flush sends ``post_migrate``), so that every
test starts from the migrated database whichever test ran before it in its process.
"""

import importlib

from django.apps import apps

RULE_MIGRATIONS = [
    "committees.migrations.0002_reminder_rules",
    "calls.migrations.0002_reminder_rules",
    "community.migrations.0002_reminder_rules",
    "community.migrations.0004_suggestion_reminder_rule",
    "standards.migrations.0003_reminder_rule",
]
SITE_MIGRATION = "incubator.migrations.0002_site"
STANDARDS_MIGRATION = "standards.migrations.0002_current_version"


def seed_reminder_rules():
    """Seed the rules as the migrations do (idempotent), in today's model: a migration's rule may
    name a field of its historical model that today's no longer has (the audience)."""
    reminder_rule = apps.get_model("incubator", "ReminderRule")
    known = {field.name for field in reminder_rule._meta.get_fields()}
    for name in RULE_MIGRATIONS:
        for rule in importlib.import_module(name).RULES:
            fields = {field: value for field, value in rule.items() if field in known}
            reminder_rule.objects.update_or_create(kind=rule["kind"], offset_days=rule["offset_days"], defaults=fields)


def seed_migrated_rows():
    """Every row the data migrations seed, as they seed it (each step is idempotent)."""
    importlib.import_module(SITE_MIGRATION).set_site(apps, None)
    seed_reminder_rules()
    importlib.import_module(STANDARDS_MIGRATION).seed(apps, None)
