"""Seed the standards' reminder rule: D-30 before the next committee is due, to the team and the
managers, what is missing of the standards. Admins edit it afterwards."""

from datetime import time

from django.db import migrations

FOOTER = "\n\n— Le Portail des incubateurs"

RULES = [
    {
        "kind": "standards.missing_before_committee",
        "name": "J-30 avant le comité : standards à compléter",
        "offset_days": -30,
        "send_at": time(9, 0),
        "audience": "team-and-managers",
        "subject_template": "{{ startup.name }} : standards à compléter avant le comité du {{ due_date|date:'d/m/Y' }}",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "Le prochain comité d'investissement de {{ startup.name }} est attendu le {{ due_date|date:'l j F Y' }}. "
            "Ces standards de beta.gouv.fr ne sont pas encore faits (ni marqués non applicables) :\n"
            "{% for label in missing %}- {{ label }}\n{% endfor %}\n"
            "Ce qui est attendu : mettez à jour leur statut et le lien qui en fait la preuve, pour que le comité "
            "les voie.\n\n"
            "Standards du produit : {{ url }}" + FOOTER
        ),
    },
]


def seed(apps, schema_editor):
    """Whichever ReminderRule this runs with: before incubator 0010 it names an audience, after it not."""
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
        ("standards", "0002_current_version"),
        ("incubator", "0003_reminders"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
