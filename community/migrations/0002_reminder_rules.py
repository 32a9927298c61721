"""Seed the community's reminder rule: D-2 before an event, to the people with a seat. Admins edit it afterwards."""

from datetime import time

from django.db import migrations

FOOTER = "\n\n— Le Portail des incubateurs"

RULES = [
    {
        "kind": "community.event_reminder",
        "name": "J-2 : rappel de l'événement aux inscrits",
        "offset_days": -2,
        "send_at": time(9, 0),
        "audience": "registrants",
        "subject_template": "Rappel : {{ event.title }} le {{ when|date:'d/m/Y' }} à {{ when|time:'H:i' }}",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "Vous êtes inscrit·e à « {{ event.title }} » ({{ event.get_kind_display }}), le "
            "{{ when|date:'l j F Y' }} de {{ when|time:'H:i' }} à {{ ends|time:'H:i' }} (heure de Paris)"
            "{% if event.place %}, {{ event.place }}{% endif %}"
            "{% if event.video_link %}, en visio : {{ event.video_link }}{% endif %}.\n\n"
            "Ce qui est attendu : si vous ne pouvez plus venir, annulez votre inscription sur la page de "
            "l'événement, pour que votre place revienne à la première personne de la liste d'attente. "
            "L'invitation est jointe (.ics).\n\n"
            "Page de l'événement : {{ url }}" + FOOTER
        ),
    },
]


def seed(apps, schema_editor):
    """Whichever ReminderRule this runs with: before incubator 0010 it names an audience, after it not
    (the order of the apps' migrations decides which)."""
    ReminderRule = apps.get_model("incubator", "ReminderRule")
    names = {field.name for field in ReminderRule._meta.get_fields()}
    for rule in RULES:
        fields = {name: value for name, value in rule.items() if name in names}
        ReminderRule.objects.update_or_create(kind=rule["kind"], offset_days=rule["offset_days"], defaults=fields)


def unseed(apps, schema_editor):
    ReminderRule = apps.get_model("incubator", "ReminderRule")
    ReminderRule.objects.filter(kind__in=[rule["kind"] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("incubator", "0003_reminders"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
