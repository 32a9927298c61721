"""Periods of one product never overlap: an exclusion constraint on PostgreSQL.

SQLite (the embedded default) has no exclusion constraints; there the phase service, which
locks the product and only ever appends a period after the open one, keeps the rule.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE portfolio_phaseperiod ADD CONSTRAINT phaseperiod_no_overlap
    EXCLUDE USING gist (startup_id WITH =, daterange(start, "end", '[)') WITH &&);
"""
DROP = "ALTER TABLE portfolio_phaseperiod DROP CONSTRAINT IF EXISTS phaseperiod_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
