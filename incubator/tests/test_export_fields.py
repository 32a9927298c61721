"""Issue 14, "Must show": the export holds every declared personal field of the user and nothing of
other users.

Two people, "alpha" and "beta", each get a row in every model whose text fields a provider declares
personal (``personal_data.declared_fields()``), every such field holding a value that starts with
the person's tag. Alpha's export (``export_all``, what "Mes données" downloads) holds every one of
alpha's values and no "beta" at all. A declared model the world below has no row of fails the test,
so a newly declared field is surveyed unless ``NOT_EXPORTED`` says why it stays out of the export.
"""

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models

from calls.models import ConflictOfInterest
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory
from committees.models import CalendarFeed
from committees.tests.factories import AttendeeFactory
from community.tests.factories import RequestCommentFactory, ResourceRequestFactory
from incubator import personal_data
from incubator.models import AuditEvent, Membership, OutboxMessage, ReminderDelivery, ReminderRule
from incubator.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from incubator.tests.mfa import enrol_totp
from portfolio.models import Startup
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

# Declared fields the export leaves out, with the reason.
NOT_EXPORTED = {
    "incubator.user.password": "a hash: it tells nothing about the person and would help an attacker",
    "mfa.authenticator.data": "the second factor's secret and recovery codes: exporting them hands the factor over",
    "committees.calendarfeed.token": "the secret in the calendar's address (the export says when it was renewed)",
    "incubator.outboxmessage.body_html": "the HTML rendering of body_text, which is exported",
    "incubator.outboxmessage.headers": "the portal's technical headers",
    "incubator.outboxmessage.attachments": "files the portal generated (calendar invitations)",
    "incubator.outboxmessage.cc": "the other recipients' addresses: other people's data",
    "incubator.outboxmessage.reply_to": "the address of whoever answers: another person's",
    "admin.logentry.object_repr": "the name of the object an admin changed, another person's for an account "
    "(the entry is exported by its type and number)",
}
TEXT = (models.CharField, models.TextField, models.JSONField)


def declared_text_fields():
    """{model: [field]} of the declared personal fields that hold text, the historical copies aside
    (their rows are the history of a surveyed row)."""
    found = {}
    for name in sorted(personal_data.declared_fields() - NOT_EXPORTED.keys()):
        app_label, model_name, field_name = name.split(".")
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
        if isinstance(field, TEXT) and not model.__name__.startswith("Historical"):
            found.setdefault(model, []).append(field)
    return found


def strings(value):
    """The text leaves of a value (a JSON field's strings, keys aside)."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in strings(item)]
    return [str(value)] if value not in (None, "") else []


def world(tag):
    """The rows the portal may hold about one person, each declared text field starting with ``tag``."""
    user = UserFactory(email=f"{tag}@example.gouv.fr", first_name=f"{tag}-prenom", last_name=f"{tag}-nom")
    membership = MembershipFactory(user=user, role=Membership.Role.COACH)
    call = CallFactory()
    question = QuestionFactory(call=call)
    texts = ("administration", "service", "role", "problem", "solution", "first_users", "population")
    application = ApplicationFactory(
        call=call,
        applicant=user,
        potential_sponsor=f"{tag}-parrain",
        remarks=f"{tag}-remarques",
        answers={str(question.pk): f"{tag}-reponse"},
        **{name: f"{tag}-{name}" for name in texts},
    )
    conflict = ConflictOfInterest.objects.create(
        application=ApplicationFactory(call=call), juror=user, comment=f"{tag}-conflit"
    )
    startup = StartupFactory()
    team = TeamMembershipFactory(startup=startup, user=user, name=f"{tag}-equipe", email=f"{tag}-equipe@example.fr")
    attendee = AttendeeFactory(user=user, name=f"{tag}-participant", email=f"{tag}-participant@example.fr")
    organisation = OrganisationFactory(contact_name=f"{tag}-contact", contact_email=user.email)
    message = OutboxMessage.objects.create(
        from_email="portail@example.gouv.fr", to=[user.email], subject=f"{tag}-objet", body_text=f"{tag}-texte"
    )
    rule = ReminderRule.objects.create(
        kind=f"export.{tag}", name="Rappel", offset_days=1, subject_template="Rappel", body_template="Bonjour"
    )
    delivery = ReminderDelivery.objects.create(
        rule=rule, object_key="x:1", recipient=user.email, occurrence="1", message=message
    )
    resource_request = ResourceRequestFactory(requester=user, message=f"{tag}-demande")
    comment = RequestCommentFactory(request=resource_request, author=user, body=f"{tag}-commentaire")
    log = LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Startup),
        object_id=str(startup.pk),
        object_repr=startup.name,
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": [f"{tag}-champ"]}}]),
    )
    social = SocialAccount.objects.create(
        user=user, provider="proconnect", uid=f"{tag}-sub", extra_data={"given_name": f"{tag}-revendication"}
    )
    enrol_totp(user)
    CalendarFeed.objects.create(user=user, token=f"{tag}-jeton")
    rows = [user, *user.emailaddress_set.all(), membership, application, conflict, team, attendee, organisation]
    return user, [*rows, message, delivery, resource_request, comment, log, social]


def test_the_export_holds_every_declared_personal_field_of_the_user_and_nothing_of_others():
    alpha, rows = world("alpha")
    world("beta")

    exported = personal_data.export_all(alpha)

    text = "\n".join(strings(exported))  # every value exported, as text
    surveyed = declared_text_fields()
    assert sorted(m._meta.label for m in surveyed.keys() - {type(row) for row in rows}) == [], (
        "add a row of these models to world(), or their fields to NOT_EXPORTED"
    )
    missing, empty = [], []
    for row in rows:
        for field in surveyed.get(type(row), []):
            label = f"{row._meta.label_lower}.{field.name}"
            values = strings(getattr(row, field.attname))
            if not values:
                empty.append(label)
            missing += [f"{label}: {value!r}" for value in values if value not in text]
    assert empty == [], "give these fields a value in world()"
    assert missing == []
    assert "beta" not in json.dumps(exported, ensure_ascii=False, default=str)


def test_the_allow_list_names_declared_fields():
    assert NOT_EXPORTED.keys() <= personal_data.declared_fields()


@pytest.mark.parametrize("coordinates", [True, False])
def test_the_export_holds_the_network_coordinator_right(coordinates):
    """A boolean, out of the text survey above: asked here."""
    user = UserFactory(email="alpha@example.gouv.fr", is_network_coordinator=coordinates)

    exported = personal_data.export_all(user)

    assert exported["incubator"]["account"]["network_coordinator"] is coordinates
    assert "incubator.user.is_network_coordinator" in personal_data.declared_fields()


def test_an_erased_coordinator_loses_the_right_with_the_roles():
    user = UserFactory(email="alpha@example.gouv.fr", is_network_coordinator=True)

    report = personal_data.get_provider("incubator").erase(user, actor=user)

    user.refresh_from_db()
    assert report["network_coordinator"] == 1
    assert (user.is_network_coordinator, user.reads_network) == (False, False)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.COORDINATOR_REVOKED, object_id=str(user.pk)).count() == 1
