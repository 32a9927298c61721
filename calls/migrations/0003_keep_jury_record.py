"""The jury's record survives the removal of an account: votes, conflicts and scores keep their
rows with the juror set to NULL and a pseudonym ("Juror no. N") written just before."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def juror_fields():
    return [
        models.ForeignKey(
            blank=True,
            null=True,
            on_delete=django.db.models.deletion.SET_NULL,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
            verbose_name="juror",
        ),
        models.CharField(blank=True, editable=False, max_length=40, verbose_name="juror (account removed)"),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0002_reminder_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        operation
        for model_name in ("preselectionvote", "conflictofinterest", "juryscore")
        for operation in (
            migrations.AlterField(model_name=model_name, name="juror", field=juror_fields()[0]),
            migrations.AddField(model_name=model_name, name="juror_label", field=juror_fields()[1]),
        )
    ]
