"""Seed the call reminder rules (docs/architecture.md, "Calls"). Admins edit them afterwards."""

from datetime import time

from django.db import migrations

FOOTER = "\n\n— Le Portail des incubateurs"
DRAFT_BODY = (
    "Bonjour {{ recipient.name|default:'' }},\n\n"
    "Votre candidature à l'appel « {{ call.title }} » est encore un brouillon. L'appel se clôt le "
    "{{ closes_at|date:'l j F Y' }} à {{ closes_at|time:'H:i' }} (heure de Paris) : après cette heure, elle ne "
    "pourra plus être déposée.\n\n"
    "Ce qui est attendu : compléter et déposer votre candidature avant la date limite. Rien de ce que vous avez "
    "saisi n'est perdu.\n\n"
    "Reprendre votre candidature : {{ url }}" + FOOTER
)

RULES = [
    {
        "kind": "calls.draft_before_deadline",
        "name": "J-3 : candidature en brouillon",
        "offset_days": -3,
        "send_at": time(9, 0),
        "audience": "applicants",
        "subject_template": "« {{ call.title }} » : plus que 3 jours pour déposer votre candidature",
        "body_template": DRAFT_BODY,
    },
    {
        "kind": "calls.draft_before_deadline",
        "name": "J-1 : candidature en brouillon",
        "offset_days": -1,
        "send_at": time(9, 0),
        "audience": "applicants",
        "subject_template": "« {{ call.title }} » : dernier jour pour déposer votre candidature",
        "body_template": DRAFT_BODY,
    },
    {
        "kind": "calls.votes_missing",
        "name": "J-2 avant la pré-sélection : votes manquants",
        "offset_days": -2,
        "send_at": time(9, 0),
        "audience": "jurors",
        "subject_template": "« {{ call.title }} » : votez avant la pré-sélection du {{ call.preselection_on|date:'d/m/Y' }}",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "La pré-sélection de l'appel « {{ call.title }} » a lieu le {{ call.preselection_on|date:'l j F Y' }} "
            "et vous n'avez encore coché aucune des {{ count }} candidatures déposées.\n\n"
            "Ce qui est attendu : cocher les candidats que vous souhaitez entendre, et déclarer vos éventuels conflits "
            "d'intérêts, avant la pré-sélection.\n\n"
            "Voir les candidatures : {{ url }}" + FOOTER
        ),
    },
    {
        "kind": "calls.commitment_missing",
        "name": "J+7 : fiche d'engagement non déposée",
        "offset_days": 7,
        "send_at": time(9, 0),
        "audience": "laureates",
        "subject_template": "« {{ call.title }} » : déposez votre fiche d'engagement signée",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "Vous êtes lauréat ou lauréate de l'appel « {{ call.title }} » depuis une semaine, et la fiche "
            "d'engagement signée par votre administration n'est pas encore déposée.\n\n"
            "Ce qui est attendu : déposer la fiche signée, pour que l'investigation puisse commencer le "
            "{{ call.investigation_starts_on|date:'j F Y' }}.\n\n"
            "Déposer la fiche : {{ url }}" + FOOTER
        ),
    },
]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("incubator", "ReminderRule")
    for rule in RULES:
        ReminderRule.objects.update_or_create(
            kind=rule["kind"], offset_days=rule["offset_days"], audience=rule["audience"], defaults=rule
        )


def unseed(apps, schema_editor):
    ReminderRule = apps.get_model("incubator", "ReminderRule")
    ReminderRule.objects.filter(kind__in=[rule["kind"] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0001_initial"),
        ("incubator", "0003_reminders"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
