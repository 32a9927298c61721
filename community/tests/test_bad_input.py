"""Issue 12, "Must show", bad input where the network writes the events (the Django admin): a date
outside the window and a capacity below the seats already taken are refused with a clear French
message, the status of a refused form, and nothing typed is lost."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from community.models import Event
from community.tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:community_event_add")


def event_form(**overrides):
    """The admin's event form as a network admin fills it in (French formats), no registration inline."""
    data = {
        "kind": Event.Kind.FORUM,
        "slug": "forum-de-decembre",
        "title": "Forum de décembre des intrapreneurs",
        "description": "Un forum.",
        "starts_at_0": "10/12/2026",
        "starts_at_1": "18:00",
        "ends_at_0": "10/12/2026",
        "ends_at_1": "20:00",
        "place": "20 avenue de Ségur, Paris",
        "capacity": "30",
        "registration_opens_at_0": "01/12/2026",
        "registration_opens_at_1": "09:00",
        "registration_closes_at_0": "09/12/2026",
        "registration_closes_at_1": "12:00",
        "audience": Event.Audience.ALL,
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "0",
    }
    return {**data, **overrides}


def test_the_admin_form_saves_a_valid_event(client, network_admin):
    client.force_login(network_admin)

    response = client.post(ADD, event_form())

    assert response.status_code == 302
    assert Event.objects.get().title == "Forum de décembre des intrapreneurs"


@pytest.mark.parametrize("field", ["starts_at", "registration_closes_at"])
def test_a_date_outside_the_window_is_refused_in_french_and_the_form_keeps_what_was_typed(client, network_admin, field):
    client.force_login(network_admin)

    response = client.post(ADD, event_form(**{f"{field}_0": "31/12/9999"}))

    assert response.status_code == 200  # the admin's answer to a refused form: the form again
    assert not Event.objects.exists()
    errors = response.context["adminform"].form.errors
    assert "date_window" in [error.code for error in errors.as_data()[field]]
    assert any(message.startswith("Saisissez une date comprise entre le") for message in errors[field])
    html = response.content.decode()
    assert escape("Forum de décembre des intrapreneurs") in html
    assert 'value="31/12/9999"' in html
    assert escape("20 avenue de Ségur, Paris") in html


def test_a_capacity_below_the_seats_taken_is_refused_in_french_and_keeps_the_typed_values(rf, network_admin):
    event = EventFactory(capacity=3, title="Club des coachs")
    for _seat in range(2):
        RegistrationFactory(event=event)
    request = rf.post(reverse("admin:community_event_change", args=[event.pk]))
    request.user = network_admin
    form_class = admin.site._registry[Event].get_form(request, event, change=True)
    typed = event_form(slug=event.slug, title="Club des coachs, édition d'hiver", capacity="1")

    form = form_class(typed, instance=event)

    assert not form.is_valid()
    assert list(form.errors) == ["capacity"]
    assert form.errors["capacity"][0].startswith("2 personnes ont déjà une place")
    assert form["title"].value() == "Club des coachs, édition d'hiver"
    event.refresh_from_db()
    assert (event.capacity, event.title) == (3, "Club des coachs")
