"""Only POST changes state (docs/architecture.md, "Hostile input"): a GET of any route changes no
row, and every route answers only its methods.

Every URL pattern of the project is listed in ROUTES, with its kind, the arguments that build it
from the fixture set (``world``) and who reaches it, or in EXCLUDED_PREFIXES with the reason: a
new route makes ``test_every_route_is_listed`` fail until it is listed here.

Kinds:
- READ: a page, a download, a feed: GET (and HEAD) only, a POST is a 405;
- FORM: GET shows a form (or a confirmation), POST submits it (each form's own tests check what
  it saves; here: the POST reaches the form, it is no 405);
- ACTION: a one-click change (``require_POST``): a GET is a 405;
- THIRD_PARTY: allauth's and Django's own views: their methods are theirs, but a GET of them must
  change no row either.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from calls.models import Application, Question
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory
from committees.models import CalendarFeed
from committees.tests.factories import CommitteeDocumentFactory, CommitteeFactory, paris
from community.tests.factories import route_objects
from incubator.tests.factories import UserFactory
from incubator.uploads import random_name
from portfolio.models import Phase
from portfolio.tests.factories import IndicatorFactory, ProductEventFactory, StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

READ, FORM, ACTION, THIRD_PARTY = "read", "form", "action", "third party"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

EXCLUDED_PREFIXES = {
    # Hundreds of generated changelist/change/delete/history views, staff only, whose methods
    # Django handles (changes only by POST, with a confirmation page); each app's admin tests
    # open the pages they customise.
    "admin/": "Django's admin site",
}


def no_args(world):
    return {}


def startup(world):
    return {"slug": world.startup.slug}


def committee(world):
    return {"pk": world.committee.pk}


def call(world):
    return {"slug": world.call.slug}


def application(world):
    return {"pk": world.application.pk}


def signed_application(world):
    return {"pk": world.signed.pk}


# name -> (kind, URL arguments from the world, the persona who reaches it: 200 for READ and FORM)
ROUTES = {
    # The core
    "incubator:home": (READ, no_args, "network_admin"),
    "incubator:incubator_detail": (READ, lambda world: {"slug": world.incubator.slug}, "network_admin"),
    "incubator:incubator_chart_csv": (
        READ,
        lambda world: {"slug": world.incubator.slug, "key": "produits-par-phase"},
        "network_admin",
    ),
    "incubator:my_space": (READ, no_args, "network_admin"),
    "incubator:legal_notice": (READ, no_args, "network_admin"),
    "incubator:accessibility": (READ, no_args, "network_admin"),
    "incubator:privacy": (READ, no_args, "network_admin"),
    "incubator:my_data": (READ, no_args, "network_admin"),
    "incubator:my_data_download": (READ, no_args, "network_admin"),
    "incubator:my_data_files": (READ, no_args, "network_admin"),
    "incubator:my_data_erase": (ACTION, no_args, "network_admin"),
    "set_language": (THIRD_PARTY, no_args, None),  # Django's: a POST sets the cookie, a GET only redirects
    "/favicon.ico": (THIRD_PARTY, no_args, None),  # Django's RedirectView to the DSFR's icon, any method
    # Portfolio
    "portfolio:startup_list": (READ, no_args, "manager"),
    "portfolio:startup_create": (FORM, no_args, "manager"),
    "portfolio:startup_detail": (READ, startup, "manager"),
    "portfolio:startup_update": (FORM, startup, "manager"),
    "portfolio:phase_change": (FORM, startup, "manager"),
    "portfolio:team_add": (FORM, startup, "manager"),
    "portfolio:team_edit": (FORM, lambda world: {**startup(world), "pk": world.team_member.pk}, "manager"),
    "portfolio:team_remove": (ACTION, lambda world: {**startup(world), "pk": world.team_member.pk}, None),
    "portfolio:event_add": (FORM, startup, "manager"),
    "portfolio:event_edit": (FORM, lambda world: {**startup(world), "pk": world.event.pk}, "manager"),
    "portfolio:event_delete": (ACTION, lambda world: {**startup(world), "pk": world.event.pk}, None),
    "portfolio:indicator_add": (FORM, startup, "manager"),
    "portfolio:measurement_add": (FORM, lambda world: {**startup(world), "pk": world.indicator.pk}, "manager"),
    "portfolio:directory": (READ, no_args, "manager"),
    "portfolio:public_detail": (READ, startup, "manager"),
    "portfolio:startups_json": (READ, no_args, "manager"),
    "portfolio:incubators_json": (READ, no_args, "manager"),
    "portfolio:statistics": (READ, no_args, "manager"),
    "portfolio:statistics_csv": (READ, lambda world: {"table": "produits-par-phase"}, "manager"),
    "portfolio:statistics_json": (READ, no_args, "manager"),
    "portfolio:dashboard": (READ, lambda world: {"slug": world.startup.incubator.slug}, "manager"),
    "portfolio:dashboard_csv": (
        READ,
        lambda world: {"slug": world.startup.incubator.slug, "key": "products_by_phase"},
        "manager",
    ),
    "portfolio:cockpit": (READ, no_args, "network_admin"),
    "portfolio:cockpit_csv": (READ, lambda world: {"key": "comparaison"}, "network_admin"),
    "portfolio:as_of": (READ, no_args, "network_admin"),
    "portfolio:data_quality": (READ, no_args, "network_admin"),
    # Committees
    "committees:committee_list": (READ, no_args, "manager"),
    "committees:my_calendar": (READ, no_args, "manager"),
    "committees:calendar_feed_renew": (ACTION, no_args, None),
    "committees:document_download": (READ, lambda world: {"pk": world.document.pk}, "manager"),
    "committees:committee_detail": (READ, committee, "manager"),
    "committees:committee_ics": (READ, committee, "manager"),
    "committees:document_add": (FORM, committee, "manager"),
    "committees:decision": (FORM, committee, "manager"),
    "committees:follow_up": (ACTION, committee, None),
    "committees:committee_cancel": (FORM, committee, "manager"),  # GET: the confirmation page
    "committees:committee_plan": (FORM, startup, "manager"),
    "committees:due_date": (FORM, startup, "manager"),
    "committees:calendar_feed": (READ, lambda world: {"token": world.feed.token}, "manager"),
    # Calls: the public and the applicant
    "calls:call_list": (READ, no_args, "applicant"),
    "calls:call_detail": (READ, call, "applicant"),
    "calls:apply": (FORM, call, "applicant"),
    "calls:autosave": (ACTION, call, None),
    "calls:withdraw": (ACTION, application, None),
    "calls:talent_pool_withdraw": (ACTION, application, None),
    "calls:my_applications": (READ, no_args, "applicant"),
    "calls:application_detail": (READ, application, "applicant"),
    "calls:commitment": (ACTION, signed_application, None),
    "calls:commitment_file": (READ, signed_application, "applicant"),
    "calls:guide_file": (READ, call, "applicant"),
    "calls:answer_file": (
        READ,
        lambda world: {"pk": world.application.pk, "question": world.file_question.pk},
        "applicant",
    ),
    # Calls: the jury (the network admin judges the call)
    "calls:jury_calls": (READ, no_args, "network_admin"),
    "calls:jury_applications": (READ, call, "network_admin"),
    "calls:jury_application": (READ, application, "network_admin"),
    "calls:jury_vote": (ACTION, application, None),
    "calls:jury_conflict": (ACTION, application, None),
    "calls:jury_score": (ACTION, application, None),
    # Calls: the managers
    "calls:manage_call_list": (READ, no_args, "manager"),
    "calls:manage_call_create": (FORM, no_args, "manager"),
    "calls:manage_call": (READ, call, "manager"),
    "calls:manage_call_update": (FORM, call, "manager"),
    "calls:manage_call_status": (FORM, lambda world: {**call(world), "to": "closed"}, "manager"),  # GET: confirm
    "calls:manage_jurors": (FORM, call, "manager"),
    "calls:manage_ranking": (READ, call, "manager"),
    "calls:manage_preselect": (FORM, call, "manager"),  # GET: the confirmation page, POST: the bulk result
    "calls:manage_selection": (READ, call, "manager"),
    "calls:manage_draw": (FORM, call, "manager"),  # GET: the confirmation page
    "calls:manage_convoke": (FORM, call, "manager"),  # GET: the confirmation page
    "calls:manage_prepare_results": (ACTION, call, None),
    "calls:manage_send_results": (FORM, call, "manager"),  # GET: the confirmation page
    "calls:manage_export": (READ, call, "manager"),
    "calls:manage_application_list": (READ, no_args, "manager"),
    "calls:manage_application": (READ, application, "manager"),
    "calls:manage_decide": (ACTION, application, None),
    "calls:manage_onboard": (FORM, signed_application, "manager"),
    # Community: the catalogue, the requests, the events (the network admin handles and organises)
    "community:resource_list": (READ, no_args, "applicant"),
    "community:resource_detail": (READ, lambda world: {"slug": world.community["resource"].slug}, "applicant"),
    "community:request_create": (FORM, lambda world: {"slug": world.community["resource"].slug}, "manager"),
    "community:for_startup": (READ, startup, "manager"),
    "community:my_requests": (READ, no_args, "manager"),
    "community:queue": (READ, no_args, "network_admin"),
    "community:queue_export": (READ, no_args, "network_admin"),
    "community:request_detail": (READ, lambda world: {"pk": world.community["request"].pk}, "manager"),
    "community:request_transition": (ACTION, lambda world: {"pk": world.community["request"].pk}, None),
    "community:request_comment": (ACTION, lambda world: {"pk": world.community["request"].pk}, None),
    "community:dismiss_suggestion": (
        ACTION,
        lambda world: {**startup(world), "resource": world.community["resource"].slug},
        None,
    ),
    "community:event_list": (READ, no_args, "applicant"),
    "community:event_detail": (READ, lambda world: {"slug": world.community["event"].slug}, "applicant"),
    "community:event_register": (ACTION, lambda world: {"slug": world.community["event"].slug}, None),
    "community:event_cancel": (ACTION, lambda world: {"slug": world.community["event"].slug}, None),
    "community:event_ics": (READ, lambda world: {"slug": world.community["event"].slug}, "applicant"),
    "community:attendance": (READ, lambda world: {"slug": world.community["event"].slug}, "network_admin"),
    "community:attendance_export": (READ, lambda world: {"slug": world.community["event"].slug}, "network_admin"),
    "standards:scorecard_edit": (FORM, startup, "manager"),
    # allauth (its own views, under compte/): invalid keys are enough, a GET must change nothing
    "account_login": (THIRD_PARTY, no_args, None),
    "account_logout": (THIRD_PARTY, no_args, None),
    "account_inactive": (THIRD_PARTY, no_args, None),
    "account_signup": (THIRD_PARTY, no_args, None),
    "account_reauthenticate": (THIRD_PARTY, no_args, None),
    "account_request_reauthentication_code": (THIRD_PARTY, no_args, None),
    "account_confirm_reauthentication_code": (THIRD_PARTY, no_args, None),
    "account_email": (THIRD_PARTY, no_args, None),
    "account_email_verification_sent": (THIRD_PARTY, no_args, None),
    "account_change_password": (THIRD_PARTY, no_args, None),
    "account_set_password": (THIRD_PARTY, no_args, None),
    "account_reset_password": (THIRD_PARTY, no_args, None),
    "account_confirm_login_code": (THIRD_PARTY, no_args, None),
    "account_confirm_email": (THIRD_PARTY, lambda world: {"key": "not-a-key"}, None),
    "account_reset_password_from_key_done": (THIRD_PARTY, no_args, None),
    "account_reset_password_from_key": (THIRD_PARTY, lambda world: {"uidb36": "0", "key": "not-a-key"}, None),
    "account_reset_password_done": (THIRD_PARTY, no_args, None),
    # allauth's second factor and third-party accounts (ProConnect): their views, their methods
    "mfa_index": (THIRD_PARTY, no_args, None),
    "mfa_authenticate": (THIRD_PARTY, no_args, None),
    "mfa_reauthenticate": (THIRD_PARTY, no_args, None),
    "mfa_activate_totp": (THIRD_PARTY, no_args, None),
    "mfa_deactivate_totp": (THIRD_PARTY, no_args, None),
    "mfa_view_recovery_codes": (THIRD_PARTY, no_args, None),
    "mfa_download_recovery_codes": (THIRD_PARTY, no_args, None),
    "mfa_generate_recovery_codes": (THIRD_PARTY, no_args, None),
    "mfa_list_webauthn": (THIRD_PARTY, no_args, None),
    "mfa_add_webauthn": (THIRD_PARTY, no_args, None),
    "mfa_reauthenticate_webauthn": (THIRD_PARTY, no_args, None),
    "mfa_edit_webauthn": (THIRD_PARTY, lambda world: {"pk": 0}, None),
    "mfa_remove_webauthn": (THIRD_PARTY, lambda world: {"pk": 0}, None),
    "openid_connect_login": (THIRD_PARTY, lambda world: {"provider_id": "proconnect"}, None),
    "openid_connect_callback": (THIRD_PARTY, lambda world: {"provider_id": "proconnect"}, None),
    "socialaccount_connections": (THIRD_PARTY, no_args, None),
    "socialaccount_login_cancelled": (THIRD_PARTY, no_args, None),
    "socialaccount_login_error": (THIRD_PARTY, no_args, None),
    "socialaccount_signup": (THIRD_PARTY, no_args, None),
    "/compte/social/connections/": (THIRD_PARTY, no_args, None),  # allauth's old paths, redirected
    "/compte/social/login/cancelled/": (THIRD_PARTY, no_args, None),
    "/compte/social/login/error/": (THIRD_PARTY, no_args, None),
    "/compte/social/signup/": (THIRD_PARTY, no_args, None),
}
PERSONAS = ["network_admin", "manager", "applicant"]


def project_routes(patterns=None, prefix="", namespace=""):
    """{name (with its namespace), or the path of an unnamed pattern: route} of every URL pattern."""
    routes = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            routes.update(project_routes(pattern.url_patterns, route, inner))
        elif isinstance(pattern, URLPattern):
            routes[f"{namespace}{pattern.name}" if pattern.name else f"/{route}"] = route
    return routes


def listed_routes():
    return {
        name: route
        for name, route in project_routes().items()
        if not any(route.startswith(prefix) for prefix in EXCLUDED_PREFIXES)
    }


def routes_of(*kinds):
    return [name for name, (kind, _kwargs, _persona) in ROUTES.items() if kind in kinds]


def url(name, world):
    """The URL of a route: reversed by its name (an unnamed pattern is listed by its path)."""
    return name if name.startswith("/") else reverse(name, kwargs=ROUTES[name][1](world))


def snapshot():
    """Every row of every model (sessions excepted: signing in and messages write there; the audit
    log too: it records reads, a download or a refused page, by design)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label not in {"sessions.Session", "incubator.AuditEvent"}
    }


def changed_models(before, after):
    return sorted(label for label in before if before[label] != after[label])


@pytest.fixture
def world(incubator_a, member_a, network_admin):
    """One object of each kind that a URL names, all in incubator A: a product in construction with
    a team member and an indicator, a committee two days ago still planned (its decision and its
    cancellation are both possible) with a deck, the manager's calendar feed, an open call judged
    by the network admin with a file question, a submitted application that answered it, and a
    laureate's application with its signed commitment form."""
    applicant = UserFactory(email="agent@example.gouv.fr")
    product = StartupFactory(slug="produit-a", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    past = CommitteeFactory(startup=product, scheduled_at=paris(timezone.localdate() - datetime.timedelta(days=2)))
    guide = default_storage.save(f"calls/guides/{random_name('pdf')}", SimpleUploadedFile("x", PDF))
    the_call = CallFactory(incubator=incubator_a, slug="appel-a", guide_file=guide)
    the_call.jurors.add(network_admin)
    question = QuestionFactory(call=the_call, kind=Question.Kind.FILE, label="Une note", required=False)
    stored = default_storage.save(f"calls/answers/{the_call.pk}/{random_name('pdf')}", SimpleUploadedFile("x", PDF))
    commitment = default_storage.save(f"calls/commitments/{random_name('pdf')}", SimpleUploadedFile("x", PDF))
    return SimpleNamespace(
        personas={"network_admin": network_admin, "manager": member_a, "applicant": applicant},
        incubator=incubator_a,
        startup=product,
        team_member=TeamMembershipFactory(startup=product),
        indicator=IndicatorFactory(startup=product),
        event=ProductEventFactory(startup=product),
        committee=past,
        document=CommitteeDocumentFactory(committee=past),
        feed=CalendarFeed.objects.create(user=member_a, token="feed-of-manager-a"),
        call=the_call,
        file_question=question,
        application=ApplicationFactory(
            call=the_call,
            applicant=applicant,
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now(),
            answers={str(question.pk): {"name": "note.pdf", "path": stored}},
        ),
        signed=ApplicationFactory(
            call=CallFactory(incubator=incubator_a, slug="appel-a-2024"),
            applicant=applicant,
            status=Application.Status.COMMITMENT_SIGNED,
            commitment_form=commitment,
        ),
        community=route_objects(startup=product, requester=member_a, organiser=network_admin),
    )


def test_every_route_is_listed():
    """A new route gets its kind, its arguments and its persona here, or an exclusion with a reason."""
    routes = listed_routes()

    assert sorted(set(routes) - set(ROUTES)) == []  # routes nobody listed
    assert sorted(set(ROUTES) - set(routes)) == []  # listed routes that are gone


@pytest.mark.parametrize("persona", PERSONAS)
def test_get_of_every_route_changes_no_row_and_answers_its_methods(client, world, persona):
    client.force_login(world.personas[persona])
    changes, statuses = {}, {}

    for name in ROUTES:
        before = snapshot()
        response = client.get(url(name, world))
        if response.streaming:  # a download: read it to the end, which closes its file
            b"".join(response.streaming_content)
        if changed := changed_models(before, snapshot()):
            changes[name] = changed
        statuses[name] = response.status_code

    assert changes == {}
    assert {name: status for name, status in statuses.items() if status >= 500} == {}
    assert {name: statuses[name] for name in routes_of(ACTION) if statuses[name] != 405} == {}
    assert {name: statuses[name] for name in routes_of(READ, FORM) if statuses[name] == 405} == {}
    # The fixture set reaches each page: its persona gets it (not a 404 that would test nothing).
    reached = [name for name in routes_of(READ, FORM) if ROUTES[name][2] == persona]
    assert {name: statuses[name] for name in reached if statuses[name] != 200} == {}


@pytest.mark.parametrize("name", routes_of(READ))
def test_post_to_a_read_only_route_is_a_405_and_changes_nothing(client, world, name):
    client.force_login(world.personas[ROUTES[name][2]])
    before = snapshot()

    response = client.post(url(name, world), {"name": "=changed"})

    assert response.status_code == 405
    assert changed_models(before, snapshot()) == []


@pytest.mark.parametrize("name", routes_of(FORM))
def test_post_to_a_form_route_is_the_form_submission(client, world, name):
    """An empty POST reaches the form: the page again with the errors, or its outcome (a
    redirect), never a 405 nor a crash."""
    client.force_login(world.personas[ROUTES[name][2]])

    response = client.post(url(name, world), {})

    assert response.status_code in {200, 302, 400}, (name, response.status_code)
