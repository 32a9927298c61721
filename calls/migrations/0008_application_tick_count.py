"""The applications' maintained tick count (``Application.tick_count``), filled from the votes,
and the index the pre-selection ranking reads its pages from (issue 15: a flat ranking)."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_ticks(apps, schema_editor):
    """One UPDATE: each application's tick count from its votes."""
    Application = apps.get_model("calls", "Application")
    PreselectionVote = apps.get_model("calls", "PreselectionVote")
    votes = (
        PreselectionVote.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Application.objects.update(tick_count=Coalesce(Subquery(votes), 0))


class Migration(migrations.Migration):
    dependencies = [("calls", "0007_trigram_search")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="tick_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="ticks"),
        ),
        migrations.RunPython(count_ticks, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["call", "-tick_count", "submitted_at", "id"], name="application_ranking_idx"),
        ),
    ]
