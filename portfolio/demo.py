"""Demo products: the sample's 28 real products, their sponsors and dated phase histories.

Histories go through the phase service; the real history's irregular moves (a step back, a
skipped phase) are recorded as overrides with a reason, as a manager would have to.
"""

import datetime
import itertools

from django.utils import timezone

from incubator.demo import DEMO_DOMAIN
from incubator.models import Incubator, Organisation, User

from .models import Phase, Startup, TeamMembership, Theme
from .services import change_phase, is_regular_move

# Short neutral pitches written for the demo (the sample has no descriptions).
PITCHES = {
    "a-just": "Aide les juridictions à estimer leurs besoins en effectifs à partir de leur activité.",
    "mon-suivi-justice": "Facilite le suivi des personnes placées sous main de justice et leur rappelle leurs rendez-vous.",
    "jafer": "Simplifie la préparation des audiences des juges aux affaires familiales.",
    "aidantsconnect": "Permet aux aidants professionnels de faire des démarches en ligne pour le compte d'usagers.",
    "aides-territoires": "Recense les aides financières et d'ingénierie ouvertes aux projets des collectivités.",
    "bases.adresses.locales": "Aide les communes à créer et tenir à jour leur base adresse locale.",
    "signalement": "Permet aux consommateurs de signaler un problème à une entreprise et à l'administration.",
    "pix": "Évalue et certifie les compétences numériques.",
    "data-subvention": "Rassemble les informations utiles à l'instruction des subventions aux associations.",
    "andv-aerien": "A étudié la simplification d'une démarche administrative du secteur aérien.",
    "demarches-simplifiees.fr": "Permet aux administrations de dématérialiser leurs démarches sans développement.",
    "rdv-service-public": "Permet aux usagers de prendre rendez-vous en ligne avec un service public.",
    "acceslibre": "Recense les informations d'accessibilité des établissements recevant du public.",
    "dossierfacile": "Aide les locataires à constituer un dossier de location complet et vérifié.",
    "zero-logement-vacant": "Aide les collectivités à repérer les logements vacants et à contacter leurs propriétaires.",
    "pitchou": "Accompagne l'instruction des projets soumis à dérogation pour les espèces protégées.",
    "brav-eau": "A étudié le suivi des obligations réglementaires liées à l'eau.",
    "chauffage-urbain": "Aide les bâtiments à savoir s'ils peuvent se raccorder à un réseau de chaleur.",
    "nosgestesclimat": "Permet à chacun de calculer son empreinte carbone et de trouver comment la réduire.",
    "carte-verte": "Aide les collectivités à connaître et suivre leurs espaces végétalisés.",
    "zacharie": "Simplifie la transmission des informations sanitaires sur le gibier sauvage.",
    "seves": "Outille les services de l'État pour la surveillance sanitaire des végétaux.",
    "maestro": "Facilite la programmation et le suivi des plans de contrôle de l'alimentation.",
    "mon-aide-cyber": "Aide les entités publiques et privées à se protéger des cybermenaces par un diagnostic accompagné.",
    "bat-id": "Attribue un identifiant unique à chaque bâtiment pour relier les bases de données.",
    "assistant-rh": "Aide les agents publics à trouver les réponses à leurs questions de ressources humaines.",
    "1000.premiers.jours.blues": "Aide les parents à repérer et prévenir la dépression post-partum.",
    "ca-se": "A simplifié une démarche interne du ministère des Armées.",
}

# The sponsors' ministerial area suggests the product's theme.
THEMES_BY_AREA = {
    "justice": Theme.JUSTICE,
    "territoires": Theme.TERRITORIES,
    "environnement": Theme.ENVIRONMENT,
    "solidarite-sante": Theme.HEALTH,
    "culture": Theme.CULTURE,
    "agriculture": Theme.AGRICULTURE,
    "interieur": Theme.SECURITY,
    "armees": Theme.SECURITY,
    "travail": Theme.EMPLOYMENT,
    "bercy": Theme.ECONOMY,
    "education": Theme.EDUCATION,
    "spm": Theme.DIGITAL,
}

FIRST_NAMES = ["Camille", "Dominique", "Claude", "Alix", "Sacha", "Morgan", "Lou", "Noa", "Charlie", "Eden"]
LAST_NAMES = ["Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Garnier"]
IRREGULAR_REASON = "Historique réel du produit : passage hors du parcours habituel, repris tel quel."


def seed(sample):
    """Create the sample's products (once: an existing product keeps its history). Returns lines to print."""
    incubators = {incubator.slug: incubator for incubator in Incubator.objects.all()}
    organisations = {organisation.acronym: organisation for organisation in Organisation.objects.all()}
    coach = User.objects.filter(email=f"coach@{DEMO_DOMAIN}").first()
    names = itertools.cycle([(FIRST_NAMES[n % 10], LAST_NAMES[(3 * n + n // 10) % 10]) for n in range(100)])
    created = 0
    for index, row in enumerate(sample["startups"]):
        sponsors = [organisations[acronym] for acronym in row["sponsors"]]
        startup, is_new = Startup.objects.get_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "pitch": PITCHES.get(row["slug"], ""),
                "incubator": incubators[row["incubator"]],
                "themes": sorted(
                    {THEMES_BY_AREA[s.ministerial_area] for s in sponsors if s.ministerial_area in THEMES_BY_AREA}
                ),
            },
        )
        if not is_new:
            continue
        created += 1
        startup.sponsors.set(sponsors)
        load_history(startup, row["phases"])
        add_team(startup, names, coach if incubators[row["incubator"]].slug == "dinum" else None, index)
        last_start = datetime.date.fromisoformat(row["phases"][-1][1])
        updated_at = timezone.make_aware(datetime.datetime.combine(last_start, datetime.time(12)))
        Startup.objects.filter(pk=startup.pk).update(updated_at=updated_at)
    return [f"{len(sample['startups'])} products ({created} new) with their phase histories."]


def load_history(startup, phases):
    previous = None
    for phase, start, *_end in phases:
        regular = is_regular_move(previous, phase)
        change_phase(
            startup=startup,
            phase=phase,
            start=datetime.date.fromisoformat(start),
            actor=None,
            reason="" if regular else IRREGULAR_REASON,
            may_override=not regular,
        )
        previous = phase


def add_team(startup, names, coach, index):
    start = startup.periods.order_by("start").first().start
    ended = startup.phase in {Phase.ABANDONED, Phase.ABANDONED_INVESTIGATION, Phase.TRANSFERRED}
    end = startup.periods.order_by("-start").first().start if ended else None
    for role in [TeamMembership.Role.INTRAPRENEUR, TeamMembership.Role.DEVELOPER, TeamMembership.Role.DESIGNER]:
        first, last = next(names)
        TeamMembership.objects.create(
            startup=startup, name=f"{first} {last}", email="", role=role, start=start, end=end
        )
    if coach and index % 2 == 0:
        TeamMembership.objects.create(startup=startup, user=coach, role=TeamMembership.Role.COACH, start=start, end=end)
