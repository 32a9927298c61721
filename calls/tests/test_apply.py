"""Applying: drafts kept on the server, nothing lost, the deadline enforced by the server."""

import io
import zipfile

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls.models import Application, Question
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory, days_from_now
from incubator.models import OutboxMessage
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPLETE = {
    "administration": "Ministère de l'Exemple",
    "service": "Bureau des usagers",
    "role": "Chef de bureau",
    "problem": "Trois mois d'attente pour 40 000 dossiers par an.",
    "population": "40 000 usagers par an",
    "solution": "Un suivi en ligne",
    "first_users": "Les agents du bureau, puis les usagers",
    "consent_guide": "on",
    "consent_sharing": "on",
}


@pytest.fixture
def call(db):
    return CallFactory(slug="appel-ouvert")


@pytest.fixture
def applicant(sign_in):
    user = UserFactory(email="agente@example.gouv.fr")
    sign_in(user)
    return user


def apply_url(call):
    return reverse("calls:apply", kwargs={"slug": call.slug})


def test_opening_the_form_changes_nothing_the_first_save_creates_the_draft(client, call, applicant):
    response = client.get(apply_url(call))

    assert response.status_code == 200
    assert response.text.count("<h1") == 1
    assert not Application.objects.filter(call=call, applicant=applicant).exists()
    client.post(apply_url(call), {"action": "save", "problem": "Un début"})
    assert Application.objects.get(call=call, applicant=applicant).status == Application.Status.DRAFT


def test_saving_the_draft_keeps_what_was_typed(client, call, applicant):
    response = client.post(apply_url(call), {"action": "save", "problem": "Un début de problème"})

    assert response.status_code == 302
    assert Application.objects.get(applicant=applicant).problem == "Un début de problème"


def test_submitting_with_errors_keeps_every_value_and_saves_the_draft(client, call, applicant):
    data = {**COMPLETE, "solution": "", "consent_sharing": "", "action": "submit"}

    response = client.post(apply_url(call), data)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"solution", "consent_sharing"}
    assert "Trois mois d&#x27;attente pour 40 000 dossiers par an." in response.text
    assert 'href="#id_solution"' in response.text
    application = Application.objects.get(applicant=applicant)
    assert application.status == Application.Status.DRAFT
    assert application.problem == COMPLETE["problem"]


def test_submitting_a_complete_application_acknowledges_it(client, call, applicant):
    response = client.post(apply_url(call), {**COMPLETE, "action": "submit"})

    application = Application.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response.url == application.get_absolute_url()
    assert application.status == Application.Status.SUBMITTED
    assert OutboxMessage.objects.filter(idempotency_key=f"application:{application.pk}:submitted").exists()


def test_a_form_posted_after_the_session_expired_is_restored_after_sign_in(client, call, sign_in):
    user = UserFactory(email="expiree@example.gouv.fr")
    ApplicationFactory(call=call, applicant=user, problem="Ancienne version")
    sign_in(user).get(apply_url(call))  # the form was opened signed in, then the session expired
    Session.objects.all().delete()

    response = client.post(apply_url(call), {**COMPLETE, "problem": "Tapé pendant que la session expirait"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    sign_in(user)
    page = client.get(apply_url(call))
    assert "Tapé pendant que la session expirait" in page.text
    assert Application.objects.get(applicant=user).problem == "Tapé pendant que la session expirait"


def test_after_the_deadline_the_server_refuses_any_change(client, applicant):
    call = CallFactory(opens_at=days_from_now(-30), closes_at=days_from_now(-1))
    application = ApplicationFactory(call=call, applicant=applicant, problem="Version finale")

    response = client.post(apply_url(call), {**COMPLETE, "action": "submit"})
    autosave = client.post(reverse("calls:autosave", kwargs={"slug": call.slug}), {"problem": "Trop tard"})

    assert response.status_code == 403
    assert autosave.status_code == 200
    application.refresh_from_db()
    assert (application.status, application.problem) == (Application.Status.DRAFT, "Version finale")


def test_autosave_saves_a_draft_but_never_overwrites_a_submitted_version(client, call, applicant):
    autosave_url = reverse("calls:autosave", kwargs={"slug": call.slug})
    client.get(apply_url(call))

    first = client.post(autosave_url, {"problem": "Brouillon automatique"})
    client.post(apply_url(call), {**COMPLETE, "action": "submit"})
    late = client.post(autosave_url, {"problem": "Autosave arrivé après l'envoi"})

    assert "Brouillon enregistré" in first.text
    assert "Brouillon enregistré" not in late.text
    assert Application.objects.get(applicant=applicant).problem == COMPLETE["problem"]


def test_a_forged_status_in_the_post_is_ignored(client, call, applicant):
    client.post(apply_url(call), {**COMPLETE, "action": "save", "status": "laureate"})

    assert Application.objects.get(applicant=applicant).status == Application.Status.DRAFT


def test_a_choice_not_offered_is_refused(client, call, applicant):
    question = QuestionFactory(call=call, kind=Question.Kind.CHOICE, choices="Oui\nNon", required=True)

    response = client.post(apply_url(call), {**COMPLETE, f"q_{question.pk}": "Peut-être", "action": "submit"})

    assert response.status_code == 200
    assert f"q_{question.pk}" in response.context["form"].errors
    assert Application.objects.get(applicant=applicant).status == Application.Status.DRAFT


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("note.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"), "PDF, ODT ou DOCX"),
        (SimpleUploadedFile("gros.pdf", b"%PDF-1.4" + b"0" * (5 * 1024 * 1024 + 1)), "5,0\xa0Mio"),
    ],
)
def test_a_refused_upload_says_why_and_keeps_the_rest(client, call, applicant, upload, message):
    question = QuestionFactory(call=call, kind=Question.Kind.FILE, label="Une pièce jointe", required=False)

    response = client.post(apply_url(call), {**COMPLETE, f"q_{question.pk}": upload, "action": "submit"})

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[f"q_{question.pk}"])
    assert "Trois mois d&#x27;attente" in response.text


def test_an_accepted_upload_is_kept_with_the_answers(client, call, applicant):
    question = QuestionFactory(call=call, kind=Question.Kind.FILE, label="Une pièce jointe", required=False)

    client.post(
        apply_url(call),
        {**COMPLETE, f"q_{question.pk}": SimpleUploadedFile("note.docx", docx_bytes()), "action": "submit"},
    )

    answers = Application.objects.get(applicant=applicant).answers
    assert answers[str(question.pk)]["name"] == "note.docx"


def test_withdrawing_asks_a_post_and_leaves_the_jury_lists(client, call, applicant, member_b):
    call.jurors.add(member_b)
    client.post(apply_url(call), {**COMPLETE, "action": "submit"})
    application = Application.objects.get(applicant=applicant)

    assert client.get(reverse("calls:withdraw", kwargs={"pk": application.pk})).status_code == 405
    client.post(reverse("calls:withdraw", kwargs={"pk": application.pk}))

    assert Application.objects.get(pk=application.pk).status == Application.Status.WITHDRAWN
    assert not Application.objects.for_jury(member_b).exists()
