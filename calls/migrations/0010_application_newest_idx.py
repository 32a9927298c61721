"""The list of applications across calls (``ApplicationQuerySet.newest_first``): a page of 25
read off an index in its order, the latest submitted first, then the drafts. PostgreSQL only:
SQLite (the embedded default) has no ``NULLS LAST`` in an index and no need of one, so this
migration does nothing there, and the index is not in ``Meta.indexes`` (the models' state is the
same on both), as ``incubator/migrations/0008_trigram_search.py`` does."""

from django.db import migrations

CREATE = (
    'CREATE INDEX IF NOT EXISTS "application_newest_idx" '
    'ON "calls_application" ("submitted_at" DESC NULLS LAST, "id" DESC)'
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "application_newest_idx"')


class Migration(migrations.Migration):
    dependencies = [("calls", "0009_application_talent_pool_consent")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
