"""Demo data of the community: the network's offer, a few requests in each state, upcoming events.

- The offer is the one the network's guide "Créer un incubateur de services numériques" lists
  (public contracts, technical offer, community, funding and support, strategic support, role
  guides), with its eligibility: the domain name and the DINUM funding of investigations are for
  products in investigation, the FAST for products in acceleration, the consolidation support in
  consolidation. It is written (and updated) on every run.
- Requests of the demo incubator's products go through the services, as the pages do: some are
  submitted, one in progress, some granted, one refused (with the handler's comment). The FAST is
  left unrequested, for the team of the product in acceleration to find and request.
- Upcoming events: the monthly forum (public), a role club, the Alpha training (full, with a
  waiting list), a demo day of the demo incubator, the incubator leads' seminar.

Emails the services queue for this invented past are dropped (``incubator.demo.quiet_outbox``).
Requests and events are created once.
"""

import datetime

from django.utils import timezone

from incubator.demo import DEMO_DOMAIN, DEMO_INCUBATOR, at, demo_password, quiet_outbox
from incubator.models import Incubator, Organisation, User
from portfolio.models import Phase, Startup

from . import services
from .models import AudienceRole, Event, Registration, Resource, ResourceCategory, ResourceRequest

P, T, M = Phase, Organisation.Type, Resource.AccessMode
ACTIVE = [P.INVESTIGATION, P.CONSTRUCTION, P.ACCELERATION, P.CONSOLIDATION]
STATE = [T.CENTRAL, T.DECENTRALISED, T.OPERATOR]
HANDLER = ("offre", "Oscar", "Offre")  # the demo account that answers the requests
BETA = "https://beta.gouv.fr"

CATEGORIES = [
    ("marches-publics", "Marchés publics", "Les marchés que le réseau met à disposition pour constituer les équipes."),
    ("offre-technique", "Offre technique", "Outils, socles et appuis techniques partagés par beta.gouv.fr."),
    ("communaute", "Communauté", "Se faire connaître, recruter, échanger et se former avec la communauté."),
    ("financement", "Financement et accompagnement", "Financer les phases des produits et les accompagner."),
    (
        "appui-strategique",
        "Appui stratégique et organisationnel",
        "L'appui de la DINUM aux incubateurs et aux administrations.",
    ),
    ("guides", "Guides par rôle", "Les guides du réseau pour chaque rôle d'un incubateur."),
]

# slug -> (category, title, summary, provider, access mode, phases, organisation types, priority
# policies only, indicative value, link)
RESOURCES = {
    "marche-beta-gouv": (
        "marches-publics",
        "Marché interministériel beta.gouv.fr",
        "Le marché de la DINUM pour constituer les équipes des produits, sauf pour les administrations qui ont leur propre marché.",
        "DINUM",
        M.CONTRACT,
        ACTIVE,
        STATE,
        False,
        "Bons de commande selon le besoin de l'équipe",
        f"{BETA}/",
    ),
    "marche-coaching-dinum": (
        "marches-publics",
        "Marché de coaching de la DINUM",
        "Des coachs pour les équipes et l'incubateur, par une convention de partenariat entre l'administration et la DINUM.",
        "DINUM",
        M.CONTRACT,
        [],
        STATE,
        False,
        "Selon la convention de partenariat",
        "",
    ),
    "nom-de-domaine-beta": (
        "offre-technique",
        "Nom de domaine beta.gouv.fr",
        "Un nom en .beta.gouv.fr pour les produits construits selon l'approche Startup d'État, jusqu'à la fin de l'incubation.",
        "beta.gouv.fr",
        M.ON_REQUEST,
        [P.INVESTIGATION, P.CONSTRUCTION, P.ACCELERATION],
        [],
        False,
        "Gratuit",
        "",
    ),
    "appui-design-accessibilite": (
        "offre-technique",
        "Appui ponctuel en design et en accessibilité",
        "Un regard de designers et d'experts de l'accessibilité sur un parcours ou une maquette.",
        "beta.gouv.fr",
        M.ON_REQUEST,
        [],
        [],
        False,
        "Quelques demi-journées",
        "",
    ),
    "conseil-rgpd-securite": (
        "offre-technique",
        "Accompagnement RGPD et sécurité",
        "Des conseils pour protéger les données personnelles et sécuriser le service dès sa conception.",
        "DINUM",
        M.ON_REQUEST,
        [],
        [],
        False,
        "",
        "",
    ),
    "socles-techniques": (
        "offre-technique",
        "Socles techniques interministériels et outils mutualisés",
        "Les outils partagés qu'opère beta.gouv.fr (hébergement de code, suivi d'audience, supervision...).",
        "beta.gouv.fr",
        M.OPEN,
        [],
        [],
        False,
        "Gratuit",
        f"{BETA}/",
    ),
    "conseil-developpement-hebergement": (
        "offre-technique",
        "Conseil sur les pratiques de développement et l'hébergement",
        "Un échange avec la communauté technique sur l'architecture, les pratiques de développement et l'hébergement.",
        "beta.gouv.fr",
        M.ON_REQUEST,
        [],
        [],
        False,
        "",
        "",
    ),
    "valorisation-beta-gouv": (
        "communaute",
        "Mise en avant sur beta.gouv.fr",
        "Les produits et l'incubateur présentés sur le site beta.gouv.fr.",
        "beta.gouv.fr",
        M.ON_REQUEST,
        [],
        [],
        False,
        "",
        "",
    ),
    "discussion-communaute": (
        "communaute",
        "Espace de discussion de la communauté",
        "Le lieu d'échange écrit de toute la communauté beta.gouv.fr.",
        "beta.gouv.fr",
        M.OPEN,
        [],
        [],
        False,
        "Gratuit",
        f"{BETA}/communaute/",
    ),
    "relais-recrutement": (
        "communaute",
        "Relais des campagnes de recrutement",
        "Les offres de recrutement des équipes relayées sur les canaux du réseau.",
        "beta.gouv.fr",
        M.ON_REQUEST,
        [],
        [],
        False,
        "",
        "",
    ),
    "clubs-metiers": (
        "communaute",
        "Clubs métiers et réseaux transverses",
        "Coachs, intrapreneurs, responsables produit, développeurs, designers, chargés de déploiement : un club par métier.",
        "Communauté beta.gouv.fr",
        M.OPEN,
        [],
        [],
        False,
        "Gratuit",
        "",
    ),
    "rencontres-communaute": (
        "communaute",
        "Rencontres de la communauté",
        "Le forum beta.gouv.fr chaque mois et des moments conviviaux : voir les événements.",
        "Communauté beta.gouv.fr",
        M.OPEN,
        [],
        [],
        False,
        "Gratuit",
        "",
    ),
    "accueil-locaux-dinum": (
        "communaute",
        "Accueil ponctuel dans les locaux de l'incubateur de la DINUM",
        "Une salle pour un échange, une revue de portefeuille ou un atelier.",
        "Incubateur de la DINUM",
        M.ON_REQUEST,
        [],
        [],
        False,
        "Selon les disponibilités",
        "",
    ),
    "formations-communaute": (
        "communaute",
        "Formations et ressources communes",
        "Les formations de la communauté, dont la formation Alpha, et ses ressources partagées.",
        "Communauté beta.gouv.fr",
        M.OPEN,
        [],
        [],
        False,
        "Gratuit",
        "",
    ),
    "promotion-impact": (
        "communaute",
        "Promotion des produits à impact",
        "Faire connaître un produit dont l'impact est mesuré, auprès des administrations et du public.",
        "DINUM",
        M.ON_REQUEST,
        [P.ACCELERATION, P.CONSOLIDATION, P.OPERATED],
        [],
        False,
        "",
        "",
    ),
    "financement-investigation-dinum": (
        "financement",
        "Financement DINUM des phases d'investigation",
        "La DINUM finance l'investigation des produits liés aux politiques prioritaires du gouvernement.",
        "DINUM",
        M.ON_REQUEST,
        [P.INVESTIGATION],
        STATE,
        True,
        "L'investigation (environ 3 mois)",
        "",
    ),
    "cofinancement-fast": (
        "financement",
        "Cofinancement des Startups d'État par le FAST",
        "Le Fonds d'accélération des Startups d'État cofinance les produits qui passent à l'échelle.",
        "DINUM (FAST)",
        M.ON_REQUEST,
        [P.ACCELERATION],
        [],
        False,
        "Cofinancement, sur dossier",
        "",
    ),
    "appui-transfert-consolidation": (
        "financement",
        "Appui au transfert et à la consolidation",
        "Préparer la reprise du produit par l'administration et consolider son fonctionnement.",
        "DINUM",
        M.ON_REQUEST,
        [P.CONSOLIDATION],
        [],
        False,
        "",
        "",
    ),
    "appui-politiques-prioritaires": (
        "appui-strategique",
        "Appui stratégique aux produits des politiques prioritaires",
        "Un appui de la DINUM pour les produits liés aux politiques prioritaires du gouvernement.",
        "DINUM",
        M.ON_REQUEST,
        [],
        STATE,
        True,
        "",
        "",
    ),
    "dinum-comites-investissement": (
        "appui-strategique",
        "La DINUM au comité d'investissement",
        "Un représentant de la DINUM au comité d'investissement d'un produit, si besoin.",
        "DINUM",
        M.ON_REQUEST,
        ACTIVE,
        [],
        False,
        "",
        "",
    ),
    "creer-organiser-incubateur": (
        "appui-strategique",
        "Créer et organiser un incubateur",
        "Aide à la création et à l'organisation d'un incubateur, et à la transformation des pratiques numériques de l'administration.",
        "DINUM",
        M.ON_REQUEST,
        [],
        [],
        False,
        "",
        "",
    ),
    "negociations-budget-effectifs": (
        "appui-strategique",
        "Soutien dans les négociations de budget et d'effectifs",
        "Un soutien pour négocier budgets et effectifs, notamment pour réinternaliser des compétences numériques.",
        "DINUM",
        M.ON_REQUEST,
        [],
        [],
        False,
        "",
        "",
    ),
    "guide-responsable-incubateur": (
        "guides",
        "Guide du responsable d'incubateur",
        "Le rôle, les rituels et les outils de la personne qui dirige un incubateur.",
        "Réseau des incubateurs",
        M.OPEN,
        [],
        [],
        False,
        "Gratuit",
        "",
    ),
    "guide-responsable-portefeuille": (
        "guides",
        "Guide du responsable de portefeuille",
        "Suivre les produits, leurs phases et leurs comités.",
        "Réseau des incubateurs",
        M.OPEN,
        [],
        [],
        False,
        "Gratuit",
        "",
    ),
    "guide-preparer-comite": (
        "guides",
        "Préparer un comité d'investissement",
        "Le support, les indicateurs d'impact et la demande : ce que le comité attend.",
        "Réseau des incubateurs",
        M.OPEN,
        ACTIVE,
        [],
        False,
        "Gratuit",
        "",
    ),
    "guide-onboarding-investigation": (
        "guides",
        "Accueillir des intrapreneurs en investigation",
        "Les premières semaines d'une investigation : l'accueil, le cadrage et le rythme.",
        "Réseau des incubateurs",
        M.OPEN,
        [P.INVESTIGATION],
        [],
        False,
        "Gratuit",
        "",
    ),
}
DESCRIPTION = (
    "## Pour qui\n\n{summary}\n\n## Comment en bénéficier\n\n{how}\n\n"
    "Cette fiche est un exemple de démonstration : le réseau tient à jour ses conditions."
)
HOW = {
    M.OPEN: "La ressource est ouverte à tous : suivez le lien de la fiche.",
    M.ON_REQUEST: "Faites une demande depuis cette page, pour un produit ou pour l'incubateur : l'équipe qui la traite vous répond ici.",
    M.CALL: "La ressource est attribuée sur appel à candidatures, pendant sa période d'ouverture.",
    M.CONTRACT: "Commandez auprès du titulaire du marché ; la DINUM vous indique la marche à suivre.",
}

# (product slug or None for the incubator, resource, the steps after submission: [(status, comment)])
REQUESTS = [
    ("boussole-formation", "nom-de-domaine-beta", []),
    (
        "boussole-formation",
        "financement-investigation-dinum",
        [("in_progress", "Nous étudions le lien avec la politique prioritaire.")],
    ),
    ("cantine-locale", "promotion-impact", []),
    (
        "cantine-locale",
        "appui-design-accessibilite",
        [("in_progress", ""), ("granted", "Deux demi-journées en juin, avec l'équipe accessibilité.")],
    ),
    (
        "voirie-en-ligne",
        "conseil-rgpd-securite",
        [("granted", "Un premier rendez-vous est fixé ; la fiche de traitement est à compléter.")],
    ),
    (
        "voirie-en-ligne",
        "relais-recrutement",
        [("refused", "Le recrutement n'est pas encore ouvert : revenez avec la fiche de poste publiée.")],
    ),
    (
        None,
        "negociations-budget-effectifs",
        [("in_progress", "Un premier échange est prévu avec le secrétariat général.")],
    ),
]
MESSAGES = {
    "nom-de-domaine-beta": "Nous souhaitons le nom boussole-formation.beta.gouv.fr pour la fin de l'investigation.",
    "financement-investigation-dinum": "L'investigation porte sur la formation des agents publics, une priorité du ministère.",
    "promotion-impact": "Le service est utilisé par 40 collectivités ; nous aimerions le présenter à d'autres.",
    "appui-design-accessibilite": "Nous voudrions une revue du parcours de déclaration mensuelle avant l'audit.",
    "conseil-rgpd-securite": "Le service va recueillir des photos de la voirie : quelles précautions prendre ?",
    "relais-recrutement": "Nous recrutons un développeur ou une développeuse.",
    "negociations-budget-effectifs": "L'incubateur prépare la réinternalisation de deux postes de développeur.",
}


def seed(sample):
    handler = demo_handler()
    categories = seed_categories()
    seed_resources(categories, handler)
    requests = seed_requests()
    events = seed_events()
    return [
        f"Community: {len(CATEGORIES)} categories, {len(RESOURCES)} resources of the offer "
        f"(handled by {handler.email}), {requests} requests, {events} upcoming events (the Alpha training full)."
    ]


def demo_handler():
    local_part, first_name, last_name = HANDLER
    user, created = User.objects.get_or_create(
        email=f"{local_part}@{DEMO_DOMAIN}", defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        password = demo_password()
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        user.emailaddress_set.get_or_create(email=user.email, defaults={"verified": True, "primary": True})
    return user


def seed_categories():
    categories = {}
    for order, (slug, name, description) in enumerate(CATEGORIES, start=1):
        categories[slug], _created = ResourceCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    return categories


def seed_resources(categories, handler):
    for slug, (category, title, summary, provider, mode, phases, types, priority, value, link) in RESOURCES.items():
        resource = Resource.objects.filter(slug=slug).first() or Resource(slug=slug)
        resource.category = categories[category]
        resource.title, resource.summary, resource.provider, resource.access_mode = title, summary, provider, mode
        resource.phases, resource.organisation_types = [str(p) for p in phases], [str(t) for t in types]
        resource.priority_policy_only, resource.indicative_value, resource.link = priority, value, link
        resource.description = DESCRIPTION.format(summary=summary, how=HOW[mode])
        if mode == M.ON_REQUEST:
            resource.contact_name, resource.contact_email = f"{handler.first_name} {handler.last_name}", handler.email
        resource.save()
        if mode == M.ON_REQUEST:
            resource.handlers.add(handler)


def seed_requests():
    """The demo incubator's requests, once, through the services (emails dropped)."""
    if ResourceRequest.objects.exists():
        return 0
    incubator = Incubator.objects.filter(slug=DEMO_INCUBATOR).first()
    manager = User.objects.filter(email=f"responsable@{DEMO_DOMAIN}").first()
    handler = User.objects.get(email=f"{HANDLER[0]}@{DEMO_DOMAIN}")
    if incubator is None or manager is None:
        return 0
    resources = {resource.slug: resource for resource in Resource.objects.filter(slug__in=MESSAGES)}
    startups = {startup.slug: startup for startup in Startup.objects.filter(incubator=incubator)}
    created = 0
    with quiet_outbox():
        for slug, resource_slug, steps in REQUESTS:
            startup = startups.get(slug) if slug else None
            if slug and startup is None:
                continue
            if services.request_blocker(resources[resource_slug], startup) is not None:
                continue  # the product's phase changed: this request would not be possible
            resource_request = services.request_resource(
                resource=resources[resource_slug],
                actor=manager,
                message=MESSAGES[resource_slug],
                startup=startup,
                incubator=incubator,
            )
            for status, comment in steps:
                services.transition_request(resource_request, status, actor=handler, comment=comment)
            created += 1
    return created


def seed_events():
    """Upcoming events, once; the Alpha training full, with two people on its waiting list."""
    if Event.objects.exists():
        return 0
    today = timezone.localdate()
    incubator = Incubator.objects.filter(slug=DEMO_INCUBATOR).first()
    organiser = User.objects.filter(email=f"admin@{DEMO_DOMAIN}").first()
    events = [
        {
            "slug": "forum-beta-gouv",
            "kind": Event.Kind.FORUM,
            "title": "Forum mensuel beta.gouv.fr",
            "description": "## Au programme\n\n- les nouvelles du réseau ;\n- trois produits présentent leur dernier mois ;\n- un moment convivial.",
            "days": 10,
            "hours": (18, 20),
            "place": "20 avenue de Ségur, Paris",
            "video_link": "https://webinaire.numerique.gouv.fr/forum-beta",
            "capacity": 80,
            "is_public": True,
        },
        {
            "slug": "club-des-coachs",
            "kind": Event.Kind.CLUB,
            "title": "Club des coachs",
            "description": "Un retour d'expérience sur l'accompagnement des fins d'investigation.",
            "days": 17,
            "hours": (12, 14),
            "video_link": "https://webinaire.numerique.gouv.fr/club-coachs",
            "capacity": 25,
            "audience": Event.Audience.ROLE,
            "audience_role": AudienceRole.COACH,
        },
        {
            "slug": "formation-alpha",
            "kind": Event.Kind.ALPHA,
            "title": "Formation Alpha",
            "description": "Deux jours pour découvrir l'approche Startup d'État : l'investigation, l'impact, les comités.",
            "days": 24,
            "hours": (9, 17),
            "place": "Incubateur de la DINUM, Paris",
            "capacity": 3,
        },
        {
            "slug": "demo-day-dinum",
            "kind": Event.Kind.DEMO_DAY,
            "title": "Demo day de l'incubateur de la DINUM",
            "description": "Les produits de l'incubateur montrent ce qu'ils ont construit.",
            "days": 31,
            "hours": (14, 17),
            "place": "20 avenue de Ségur, Paris",
            "capacity": 60,
            "audience": Event.Audience.INCUBATOR,
            "audience_incubator": incubator,
            "is_public": True,
        },
        {
            "slug": "seminaire-responsables",
            "kind": Event.Kind.SEMINAR,
            "title": "Séminaire des responsables d'incubateur",
            "description": "Une journée entre responsables d'incubateur : portefeuilles, budgets et recrutements.",
            "days": 45,
            "hours": (9, 17),
            "place": "Lyon",
            "capacity": 40,
            "audience": Event.Audience.ROLE,
            "audience_role": AudienceRole.MANAGER,
        },
    ]
    for row in events:
        days, (start, end) = row.pop("days"), row.pop("hours")
        if row.get("audience") == Event.Audience.INCUBATOR and row.get("audience_incubator") is None:
            continue
        day = today + datetime.timedelta(days=days)
        Event.objects.create(
            starts_at=at(day, start),
            ends_at=at(day, end),
            registration_opens_at=at(today - datetime.timedelta(days=7), 9),
            registration_closes_at=at(day - datetime.timedelta(days=1), 18),
            organiser=organiser,
            **row,
        )
    fill_alpha_training()
    return Event.objects.count()


def fill_alpha_training():
    """Three seats taken and two people waiting, through the registration service (emails dropped)."""
    alpha = Event.objects.get(slug="formation-alpha")
    people = ["responsable", "portefeuille", "coach", "observateur", "agent"]
    users = {user.email: user for user in User.objects.filter(email__in=[f"{p}@{DEMO_DOMAIN}" for p in people])}
    with quiet_outbox():
        for local_part in people:
            user = users.get(f"{local_part}@{DEMO_DOMAIN}")
            if user is not None and not Registration.objects.filter(event=alpha, user=user).exists():
                services.register(event=alpha, actor=user)
