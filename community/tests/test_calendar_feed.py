"""Community events in the personal calendar feed (issue 12 item 5): the feed writes the events of
every calendar source of ``incubator.registry``; the community's is the person's confirmed seats."""

import datetime
import secrets

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from community.models import Registration
from community.tests.factories import EventFactory, RegistrationFactory
from incubator import registry
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def feed_of(user):
    feed = apps.get_model("committees", "CalendarFeed").objects.create(user=user, token=secrets.token_urlsafe(32))
    return reverse("committees:calendar_feed", kwargs={"token": feed.token})


def summaries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return sorted(str(event["summary"]) for event in Calendar.from_ical(response.content).walk("VEVENT"))


def test_the_community_and_the_committees_register_calendar_sources():
    keys = [source.key for source in registry.calendar_sources()]
    assert keys.index("committees") < keys.index("community")


def test_my_confirmed_seat_is_in_my_feed_a_cancelled_or_waitlisted_one_and_others_are_not(client):
    me, other = UserFactory(), UserFactory()
    RegistrationFactory(user=me, event=EventFactory(title="Forum de décembre"))
    RegistrationFactory(user=me, event=EventFactory(title="Club annulé"), status=Registration.Status.CANCELLED)
    RegistrationFactory(
        user=me, event=EventFactory(title="Formation en attente"), status=Registration.Status.WAITLISTED, position=1
    )
    RegistrationFactory(user=other, event=EventFactory(title="Séminaire d'un autre"))
    long_ago = timezone.now() - datetime.timedelta(days=400)
    old = EventFactory(
        title="Forum d'il y a longtemps",
        starts_at=long_ago,
        ends_at=long_ago + datetime.timedelta(hours=2),
        registration_opens_at=long_ago - datetime.timedelta(days=10),
        registration_closes_at=long_ago - datetime.timedelta(days=1),
    )
    RegistrationFactory(user=me, event=old)

    assert summaries(client.get(feed_of(me))) == ["Forum de décembre"]
    assert summaries(client.get(feed_of(other))) == ["Séminaire d'un autre"]


def test_the_feed_keeps_the_committees_next_to_the_events(client, startup_a, member_a):
    committee = apps.get_model("committees", "Committee").objects.create(
        startup=startup_a,
        kind="periodic",
        scheduled_at=timezone.now() + datetime.timedelta(days=20),
        place="Ségur",
        requested_budget=1,
        requested_months=6,
    )
    RegistrationFactory(user=member_a, event=EventFactory(title="Forum de décembre"))

    found = summaries(client.get(feed_of(member_a)))

    assert "Forum de décembre" in found
    assert any(startup_a.name in summary for summary in found), (committee, found)
    assert len(found) == 2


def test_the_feed_costs_the_same_queries_for_1_or_10_events(client):
    one, ten = UserFactory(), UserFactory()
    RegistrationFactory(user=one)
    for _n in range(10):
        RegistrationFactory(user=ten)
    urls = [feed_of(one), feed_of(ten)]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append((len(queries), len(summaries(response))))
    assert counts[0][1] == 1
    assert counts[1][1] == 10
    assert counts[0][0] == counts[1][0]
