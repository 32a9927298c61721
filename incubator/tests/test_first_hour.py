"""What a new manager tripped over in the first hour (issue 9, items 9 and 10): dates in words,
the development console, the port of ``make run``, the admin's name and the favicon."""

import datetime
import io
import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template
from django.utils import translation

from committees.models import Committee
from committees.services import invite
from committees.tests.factories import AttendeeFactory, CommitteeFactory, paris
from incubator.console_email import ConsoleEmailBackend
from incubator.models import OutboxMessage
from incubator.tests.factories import UserFactory

FIRST_OF_DECEMBER = datetime.date(2026, 12, 1)


def render(source, **context):
    return Template("{% load portal_dates %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "day", "expected"),
    [
        ("fr", FIRST_OF_DECEMBER, "1er décembre 2026"),
        ("fr", datetime.date(2026, 12, 2), "2 décembre 2026"),
        ("fr", datetime.date(2026, 12, 11), "11 décembre 2026"),
        ("en", FIRST_OF_DECEMBER, "December 1, 2026"),
        ("en", datetime.date(2026, 12, 2), "December 2, 2026"),
    ],
)
def test_long_date_writes_the_first_of_the_month_the_french_way(language, day, expected):
    with translation.override(language):
        assert render("{{ day|long_date }}", day=day) == expected


def test_long_date_styles_with_the_weekday_and_the_time_in_both_languages():
    at = paris(FIRST_OF_DECEMBER, 14)

    with translation.override("fr"):
        french = render('{{ at|long_date:"weekday" }} / {{ at|long_date:"weekday_datetime" }}', at=at)
    with translation.override("en"):
        english = render('{{ at|long_date:"weekday" }} / {{ at|long_date:"datetime" }}', at=at)

    assert french == "mardi 1er décembre 2026 / mardi 1er décembre 2026 à 14:00"
    assert english == "Tuesday, December 1, 2026 / December 1, 2026 at 14:00"


def test_long_date_prints_nothing_for_no_date():
    assert render("{{ day|long_date }}", day=None) == ""


@pytest.mark.django_db
def test_committee_invitation_email_says_1er_decembre():
    committee = CommitteeFactory(scheduled_at=paris(FIRST_OF_DECEMBER, 14), kind=Committee.Kind.PERIODIC)
    AttendeeFactory(committee=committee, name="Élodie Martin", email="elodie@example.gouv.fr")

    invite(committee)

    row = OutboxMessage.objects.get()
    assert row.subject == f"Comité d'investissement de {committee.startup.name} le mardi 1er décembre 2026 à 14:00"
    assert "le mardi 1er décembre 2026 à 14:00 (heure de Paris)" in row.body_text


@pytest.mark.django_db
def test_committee_page_says_1er_decembre(client, incubator_a, member_a):
    committee = CommitteeFactory(startup__incubator=incubator_a, scheduled_at=paris(FIRST_OF_DECEMBER, 14))
    client.force_login(member_a)

    response = client.get(committee.get_absolute_url())

    assert response.status_code == 200
    assert '<p class="fr-text--lead fr-mb-1w">mardi 1er décembre 2026 à 14:00 — ' in response.text
    assert "<dd>mardi 1er décembre 2026 à 14:00 (60 minutes)</dd>" in response.text
    assert "1 décembre" not in response.text


def test_console_backend_prints_the_decoded_subject_recipients_and_text():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Comité d'investissement de Pix le mardi 1er décembre 2026",
        body="Bonjour Élodie,\n\nVous êtes invitée au comité.\n",
        from_email="Portail des incubateurs <ne-pas-repondre@incubateurs.example>",
        to=["elodie@example.gouv.fr"],
        cc=["equipe@example.gouv.fr"],
        connection=ConsoleEmailBackend(stream=stream),
    )
    message.attach_alternative("<p>Bonjour Élodie,</p>", "text/html")
    message.attach("comite.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")

    assert message.send() == 1

    printed = stream.getvalue()
    assert "Subject: Comité d'investissement de Pix le mardi 1er décembre 2026\n" in printed
    assert "From: Portail des incubateurs <ne-pas-repondre@incubateurs.example>\n" in printed
    assert "To: elodie@example.gouv.fr\nCc: equipe@example.gouv.fr\n" in printed
    assert "\nDate: " in printed
    assert "Bonjour Élodie,\n\nVous êtes invitée au comité." in printed
    assert "comite.ics (text/calendar" in printed
    assert "=?utf-8?" not in printed
    assert "Content-Transfer-Encoding" not in printed
    assert "<p>" not in printed


def test_default_email_url_delivers_through_the_readable_console():
    environment = {name: value for name, value in os.environ.items() if name not in {"EMAIL_URL", "DEBUG"}}
    code = "import django; django.setup(); from django.conf import settings; print(settings.OUTBOX_DELIVERY_BACKEND)"

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "incubator.settings"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "incubator.console_email.ConsoleEmailBackend"


def make_run(port, **environment):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {name: value for name, value in os.environ.items() if name != "SITE_URL"}
    result = subprocess.run(
        ["make", "-n", "run", f"PORT={port}"],
        cwd=django_settings.BASE_DIR,
        env={**env, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "runserver" in line]


@pytest.mark.skipif(os.path.exists(".env"), reason="a .env file may set SITE_URL")
def test_make_run_points_site_url_at_the_port_it_serves():
    assert make_run(8123) == ["SITE_URL=http://127.0.0.1:8123 .venv/bin/python manage.py runserver 127.0.0.1:8123"]


def test_make_run_keeps_a_site_url_that_is_set():
    assert make_run(8123, SITE_URL="https://incubateurs.example") == [
        ".venv/bin/python manage.py runserver 127.0.0.1:8123"
    ]


@pytest.mark.django_db
def test_admin_is_named_after_the_portal_and_has_the_favicon(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    # In English: the French strings come with the catalogue ("Administration du portail des incubateurs").
    response = client.get("/admin/", headers={"accept-language": "en"})

    assert response.status_code == 200
    text = response.text
    assert '<a href="/admin/">Incubator portal administration</a>' in text
    assert "<title>The portal&#x27;s data | Incubator portal</title>" in text
    assert "Django" not in text.split("<body")[1].split("</header>")[0]
    assert '<link rel="shortcut icon" href="/static/dsfr/dist/favicon/favicon.ico" type="image/x-icon">' in text


@pytest.mark.django_db
def test_favicon_ico_leads_to_an_existing_static_file(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/dsfr/dist/favicon/favicon.ico"
    assert finders.find("dsfr/dist/favicon/favicon.ico") is not None
