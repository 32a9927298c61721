"""Seed the community's suggestion rule: the day a product enters a phase, its team hears of what the
network offers for it (community/suggestions.py). Admins edit it afterwards."""

from datetime import time

from django.db import migrations

FOOTER = "\n\n— Le Portail des incubateurs"

RULES = [
    {
        "kind": "community.suggestion",
        "name": "Entrée dans une phase : l'offre du réseau suggérée à l'équipe",
        "offset_days": 0,
        "send_at": time(9, 0),
        "subject_template": "{{ startup.name }} : ce que le réseau propose en {{ phase|lower }}",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "{{ startup.name }} entre en {{ phase|lower }}. Le réseau propose, pour cette phase :\n"
            "{% for resource in resources %}- {{ resource.title }} : {{ resource.url }}\n{% endfor %}\n"
            "Ce qui est attendu : consultez ces ressources et, si elles vous sont utiles, faites-en la demande "
            "depuis leur page. Vous pouvez aussi ne plus les voir suggérées, depuis la page du produit.\n\n"
            "Page du produit : {{ url }}" + FOOTER
        ),
    },
]


def seed(apps, schema_editor):
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
        ("community", "0003_dismissed_suggestion"),
        ("incubator", "0010_reminderrule_without_audience"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
