"""Seed the current version of the beta.gouv.fr standards and its criteria (issue 11, item 7).

A later version is rolled out by ``standards.services.roll_out_version``, never by editing these
rows. The products' ``accessibility_status`` and ``dsfr_status`` are not copied here: the answers
start "not started" (a product without an answer has not started the criterion).
"""

import datetime

from django.db import migrations

VERSION = {"name": "Standards beta.gouv.fr 2025", "published_on": datetime.date(2025, 1, 1)}

CRITERIA = [
    (
        "accessibilite",
        "Accessibilité : déclaration RGAA et statut de conformité",
        "La déclaration d'accessibilité publiée (RGAA), avec son statut : non, partiellement ou totalement conforme.",
    ),
    ("dsfr", "Système de design de l'État (DSFR)", "Le service utilise le DSFR, en tout ou en partie."),
    (
        "homologation",
        "Sécurité : homologation (MonServiceSécurisé)",
        "La décision d'homologation de sécurité, suivie dans MonServiceSécurisé.",
    ),
    (
        "registre-traitements",
        "Données personnelles : registre des traitements",
        "Les traitements du service sont inscrits au registre de l'administration.",
    ),
    (
        "analyse-impact",
        "Données personnelles : analyse d'impact (AIPD)",
        "L'analyse d'impact relative à la protection des données, ou la note qui dit pourquoi elle n'est pas requise.",
    ),
    ("ecoconception", "Écoconception (RGESN)", "La déclaration d'écoconception selon le référentiel général (RGESN)."),
    ("code-ouvert", "Code source ouvert", "Le dépôt public du code source, sous licence libre."),
    ("page-stats", "Page de statistiques publique", "La page /stats du service, avec ses indicateurs d'impact."),
    ("page-budget", "Page budget publique", "La page /budget du service : ce qu'il a coûté et qui l'a financé."),
    ("matrice-impact", "Matrice d'impact", "La matrice d'impact du produit, tenue à jour pour les comités."),
]


def seed(apps, schema_editor):
    StandardsVersion = apps.get_model("standards", "StandardsVersion")
    Standard = apps.get_model("standards", "Standard")
    if StandardsVersion.objects.filter(is_current=True).exists():
        return
    version = StandardsVersion.objects.create(is_current=True, **VERSION)
    Standard.objects.bulk_create(
        Standard(version=version, key=key, label=label, help=help_text, order=number)
        for number, (key, label, help_text) in enumerate(CRITERIA, start=1)
    )


def unseed(apps, schema_editor):
    apps.get_model("standards", "StandardsVersion").objects.filter(name=VERSION["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
