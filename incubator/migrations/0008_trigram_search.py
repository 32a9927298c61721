"""Admin searches of the users through trigram indexes, on PostgreSQL only.

The admin searches with ``icontains``, which PostgreSQL runs as ``UPPER(column::text) LIKE
UPPER('%term%')``: no B-tree index serves a pattern that starts with ``%``, a trigram index on
the same expression does (the ``pg_trgm`` extension, created here; the database user must be
allowed to). SQLite (the embedded default) has no such index and no need of one: there this
migration does nothing, and the models' state is the same on both (the indexes are not in
``Meta.indexes``). The tables are small enough at the network's volume for a plain CREATE INDEX.
"""

from django.db import migrations

# (index, table, column): also used by the apps' trigram_search migrations.
INDEXES = [
    ("user_email_trgm", "incubator_user", "email"),
    ("user_first_name_trgm", "incubator_user", "first_name"),
    ("user_last_name_trgm", "incubator_user", "last_name"),
]


def trigram_indexes(indexes):
    """The RunPython pair that creates (and drops) ``indexes`` on PostgreSQL only."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name, table, column in indexes:
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
                )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name, _table, _column in indexes:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards, elidable=False)


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def drop_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP EXTENSION IF EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("incubator", "0007_audit_log")]

    operations = [
        migrations.RunPython(create_extension, drop_extension),
        trigram_indexes(INDEXES),
    ]
