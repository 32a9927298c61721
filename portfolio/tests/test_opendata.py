"""The open data served like a file: the same documents as before, rebuilt when the data changes,
304 to a client that has them, gzip, a rate limit per client, and a constant number of queries."""

import datetime
import email.utils
import gzip
import json
import time

import pytest
import time_machine
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from incubator import registry
from incubator.models import Incubator
from incubator.tests.factories import IncubatorFactory, OrganisationFactory
from portfolio import opendata
from portfolio.models import Phase, Startup
from portfolio.presenters import startup_json
from portfolio.services import change_phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

D = datetime.date
STARTUPS = reverse("portfolio:startups_json")
INCUBATORS = reverse("portfolio:incubators_json")


def previous_startups_json():
    """What ``/api/startups.json`` answered before it was cached (the view as it was)."""
    request = RequestFactory().get(STARTUPS)
    startups = Startup.objects.published().for_list().prefetch_related("periods", "other_incubators")
    return JsonResponse({"startups": [startup_json(startup, request) for startup in startups]}).content


# Fields the document gained since the previous view: the products' public events (their shape and
# order are tested in test_events.py).
NEW_FIELDS = {"events"}


def core(content):
    """The document without the fields upper apps add (``registry.OpenDataField``) and those it
    gained since (``NEW_FIELDS``), as bytes serialised as the view does: what the portfolio itself
    served before."""
    added = {field.key for field in registry.open_data_fields()} | NEW_FIELDS
    data = json.loads(content)
    data["startups"] = [{k: v for k, v in startup.items() if k not in added} for startup in data["startups"]]
    return json.dumps(data, cls=DjangoJSONEncoder).encode()


def previous_incubators_json():
    request = RequestFactory().get(INCUBATORS)
    incubators = Incubator.objects.active().for_list()
    return JsonResponse(
        {
            "incubators": [
                {
                    "slug": incubator.slug,
                    "title": incubator.title,
                    "owner": {"acronym": incubator.owner.acronym, "name": incubator.owner.name},
                    "contact_email": incubator.contact_email,
                    "website": incubator.website,
                    "address": incubator.address,
                    "short_description": incubator.short_description,
                    "url": request.build_absolute_uri(incubator.get_absolute_url()),
                }
                for incubator in incubators
            ]
        }
    ).content


@pytest.fixture
def network(incubator_a, incubator_b, member_a):
    """Three published products (sponsors, partner incubators, several phases) and a hidden one."""
    dinum, anct = OrganisationFactory(acronym="DINUM"), OrganisationFactory(acronym="ANCT")
    alpha = StartupFactory(
        slug="alpha", name="Alpha", incubator=incubator_a, website="https://alpha.beta.gouv.fr", themes=["sante"]
    )
    alpha.sponsors.set([dinum, anct])
    alpha.other_incubators.set([incubator_b])
    change_phase(startup=alpha, phase=Phase.CONSTRUCTION, start=D(2025, 3, 3), actor=member_a)
    change_phase(startup=alpha, phase=Phase.ACCELERATION, start=D(2025, 9, 1), actor=member_a)
    beta = StartupFactory(slug="beta.gouv.fr", name="Beta", incubator=incubator_b, user_types=["agents"])
    beta.sponsors.set([anct])
    StartupFactory(slug="gamma", name="Gamma", incubator=incubator_a, contact_email="personne@example.gouv.fr")
    StartupFactory(slug="cache", name="Caché", incubator=incubator_a, is_published=False)
    return {"alpha": alpha, "beta": beta, "dinum": dinum}


def test_startups_json_is_the_previous_document(client, network):
    response = client.get(STARTUPS)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert core(response.content) == previous_startups_json()
    alpha = response.json()["startups"][0]
    assert alpha["sponsors"] == ["ANCT", "DINUM"]
    assert alpha["other_incubators"] == ["fabrique-b"]
    assert [period["phase"] for period in alpha["phases"]] == ["investigation", "construction", "acceleration"]
    assert [startup["slug"] for startup in response.json()["startups"]] == ["alpha", "beta.gouv.fr", "gamma"]
    assert "personne@example.gouv.fr" not in response.text


def test_incubators_json_is_the_previous_document(client, incubator_a, incubator_b):
    IncubatorFactory(slug="fermee", is_active=False)

    response = client.get(INCUBATORS)

    assert response.status_code == 200
    assert response.content == previous_incubators_json()
    assert [incubator["slug"] for incubator in response.json()["incubators"]] == ["fabrique-a", "fabrique-b"]


def unpublish(network, member_a):
    network["beta"].is_published = False
    network["beta"].save()


def publish(network, member_a):
    hidden = Startup.objects.get(slug="cache")
    hidden.is_published = True
    hidden.save()


def rename(network, member_a):
    network["alpha"].name = "Alpha renommé"
    network["alpha"].save()


def move_phase(network, member_a):
    change_phase(startup=network["beta"], phase=Phase.CONSTRUCTION, start=D(2025, 10, 6), actor=member_a)


def rename_sponsor(network, member_a):
    network["dinum"].acronym = "DINUM-2"
    network["dinum"].save()


def add_sponsor(network, member_a):
    network["beta"].sponsors.add(network["dinum"])


def remove_partner(network, member_a):
    network["alpha"].other_incubators.clear()


def rename_incubator(network, member_a):
    incubator = Incubator.objects.get(slug="fabrique-b")
    incubator.slug = "fabrique-bis"
    incubator.save()


def touch(network, member_a):
    """A sheet's date moved without a signal (``Startup.touch()`` is an UPDATE)."""
    network["beta"].touch()


def update_with_its_date(network, member_a):
    """An UPDATE that sends no signal but moves the date, as an import would."""
    Startup.objects.filter(slug="gamma").update(name="Gamma bis", updated_at=timezone.now())


@pytest.mark.parametrize(
    "change",
    [
        unpublish,
        publish,
        rename,
        move_phase,
        rename_sponsor,
        add_sponsor,
        remove_partner,
        rename_incubator,
        touch,
        update_with_its_date,
    ],
)
def test_startups_json_is_rebuilt_when_the_data_changes(client, network, member_a, change):
    first = client.get(STARTUPS)

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=2)):
        change(network, member_a)
        second = client.get(STARTUPS, headers={"if-none-match": first["ETag"]})

    assert second.status_code == 200
    assert second.content != first.content
    assert core(second.content) == previous_startups_json()
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"] != first["Last-Modified"]


def test_a_write_unseen_shows_when_the_cached_copy_expires(client, network, monkeypatch):
    monkeypatch.setattr(opendata, "CACHE_TIMEOUT", 1)  # an hour in production; Redis keeps its own clock
    first = client.get(STARTUPS)
    Startup.objects.filter(slug="gamma").update(name="Gamma bis")  # no signal, the same date

    unseen = client.get(STARTUPS)
    time.sleep(1.1)
    expired = client.get(STARTUPS)

    assert unseen.content == first.content
    assert b"Gamma bis" in expired.content


def test_incubators_json_is_rebuilt_when_an_owner_is_renamed(client, incubator_a):
    first = client.get(INCUBATORS)
    owner = incubator_a.owner
    owner.name = "Ministère renommé"
    owner.save()

    second = client.get(INCUBATORS)

    assert second.json()["incubators"][0]["owner"]["name"] == "Ministère renommé"
    assert second.content == previous_incubators_json()
    assert second["ETag"] != first["ETag"]


def test_the_same_document_is_served_again_from_the_cache(client, network, django_assert_num_queries):
    first = client.get(STARTUPS)

    with django_assert_num_queries(1):  # the fingerprint
        second = client.get(STARTUPS)

    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]


def test_a_client_with_the_etag_gets_a_304(client, network, django_assert_num_queries):
    first = client.get(STARTUPS)

    with django_assert_num_queries(1):
        response = client.get(STARTUPS, headers={"if-none-match": first["ETag"]})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert response["Cache-Control"] == "public, max-age=300"
    assert first["ETag"].startswith('W/"')


def test_a_client_with_the_date_gets_a_304(client, network):
    first = client.get(INCUBATORS)

    response = client.get(INCUBATORS, headers={"if-modified-since": first["Last-Modified"]})
    older = email.utils.format_datetime(
        email.utils.parsedate_to_datetime(first["Last-Modified"]) - datetime.timedelta(seconds=1), usegmt=True
    )
    stale = client.get(INCUBATORS, headers={"if-modified-since": older})

    assert response.status_code == 304
    assert stale.status_code == 200


def test_a_document_rebuilt_to_the_same_bytes_keeps_its_date(client, network):
    first = client.get(STARTUPS)
    network["alpha"].save()  # a save that changes nothing shown

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=5)):
        second = client.get(STARTUPS)

    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]


@pytest.mark.parametrize("url", [STARTUPS, INCUBATORS])
def test_the_documents_are_compressed_for_clients_that_accept_it(client, network, url):
    plain = client.get(url)

    compressed = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content)
    assert compressed["ETag"] == plain["ETag"]
    assert "Accept-Encoding" in compressed["Vary"]


@pytest.mark.parametrize("url", [STARTUPS, INCUBATORS])
def test_the_documents_may_be_kept_by_browsers_and_proxies(client, network, url):
    response = client.get(url)

    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Last-Modified"].endswith(" GMT")


def test_a_head_request_has_the_headers_and_no_body(client, network):
    response = client.head(STARTUPS)

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"].startswith('W/"')


def test_each_host_has_its_own_urls(client, network, settings):
    settings.ALLOWED_HOSTS = ["testserver", "portail.example.gouv.fr"]
    client.get(STARTUPS)

    other = client.get(STARTUPS, HTTP_HOST="portail.example.gouv.fr")

    assert other.json()["startups"][0]["url"] == "http://portail.example.gouv.fr/produits/alpha/"


def test_the_open_data_is_rate_limited_per_client(client, network, settings):
    settings.OPEN_DATA_RATE_LIMIT = "3/m"
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, 15, tzinfo=datetime.UTC), tick=False):
        answers = [client.get(url).status_code for url in (STARTUPS, INCUBATORS, STARTUPS)]
        refused = client.get(STARTUPS)
        other_client = client.get(STARTUPS, REMOTE_ADDR="192.0.2.7")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 1, 0, tzinfo=datetime.UTC), tick=False):
        next_minute = client.get(STARTUPS)

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert refused.json() == {
        "error": "rate_limited",
        "detail": "Trop de requêtes : réessayez plus tard (dans retry_after secondes).",
        "retry_after": 45,
    }
    assert other_client.status_code == 200
    assert next_minute.status_code == 200


def test_an_ipv6_client_is_limited_by_its_prefix(client, network, settings):
    settings.OPEN_DATA_RATE_LIMIT = "1/m"
    client.get(STARTUPS, REMOTE_ADDR="2001:db8:1:2::1")

    same_prefix = client.get(STARTUPS, REMOTE_ADDR="2001:db8:1:2::ffff")
    other_prefix = client.get(STARTUPS, REMOTE_ADDR="2001:db8:1:3::1")

    assert same_prefix.status_code == 429
    assert other_prefix.status_code == 200


def test_no_limit_when_the_setting_is_empty(client, network, settings):
    settings.OPEN_DATA_RATE_LIMIT = ""

    assert {client.get(INCUBATORS).status_code for _ in range(5)} == {200}


def test_other_pages_are_not_rate_limited_by_it(client, network, settings):
    settings.OPEN_DATA_RATE_LIMIT = "1/m"

    assert {client.get(reverse("portfolio:directory")).status_code for _ in range(3)} == {200}


def make_products(incubator, count):
    sponsor = OrganisationFactory(acronym="SPONSOR")
    for startup in StartupFactory.create_batch(count, incubator=incubator):
        startup.sponsors.set([sponsor])
        startup.other_incubators.set([incubator])
        TeamMembershipFactory(startup=startup, user=None, name="Quelqu'un")


@pytest.mark.parametrize("count", [1, 30])
def test_open_data_query_count(client, incubator_a, django_assert_num_queries, count):
    make_products(incubator_a, count)

    # A miss: the fingerprint, then the products, sponsors, partner incubators and phases, the events and the
    # standards' criteria and answers (standards/contributions.py).
    with django_assert_num_queries(8):
        client.get(STARTUPS)
    with django_assert_num_queries(1):
        client.get(STARTUPS)
    with django_assert_num_queries(2):  # the fingerprint, the incubators with their owners
        client.get(INCUBATORS)
    with django_assert_num_queries(1):
        client.get(INCUBATORS)
