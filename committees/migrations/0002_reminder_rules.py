"""Seed the committee reminder rules (docs/decisions/0003-reminder-engine.md). Admins edit them afterwards."""

from datetime import time

from django.db import migrations

FOOTER = "\n\n— Le Portail des incubateurs"

RULES = [
    {
        "kind": "committees.due_unplanned",
        "name": "J-45 : comité à organiser avant l'échéance",
        "offset_days": -45,
        "send_at": time(9, 0),
        "audience": "team_and_portfolio_managers",
        "subject_template": "{{ startup.name }} : organisez le comité d'investissement avant le {{ due_date|date:'d/m/Y' }}",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "Le prochain comité d'investissement de {{ startup.name }} doit se tenir au plus tard le "
            "{{ due_date|date:'l j F Y' }}, et aucun comité n'est planifié.\n\n"
            "Ce qui est attendu : planifier le comité 30 à 45 jours avant la fin du budget, inviter les "
            "participants, puis déposer le support une semaine avant.\n\n"
            "Planifier le comité : {{ url }}" + FOOTER
        ),
    },
    {
        "kind": "committees.deck_missing",
        "name": "J-7 : support de présentation manquant",
        "offset_days": -7,
        "send_at": time(9, 0),
        "audience": "team",
        "subject_template": "{{ startup.name }} : déposez le support du comité du {{ when|date:'d/m/Y' }}",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "Le comité d'investissement de {{ startup.name }} a lieu le {{ when|date:'l j F Y' }} à "
            "{{ when|time:'H:i' }} (heure de Paris) et son support de présentation n'est pas encore déposé.\n\n"
            "Ce qui est attendu : déposer le support aujourd'hui, pour que les participants le reçoivent "
            "une semaine avant le comité.\n\n"
            "Déposer le support : {{ url }}" + FOOTER
        ),
    },
    {
        "kind": "committees.agenda",
        "name": "J-7 : ordre du jour et invitation aux participants",
        "offset_days": -7,
        "send_at": time(9, 0),
        "audience": "attendees",
        "subject_template": "Comité d'investissement de {{ startup.name }} le {{ when|date:'d/m/Y' }} à {{ when|time:'H:i' }}",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "Le comité d'investissement de {{ startup.name }} ({{ committee.get_kind_display }}) a lieu le "
            "{{ when|date:'l j F Y' }} à {{ when|time:'H:i' }} (heure de Paris)"
            "{% if committee.place %}, {{ committee.place }}{% endif %}"
            "{% if committee.video_link %}, en visio : {{ committee.video_link }}{% endif %}.\n\n"
            "Ordre du jour : 1. Bilan des 6 derniers mois et indicateurs d'impact ; 2. Demande (budget, durée, "
            "équipe) ; 3. Objectifs et critères de réussite à 6 mois ; 4. Questions ; 5. Délibération.\n\n"
            "Ce qui est attendu : lire le support avant le comité. L'invitation est jointe (.ics).\n\n"
            "Page du comité : {{ url }}" + FOOTER
        ),
    },
    {
        "kind": "committees.decision_missing",
        "name": "J+1 : décision du comité non saisie",
        "offset_days": 1,
        "send_at": time(9, 0),
        "audience": "managers",
        "subject_template": "{{ startup.name }} : saisissez la décision du comité du {{ when|date:'d/m/Y' }}",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "Le comité d'investissement de {{ startup.name }} du {{ when|date:'l j F Y' }} n'a pas de décision "
            "enregistrée.\n\n"
            "Ce qui est attendu : saisir la décision aujourd'hui ; les achats doivent la recevoir au plus vite "
            "(une commande prend environ un mois).\n\n"
            "Saisir la décision : {{ url }}" + FOOTER
        ),
    },
    {
        "kind": "committees.purchasing_follow_up",
        "name": "J+1 : décision à transmettre aux achats",
        "offset_days": 1,
        "send_at": time(9, 0),
        "audience": "purchasing",
        "subject_template": "À commander : décision du comité de {{ startup.name }} du {{ decision.decided_on|date:'d/m/Y' }}",
        "body_template": (
            "Bonjour,\n\n"
            "Le comité d'investissement de {{ startup.name }} a décidé le {{ decision.decided_on|date:'l j F Y' }} : "
            "{{ decision.get_outcome_display }}"
            "{% if decision.granted_amount %}, {{ decision.granted_amount|floatformat:'0' }} €{% endif %} "
            "pour {{ decision.granted_months }} mois.\n\n"
            "Ce qui est attendu : lancer la commande maintenant (elle prend environ un mois), puis le signaler "
            "sur la page du comité.\n\n"
            "Page du comité : {{ url }}" + FOOTER
        ),
    },
    {
        "kind": "committees.weekly_digest",
        "name": "Chaque lundi : comités en retard et à organiser",
        "offset_days": 0,
        "send_at": time(8, 0),
        "audience": "managers",
        "subject_template": "{{ incubator.title }} : comités en retard et à organiser (semaine du {{ monday|date:'d/m/Y' }})",
        "body_template": (
            "Bonjour {{ recipient.name|default:'' }},\n\n"
            "{% if overdue %}Comités en retard (échéance dépassée, rien de planifié) :\n"
            "{% for startup in overdue %}- {{ startup.name }} : échéance le {{ startup.next_committee_due|date:'d/m/Y' }}\n"
            "{% endfor %}\n{% endif %}"
            "{% if unplanned %}Comités à organiser dans les 45 jours :\n"
            "{% for startup in unplanned %}- {{ startup.name }} : échéance le {{ startup.next_committee_due|date:'d/m/Y' }}\n"
            "{% endfor %}\n{% endif %}"
            "Ce qui est attendu : planifier ces comités depuis la page de chaque produit.\n\n"
            "Calendrier des comités : {{ url }}" + FOOTER
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
        ("committees", "0001_initial"),
        ("incubator", "0003_reminders"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
