from django.db import migrations, models


class Migration(migrations.Migration):
    """``CalendarFeed.created_at`` was the time of the last renewal: renamed, the data kept."""

    dependencies = [
        ("committees", "0004_attendee_team_roles"),
    ]

    operations = [
        migrations.RenameField(model_name="calendarfeed", old_name="created_at", new_name="renewed_at"),
        migrations.AlterField(
            model_name="calendarfeed",
            name="renewed_at",
            field=models.DateTimeField(auto_now=True, verbose_name="renewed at"),
        ),
    ]
