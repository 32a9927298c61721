"""Product events (issue 11, item 5): the model's rules, the managers' form, the time line of the
product page (with the committees' entries) and of the public page (public events only), the open
data, access tables and query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext

from committees.models import Committee, Decision
from committees.tests.factories import CommitteeFactory, DecisionFactory, paris
from incubator.models import Membership
from incubator.tests.access import assert_status
from incubator.tests.clock import FRIDAY_NOON, frozen_at
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio.models import EventKind, ProductEvent, Startup
from portfolio.tests.factories import ProductEventFactory, StartupFactory

pytestmark = pytest.mark.django_db

D = datetime.date
PERSONAS = ["anonymous", "team_member", "member_a", "member_b", "network_admin"]


frozen = frozen_at(FRIDAY_NOON)


def url(name, startup, **kwargs):
    return reverse(f"portfolio:{name}", kwargs={"slug": startup.slug, **kwargs})


# The model ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"kind": EventKind.FAST}, {"fast_promotion"}),
        ({"kind": EventKind.NATIONAL_IMPACT}, {"label_year"}),
        ({"kind": EventKind.NATIONAL_IMPACT, "label_year": 1999}, {"label_year"}),
        ({"kind": EventKind.LAUNCH}, {"date"}),
        ({"kind": EventKind.FUNDING_STOPPED}, {"date"}),
        ({"kind": EventKind.OTHER, "date": D(1999, 12, 31)}, {"date"}),
    ],
)
def test_each_kind_asks_for_its_facts(startup_a, fields, errors):
    event = ProductEvent(startup=startup_a, **fields)

    with pytest.raises(ValidationError) as raised:
        event.full_clean()

    assert set(raised.value.message_dict) == errors


def test_clean_empties_the_fields_of_other_kinds(startup_a):
    event = ProductEvent(
        startup=startup_a, kind=EventKind.LAUNCH, date=D(2025, 3, 1), fast_promotion=12, amount_eur=1, label_year=2024
    )

    event.full_clean()

    assert (event.fast_promotion, event.amount_eur, event.label_year) == (None, None, None)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": EventKind.FAST},  # no promotion
        {"kind": EventKind.LAUNCH},  # no date
        {"kind": EventKind.NATIONAL_IMPACT, "label_year": 2100},
        {"kind": EventKind.LAUNCH, "date": D(2025, 1, 1), "label_year": 2024},  # another kind's field
        {"kind": EventKind.OTHER, "date": D(2100, 1, 1)},  # out of the window
    ],
)
def test_the_database_refuses_what_the_model_refuses(startup_a, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductEvent.objects.create(startup=startup_a, **fields)


def test_one_fast_per_promotion_and_one_label_per_year(startup_a):
    ProductEvent.objects.create(startup=startup_a, kind=EventKind.FAST, fast_promotion=14)
    ProductEvent.objects.create(startup=startup_a, kind=EventKind.NATIONAL_IMPACT, label_year=2024)

    for fields in (
        {"kind": EventKind.FAST, "fast_promotion": 14},
        {"kind": EventKind.NATIONAL_IMPACT, "label_year": 2024},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductEvent.objects.create(startup=startup_a, **fields)


def test_summary_and_sort_day():
    fast = ProductEvent(kind=EventKind.FAST, fast_promotion=13, amount_eur=300000)
    label = ProductEvent(kind=EventKind.NATIONAL_IMPACT, label_year=2024)

    assert fast.summary.startswith("Promotion 13, 300")
    assert fast.sort_day is None
    assert (label.summary, label.sort_day) == ("2024", D(2024, 1, 1))


def test_public_events_are_public_ones_of_published_products(startup_a, incubator_a):
    shown = ProductEventFactory(startup=startup_a, is_public=True)
    ProductEventFactory(startup=startup_a, is_public=False)
    hidden = StartupFactory(incubator=incubator_a, is_published=False)
    ProductEventFactory(startup=hidden, is_public=True)

    assert list(ProductEvent.objects.public()) == [shown]


def test_visible_to_follows_the_products(startup_a, member_a, member_b, startup_b_event):
    mine = ProductEventFactory(startup=startup_a)

    assert list(ProductEvent.objects.visible_to(member_a)) == [mine]
    assert list(ProductEvent.objects.visible_to(member_b)) == [startup_b_event]


@pytest.fixture
def startup_b_event(incubator_b):
    return ProductEventFactory(startup=StartupFactory(incubator=incubator_b))


# Recording, editing, deleting ---------------------------------------------------------------


FAST_14 = {"kind": EventKind.FAST, "fast_promotion": "14", "amount_eur": "250000", "note": "", "is_public": "on"}


def test_a_manager_records_a_fast_funding(manager, startup_a):
    before = Startup.objects.get(pk=startup_a.pk).updated_at

    response = manager.post(url("event_add", startup_a), FAST_14)

    assert response.status_code == 302
    assert response.url == startup_a.get_absolute_url() + "#events"
    event = ProductEvent.objects.get()
    assert (event.startup, event.fast_promotion, event.amount_eur, event.is_public) == (startup_a, 14, 250000, True)
    assert Startup.objects.get(pk=startup_a.pk).updated_at > before
    assert event.history.get().history_user.email == "manager-a@example.gouv.fr"


def test_the_form_says_what_each_kind_needs(manager, startup_a):
    response = manager.post(url("event_add", startup_a), {"kind": EventKind.NATIONAL_IMPACT, "date": ""})

    assert response.status_code == 200
    assert "label_year" in response.context["form"].errors
    assert not ProductEvent.objects.exists()


def test_the_form_refuses_a_second_fast_of_the_same_promotion(manager, startup_a):
    ProductEvent.objects.create(startup=startup_a, kind=EventKind.FAST, fast_promotion=14)

    response = manager.post(url("event_add", startup_a), FAST_14)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert ProductEvent.objects.count() == 1


def test_the_form_refuses_a_date_far_ahead_and_outside_the_window(frozen, manager, startup_a):
    for day in ("2027-06-01", "2100-01-01"):
        response = manager.post(url("event_add", startup_a), {"kind": EventKind.LAUNCH, "date": day})

        assert "date" in response.context["form"].errors
    assert not ProductEvent.objects.exists()


def test_a_manager_edits_an_event_of_their_product_only(manager, startup_a, startup_b_event):
    event = ProductEventFactory(startup=startup_a)

    response = manager.post(
        url("event_edit", startup_a, pk=event.pk), {"kind": EventKind.LAUNCH, "date": "2025-04-01", "note": "Ouvert"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.kind, event.date, event.note) == (EventKind.LAUNCH, D(2025, 4, 1), "Ouvert")

    # Another product's event through this product's address: not found.
    assert manager.get(url("event_edit", startup_a, pk=startup_b_event.pk)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", "login"), ("team_member", 403), ("member_a", 200), ("member_b", 404), ("network_admin", 200)],
)
def test_event_form_get_access(as_product_persona, startup_a, persona, expected):
    event = ProductEventFactory(startup=startup_a)

    assert_status(as_product_persona(persona).get(url("event_add", startup_a)), expected)
    assert_status(as_product_persona(persona).get(url("event_edit", startup_a, pk=event.pk)), expected)


@pytest.mark.parametrize(
    ("persona", "expected", "added"),
    [
        ("anonymous", "login", False),
        ("team_member", 403, False),
        ("member_a", 302, True),
        ("member_b", 404, False),
        ("network_admin", 302, True),
    ],
)
def test_event_add_post_access(as_product_persona, startup_a, persona, expected, added):
    response = as_product_persona(persona).post(url("event_add", startup_a), FAST_14)

    assert_status(response, expected)
    assert ProductEvent.objects.filter(startup=startup_a).exists() is added


@pytest.mark.parametrize(
    ("persona", "expected", "removed"),
    [
        ("anonymous", "login", False),
        ("team_member", 403, False),
        ("member_a", 302, True),
        ("member_b", 404, False),
        ("network_admin", 302, True),
    ],
)
def test_event_delete_post_access(as_product_persona, startup_a, persona, expected, removed):
    event = ProductEventFactory(startup=startup_a)

    response = as_product_persona(persona).post(url("event_delete", startup_a, pk=event.pk))

    assert_status(response, expected)
    assert ProductEvent.objects.filter(pk=event.pk).exists() is not removed


def test_delete_is_post_only_and_the_page_asks_first(manager, startup_a):
    event = ProductEventFactory(startup=startup_a)

    assert manager.get(url("event_delete", startup_a, pk=event.pk)).status_code == 405
    page = manager.get(startup_a.get_absolute_url()).text
    assert f'action="{url("event_delete", startup_a, pk=event.pk)}"' in page
    assert "data-confirm=" in page
    assert ProductEvent.objects.filter(pk=event.pk).exists()


# The time lines -----------------------------------------------------------------------------


@pytest.fixture
def history(frozen, startup_a):
    """Produit A: a launch, a FAST without a date, a label, a private funding stop; a held
    committee with its decision, one awaiting its decision, one planned, one cancelled."""
    ProductEventFactory(startup=startup_a, kind=EventKind.LAUNCH, date=D(2025, 3, 3), note="Ouverture", is_public=True)
    ProductEvent.objects.create(startup=startup_a, kind=EventKind.FAST, fast_promotion=14, is_public=True)
    ProductEvent.objects.create(startup=startup_a, kind=EventKind.NATIONAL_IMPACT, label_year=2024, is_public=True)
    ProductEventFactory(startup=startup_a, kind=EventKind.FUNDING_STOPPED, date=D(2026, 2, 2), note="Budget épuisé")
    DecisionFactory(committee__startup=startup_a, committee__scheduled_at=paris(D(2025, 7, 7)))
    CommitteeFactory(startup=startup_a, scheduled_at=paris(D(2026, 3, 18)))
    CommitteeFactory(startup=startup_a, scheduled_at=paris(D(2026, 9, 14)))
    CommitteeFactory(startup=startup_a, scheduled_at=paris(D(2026, 1, 5)), status=Committee.Status.CANCELLED)


def lines(response):
    return [(entry.date or entry.year, str(entry.kind), entry.text) for entry in response.context["events"]]


def test_the_product_page_time_line_merges_events_and_committees_in_order(manager, startup_a, history):
    response = manager.get(startup_a.get_absolute_url())

    committee, continued = gettext("Investment committee"), Decision.Outcome.CONTINUE.label
    assert [(when, kind) for when, kind, _text in lines(response)] == [
        (2024, EventKind.NATIONAL_IMPACT.label),
        (D(2025, 3, 3), EventKind.LAUNCH.label),
        (D(2025, 7, 7), committee),
        (D(2026, 2, 2), EventKind.FUNDING_STOPPED.label),
        (D(2026, 3, 18), committee),
        (D(2026, 9, 14), committee),
        (None, EventKind.FAST.label),  # no date: last
    ]
    texts = [text for _when, _kind, text in lines(response)]
    assert continued.lower() in texts[2].lower()
    assert texts[-1] == "Promotion 14"
    assert 'id="timeline"' in response.text
    assert reverse("committees:committee_detail", kwargs={"pk": Committee.objects.order_by("scheduled_at")[1].pk}) in (
        response.text
    )


def test_someone_who_reads_no_committee_sees_the_events_only(client, startup_a, incubator_a, history):
    coach = MembershipFactory(incubator=incubator_a, role=Membership.Role.COACH, user=UserFactory()).user
    client.force_login(coach)

    response = client.get(startup_a.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["events"]) == 4
    assert not response.context["can_record_events"]
    assert reverse("portfolio:event_add", kwargs={"slug": startup_a.slug}) not in response.text


def test_the_public_page_shows_public_events_only_and_no_committee(client, startup_a, history):
    response = client.get(startup_a.get_public_url())

    assert [(when, str(kind)) for when, kind, _text in lines(response)] == [
        (2024, EventKind.NATIONAL_IMPACT.label),
        (D(2025, 3, 3), EventKind.LAUNCH.label),
        (None, EventKind.FAST.label),
    ]
    assert "Budget épuisé" not in response.text
    assert "/comites/" not in response.text
    assert reverse("portfolio:event_add", kwargs={"slug": startup_a.slug}) not in response.text


def test_the_public_page_without_public_events_has_no_time_line(client, startup_a):
    ProductEventFactory(startup=startup_a, is_public=False)

    assert 'id="timeline"' not in client.get(startup_a.get_public_url()).text


# The open data ------------------------------------------------------------------------------


def test_open_data_lists_the_public_events(client, startup_a, history):
    (entry,) = client.get(reverse("portfolio:startups_json")).json()["startups"]

    assert entry["events"] == [  # in the time line's order
        {"kind": "label-impact-national", "date": None, "note": "", "year": 2024},
        {"kind": "lancement", "date": "2025-03-03", "note": "Ouverture"},
        {"kind": "fast", "date": None, "note": "", "promotion": 14, "amount_eur": None},
    ]


def test_an_event_saved_or_deleted_rebuilds_the_open_data(client, startup_a):
    document = reverse("portfolio:startups_json")
    assert client.get(document).json()["startups"][0]["events"] == []

    event = ProductEvent.objects.create(startup=startup_a, kind=EventKind.FAST, fast_promotion=12, is_public=True)
    assert [e["promotion"] for e in client.get(document).json()["startups"][0]["events"]] == [12]

    ProductEvent.objects.filter(pk=event.pk).update(fast_promotion=13)  # no signal, no new date: the cache stays
    assert [e["promotion"] for e in client.get(document).json()["startups"][0]["events"]] == [12]
    event.refresh_from_db()
    event.save()  # a save: rebuilt
    assert [e["promotion"] for e in client.get(document).json()["startups"][0]["events"]] == [13]

    event.delete()
    assert client.get(document).json()["startups"][0]["events"] == []


# Query counts -------------------------------------------------------------------------------


def make_events(startup, count):
    for n in range(count):
        ProductEvent.objects.create(startup=startup, kind=EventKind.FAST, fast_promotion=n + 1, is_public=True)
        CommitteeFactory(startup=startup, scheduled_at=paris(D(2025, 2, 3) + datetime.timedelta(days=n)))


@pytest.mark.parametrize("count", [1, 30])
def test_product_page_query_count_with_events(manager, startup_a, django_assert_num_queries, count):
    make_events(startup_a, count)

    # The page's queries (test_pages.test_product_page_query_count), the events and the committees'
    # entries among them: one each, whatever their number.
    with django_assert_num_queries(20):
        response = manager.get(startup_a.get_absolute_url())

    assert len(response.context["events"]) == 2 * count


@pytest.mark.parametrize("count", [1, 30])
def test_public_page_query_count_with_events(client, startup_a, django_assert_num_queries, count):
    make_events(startup_a, count)

    with django_assert_num_queries(5):  # the product, its periods, its public events, incubators, sponsors
        response = client.get(startup_a.get_public_url())

    assert len(response.context["events"]) == count


@pytest.mark.parametrize("count", [1, 30])
def test_open_data_query_count_with_events(client, incubator_a, django_assert_num_queries, count):
    for startup in StartupFactory.create_batch(count, incubator=incubator_a):
        ProductEvent.objects.create(startup=startup, kind=EventKind.NATIONAL_IMPACT, label_year=2024, is_public=True)

    # A miss: the fingerprint, then the products, sponsors, partner incubators, phases and events, and
    # the standards' two (test_opendata.test_open_data_query_count).
    with django_assert_num_queries(8):
        client.get(reverse("portfolio:startups_json"))
