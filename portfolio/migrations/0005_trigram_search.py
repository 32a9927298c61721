"""Admin searches of the products' names, slugs and pitches through trigram indexes, on PostgreSQL only
(see ``incubator/migrations/0008_trigram_search.py``, which creates the extension)."""

from importlib import import_module

from django.db import migrations

core = import_module("incubator.migrations.0008_trigram_search")

INDEXES = [
    ("startup_name_trgm", "portfolio_startup", "name"),
    ("startup_slug_trgm", "portfolio_startup", "slug"),
    ("startup_pitch_trgm", "portfolio_startup", "pitch"),
]


class Migration(migrations.Migration):
    dependencies = [("incubator", "0008_trigram_search"), ("portfolio", "0004_date_window")]

    operations = [core.trigram_indexes(INDEXES)]
