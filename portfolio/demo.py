"""Demo products: the sample's 28 real products, their sponsors and dated phase histories; and,
for the demo incubator, descriptions and five more products (invented, neutral) so that every
phase, indicators with a year of measurements and a team are there to look at.

Histories go through the phase service; the real history's irregular moves (a step back, a
skipped phase) are recorded as overrides with a reason, as a manager would have to. History
records are dated when the events happened (``incubator.demo.dated_history``). The demo
products start here in investigation; their later phases come from their committees'
decisions (``committees/demo.py``).
"""

import datetime
import itertools
import re
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from incubator.demo import DEMO_DOMAIN, DEMO_INCUBATOR, at, dated_history
from incubator.models import Incubator, Organisation, User

from .models import (
    INVESTIGATION_LENGTH,
    EventKind,
    Indicator,
    Measurement,
    Phase,
    ProductEvent,
    Startup,
    TeamMembership,
    Theme,
    UserType,
)
from .services import change_phase, create_startup, is_regular_move

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
NATIONAL_IMPACT_LABEL = re.compile(r"impact-national-(?P<year>\d{4})")
FUNDING_STOPPED_NOTE = re.compile(r"funding stopped on (?P<date>\d{4}-\d{2}-\d{2})")


def seed(sample):
    """Create the sample's products (once: an existing product keeps its history). Returns lines to print."""
    incubators = {incubator.slug: incubator for incubator in Incubator.objects.all()}
    organisations = {organisation.acronym: organisation for organisation in Organisation.objects.all()}
    coach = User.objects.filter(email=f"coach@{DEMO_DOMAIN}").first()
    names = itertools.cycle([(FIRST_NAMES[n % 10], LAST_NAMES[(3 * n + n // 10) % 10]) for n in range(100)])
    created = events = 0
    for index, row in enumerate(sample["startups"]):
        sponsors = [organisations[acronym] for acronym in row["sponsors"]]
        first_start = datetime.date.fromisoformat(row["phases"][0][1])
        with dated_history(at(first_start)):  # the "created" record: the product's first day
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
        events += load_events(startup, row)
        if not is_new:
            continue
        created += 1
        startup.sponsors.set(sponsors)
        load_history(startup, row["phases"])
        with dated_history(at(first_start)):
            add_team(startup, names, coach if incubators[row["incubator"]].slug == "dinum" else None, index)
        last_start = datetime.date.fromisoformat(row["phases"][-1][1])
        Startup.objects.filter(pk=startup.pk).update(updated_at=at(last_start))
    described = describe_real_products()
    demo = seed_demo_products(incubators.get(DEMO_INCUBATOR), organisations, coach)
    return [
        f"{len(sample['startups'])} products ({created} new) with their phase histories; "
        f"{events} events from their FAST promotions, labels and notes.",
        f"Demo incubator: {described} descriptions written, {demo} invented products (every phase), "
        "with indicators and a year of measurements.",
    ]


def load_history(startup, phases):
    previous = None
    for phase, start, *_end in phases:
        regular = is_regular_move(previous, phase)
        day = datetime.date.fromisoformat(start)
        with dated_history(at(day)):
            change_phase(
                startup=startup,
                phase=phase,
                start=day,
                actor=None,
                reason="" if regular else IRREGULAR_REASON,
                may_override=not regular,
            )
        previous = phase


def load_events(startup, row):
    """The sample's facts as events, each created once: ``fast`` ({promotion, amount_eur}) a FAST
    funding, each ``labels`` entry "impact-national-YYYY" a national impact label of that year
    (public facts, published), and a note that says "funding stopped on YYYY-MM-DD" a funding stop
    on that day (kept for those who follow the product). The other notes are about the history
    (FCU's step back, already an override of its phases): no event. Returns how many were created."""
    specs = []
    if fast := row.get("fast"):
        specs.append(
            (
                {"kind": EventKind.FAST, "fast_promotion": fast["promotion"]},
                {"amount_eur": fast.get("amount_eur"), "is_public": True},
            )
        )
    for label in row.get("labels", []):
        if match := NATIONAL_IMPACT_LABEL.fullmatch(label):
            specs.append(({"kind": EventKind.NATIONAL_IMPACT, "label_year": int(match["year"])}, {"is_public": True}))
    if match := FUNDING_STOPPED_NOTE.search(row.get("note", "")):
        day = datetime.date.fromisoformat(match["date"])
        specs.append(
            (
                {"kind": EventKind.FUNDING_STOPPED, "date": day},
                {"note": "Financement arrêté sans qu'une phase d'arrêt ait été enregistrée.", "is_public": False},
            )
        )
    first_day = datetime.date.fromisoformat(row["phases"][0][1])
    created = 0
    for lookup, defaults in specs:
        # Its history record is dated on its day, else its label's year, never before the product.
        year = lookup.get("label_year")
        when = lookup.get("date") or (datetime.date(year, 1, 1) if year else first_day)
        with dated_history(at(max(when, first_day))):
            _event, is_new = ProductEvent.objects.get_or_create(startup=startup, **lookup, defaults=defaults)
        created += is_new
    return created


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


def describe_real_products():
    """Short neutral descriptions for the demo incubator's real products (once: a written one stays)."""
    count = 0
    for startup in Startup.objects.filter(slug__in=REAL_DESCRIPTIONS, description=""):
        startup.description = REAL_DESCRIPTIONS[startup.slug] + DEMO_NOTE
        with dated_history(at(max(period.start for period in startup.periods.all()))):
            startup.save(update_fields=["description"])
        count += 1
    return count


def seed_demo_products(incubator, organisations, coach):
    """The invented products of the demo incubator, each created once, in investigation, with its
    team and indicators; ``committees/demo.py`` plays the decisions that moved them on."""
    if incubator is None:
        return 0
    today = timezone.localdate()
    manager = User.objects.filter(email=f"responsable@{DEMO_DOMAIN}").first()
    created = 0
    for spec in demo_products(today):
        if Startup.objects.filter(slug=spec["slug"]).exists():
            continue
        created += 1
        started = spec["started"]
        startup = Startup(
            slug=spec["slug"],
            name=spec["name"],
            pitch=spec["pitch"],
            description=spec["description"],
            incubator=incubator,
            themes=spec["themes"],
            user_types=spec["user_types"],
            contact_email=f"contact.{spec['slug']}@{DEMO_DOMAIN}",
        )
        team = [TeamMembership(name=name, email=email, role=role, start=started) for name, email, role in spec["team"]]
        if coach:
            team.append(TeamMembership(user=coach, role=TeamMembership.Role.COACH, start=started))
        with dated_history(at(started, 9)):
            create_startup(
                startup=startup,
                phase=Phase.INVESTIGATION,
                start=started,
                actor=manager,
                sponsors=[organisations[acronym] for acronym in spec["sponsors"] if acronym in organisations],
                team=team,
            )
        until = spec.get("measured_until", today)
        add_indicators(startup, spec["indicators"], manager, until=until)
        # The sheet was last updated with the last measurement (the phase service stamped "now").
        Startup.objects.filter(pk=startup.pk).update(updated_at=at(max(started, until.replace(day=1)), 10))
    return created


def add_indicators(startup, indicators, recorded_by, *, until):
    """Each indicator with one measurement a month, on the first, the last one in ``until``'s month."""
    last = until.replace(day=1)
    for kind, name, unit, target, values in indicators:
        indicator = Indicator.objects.create(startup=startup, kind=kind, name=name, unit=unit, target=target)
        months = [last - relativedelta(months=n) for n in range(len(values) - 1, -1, -1)]
        Measurement.objects.bulk_create(
            Measurement(indicator=indicator, date=month, value=Decimal(str(value)), recorded_by=recorded_by)
            for month, value in zip(months, values, strict=True)
        )


DEMO_NOTE = "\n\n*Description écrite pour les données de démonstration.*\n"

# The demo incubator's real products: what their pitch says, in a few neutral lines.
REAL_DESCRIPTIONS = {
    "signalement": (
        "## Le problème\n\nUn consommateur qui rencontre un problème avec une entreprise ne sait pas toujours "
        "à qui le dire, et l'administration ne voit pas les problèmes qui se répètent.\n\n"
        "## La solution\n\nUn service en ligne où le consommateur décrit le problème : l'entreprise est "
        "informée et peut y répondre, l'administration voit les signalements."
    ),
    "pix": (
        "## Le problème\n\nLes compétences numériques sont difficiles à évaluer et à faire reconnaître.\n\n"
        "## La solution\n\nUn service en ligne qui évalue les compétences numériques et permet de les faire "
        "certifier."
    ),
    "data-subvention": (
        "## Le problème\n\nPour instruire une demande de subvention, un agent cherche les informations sur "
        "l'association dans plusieurs sources.\n\n"
        "## La solution\n\nUn service qui rassemble au même endroit les informations utiles à l'instruction."
    ),
    "andv-aerien": (
        "## Le problème étudié\n\nUne démarche administrative du secteur aérien, jugée complexe par ceux qui "
        "la remplissent.\n\n"
        "## L'issue\n\nL'investigation a conclu qu'un nouveau service n'était pas la bonne réponse : le "
        "produit s'est arrêté à la fin de l'investigation."
    ),
}


def monthly(start, end, count=12, *, decimals=0, wiggle=(0, 3, -2, 4, 1, -3, 2, 0, 4, -1, 2, 0)):
    """``count`` monthly values going from ``start`` to ``end``, with a little irregularity."""
    step = (end - start) / max(count - 1, 1)
    spread = abs(end - start) / 40
    values = [round(start + step * n + wiggle[n % len(wiggle)] * spread, decimals) for n in range(count)]
    return [int(value) for value in values] if decimals == 0 else values


def demo_products(today):
    """The demo incubator's invented products. Their start dates are chosen so that, once their
    committees are played, one is in each phase the real ones leave out, and the committee calendar
    has something to act on: a decision to record, a deck missing, a committee to plan."""
    yesterday = today - datetime.timedelta(days=1)
    R = TeamMembership.Role
    return [
        {
            # Investigation: the end-of-investigation committee is due in 40 days, not planned.
            "slug": "boussole-formation",
            "name": "Boussole Formation",
            "pitch": "Aide les agents publics à trouver une formation adaptée à leur projet professionnel.",
            "description": (
                "## Le problème\n\nUn agent qui veut changer de métier trouve les offres de formation "
                "dispersées entre plusieurs catalogues, sans savoir lesquelles lui sont ouvertes.\n\n"
                "## Ce que l'investigation vérifie\n\n- combien d'agents cherchent une formation chaque "
                "année, et où ;\n- ce que les conseillers en évolution professionnelle font déjà ;\n"
                "- si un service simple peut les y aider."
            ),
            "sponsors": ["DGAFP"],
            "themes": [Theme.EMPLOYMENT],
            "user_types": [UserType.PUBLIC_SERVANTS],
            "started": today + datetime.timedelta(days=40) - INVESTIGATION_LENGTH,
            "team": [
                ("Inès Roussel", f"ines.roussel@{DEMO_DOMAIN}", R.INTRAPRENEUR),
                ("Hugo Marchand", "", R.DESIGNER),
            ],
            "indicators": [
                (Indicator.Kind.USEFUL, "Agents interrogés", "agents", 30, [14]),
            ],
        },
        {
            # Construction: its periodic committee was held yesterday; the decision is not recorded.
            "slug": "voirie-en-ligne",
            "name": "Voirie en ligne",
            "pitch": "Permet aux habitants de signaler un problème de voirie à leur commune et d'en suivre la réparation.",
            "description": (
                "## Le problème\n\nLes communes reçoivent les signalements de voirie par téléphone, courriel "
                "et courrier ; les habitants ne savent pas si leur demande a été prise en compte.\n\n"
                "## La solution\n\nUn formulaire simple, une carte des signalements et un suivi envoyé à "
                "l'habitant à chaque étape.\n\n## Les prochaines étapes\n\n- ouvrir le service à dix "
                "communes pilotes ;\n- relier le service aux outils des services techniques."
            ),
            "sponsors": ["ANCT"],
            "themes": [Theme.TERRITORIES],
            "user_types": [UserType.CITIZENS, UserType.LOCAL_AUTHORITIES],
            "started": yesterday - relativedelta(months=6) - INVESTIGATION_LENGTH,
            "team": [
                ("Nora Benali", f"nora.benali@{DEMO_DOMAIN}", R.INTRAPRENEUR),
                ("Théo Lambert", f"theo.lambert@{DEMO_DOMAIN}", R.DEVELOPER),
                ("Léa Fontaine", "", R.DESIGNER),
            ],
            "indicators": [
                (Indicator.Kind.USED, "Signalements déposés par mois", "signalements", 400, monthly(20, 310, 6)),
                (Indicator.Kind.USED, "Communes utilisatrices", "communes", 10, [1, 2, 2, 4, 5, 7]),
            ],
        },
        {
            # Acceleration: its committee is in six days and the deck is not uploaded yet.
            "slug": "cantine-locale",
            "name": "Cantine locale",
            "pitch": "Aide les collectivités à suivre la part de produits locaux et durables servis dans leurs cantines.",
            "description": (
                "## Le problème\n\nPour suivre leurs achats de produits locaux et durables, les cantines "
                "rassemblent à la main des factures et des tableurs.\n\n## La solution\n\nChaque cantine "
                "déclare ses achats une fois par mois ; la collectivité suit sa progression et partage un "
                "bilan avec les services de l'État.\n\n## La stratégie\n\n- passer de 40 à 120 "
                "collectivités ;\n- importer les achats depuis les logiciels de gestion les plus courants."
            ),
            "sponsors": ["DGAL"],
            "themes": [Theme.AGRICULTURE],
            "user_types": [UserType.LOCAL_AUTHORITIES],
            "started": today + datetime.timedelta(days=6) - relativedelta(months=18) - INVESTIGATION_LENGTH,
            "team": [
                ("Bastien Perrin", f"bastien.perrin@{DEMO_DOMAIN}", R.INTRAPRENEUR),
                ("Sarah Nguyen", f"sarah.nguyen@{DEMO_DOMAIN}", R.DEVELOPER),
                ("Yanis Colin", f"yanis.colin@{DEMO_DOMAIN}", R.DEPLOYMENT),
                ("Manon Girard", "", R.DESIGNER),
            ],
            "indicators": [
                (Indicator.Kind.USED, "Collectivités utilisatrices", "collectivités", 60, monthly(4, 42)),
                (Indicator.Kind.IMPACTFUL, "Part de produits locaux et durables", "%", 35, monthly(18, 31, decimals=1)),
                (
                    Indicator.Kind.EFFICIENT,
                    "Temps de déclaration par cantine et par mois",
                    "minutes",
                    20,
                    monthly(95, 28),
                ),
            ],
        },
        {
            # Operated: its next committee is due in two months.
            "slug": "inventaire-equipements",
            "name": "Inventaire des équipements",
            "pitch": "Tient à jour, avec les collectivités, l'inventaire des équipements publics d'un territoire.",
            "description": (
                "## Le problème\n\nLes listes d'équipements publics (gymnases, médiathèques, piscines) sont "
                "tenues par plusieurs acteurs et vite périmées.\n\n## La solution\n\nUn inventaire "
                "partagé que chaque collectivité met à jour, publié en données ouvertes.\n\n## Aujourd'hui"
                "\n\nLe service est opéré : l'équipe fait évoluer l'outil avec les collectivités "
                "contributrices."
            ),
            "sponsors": ["ANCT"],
            "themes": [Theme.TERRITORIES, Theme.DATA],
            "user_types": [UserType.LOCAL_AUTHORITIES, UserType.CITIZENS],
            "started": today + relativedelta(months=2) - relativedelta(months=36) - INVESTIGATION_LENGTH,
            "team": [
                ("Claire Dubois", f"claire.dubois@{DEMO_DOMAIN}", R.INTRAPRENEUR),
                ("Mehdi Haddad", f"mehdi.haddad@{DEMO_DOMAIN}", R.PRODUCT),
                ("Julien Robin", f"julien.robin@{DEMO_DOMAIN}", R.DEVELOPER),
            ],
            "indicators": [
                (Indicator.Kind.USED, "Équipements recensés", "équipements", 50000, monthly(31000, 47500)),
                (Indicator.Kind.USED, "Collectivités contributrices", "collectivités", 400, monthly(210, 365)),
                (
                    Indicator.Kind.USEFUL,
                    "Fiches mises à jour depuis moins d'un an",
                    "%",
                    80,
                    monthly(52, 74, decimals=1),
                ),
            ],
        },
        {
            # Stopped: the committee stopped it after construction, 13 months ago.
            "slug": "covoiturage-agents",
            "name": "Covoiturage agents",
            "pitch": "A étudié le covoiturage entre agents publics travaillant sur un même site.",
            "description": (
                "## Le problème étudié\n\nLes agents d'un même site administratif viennent souvent seuls en "
                "voiture.\n\n## Ce qui a été construit\n\nUn service de mise en relation, testé sur trois "
                "sites.\n\n## Pourquoi le produit s'est arrêté\n\nTrop peu de trajets partagés après six "
                "mois : le comité a décidé l'arrêt et orienté les sites vers les services existants."
            ),
            "sponsors": ["SGPE"],
            "themes": [Theme.ENVIRONMENT],
            "user_types": [UserType.PUBLIC_SERVANTS],
            "started": today - relativedelta(months=13) - relativedelta(months=6) - INVESTIGATION_LENGTH,
            "measured_until": today - relativedelta(months=13),
            "team": [
                ("Paul Meunier", f"paul.meunier@{DEMO_DOMAIN}", R.INTRAPRENEUR),
                ("Emma Rey", f"emma.rey@{DEMO_DOMAIN}", R.DEVELOPER),
            ],
            "indicators": [
                (Indicator.Kind.USED, "Trajets partagés par mois", "trajets", 300, [12, 25, 31, 28, 34, 30]),
            ],
        },
    ]
