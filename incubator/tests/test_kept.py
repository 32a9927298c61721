"""Kept pieces of pages (``{% kept %}``, incubator/templatetags/kept.py) and the version of the data
they are keyed by (``versions.WRITES``, replaced by every write the portal sends to its database,
and once more when a transaction commits)."""

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.middleware.csrf import _does_token_match, _get_new_csrf_string
from django.template import engines
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from incubator import versions
from incubator.models import Organisation
from incubator.templatetags import kept as kept_module
from incubator.tests.factories import OrganisationFactory, UserFactory
from incubator.versions import WRITES
from portfolio.models import Startup
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

LIST = reverse("portfolio:startup_list")
CLOSED_CACHE = {
    # Nothing listens on port 9 (discard): every read and write of the cache is refused.
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def template(source):
    return engines["django"].from_string("{% load kept %}" + source)


PIECE = template('{% kept "piece" %}<p>{{ shown }}</p>{% endkept %}')
SHARED = template('{% kept "piece" for_everyone %}<p>{{ shown }}</p>{% endkept %}')
WITH_VALUES = template('{% kept "piece" ids %}<p>{{ shown }}</p>{% endkept %}')
FORM = template('{% kept "form" %}<form method="post">{% csrf_token %}<p>{{ shown }}</p></form>{% endkept %}')


def request_to(path="/kept/", user=None, csrf_secret=None):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    if csrf_secret:
        request.META["CSRF_COOKIE"] = csrf_secret  # what CsrfViewMiddleware reads from the cookie
    return request


def tokens(html):
    return TOKEN.findall(html)


def without_tokens(html):
    """The page without what changes at each request on its own: the masked CSRF tokens and the
    CSP nonces."""
    html = TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


# WRITES: which statements replace it.


@pytest.fixture
def organisation(transactional_db):
    return OrganisationFactory(acronym="KEPT", name="Ministère du cache")


def insert(organisation):
    OrganisationFactory.build(acronym="NEUVE").save()


def update_by_save(organisation):
    organisation.name = "Ministère renommé"
    organisation.save()


def update_queryset(organisation):
    Organisation.objects.filter(pk=organisation.pk).update(name="Ministère renommé")


def bulk_create(organisation):
    Organisation.objects.bulk_create(
        [OrganisationFactory.build(acronym="LOT1"), OrganisationFactory.build(acronym="LOT2")]
    )


def delete(organisation):
    organisation.delete()


def raw_update(organisation):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE incubator_organisation SET name = %s WHERE id = %s", ["Brut", organisation.pk])


@pytest.mark.parametrize("write", [insert, update_by_save, update_queryset, bulk_create, delete, raw_update])
def test_each_write_replaces_the_writes_version(organisation, write):
    before = WRITES.current()

    write(organisation)

    assert WRITES.current() != before


def select(organisation):
    list(Organisation.objects.all())
    Organisation.objects.filter(name__icontains="update").count()


def session_saves(organisation):
    session = SessionStore()
    session["seen"] = 1
    session.save()  # INSERT
    session["seen"] = 2
    session.save()  # UPDATE
    session.delete()  # DELETE


@pytest.mark.parametrize("read", [select, session_saves])
def test_a_read_or_a_session_save_keeps_the_writes_version(organisation, read):
    before = WRITES.current()

    read(organisation)

    assert WRITES.current() == before


def test_a_transaction_replaces_the_version_at_each_write_and_on_commit(django_capture_on_commit_callbacks):
    # No write before in this test: the test's own transaction holds no callback yet.
    before = WRITES.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            OrganisationFactory.build(acronym="UNE").save()
            at_first_write = WRITES.current()
            OrganisationFactory.build(acronym="DEUX").save()
        before_commit = WRITES.current()

    assert at_first_write != before
    assert before_commit != at_first_write
    assert [callback for callback in callbacks if callback is versions._bump_writes] == [versions._bump_writes]
    assert WRITES.current() != before_commit


def test_a_second_write_in_one_transaction_shows_in_the_pieces_drawn_before_the_commit(transactional_db):
    request = request_to()
    with transaction.atomic():
        first = OrganisationFactory(acronym="UNE")
        before = PIECE.render({"shown": first.acronym}, request)
        second = OrganisationFactory(acronym="DEUX")
        after = PIECE.render({"shown": second.acronym}, request)

    assert before == "<p>UNE</p>"
    assert after == "<p>DEUX</p>"


# The tag, rendered through Django's engine.


@pytest.mark.django_db(transaction=True)
def test_a_piece_is_kept_until_a_write():
    request = request_to(user=UserFactory())

    first = PIECE.render({"shown": "premier"}, request)
    kept = PIECE.render({"shown": "second"}, request)
    OrganisationFactory(acronym="ECRITE")
    drawn_again = PIECE.render({"shown": "second"}, request)

    assert first == "<p>premier</p>"
    assert kept == "<p>premier</p>"
    assert drawn_again == "<p>second</p>"


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        (PIECE, ("<p>Alice</p>", "<p>Bob</p>", "<p>Anonyme</p>", "<p>Alice</p>")),
        (SHARED, ("<p>Alice</p>",) * 4),
    ],
    ids=["each-person-their-own", "for-everyone-shared"],
)
def test_a_piece_is_each_persons_own_unless_for_everyone(piece, expected):
    alice, bob = UserFactory(email="alice@example.gouv.fr"), UserFactory(email="bob@example.gouv.fr")

    for_alice = piece.render({"shown": "Alice"}, request_to(user=alice))
    for_bob = piece.render({"shown": "Bob"}, request_to(user=bob))
    anonymous = piece.render({"shown": "Anonyme"}, request_to())
    alice_again = piece.render({"shown": "autre"}, request_to(user=alice))

    assert (for_alice, for_bob, anonymous, alice_again) == expected


def test_each_address_and_query_has_its_own_piece():
    user = UserFactory()

    shown = {
        path: PIECE.render({"shown": path}, request_to(path, user=user))
        for path in ["/kept/", "/kept/?page=2", "/kept/?page=3", "/autre/"]
    }
    again = PIECE.render({"shown": "autre"}, request_to("/kept/?page=2", user=user))

    assert shown == {path: f"<p>{path}</p>" for path in shown}
    assert again == "<p>/kept/?page=2</p>"


def test_each_language_has_its_own_piece():
    request = request_to(user=UserFactory())

    french = PIECE.render({"shown": "français"}, request)
    with translation.override("en"):
        english = PIECE.render({"shown": "english"}, request)
    french_again = PIECE.render({"shown": "autre"}, request)

    assert (french, english, french_again) == ("<p>français</p>", "<p>english</p>", "<p>français</p>")


def test_each_set_of_values_has_its_own_piece():
    request = request_to(user=UserFactory())

    first = WITH_VALUES.render({"ids": [1, 2], "shown": "un deux"}, request)
    other = WITH_VALUES.render({"ids": [1, 3], "shown": "un trois"}, request)
    first_again = WITH_VALUES.render({"ids": [1, 2], "shown": "autre"}, request)

    assert (first, other, first_again) == ("<p>un deux</p>", "<p>un trois</p>", "<p>un deux</p>")


def test_each_hour_has_its_own_piece():
    request = request_to(user=UserFactory())
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 59, tzinfo=datetime.UTC), tick=False) as traveller:
        before = PIECE.render({"shown": "9 h"}, request)
        traveller.shift(datetime.timedelta(minutes=2))
        after = PIECE.render({"shown": "10 h"}, request)

    assert (before, after) == ("<p>9 h</p>", "<p>10 h</p>")


def test_without_a_request_the_piece_is_drawn_each_time():
    assert PIECE.render({"shown": "premier"}) == "<p>premier</p>"
    assert PIECE.render({"shown": "second"}) == "<p>second</p>"


def test_a_write_between_two_pieces_of_one_request_draws_the_second_anew():
    # The version is read once a request for its pieces, and again after a write of this process.
    request = request_to(user=UserFactory())
    assert PIECE.render({"shown": "premier"}, request) == "<p>premier</p>"

    OrganisationFactory(acronym="ENTRE")

    assert PIECE.render({"shown": "second"}, request) == "<p>second</p>"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_a_piece_is_neither_kept_nor_read_but_on_a_get(method):
    # A form sent back with its errors draws them, and the values typed: never a piece kept by a GET.
    user = UserFactory()
    get = request_to(user=user)
    sent = getattr(RequestFactory(), method)("/kept/")
    sent.user = user

    assert PIECE.render({"shown": "premier"}, get) == "<p>premier</p>"
    assert PIECE.render({"shown": "envoyé"}, sent) == "<p>envoyé</p>"
    assert PIECE.render({"shown": "renvoyé"}, sent) == "<p>renvoyé</p>"
    assert PIECE.render({"shown": "second"}, get) == "<p>premier</p>"


def test_what_is_inside_is_not_evaluated_when_the_piece_is_kept():
    request = request_to(user=UserFactory())
    calls = []

    def rows():
        calls.append(1)
        return "lignes"

    first = PIECE.render({"shown": rows}, request)
    kept = PIECE.render({"shown": rows}, request)

    assert first == kept == "<p>lignes</p>"
    assert len(calls) == 1


# The CSRF token: never kept, the current request's at each render.


@pytest.fixture
def placeholders_recorded(monkeypatch):
    """The placeholders the tag draws its pieces with."""
    real = kept_module.secrets
    drawn = []

    def token_hex(nbytes):
        drawn.append(real.token_hex(nbytes))
        return drawn[-1]

    monkeypatch.setattr(kept_module, "secrets", SimpleNamespace(token_hex=token_hex))
    return drawn


def test_a_kept_form_holds_the_token_of_the_current_request(placeholders_recorded):
    secret_a, secret_b = _get_new_csrf_string(), _get_new_csrf_string()

    first = FORM.render({"shown": "premier"}, request_to(csrf_secret=secret_a))
    kept = FORM.render({"shown": "second"}, request_to(csrf_secret=secret_b))

    assert "<p>premier</p>" in kept  # the kept piece, not drawn again
    assert len(placeholders_recorded) == 1
    (token_a,), (token_b,) = tokens(first), tokens(kept)
    assert _does_token_match(token_a, secret_a)
    assert _does_token_match(token_b, secret_b)
    assert not _does_token_match(token_b, secret_a)
    assert placeholders_recorded[0] not in first
    assert placeholders_recorded[0] not in kept


def test_each_render_of_a_kept_form_masks_the_token_anew():
    secret = _get_new_csrf_string()

    first = FORM.render({"shown": "premier"}, request_to(csrf_secret=secret))
    kept = FORM.render({"shown": "second"}, request_to(csrf_secret=secret))

    assert "<p>premier</p>" in kept
    assert tokens(first) != tokens(kept)
    assert all(_does_token_match(token, secret) for token in tokens(first) + tokens(kept))


# A cache outage: the pieces are drawn, not kept.


def test_during_a_cache_outage_the_piece_is_drawn_each_time(settings):
    request = request_to(user=UserFactory())
    settings.CACHES = CLOSED_CACHE

    assert WRITES.current() is None
    assert PIECE.render({"shown": "premier"}, request) == "<p>premier</p>"
    assert PIECE.render({"shown": "second"}, request) == "<p>second</p>"


def test_during_a_cache_outage_the_list_shows_the_current_products(manager, incubator_a, settings):
    startup = StartupFactory(slug="alpha", name="Produit Alpha", incubator=incubator_a)
    assert "Produit Alpha" in manager.get(LIST).text  # kept while the cache was up
    Startup.objects.filter(pk=startup.pk).update(name="Produit Omega")
    settings.CACHES = CLOSED_CACHE

    response = manager.get(LIST)

    assert response.status_code == 200
    assert "Produit Omega" in response.text
    assert "Produit Alpha" not in response.text


# Real pages.


def queries_and_text(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.text


def test_a_second_list_request_reads_the_kept_pieces(manager, incubator_a):
    StartupFactory.create_batch(3, incubator=incubator_a)
    drawn, first = queries_and_text(manager, LIST)

    read, second = queries_and_text(manager, LIST)

    assert read < drawn
    assert without_tokens(second) == without_tokens(first)
    assert tokens(second)
    assert tokens(second) != tokens(first)


@pytest.mark.parametrize("url", [LIST, reverse("committees:committee_list")])
def test_a_kept_list_page_reads_none_of_its_rows(manager, incubator_a, url):
    # Its ids and count are kept with it (incubator.lists.FilteredListMixin.kept_ids).
    StartupFactory.create_batch(3, incubator=incubator_a)
    manager.get(url)

    with CaptureQueriesContext(connection) as captured:
        assert manager.get(url).status_code == 200

    tables = ('"portfolio_startup"', '"committees_committee"')
    assert [query["sql"] for query in captured if any(table in query["sql"] for table in tables)] == []


def test_a_kept_list_holds_the_token_of_each_browser(member_a, incubator_a):
    StartupFactory(incubator=incubator_a)
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(member_a)
    drawn, _first = queries_and_text(browsers[0], LIST)

    read, second = queries_and_text(browsers[1], LIST)

    secret = browsers[1].cookies[settings.CSRF_COOKIE_NAME].value
    other_secret = browsers[0].cookies[settings.CSRF_COOKIE_NAME].value
    assert read < drawn  # the same person and address: the pieces the first browser kept
    assert secret != other_secret
    assert tokens(second)
    assert all(_does_token_match(token, secret) for token in tokens(second))
    assert not any(_does_token_match(token, other_secret) for token in tokens(second))


def rename_by_save(startup):
    startup.name = "Produit Omega"
    startup.save()


def rename_by_update(startup):
    Startup.objects.filter(pk=startup.pk).update(name="Produit Omega")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rename", [rename_by_save, rename_by_update])
def test_a_renamed_product_shows_at_the_next_request(manager, incubator_a, rename):
    startup = StartupFactory(slug="alpha", name="Produit Alpha", incubator=incubator_a)
    manager.get(LIST)
    assert "Produit Alpha" in manager.get(LIST).text  # kept

    rename(startup)
    text = manager.get(LIST).text

    assert "Produit Omega" in text
    assert "Produit Alpha" not in text


def test_another_incubators_manager_sees_only_their_own_products(manager, incubator_a, incubator_b, member_b):
    StartupFactory(slug="alpha", name="Produit Alpha", incubator=incubator_a)
    StartupFactory(slug="beta", name="Produit Beta", incubator=incubator_b)
    first = manager.get(LIST).text
    other = Client()
    other.force_login(member_b)

    text = other.get(LIST).text

    assert "Produit Alpha" in first
    assert 'value="fabrique-a"' in first  # the incubator filter: the manager's own incubators
    assert "Produit Beta" in text
    assert "Produit Alpha" not in text
    assert 'value="fabrique-b"' in text
    assert 'value="fabrique-a"' not in text


def test_the_header_kept_for_one_person_is_not_shown_to_another(manager, incubator_a):
    page = reverse("incubator:my_space")
    assert 'id="nav-portfolio"' in manager.get(page).text
    without_role = Client()
    without_role.force_login(UserFactory(email="sans-role@example.gouv.fr"))

    text = without_role.get(page).text

    assert 'id="nav-portfolio"' not in text
    assert 'id="nav-portfolio"' in manager.get(page).text
