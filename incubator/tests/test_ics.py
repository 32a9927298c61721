"""The one .ics writer: local Paris times with their VTIMEZONE, DTSTAMP in UTC, for every app."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from calls.models import Pitch
from calls.services import pitch_calendar
from calls.tests.factories import ApplicationFactory, CallFactory
from incubator.ics import CalendarEvent, ics_file

PARIS = ZoneInfo("Europe/Paris")


def parse(data):
    calendar = Calendar.from_ical(data)
    return calendar, calendar.walk("VEVENT")


def test_ics_file_writes_each_event_in_paris_time_with_the_zone_it_names():
    start = datetime.datetime(2026, 3, 29, 12, 0, tzinfo=datetime.UTC)  # 14:00 in Paris, the day clocks change
    stamp = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=PARIS)
    event = CalendarEvent(
        uid="thing-1@example",
        summary="Réunion",
        start=start,
        end=start + datetime.timedelta(hours=1),
        stamp=stamp,
        location="",
        status="CONFIRMED",
    )

    calendar, [vevent] = parse(ics_file([event], prodid="-//Test//FR", name="Mon agenda"))

    zones = [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Paris"]
    assert vevent["dtstart"].params["TZID"] == "Europe/Paris"
    assert vevent.decoded("dtstart").replace(tzinfo=None) == datetime.datetime(2026, 3, 29, 14, 0)
    assert vevent.decoded("dtend").replace(tzinfo=None) == datetime.datetime(2026, 3, 29, 15, 0)
    assert vevent.decoded("dtstamp") == stamp.astimezone(datetime.UTC)
    assert b"DTSTAMP:20260301T083000Z" in ics_file([event], prodid="-//Test//FR")
    assert (str(vevent["location"]), str(vevent["status"])) == ("", "CONFIRMED")
    assert "url" not in vevent
    assert (str(calendar["method"]), str(calendar["x-wr-calname"])) == ("PUBLISH", "Mon agenda")


def test_ics_file_without_events_has_no_time_zone():
    calendar, events = parse(ics_file([], prodid="-//Test//FR"))

    assert events == []
    assert calendar.walk("VTIMEZONE") == []


@pytest.mark.django_db
def test_the_pitch_slot_is_sent_in_paris_time(incubator_a):
    call = CallFactory(incubator=incubator_a, title="Appel de la Fabrique A", pitch_minutes=3, questions_minutes=5)
    starts_at = datetime.datetime(2026, 6, 15, 9, 30, tzinfo=PARIS)
    pitch = Pitch.objects.create(application=ApplicationFactory(call=call), order=1, starts_at=starts_at)

    calendar, [vevent] = parse(pitch_calendar(pitch))

    assert vevent["dtstart"].params["TZID"] in [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")]
    assert vevent.decoded("dtstart").replace(tzinfo=None) == datetime.datetime(2026, 6, 15, 9, 30)
    assert vevent.decoded("dtend").replace(tzinfo=None) == datetime.datetime(2026, 6, 15, 9, 38)
    assert str(vevent["summary"]) == "Passage devant le jury : Appel de la Fabrique A"
    assert str(vevent["uid"]) == f"pitch-{pitch.pk}@portail-des-incubateurs"
