"""Admin searches of the applications (the problem, the administration) through trigram indexes,
on PostgreSQL only (see ``incubator/migrations/0008_trigram_search.py``, which creates the
extension and indexes the applicants' names and addresses)."""

from importlib import import_module

from django.db import migrations

core = import_module("incubator.migrations.0008_trigram_search")

INDEXES = [
    ("application_problem_trgm", "calls_application", "problem"),
    ("application_administration_trgm", "calls_application", "administration"),
]


class Migration(migrations.Migration):
    dependencies = [("incubator", "0008_trigram_search"), ("calls", "0006_call_guide")]

    operations = [core.trigram_indexes(INDEXES)]
