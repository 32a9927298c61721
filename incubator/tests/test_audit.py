"""The audit log: each recorded event writes exactly one row; the table is append-only, holds no
personal data beyond the actor's id, is read-only in the admin and purged after a year."""

import datetime
import io

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from calls import services as call_services
from calls.models import Application
from calls.tests.factories import ApplicationFactory, CallFactory
from committees.tests.factories import CommitteeDocumentFactory, CommitteeFactory
from incubator.models import AuditEvent, Membership
from incubator.tasks import purge_audit_events
from incubator.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from incubator.tests.mfa import TEST_TOTP_SECRET, enrol_totp, totp_code
from incubator.uploads import random_name
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def only(action):
    """The one row of ``action`` (fails if there are none or several)."""
    [event] = AuditEvent.objects.filter(action=action)
    return event


def rows(action):
    return AuditEvent.objects.filter(action=action).count()


def login(client, user, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


@pytest.fixture
def agent(db):
    return UserFactory(email="agent@example.gouv.fr")


# Sign-in and sign-out ------------------------------------------------------------------------------


def test_login_writes_one_row(client, agent):
    login(client, agent)

    event = only(Action.LOGIN)
    assert (event.actor_id, event.object_type, event.object_id) == (agent.pk, "incubator.user", str(agent.pk))
    assert event.created_at.tzinfo is not None
    assert AuditEvent.objects.count() == 1


def test_failed_login_writes_one_row_with_the_account_tried(client, agent):
    login(client, agent, password="pas-le-bon-mot-de-passe")

    event = only(Action.LOGIN_FAILED)
    assert event.actor_id == agent.pk
    assert AuditEvent.objects.count() == 1


def test_failed_login_of_an_unknown_address_writes_one_row_without_actor(client):
    client.post(reverse("account_login"), {"login": "personne@example.gouv.fr", "password": "quelconque-123456"})

    event = only(Action.LOGIN_FAILED)
    assert (event.actor_id, event.object_type, event.object_id) == (None, "", "")


def test_logout_writes_one_row(client, agent):
    client.force_login(agent)

    client.post(reverse("account_logout"))

    assert only(Action.LOGOUT).actor_id == agent.pk


# Second factor ---------------------------------------------------------------------------------------


def reauthenticate(client):
    assert client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD}).status_code == 302


def test_mfa_activation_writes_one_row(client, agent, django_capture_on_commit_callbacks):
    login(client, agent)
    reauthenticate(client)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    # One row per authenticator added: the app, and the recovery codes that come with it.
    added = AuditEvent.objects.filter(action=Action.MFA_ADDED)
    authenticators = Authenticator.objects.filter(user=agent)
    assert sorted(added.values_list("object_id", flat=True)) == sorted(str(a.pk) for a in authenticators)
    assert set(added.values_list("actor_id", "object_type")) == {(agent.pk, "mfa.authenticator")}
    assert authenticators.count() == 2


def signed_in_with_totp(client, user):
    enrol_totp(user)
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET)})
    reauthenticate(client)


def test_mfa_code_used_writes_one_row(client, agent):
    signed_in_with_totp(client, agent)

    assert only(Action.MFA_USED).actor_id == agent.pk


def test_wrong_mfa_code_writes_one_row(client, agent):
    enrol_totp(agent)
    login(client, agent)
    right = totp_code(TEST_TOTP_SECRET)

    client.post(reverse("mfa_authenticate"), {"code": "000000" if right != "000000" else "111111"})

    assert only(Action.MFA_FAILED).actor_id == agent.pk


def test_mfa_deactivation_writes_one_row_per_authenticator_removed(client, agent):
    signed_in_with_totp(client, agent)
    authenticators = sorted(str(pk) for pk in Authenticator.objects.filter(user=agent).values_list("pk", flat=True))

    client.post(reverse("mfa_deactivate_totp"))

    removed = AuditEvent.objects.filter(action=Action.MFA_REMOVED)
    assert sorted(removed.values_list("object_id", flat=True)) == authenticators  # the app and its codes
    assert set(removed.values_list("actor_id", flat=True)) == {agent.pk}


def test_recovery_codes_regenerated_write_one_row(client, agent, django_capture_on_commit_callbacks):
    signed_in_with_totp(client, agent)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))

    assert only(Action.MFA_RESET).actor_id == agent.pk


# Object-permission denials ---------------------------------------------------------------------------


def test_a_denied_object_route_writes_one_row(client, member_a, incubator_b):
    startup = StartupFactory(slug="produit-de-b", incubator=incubator_b)
    client.force_login(member_a)

    response = client.get(startup.get_absolute_url())

    assert response.status_code == 404
    event = only(Action.ACCESS_DENIED)
    assert (event.actor_id, event.object_type, event.object_id) == (
        member_a.pk,
        "portfolio:startup_detail",
        "produit-de-b",
    )


def test_an_allowed_object_route_and_an_anonymous_visit_write_none(client, member_a, incubator_a):
    startup = StartupFactory(slug="produit-de-a", incubator=incubator_a)
    client.get(startup.get_absolute_url())  # anonymous: sent to the login page
    client.force_login(member_a)

    allowed = client.get(startup.get_absolute_url())
    unknown_page = client.get("/page-qui-n-existe-pas/")

    assert allowed.status_code == 200
    assert unknown_page.status_code == 404
    assert rows(Action.ACCESS_DENIED) == 0


# Roles and rights ------------------------------------------------------------------------------------


def test_role_granted_writes_one_row(incubator_a, agent):
    membership = Membership.objects.create(user=agent, incubator=incubator_a, role=Membership.Role.COACH)

    event = only(Action.ROLE_GRANTED)
    assert (event.object_type, event.object_id) == ("incubator.membership", str(membership.pk))


def test_role_changed_writes_one_row(incubator_a, agent):
    membership = Membership.objects.create(user=agent, incubator=incubator_a, role=Membership.Role.COACH)
    membership = Membership.objects.get(pk=membership.pk)

    membership.role = Membership.Role.VIEWER
    membership.save()
    membership.save()  # unchanged: nothing more

    assert only(Action.ROLE_CHANGED).object_id == str(membership.pk)


def test_role_revoked_writes_one_row(incubator_a, agent):
    membership = Membership.objects.create(user=agent, incubator=incubator_a, role=Membership.Role.COACH)
    pk = membership.pk

    membership.delete()

    assert only(Action.ROLE_REVOKED).object_id == str(pk)


def grant_in_the_admin(client, agent, right):
    """A network admin ticks ``right`` on the agent's page of the admin; the admin, for the actor."""
    network_admin = UserFactory(email="admin@example.gouv.fr", is_staff=True, is_superuser=True)
    client.force_login(network_admin)
    data = {
        "email": agent.email,
        "first_name": agent.first_name,
        "last_name": agent.last_name,
        "is_active": "on",
        right: "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    return network_admin, data


@pytest.mark.parametrize(
    ("right", "action", "other"),
    [
        ("is_staff", Action.STAFF_GRANTED, Action.COORDINATOR_GRANTED),
        ("is_network_coordinator", Action.COORDINATOR_GRANTED, Action.STAFF_GRANTED),
    ],
)
def test_a_right_granted_by_an_admin_in_the_admin_writes_one_row_with_the_admin_as_actor(
    client, agent, right, action, other
):
    network_admin, data = grant_in_the_admin(client, agent, right)
    before = {action: rows(action), other: rows(other)}  # the admin's own STAFF_GRANTED, at creation

    response = client.post(reverse("admin:incubator_user_change", args=[agent.pk]), data)

    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    assert rows(action) == before[action] + 1
    assert rows(other) == before[other]  # a coordinator is no staff, a staff member no coordinator
    event = AuditEvent.objects.filter(action=action, object_id=str(agent.pk)).get()
    assert (event.actor_id, event.object_type) == (network_admin.pk, "incubator.user")
    agent.refresh_from_db()
    assert getattr(agent, right) is True


def test_staff_and_superuser_revoked_write_one_row_each(agent):
    agent.is_staff = agent.is_superuser = True
    agent.save()
    agent = type(agent).objects.get(pk=agent.pk)

    agent.is_staff = agent.is_superuser = False
    agent.save()

    assert only(Action.STAFF_REVOKED).object_id == str(agent.pk)
    assert only(Action.SUPERUSER_REVOKED).object_id == str(agent.pk)


def test_coordinator_right_given_at_creation_and_revoked_writes_one_row_each(db):
    coordinator = UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)

    coordinator.is_network_coordinator = False
    coordinator.save()

    assert only(Action.COORDINATOR_GRANTED).object_id == str(coordinator.pk)
    assert only(Action.COORDINATOR_REVOKED).object_id == str(coordinator.pk)
    assert not AuditEvent.objects.filter(action__in=[Action.STAFF_GRANTED, Action.STAFF_REVOKED]).exists()


def test_the_user_admin_lists_and_filters_the_coordinators(client):
    network_admin = UserFactory(email="admin@example.gouv.fr", is_staff=True, is_superuser=True)
    coordinator = UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)
    client.force_login(network_admin)

    response = client.get(reverse("admin:incubator_user_changelist"), {"is_network_coordinator__exact": "1"})

    assert response.status_code == 200
    assert [user.pk for user in response.context["cl"].result_list] == [coordinator.pk]


def test_a_login_saving_last_login_records_no_rights_change(client, agent):
    login(client, agent)

    assert not AuditEvent.objects.exclude(action=Action.LOGIN).exists()


# Jury scores -------------------------------------------------------------------------------------------


def test_a_jury_score_saved_writes_one_row(incubator_a):
    juror = UserFactory(email="jure@example.gouv.fr")
    call = CallFactory(incubator=incubator_a)
    call.jurors.add(juror)
    application = ApplicationFactory(call=call, status=Application.Status.PITCHED)

    call_services.record_scores(application=application, juror=juror, scores={"problem": 4})

    event = only(Action.SCORE_CHANGED)
    assert (event.object_type, event.object_id) == ("calls.juryscore", str(application.scores.get().pk))


# Documents ---------------------------------------------------------------------------------------------


def test_a_committee_document_upload_writes_one_row(client, member_a, incubator_a):
    committee = CommitteeFactory(startup=StartupFactory(incubator=incubator_a))
    client.force_login(member_a)

    response = client.post(
        reverse("committees:document_add", kwargs={"pk": committee.pk}),
        {"kind": "deck", "file": SimpleUploadedFile("support.pdf", PDF, content_type="application/pdf")},
    )

    assert response.status_code == 302
    event = only(Action.DOCUMENT_UPLOADED)
    assert (event.actor_id, event.object_type) == (member_a.pk, "committees.committeedocument")
    assert event.object_id == str(committee.documents.get().pk)


def test_a_committee_document_download_writes_one_row(client, member_a, incubator_a):
    document = CommitteeDocumentFactory(committee=CommitteeFactory(startup=StartupFactory(incubator=incubator_a)))
    client.force_login(member_a)

    response = client.get(reverse("committees:document_download", kwargs={"pk": document.pk}))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")  # read to the end: closes the file
    event = only(Action.DOCUMENT_DOWNLOADED)
    assert (event.actor_id, event.object_type, event.object_id) == (
        member_a.pk,
        "committees.committeedocument",
        str(document.pk),
    )


def test_a_refused_document_download_writes_a_denial_not_a_download(client, member_b, incubator_a):
    document = CommitteeDocumentFactory(committee=CommitteeFactory(startup=StartupFactory(incubator=incubator_a)))
    client.force_login(member_b)

    response = client.get(reverse("committees:document_download", kwargs={"pk": document.pk}))

    assert response.status_code == 404
    assert rows(Action.DOCUMENT_DOWNLOADED) == 0
    assert only(Action.ACCESS_DENIED).object_id == str(document.pk)


def test_a_signed_commitment_form_download_writes_one_row(client, incubator_a):
    applicant = UserFactory(email="laureate@example.gouv.fr")
    stored = default_storage.save(f"calls/commitments/2027/{random_name('pdf')}", SimpleUploadedFile("x", PDF))
    application = ApplicationFactory(
        call=CallFactory(incubator=incubator_a),
        applicant=applicant,
        status=Application.Status.COMMITMENT_SIGNED,
        commitment_form=stored,
    )
    client.force_login(applicant)

    response = client.get(reverse("calls:commitment_file", args=[application.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # read to the end: closes the file
    event = only(Action.DOCUMENT_DOWNLOADED)
    assert (event.actor_id, event.object_type, event.object_id) == (
        applicant.pk,
        "calls.application",
        str(application.pk),
    )


def test_a_signed_commitment_form_upload_writes_one_row(client, incubator_a):
    applicant = UserFactory(email="laureate@example.gouv.fr")
    application = ApplicationFactory(
        call=CallFactory(incubator=incubator_a), applicant=applicant, status=Application.Status.LAUREATE
    )
    client.force_login(applicant)

    response = client.post(
        reverse("calls:commitment", args=[application.pk]),
        {"commitment_form": SimpleUploadedFile("engagement.pdf", PDF, content_type="application/pdf")},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.COMMITMENT_SIGNED
    assert only(Action.DOCUMENT_UPLOADED).object_id == str(application.pk)


# Exports -----------------------------------------------------------------------------------------------


def test_the_portfolio_csv_export_writes_one_row(client, member_a):
    client.force_login(member_a)

    response = client.get(reverse("portfolio:startup_list"), {"format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    event = only(Action.DATA_EXPORTED)
    assert (event.actor_id, event.object_type) == (member_a.pk, "portfolio:startup_list")


def test_a_call_csv_export_writes_one_row(client, member_a, incubator_a):
    call = CallFactory(slug="appel-a", incubator=incubator_a)
    client.force_login(member_a)

    response = client.get(reverse("calls:manage_export", kwargs={"slug": call.slug}))

    assert response.status_code == 200
    event = only(Action.DATA_EXPORTED)
    assert (event.actor_id, event.object_type, event.object_id) == (member_a.pk, "calls:manage_export", "appel-a")


# The table -------------------------------------------------------------------------------------------


def test_the_log_is_append_only(agent):
    event = AuditEvent.objects.create(action=Action.LOGIN, actor_id=agent.pk)

    event.action = Action.LOGOUT
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.LOGOUT)
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == Action.LOGIN


def test_the_log_keeps_no_personal_data_and_outlives_the_account(agent):
    AuditEvent.objects.create(action=Action.LOGIN, actor_id=agent.pk)
    fields = {field.name for field in AuditEvent._meta.get_fields()}

    agent.delete()

    assert fields == {"id", "created_at", "actor_id", "action", "object_type", "object_id"}
    assert AuditEvent.objects.get().actor_id is not None


def test_staff_read_the_log_in_the_admin_without_add_change_or_delete(client):
    network_admin = UserFactory(email="admin@example.gouv.fr", is_staff=True, is_superuser=True)
    client.force_login(network_admin)
    event = AuditEvent.objects.create(action=Action.LOGOUT, actor_id=network_admin.pk)
    model_admin = admin.site._registry[AuditEvent]

    listing = client.get(reverse("admin:incubator_auditevent_changelist"), {"action__exact": "logout"})
    detail = client.get(reverse("admin:incubator_auditevent_change", args=[event.pk]))
    add = client.get(reverse("admin:incubator_auditevent_add"))
    delete = client.post(reverse("admin:incubator_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [event]
    assert model_admin.list_filter == ["action", "created_at"]
    assert detail.status_code == 200
    assert add.status_code == 403
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_purge_is_a_dry_run_unless_applied_and_keeps_the_last_year(agent):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=366)):
        old = AuditEvent.objects.create(action=Action.LOGIN, actor_id=agent.pk)
    with time_machine.travel(now - datetime.timedelta(days=364)):
        recent = AuditEvent.objects.create(action=Action.LOGIN, actor_id=agent.pk)
    out = io.StringIO()

    call_command("purge_audit_events", stdout=out)

    assert out.getvalue() == "Dry run: 1 audit events older than 365 days would be deleted (--apply to do it).\n"
    assert AuditEvent.objects.count() == 2

    call_command("purge_audit_events", "--apply", stdout=out)

    assert list(AuditEvent.objects.all()) == [recent]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_beat_task_purges_the_rows_past_retention(agent, settings):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=400)):
        AuditEvent.objects.create(action=Action.LOGIN, actor_id=agent.pk)

    assert purge_audit_events() == 1
    assert purge_audit_events() == 0
    assert settings.CELERY_BEAT_SCHEDULE["audit-purge"]["task"] == "incubator.purge_audit_events"


def test_managers_persona_creation_is_audited_as_a_role_grant(incubator_a):
    MembershipFactory(incubator=incubator_a, role=Membership.Role.VIEWER)

    assert rows(Action.ROLE_GRANTED) == 1
