"""Issue 14, "Must show": after an applicant deletes their account, a dump of the database
(``pg_dump``) holds their email and their name 0 times, and the jury's scores of their application
still add up.

The rows are committed (``transactional_db``) so that ``pg_dump``, another connection, sees them.
The applicant's data is spread the way the portal spreads it: a submitted, ticked, shortlisted and
scored application (with its history rows and the emails it sent), a place in a product's team, an
invitation to a held committee, a sponsor's contact, a reminder delivery, an email to several
people, a second signed-in session, the audit log of their sign-ins, an admin's change of their
account. The deletion goes through "Mes données": sign-in, the page with its confirmation dialog,
a fresh sign-in, the POST.
"""

import datetime
import json
import os
import shutil
import subprocess

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calls import services
from calls.models import Application, JuryScore
from calls.tests.factories import ApplicationFactory, CallFactory
from committees.models import Committee
from committees.tests.factories import AttendeeFactory, CommitteeFactory
from community.tests.factories import RegistrationFactory, ResourceRequestFactory
from incubator import mail, personal_data
from incubator.models import AuditEvent, Membership, OutboxMessage, ReminderDelivery, ReminderRule
from incubator.tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from incubator.tests.services import require, require_postgres
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "zephyrine.partantissime@example.gouv.fr"
FIRST_NAME, LAST_NAME = "Zéphyrine", "Partantissime"
# What must not be in the dump: the email, the names (JSON columns escape the "é").
TRACES = (EMAIL, LAST_NAME, FIRST_NAME, json.dumps(FIRST_NAME)[1:-1])


def pg_dump():
    """The test database dumped by ``pg_dump`` (schema and data, plain SQL), as text."""
    require(shutil.which("pg_dump") is not None, "pg_dump is not installed (Debian package postgresql-client)")
    db = connection.settings_dict
    command = ["pg_dump", "--no-owner", "--dbname", db["NAME"], "--username", db["USER"] or "postgres"]
    if db["HOST"]:
        command += ["--host", db["HOST"]]
    if db["PORT"]:
        command += ["--port", str(db["PORT"])]
    environment = {"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {}
    result = subprocess.run(
        command, capture_output=True, check=False, timeout=120, env={**_path(), **environment}, encoding="utf-8"
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _path():
    """Only the PATH and the locale go to pg_dump."""
    return {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL") if key in os.environ}


def traces_in(dump):
    """{trace: [the dump's lines holding it]}, case-insensitive."""
    lines = dump.lower().splitlines()
    found = {trace: [line for line in lines if trace.lower() in line] for trace in TRACES}
    return {trace: rows for trace, rows in found.items() if rows}


def ranking(call):
    """What the jury's work adds up to: each application's ticks, and its scores' means and spread."""
    rows = call.applications.exclude(status=Application.Status.DRAFT).ranked().prefetch_related("scores")
    return [(row.pk, row.tick_count, services.score_summary(row.scores.all())) for row in rows]


def sign_in(client, email):
    response = client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content


def build_applicant_world():
    """The applicant, their call judged by two jurors, and every row that holds their email or name."""
    applicant = UserFactory(email=EMAIL, first_name=FIRST_NAME, last_name=LAST_NAME)
    other = UserFactory(email="autre.candidate@example.gouv.fr", first_name="Ondine", last_name="Autrement")
    manager = UserFactory(email="responsable@example.gouv.fr")
    jurors = [UserFactory(email=f"jure{n}@example.gouv.fr") for n in (1, 2)]
    call = CallFactory(closes_at=timezone.now() + datetime.timedelta(days=20))
    MembershipFactory(user=manager, incubator=call.incubator, role=Membership.Role.MANAGER)
    call.jurors.set(jurors)
    applications = []
    for person in (applicant, other):
        application = ApplicationFactory(call=call, applicant=person, remarks=f"Je suis {person.get_full_name()}.")
        services.submit(application=application, actor=person)  # a history row, an email
        applications.append(application)
    for juror in jurors:
        services.toggle_vote(application=applications[0], juror=juror)
    services.toggle_vote(application=applications[1], juror=jurors[0])
    return applicant, other, manager, jurors, call, applications


def judge(call, applications, manager, jurors):
    """After the deadline: both shortlisted (an email each), then scored by both jurors."""
    services.preselect(applications=applications, to=Application.Status.SHORTLISTED, actor=manager)
    for n, juror in enumerate(jurors):
        for application, base in zip(applications, (4, 2), strict=True):
            scores = {criterion: min(base + n, 5) for criterion in JuryScore.Criterion.values}
            services.record_scores(application=application, juror=juror, scores=scores)


def spread_the_email(applicant, manager):
    """The other rows the portal keeps about the applicant (email and name), written as it writes them."""
    startup = StartupFactory()
    TeamMembershipFactory(startup=startup, user=applicant, name=applicant.get_full_name(), email=EMAIL)
    held = CommitteeFactory(startup=startup, scheduled_at=timezone.now(), status=Committee.Status.HELD)
    AttendeeFactory(committee=held, user=applicant, name=applicant.get_full_name(), email=EMAIL)
    OrganisationFactory(contact_name=applicant.get_full_name(), contact_email=EMAIL)
    RegistrationFactory(user=applicant)
    ResourceRequestFactory(startup=startup, requester=applicant)
    mail.send_templated(to=[EMAIL, "collegue@example.gouv.fr"], template="account_erased", context={}, key="both")
    rule = ReminderRule.objects.create(
        kind="dump.test", name="Rappel", offset_days=1, subject_template="Rappel", body_template="Bonjour"
    )
    message = OutboxMessage.objects.filter(to__icontains=EMAIL).order_by("pk").first()
    ReminderDelivery.objects.create(rule=rule, object_key="x:1", recipient=EMAIL, occurrence="1", message=message)
    LogEntry.objects.log_actions(
        user_id=manager.pk,
        queryset=type(applicant).objects.filter(pk=applicant.pk),
        action_flag=CHANGE,
        change_message="[]",
        single_object=True,
    )


def test_after_an_applicant_deletes_their_account_the_dump_holds_no_email_nor_name_and_the_scores_add_up():
    require_postgres()
    applicant, _other, manager, jurors, call, applications = build_applicant_world()
    with time_machine.travel(call.closes_at + datetime.timedelta(hours=1)):
        judge(call, applications, manager, jurors)
        spread_the_email(applicant, manager)
        elsewhere = Client()
        sign_in(elsewhere, EMAIL)  # a second browser: its session stays in the table
        before = ranking(call)
        assert {EMAIL, LAST_NAME, FIRST_NAME} <= set(traces_in(pg_dump()))  # the dump does see them
        client = Client()
        sign_in(client, EMAIL)
        page = client.get(reverse("incubator:my_data"))
        assert 'data-confirm="' in page.content.decode()  # the confirmation step
        assert client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD}).status_code == 302

        response = client.post(reverse("incubator:my_data_erase"))

        assert response.status_code == 302
        confirmation = OutboxMessage.objects.get(idempotency_key=f"{personal_data.ERASURE_EMAIL_KEY}{applicant.pk}")
        # The email confirming the deletion went to the address, which its row forgets once sent.
        assert (confirmation.status, confirmation.to, confirmation.body_text) == (OutboxMessage.Status.SENT, [], "")
        dump = pg_dump()

    assert traces_in(dump) == {}
    sessions = [session.get_decoded() for session in Session.objects.all()]
    assert [session for session in sessions if EMAIL in str(session)] == []
    assert elsewhere.get(reverse("incubator:my_data")).status_code == 302  # signed out in every browser
    assert ranking(call) == before
    assert [row[1] for row in before] == [2, 1]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DATA_ERASED, actor_id=applicant.pk).count() == 1
