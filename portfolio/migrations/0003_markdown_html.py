"""Store each product description's sanitised HTML next to its Markdown, and cap it
(docs/decisions/0004-markdown-rendered-on-save.md).

The data step renders the existing descriptions with the current renderer (incubator.markdown):
from then on, Startup.save() keeps the HTML in step.
"""

from django.db import migrations, models

from incubator.markdown import MarkdownField, render_markdown


def render_descriptions(apps, schema_editor):
    Startup = apps.get_model("portfolio", "Startup")
    startups = list(Startup.objects.exclude(description="").only("pk", "description"))
    for startup in startups:
        startup.description_html = render_markdown(startup.description)
    Startup.objects.bulk_update(startups, ["description_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0002_phaseperiod_no_overlap"),
    ]

    operations = [
        migrations.AddField(
            model_name="startup",
            name="description_html",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AlterField(
            model_name="historicalstartup",
            name="description",
            field=MarkdownField(
                blank=True,
                help_text="Markdown: context, problem, solution, strategy.",
                max_length=20000,
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="startup",
            name="description",
            field=MarkdownField(
                blank=True,
                help_text="Markdown: context, problem, solution, strategy.",
                max_length=20000,
                verbose_name="description",
            ),
        ),
        migrations.RunPython(render_descriptions, migrations.RunPython.noop),
    ]
