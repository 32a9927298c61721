"""Store each call description's sanitised HTML next to its Markdown, and cap it
(docs/decisions/0004-markdown-rendered-on-save.md).

The data step renders the existing descriptions with the current renderer (incubator.markdown):
from then on, Call.save() keeps the HTML in step.
"""

from django.db import migrations, models

from incubator.markdown import MarkdownField, render_markdown


def render_descriptions(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    calls = list(Call.objects.only("pk", "description"))
    for call in calls:
        call.description_html = render_markdown(call.description)
    Call.objects.bulk_update(calls, ["description_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0003_keep_jury_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="call",
            name="description_html",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AlterField(
            model_name="call",
            name="description",
            field=MarkdownField(
                help_text="Markdown.",
                max_length=20000,
                verbose_name="description",
            ),
        ),
        migrations.RunPython(render_descriptions, migrations.RunPython.noop),
    ]
