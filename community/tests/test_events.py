"""Events: the list (public events for visitors), the page, registering and cancelling, the waiting
list promoted with an email, the window and the audience, the .ics in Paris time, the organiser's
attendance list and CSV."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from community import services
from community.models import AudienceRole, Event, Registration
from community.tests.factories import EventFactory, RegistrationFactory, in_days
from incubator.models import Membership, OutboxMessage
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.models import TeamMembership
from portfolio.tests.factories import TeamMembershipFactory

pytestmark = pytest.mark.django_db
R = Registration.Status


def people(count):
    return [UserFactory(email=f"personne{n}@example.gouv.fr") for n in range(count)]


def statuses(event):
    return list(Registration.objects.filter(event=event).order_by("pk").values_list("status", "position"))


# Registering and the waiting list ----------------------------------------------------------------


def test_registrations_take_the_seats_then_the_waiting_list_in_order():
    event = EventFactory(capacity=2)
    first, second, third, fourth = people(4)

    for person in (first, second, third, fourth):
        services.register(event=event, actor=person)

    assert statuses(event) == [(R.CONFIRMED, None), (R.CONFIRMED, None), (R.WAITLISTED, 1), (R.WAITLISTED, 2)]
    confirmation = OutboxMessage.objects.get(to=[first.email])
    assert confirmation.attachments[0]["filename"] == "evenement.ics"
    waiting = OutboxMessage.objects.get(to=[fourth.email])
    assert waiting.attachments == []
    assert " 2 " in waiting.body_text  # number 2 on the waiting list


def test_a_cancelled_seat_goes_to_the_first_waiting_who_is_emailed():
    event = EventFactory(capacity=1)
    seated, waiting, later = people(3)
    for person in (seated, waiting, later):
        services.register(event=event, actor=person)

    cancelled, promoted = services.cancel_registration(registration=Registration.objects.get(user=seated), actor=seated)

    assert cancelled.status == R.CANCELLED
    assert promoted.user == waiting
    assert statuses(event) == [(R.CANCELLED, None), (R.CONFIRMED, None), (R.WAITLISTED, 2)]
    [email] = OutboxMessage.objects.filter(idempotency_key=f"community:registration:{promoted.pk}:promoted")
    assert email.to == [waiting.email]
    assert event.title in email.subject
    assert email.attachments[0]["mimetype"] == "text/calendar"
    assert promoted.history.latest().history_user == seated


def test_a_waiting_place_cancelled_promotes_nobody():
    event = EventFactory(capacity=1)
    seated, waiting = people(2)
    services.register(event=event, actor=seated)
    services.register(event=event, actor=waiting)

    _cancelled, promoted = services.cancel_registration(
        registration=Registration.objects.get(user=waiting), actor=waiting
    )

    assert promoted is None
    assert statuses(event) == [(R.CONFIRMED, None), (R.CANCELLED, None)]


def test_cancelling_twice_promotes_once():
    event = EventFactory(capacity=1)
    seated, waiting, later = people(3)
    for person in (seated, waiting, later):
        services.register(event=event, actor=person)
    registration = Registration.objects.get(user=seated)
    services.cancel_registration(registration=registration, actor=seated)

    with pytest.raises(ValidationError) as error:
        services.cancel_registration(registration=Registration.objects.get(pk=registration.pk), actor=seated)

    assert error.value.code == "cancelled"
    assert statuses(event) == [(R.CANCELLED, None), (R.CONFIRMED, None), (R.WAITLISTED, 2)]


def test_a_person_registers_again_after_cancelling_but_never_twice_at_once():
    event = EventFactory()
    [person] = people(1)
    registration = services.register(event=event, actor=person)

    with pytest.raises(ValidationError) as error:
        services.register(event=event, actor=person)
    services.cancel_registration(registration=registration, actor=person)
    services.register(event=event, actor=person)

    assert error.value.code == "registered"
    assert statuses(event) == [(R.CANCELLED, None), (R.CONFIRMED, None)]


def test_the_database_refuses_two_active_registrations_of_one_person():
    registration = RegistrationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=registration.event, user=registration.user, status=R.WAITLISTED, position=1)


def test_the_database_refuses_a_capacity_below_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(capacity=0)


def test_a_capacity_below_the_seats_taken_is_refused_with_a_clear_message():
    event = EventFactory(capacity=2)
    for person in people(2):
        services.register(event=event, actor=person)
    event.capacity = 1

    with pytest.raises(ValidationError) as error:
        event.full_clean()

    assert "capacity" in error.value.message_dict


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        ("2026-05-01 08:00 +02:00", "not_open"),
        ("2026-05-09 18:00 +02:00", "closed"),
        ("2026-05-20 09:00 +02:00", "closed"),
    ],
)
def test_a_registration_outside_the_window_is_refused_and_nothing_written(moment, code):
    paris = datetime.timezone(datetime.timedelta(hours=2))
    event = EventFactory(
        starts_at=datetime.datetime(2026, 5, 10, 18, tzinfo=paris),
        ends_at=datetime.datetime(2026, 5, 10, 20, tzinfo=paris),
        registration_opens_at=datetime.datetime(2026, 5, 1, 9, tzinfo=paris),
        registration_closes_at=datetime.datetime(2026, 5, 9, 12, tzinfo=paris),
    )
    [person] = people(1)

    with time_machine.travel(moment), pytest.raises(ValidationError) as error:
        services.register(event=event, actor=person)

    assert error.value.code == code
    assert Registration.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_registering_after_the_window_on_the_page_says_why_in_french(sign_in):
    event = EventFactory(registration_opens_at=in_days(-5), registration_closes_at=in_days(-1))
    [person] = people(1)

    response = sign_in(person).post(reverse("community:event_register", args=[event.slug]), follow=True)

    assert Registration.objects.count() == 0
    assert escape(services.registration_blocker(event).messages[0]) in response.content.decode()


def test_a_full_event_on_the_page_puts_the_person_on_the_waiting_list(sign_in):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    [person] = people(1)

    response = sign_in(person).post(reverse("community:event_register", args=[event.slug]), follow=True)

    registration = Registration.objects.get(user=person)
    assert (registration.status, registration.position) == (R.WAITLISTED, 1)
    assert 'id="cancel-registration"' in response.content.decode()


# Audience and visibility --------------------------------------------------------------------------


@pytest.fixture
def audiences(incubator_a, incubator_b):
    return {
        "all": EventFactory(slug="pour-tous", title="Pour tous"),
        "public": EventFactory(
            slug="public", title="Public", is_public=True, audience=Event.Audience.ROLE, audience_role="designer"
        ),
        "coaches": EventFactory(
            slug="coachs", title="Club des coachs", audience=Event.Audience.ROLE, audience_role=AudienceRole.COACH
        ),
        "developers": EventFactory(
            slug="devs", title="Club des devs", audience=Event.Audience.ROLE, audience_role=AudienceRole.DEVELOPER
        ),
        "incubator_a": EventFactory(
            slug="demo-day-a", title="Demo day A", audience=Event.Audience.INCUBATOR, audience_incubator=incubator_a
        ),
        "incubator_b": EventFactory(
            slug="demo-day-b", title="Demo day B", audience=Event.Audience.INCUBATOR, audience_incubator=incubator_b
        ),
    }


def event_titles(response):
    return sorted(event.title for event in response.context["events"])


def test_a_visitor_sees_the_public_events_only(client, audiences):
    response = client.get(reverse("community:event_list"))

    assert response.status_code == 200
    assert event_titles(response) == ["Public"]
    assert client.get(audiences["all"].get_absolute_url()).status_code == 404
    assert client.get(audiences["public"].get_absolute_url()).status_code == 200


def test_each_person_sees_the_events_of_their_audience(sign_in, audiences, incubator_a, startup_a, member_b):
    developer = TeamMembershipFactory(
        startup=startup_a, user=UserFactory(email="dev@example.gouv.fr"), role=TeamMembership.Role.DEVELOPER
    ).user
    coach = MembershipFactory(
        user=UserFactory(email="coach@example.gouv.fr"), incubator=IncubatorFactory(), role=Membership.Role.COACH
    ).user

    assert event_titles(sign_in(developer).get(reverse("community:event_list"))) == [
        "Club des devs",
        "Demo day A",
        "Pour tous",
        "Public",
    ]
    assert event_titles(sign_in(coach).get(reverse("community:event_list"))) == [
        "Club des coachs",
        "Pour tous",
        "Public",
    ]
    assert event_titles(sign_in(member_b).get(reverse("community:event_list"))) == ["Demo day B", "Pour tous", "Public"]


def test_a_person_outside_the_audience_cannot_register(sign_in, audiences, member_b):
    response = sign_in(member_b).post(reverse("community:event_register", args=["public"]))

    assert response.status_code == 302
    assert Registration.objects.count() == 0


def test_another_incubators_event_is_a_404(sign_in, audiences, member_b):
    assert sign_in(member_b).get(audiences["incubator_a"].get_absolute_url()).status_code == 404
    assert sign_in(member_b).post(reverse("community:event_register", args=["demo-day-a"])).status_code == 404


def test_past_events_are_under_their_own_filter(sign_in, member_b):
    EventFactory(
        title="Passé", starts_at=in_days(-10), registration_opens_at=in_days(-20), registration_closes_at=in_days(-11)
    )
    EventFactory(title="À venir")

    upcoming = sign_in(member_b).get(reverse("community:event_list"))
    past = sign_in(member_b).get(reverse("community:event_list"), {"when": "past"})

    assert event_titles(upcoming) == ["À venir"]
    assert event_titles(past) == ["Passé"]


# The page, the .ics, the attendance ---------------------------------------------------------------


def test_cancel_asks_first_in_the_dsfr_dialog(sign_in):
    registration = RegistrationFactory()

    html = sign_in(registration.user).get(registration.event.get_absolute_url()).content.decode()

    form = html.split('id="cancel-registration"')[1].split("</form>")[0]
    assert "data-confirm=" in html.split('id="cancel-registration"')[1].split(">")[0]
    assert "window.confirm" not in html
    assert 'type="submit"' in form


def test_cancel_on_the_page_frees_the_seat(sign_in):
    event = EventFactory(capacity=1)
    seated = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=R.WAITLISTED, position=1)

    sign_in(seated.user).post(reverse("community:event_cancel", args=[event.slug]))

    assert statuses(event) == [(R.CANCELLED, None), (R.CONFIRMED, None)]
    assert OutboxMessage.objects.filter(to=[waiting.user.email]).count() == 1


def test_the_ics_is_in_paris_time(client):
    event = EventFactory(
        is_public=True,
        starts_at=datetime.datetime(2026, 7, 1, 16, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 7, 1, 18, tzinfo=datetime.UTC),
        registration_opens_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
        registration_closes_at=datetime.datetime(2026, 6, 30, tzinfo=datetime.UTC),
    )

    response = client.get(reverse("community:event_ics", args=[event.slug]))

    ics = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "DTSTART;TZID=Europe/Paris:20260701T180000" in ics
    assert "BEGIN:VTIMEZONE" in ics


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("member_a", 404), ("member_b", 404), ("organiser", 200), ("network_admin", 200)],
)
def test_the_attendance_list_is_for_the_organiser(sign_in, personas, persona, expected):
    organiser = UserFactory(email="organisatrice@example.gouv.fr")
    event = EventFactory(organiser=organiser, capacity=1)
    RegistrationFactory(event=event, user=UserFactory(email="assis@example.gouv.fr"))
    RegistrationFactory(event=event, user=UserFactory(email="attend@example.gouv.fr"), status=R.WAITLISTED, position=1)
    client = sign_in(organiser if persona == "organiser" else personas[persona])

    page = client.get(reverse("community:attendance", args=[event.slug]))
    export = client.get(reverse("community:attendance_export", args=[event.slug]))

    assert page.status_code == expected
    assert export.status_code == expected
    if expected == 200:
        assert [r.user.email for r in page.context["confirmed"]] == ["assis@example.gouv.fr"]
        assert [r.user.email for r in page.context["waitlisted"]] == ["attend@example.gouv.fr"]
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
        assert [row[1] for row in rows[1:]] == ["assis@example.gouv.fr", "attend@example.gouv.fr"]
        assert rows[2][3] == "1"


@pytest.mark.parametrize("field", ["starts_at", "registration_closes_at"])
def test_a_date_outside_the_window_is_refused_with_the_french_message(field):
    event = EventFactory.build(**{field: datetime.datetime(9999, 12, 31, 12, tzinfo=datetime.UTC)})

    with pytest.raises(ValidationError) as error:
        event.full_clean()

    assert "date_window" in [e.code for e in error.value.error_dict[field]]


def test_the_database_refuses_a_date_outside_the_window():
    event = EventFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(ends_at=datetime.datetime(2150, 1, 1, tzinfo=datetime.UTC))
