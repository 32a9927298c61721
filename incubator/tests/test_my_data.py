""" "Mes données" (issue 14 item 4; ``docs/architecture.md``, personal data): the page, the JSON
download and the account deletion; who reaches them; the query count."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from calls.models import Application
from calls.tests.factories import ApplicationFactory
from committees.tests.factories import AttendeeFactory
from incubator import personal_data, versions
from incubator.mail import send_templated
from incubator.models import AuditEvent, Membership, OutboxMessage
from incubator.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from portfolio.tests.factories import TeamMembershipFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("incubator:my_data")
DOWNLOAD = reverse("incubator:my_data_download")
FILES = reverse("incubator:my_data_files")
ERASE = reverse("incubator:my_data_erase")


def reauthenticate(client):
    assert client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD}).status_code == 302


# Access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PAGE, DOWNLOAD, FILES])
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_anonymous_cannot_erase(client):
    response = client.post(ERASE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["member_a", "member_b", "network_admin"])
def test_each_persona_downloads_their_own_data_only(as_persona, personas, persona):
    others = [user for name, user in personas.items() if user is not None and name != persona]

    response = as_persona(persona).get(DOWNLOAD)

    assert response.status_code == 200
    data = json.loads(b"".join([response.content]))
    assert data["incubator"]["account"]["email"] == personas[persona].email
    text = response.content.decode()
    assert all(other.email not in text for other in others)


def test_the_page_lists_every_provider_and_asks_before_deleting(as_persona):
    response = as_persona("member_a").get(PAGE)

    assert response.status_code == 200
    text = response.content.decode()
    for provider in personal_data.providers():
        assert escape(str(provider.label)) in text
    assert f'action="{ERASE}"' in text
    assert "data-confirm=" in text
    assert text.count("<h1") == 1


def test_mon_espace_links_to_the_page(as_persona):
    assert PAGE in as_persona("member_a").get(reverse("incubator:my_space")).content.decode()


# The download ------------------------------------------------------------------------------------


def test_the_download_is_a_never_stored_attachment_and_is_audited(as_persona, member_a):
    response = as_persona("member_a").get(DOWNLOAD)

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    assert "no-store" in response["Cache-Control"]
    rows = AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED)
    assert [(row.actor_id, row.object_type, row.object_id) for row in rows] == [
        (member_a.pk, "incubator.user", str(member_a.pk))
    ]


def test_the_download_holds_the_apps_data(client):
    user = UserFactory(email="candidate@example.gouv.fr")
    ApplicationFactory(applicant=user, administration="Préfecture de l'Exemple")
    client.force_login(user)

    data = json.loads(client.get(DOWNLOAD).content)

    assert data["calls"]["applications"][0]["administration"] == "Préfecture de l'Exemple"


def test_the_zip_holds_my_uploaded_files_and_no_one_elses(client):
    user = UserFactory()
    mine = ApplicationFactory(applicant=user, status=Application.Status.LAUREATE)
    mine.commitment_form.save("engagement.pdf", ContentFile(b"%PDF-1.4 mine"))
    theirs = ApplicationFactory(status=Application.Status.LAUREATE)
    theirs.commitment_form.save("engagement.pdf", ContentFile(b"%PDF-1.4 theirs"))
    client.force_login(user)

    response = client.get(FILES)

    assert response["Content-Disposition"].startswith('attachment; filename="mes-fichiers-')
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert [archive.read(name) for name in archive.namelist()] == [b"%PDF-1.4 mine"]
    assert archive.namelist()[0].startswith(f"calls/{mine.pk}/")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED, actor_id=user.pk).count() == 1


def queries(client, path):
    versions.bump_all()  # the page drawn: nothing kept ({% kept %}) from the request before
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", [PAGE, DOWNLOAD])
def test_the_query_count_does_not_grow_with_the_data(client, path):
    user = UserFactory()
    client.force_login(user)
    MembershipFactory(user=user)
    ApplicationFactory(applicant=user)
    TeamMembershipFactory(user=user)
    client.get(path)  # warm the caches (site, content types)
    one = queries(client, path)

    for _ in range(4):
        MembershipFactory(user=user)
        ApplicationFactory(applicant=user)
        TeamMembershipFactory(user=user)
    many = queries(client, path)

    assert many == one


# The deletion ------------------------------------------------------------------------------------


def test_a_get_does_not_erase(as_persona):
    assert as_persona("member_a").get(ERASE).status_code == 405


def test_deleting_asks_for_the_password_again(client, member_a):
    client.force_login(member_a)

    response = client.post(ERASE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    member_a.refresh_from_db()
    assert member_a.is_active


def test_deleting_erases_audits_emails_and_signs_out(client, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(email="partante@example.gouv.fr", first_name="Zélie", last_name="Partante")
    MembershipFactory(user=user, role=Membership.Role.COACH)
    application = ApplicationFactory(applicant=user, status=Application.Status.SUBMITTED)
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    reauthenticate(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ERASE)

    assert response.status_code == 302
    assert response.url == reverse("incubator:home")
    user.refresh_from_db()
    assert not user.is_active
    assert (user.email, user.first_name, user.last_name) == (f"compte-supprime-{user.pk}@invalid", "", "")
    application.refresh_from_db()
    assert application.administration == ""
    assert [row.actor_id for row in AuditEvent.objects.filter(action=AuditEvent.Action.DATA_ERASED)] == [user.pk]
    # The confirmation went to the address the account had; its row forgets the address once sent.
    assert [message.to for message in mailoutbox] == [["partante@example.gouv.fr"]]
    email = OutboxMessage.objects.get(idempotency_key=f"{personal_data.ERASURE_EMAIL_KEY}{user.pk}")
    assert (email.status, email.to, email.body_text) == (OutboxMessage.Status.SENT, [], "")
    assert "_auth_user_id" not in client.session
    assert not OutboxMessage.objects.filter(to__icontains="partante").exists()


def every_stored_text():
    """Every value of every table, as text (what a database dump holds)."""
    texts = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            texts.extend(str(value) for row in cursor.fetchall() for value in row if value is not None)
    return "\n".join(texts)


def test_after_deletion_and_purge_no_table_holds_the_email_or_the_name(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="zelie.partante@example.gouv.fr", first_name="Zélie", last_name="Partantissime")
    ApplicationFactory(applicant=user, status=Application.Status.SUBMITTED)
    TeamMembershipFactory(user=user, name="Zélie Partantissime", email=user.email)
    AttendeeFactory(user=user, name="Zélie Partantissime", email=user.email)
    with django_capture_on_commit_callbacks(execute=True):
        send_templated(to=[user.email], template="account_erased", context={}, key="before")
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    reauthenticate(client)
    assert "partante" in every_stored_text()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(ERASE)
    personal_data.purge_all()

    text = every_stored_text().lower()
    assert text.count("zelie.partante") == 0
    assert text.count("partantissime") == 0
