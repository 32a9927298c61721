"""The committees' contributions to the core's registries: the schedule on the portfolio's pages,
the overdue tile, the calendar feed as a personal view and the personal-data provider."""

import datetime
import json

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from committees.models import Attendee, CalendarFeed, Committee
from committees.tests.factories import AttendeeFactory, CommitteeFactory, paris
from incubator import personal_data, registry
from incubator.tests.factories import IncubatorFactory, UserFactory
from portfolio.contributions import PORTFOLIO_LIST, PRODUCT_PAGE
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory

D = datetime.date


def test_the_schedule_is_on_the_product_page_and_the_portfolio_list():
    assert {(panel.slot, panel.key) for panel in registry.panels(PRODUCT_PAGE)} >= {
        ("heading", "committee_badges"),
        ("facts_before_update", "committee_dates"),
        ("aside_after_phases", "committees"),
    }
    assert "Prochain comité" in [str(column.label) for column in registry.columns(PORTFOLIO_LIST)]
    assert "committee" in [item.key for item in registry.list_filters(PORTFOLIO_LIST)]
    assert "next_committee" in [sort.key for sort in registry.sorts(PORTFOLIO_LIST)]


@pytest.mark.django_db
def test_the_annotation_flags_an_overdue_due_date():
    today = timezone.localdate()
    late = StartupFactory(next_committee_due=today - datetime.timedelta(days=3))
    CommitteeFactory(startup=late, scheduled_at=paris(today + datetime.timedelta(days=10)))

    annotated = registry.annotate(PRODUCT_PAGE, Startup.objects.all()).get(pk=late.pk)

    assert (annotated.is_overdue, annotated.is_planned_late) == (True, True)
    assert annotated.next_committee_on == today + datetime.timedelta(days=10)


@pytest.mark.django_db
def test_the_overdue_tile_counts_the_scopes_active_overdue_products_in_one_query(django_assert_num_queries):
    today = timezone.localdate()
    mine, other = IncubatorFactory(), IncubatorFactory()
    past = today - datetime.timedelta(days=5)
    StartupFactory.create_batch(2, incubator=mine, phase=Phase.CONSTRUCTION, next_committee_due=past)
    held = StartupFactory(incubator=mine, phase=Phase.CONSTRUCTION, next_committee_due=past)
    CommitteeFactory(startup=held, scheduled_at=paris(today - datetime.timedelta(days=1)), status=Committee.Status.HELD)
    StartupFactory(incubator=mine, phase=Phase.ABANDONED, next_committee_due=past)
    StartupFactory(incubator=other, phase=Phase.CONSTRUCTION, next_committee_due=past)
    tile = registry.get_tile("overdue_committees")

    with django_assert_num_queries(1):
        count = tile.compute(None, registry.Scope(incubator=mine))

    assert count == 2
    assert tile.compute(None, registry.Scope()) == 3
    assert tile.link(registry.Scope(incubator=mine)) == f"/portefeuille/?committee=en-retard&incubator={mine.slug}"


def test_the_calendar_feed_is_a_personal_view():
    assert registry.is_personal_view("committees:calendar_feed")


@pytest.fixture
def attendances(db):
    """A person invited to a held committee by account and to a coming one by email; someone else."""
    user = UserFactory(email="moi@example.gouv.fr")
    startup = StartupFactory(name="Produit A")
    held = CommitteeFactory(startup=startup, scheduled_at=paris(D(2025, 11, 3)), status=Committee.Status.HELD)
    coming = CommitteeFactory(startup=startup, scheduled_at=paris(timezone.localdate() + datetime.timedelta(days=9)))
    AttendeeFactory(committee=held, user=user, name="Camille Martin", email=user.email, role="coach")
    AttendeeFactory(committee=coming, user=None, name="Camille", email="Moi@Example.gouv.fr", mandatory=True)
    AttendeeFactory(committee=coming, name="Autre Personne", email="autre@example.gouv.fr")
    CalendarFeed.objects.create(user=user, token="secret-token")
    return user, held, coming


def test_the_export_holds_the_persons_attendances_and_feed_and_nothing_of_others(attendances):
    user, held, coming = attendances

    data = personal_data.get_provider("committees").export(user)

    assert [(a["committee"], a["name"], a["email"], a["role"]) for a in data["attendances"]] == [
        (held.pk, "Camille Martin", "moi@example.gouv.fr", "coach"),
        (coming.pk, "Camille", "Moi@Example.gouv.fr", "other"),
    ]
    assert data["attendances"][0]["product"] == "Produit A"
    assert set(data["calendar_feed"]) == {"renewed_at"}
    text = json.dumps(data)
    assert "autre@example.gouv.fr" not in text
    assert "secret-token" not in text


def test_erasure_withdraws_coming_invitations_and_keeps_past_attendances_under_a_pseudonym(attendances):
    user, held, coming = attendances

    report = personal_data.get_provider("committees").erase(user, actor=user)

    assert report["invitations_withdrawn"] == 1
    assert report["attendances_pseudonymised"] == 1
    attendee = held.attendees.get()
    assert (attendee.user, attendee.name, attendee.email) == (
        None,
        gettext("Former attendee"),
        f"participant-retire-{attendee.pk}@invalid",
    )
    assert list(coming.attendees.values_list("email", flat=True)) == ["autre@example.gouv.fr"]
    assert not CalendarFeed.objects.filter(user=user).exists()
    assert not Attendee.objects.filter(email__iexact=user.email).exists()
