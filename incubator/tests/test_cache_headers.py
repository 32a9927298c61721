"""Personal pages are never stored by a browser or a shared cache: ``Cache-Control: no-store`` on
every response to a signed-in user, on every download and on the personal calendar feed.

The walk covers EVERY URL pattern of the project (``get_resolver()``): a new pattern with a
parameter this file cannot fill fails the test until it gets a value in ``values()`` or a line
in ``EXCLUDED`` with its reason.
"""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from calls.models import Question
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory
from committees.models import CalendarFeed
from committees.tests.factories import CommitteeDocumentFactory, CommitteeFactory, DecisionFactory
from community.tests.factories import route_objects
from incubator.tests.factories import UserFactory
from portfolio.tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProductEventFactory,
    StartupFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db

# Patterns (by name, or by route when unnamed) left out, each with its reason. Keep it short.
EXCLUDED = {}

# Pages of one applicant: fetched as the owner, so the test reads the page itself, not a 404.
AS_APPLICANT = {
    "calls:apply",
    "calls:autosave",
    "calls:withdraw",
    "calls:talent_pool_withdraw",
    "calls:my_applications",
    "calls:application_detail",
    "calls:commitment",
    "calls:commitment_file",
    "calls:answer_file",
}

# Personal pages that must answer 200 in this walk (so the walk does test the real responses).
MUST_ANSWER = {
    "incubator:my_space",
    "incubator:my_data",
    "incubator:my_data_download",
    "incubator:my_data_files",
    "portfolio:startup_detail",
    "portfolio:startup_list",
    "committees:committee_detail",
    "committees:committee_ics",
    "committees:document_download",
    "committees:my_calendar",
    "calls:manage_call",
    "calls:manage_application_list",
    "calls:manage_export",
    "calls:apply",
    "calls:my_applications",
    "calls:application_detail",
    "admin:index",
    "admin:incubator_user_change",
    "community:my_requests",
    "community:queue",
    "community:request_detail",
    "community:attendance",
    "standards:scorecard_edit",
}


def read(response):
    """Read a streamed response to its end: the test client then closes its file (a download
    holds it open), without closing the database connection as ``response.close()`` would."""
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def walk(patterns, prefix="", namespace=None):
    """(name or None, route, pattern) for every URL pattern, includes followed."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern), pattern


@pytest.fixture
def objects(network_admin, incubator_a, member_a):
    """One of everything a URL can point at."""
    applicant = UserFactory(email="candidate@example.gouv.fr")
    startup = StartupFactory(slug="produit-cache", incubator=incubator_a)
    indicator = IndicatorFactory(startup=startup)
    MeasurementFactory(indicator=indicator)
    team = TeamMembershipFactory(startup=startup)
    committee = CommitteeFactory(startup=startup)
    document = CommitteeDocumentFactory(committee=committee)
    DecisionFactory(committee__startup=startup)
    feed = CalendarFeed.objects.create(user=network_admin, token="jeton-secret-du-calendrier")
    call = CallFactory(slug="appel-cache", incubator=incubator_a)
    question = QuestionFactory(call=call, kind=Question.Kind.FILE)
    application = ApplicationFactory(call=call, applicant=applicant)
    Group.objects.create(name="Lecteurs")
    send_mail("Objet", "Texte", None, [applicant.email])  # an outbox row
    return {
        "applicant": applicant,
        "incubator": incubator_a,
        "startup": startup,
        "indicator": indicator,
        "team": team,
        "event": ProductEventFactory(startup=startup),
        "committee": committee,
        "document": document,
        "feed": feed,
        "call": call,
        "question": question,
        "application": application,
        "community": route_objects(startup=startup, requester=applicant, organiser=network_admin),
    }


def values(objects):
    """Parameter values, by (view name, parameter), then (namespace, parameter), then parameter."""
    startup, call, application = objects["startup"], objects["call"], objects["application"]
    return {
        ("incubator", "slug"): objects["incubator"].slug,
        ("portfolio", "slug"): startup.slug,
        ("portfolio:team_edit", "pk"): objects["team"].pk,
        ("portfolio:team_remove", "pk"): objects["team"].pk,
        ("portfolio:measurement_add", "pk"): objects["indicator"].pk,
        ("portfolio:event_edit", "pk"): objects["event"].pk,
        ("portfolio:event_delete", "pk"): objects["event"].pk,
        ("portfolio:statistics_csv", "table"): "produits-par-phase",
        ("incubator:incubator_chart_csv", "key"): "produits-par-phase",
        ("portfolio:dashboard", "slug"): objects["incubator"].slug,
        ("portfolio:dashboard_csv", "slug"): objects["incubator"].slug,
        ("portfolio:dashboard_csv", "key"): "products_by_phase",
        ("portfolio:cockpit_csv", "key"): "comparaison",
        ("committees", "slug"): startup.slug,
        ("committees", "pk"): objects["committee"].pk,
        ("committees:document_download", "pk"): objects["document"].pk,
        ("committees", "token"): objects["feed"].token,
        ("calls", "slug"): call.slug,
        ("calls:manage_call_status", "to"): "closed",
        ("calls", "pk"): application.pk,
        ("calls", "question"): objects["question"].pk,
        ("community:resource_detail", "slug"): objects["community"]["resource"].slug,
        ("community:request_create", "slug"): objects["community"]["resource"].slug,
        ("community:for_startup", "slug"): startup.slug,
        ("community:dismiss_suggestion", "slug"): startup.slug,
        ("community:dismiss_suggestion", "resource"): objects["community"]["resource"].slug,
        ("community", "slug"): objects["community"]["event"].slug,
        ("community", "pk"): objects["community"]["request"].pk,
        ("standards", "slug"): startup.slug,
        ("admin", "app_label"): "incubator",
        ("admin", "content_type_id"): ContentType.objects.get_for_model(startup).pk,
        ("admin", "url"): "pas-une-page",
        ("admin:view_on_site", "object_id"): startup.pk,
        "key": "cle-inconnue",
        "uidb36": "1",
        ("mfa_edit_webauthn", "pk"): 0,  # no security key: allauth's answer to an unknown one
        ("mfa_remove_webauthn", "pk"): 0,
        "provider_id": "proconnect",
    }


def admin_model(name):
    """The model of an admin view name (``admin:portfolio_startup_change`` -> Startup)."""
    for model in admin.site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def admin_object(model, route):
    """The first row of the model whose admin route this is (the route names its app and model)."""
    for candidate in admin.site._registry:
        if route.startswith(f"admin/{candidate._meta.app_label}/{candidate._meta.model_name}/"):
            model = candidate
    return model._default_manager.order_by("pk").first() if model else None


def parameters(pattern):
    """Named parameters of a pattern, and the count of its positional ones."""
    regex = pattern.pattern.regex
    return list(regex.groupindex), regex.groups - len(regex.groupindex)


def build_url(name, route, pattern, table):
    """The URL to GET for a pattern, or a string saying what is missing."""
    named, positional = parameters(pattern)
    # The parameters of the includes above it too (allauth's keys/<int:pk>/, oidc/<provider_id>/).
    above = [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]
    named = list(dict.fromkeys(above + named))
    namespace = name.split(":")[0] if name and ":" in name else ("admin" if route.startswith("admin/") else None)
    kwargs = {}
    model_row = admin_object(admin_model(name or ""), route) if namespace == "admin" else None
    for parameter in named:
        for key in ((name, parameter), (namespace, parameter), parameter):
            if key in table:
                kwargs[parameter] = table[key]
                break
        else:
            if parameter in {"object_id", "id"} and namespace == "admin":
                # The first row; a model without one (jury votes...) gets the admin's answer to
                # an unknown id, the same view code as for a real row.
                kwargs[parameter] = model_row.pk if model_row else 0
            else:
                return f"no value for <{parameter}>"
    args = []
    if positional:
        if not (name or "").endswith("_simple_history"):
            return f"no values for its {positional} positional parameters"
        version = model_row.history.order_by("history_id").first() if model_row else None
        args = [model_row.pk if model_row else 0, version.history_id if version else 0]
    if name:
        return reverse(name, args=args, kwargs=kwargs)
    # Unnamed: fill the route itself.
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match.group(1)]), route)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(kwargs[match.group(1)]), url)
    return "/" + url.lstrip("^").rstrip("$")


def test_every_signed_in_response_is_not_stored(client, objects, network_admin):
    table = values(objects)
    problems, answered = [], {}
    for name, route, pattern in walk(get_resolver().url_patterns):
        key = name or route
        if key in EXCLUDED:
            continue
        url = build_url(name, route, pattern, table)
        if not url.startswith("/"):
            problems.append(f"{key}: {url}: give it a value in values() or a reason in EXCLUDED")
            continue
        user = objects["applicant"] if name in AS_APPLICANT else network_admin
        client.force_login(user)
        response = read(client.get(url))
        answered[key] = response.status_code
        if "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"{key}: GET {url} -> {response.status_code} without no-store")

    assert not problems, "\n".join(problems)
    assert {name: answered.get(name) for name in MUST_ANSWER} == dict.fromkeys(MUST_ANSWER, 200)
    assert len(answered) > 200  # the admin's pages included


def test_personal_calendar_feed_is_not_stored_though_anonymous(client, objects):
    response = client.get(objects["feed"].get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_download_is_not_stored(sign_in, objects, network_admin):
    response = read(sign_in(network_admin).get(reverse("committees:document_download", args=[objects["document"].pk])))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("incubator:home"),
        reverse("portfolio:directory"),
        reverse("portfolio:statistics"),
        reverse("calls:call_list"),
    ],
)
def test_public_pages_for_anonymous_visitors_stay_cacheable(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert "Cache-Control" not in response


@pytest.mark.parametrize(
    "url",
    [reverse("portfolio:startups_json"), reverse("portfolio:incubators_json"), reverse("portfolio:statistics_json")],
)
def test_the_open_data_may_be_kept_by_browsers_and_proxies(client, sign_in, member_a, url):
    anonymous = client.get(url)
    signed_in = sign_in(member_a).get(url)

    assert anonymous["Cache-Control"] == "public, max-age=300"
    assert "no-store" in signed_in["Cache-Control"]
    assert "private" in signed_in["Cache-Control"]
    assert "public" not in signed_in["Cache-Control"]


def test_the_same_public_page_is_not_stored_for_a_signed_in_user(sign_in, member_a):
    response = sign_in(member_a).get(reverse("incubator:home"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("url", ["/", "/static/dsfr/dist/dsfr.module.min.js", "/pas-une-page/"])
def test_permissions_policy_on_every_response(client, url):
    response = read(client.get(url))

    assert response.status_code in {200, 404}
    policy = response["Permissions-Policy"]
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} <= set(policy.split(", "))


def test_model_registry_is_walked(objects):
    """The admin part of the walk finds its models (a guard on admin_model())."""
    assert admin_model("admin:portfolio_startup_change") is apps.get_model("portfolio", "Startup")
