"""A reminder rule no longer names an audience: the kind's ``due()`` gives the recipients, and the
field was never read. One rule per kind, offset and name instead of per kind, offset and audience."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incubator", "0009_audit_created_at_window"),
        # Their data migrations seed rules with an audience (in their historical models): they
        # must run while the field exists, whatever the order the apps are migrated in.
        ("calls", "0002_reminder_rules"),
        ("committees", "0002_reminder_rules"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reminderrule",
            name="reminderrule_unique_kind_offset",
        ),
        migrations.RemoveField(
            model_name="historicalreminderrule",
            name="audience",
        ),
        migrations.RemoveField(
            model_name="reminderrule",
            name="audience",
        ),
        migrations.AddConstraint(
            model_name="reminderrule",
            constraint=models.UniqueConstraint(
                fields=("kind", "offset_days", "name"), name="reminderrule_unique_kind_offset_name"
            ),
        ),
    ]
