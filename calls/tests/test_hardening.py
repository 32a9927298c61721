"""Hardening of the calls app: what an anonymous POST may leave in a session, drafts that keep every
valid field and say what was refused, requests too large to read, uploads under random names served
behind permissions, GETs that change nothing, and the jury's record that outlives an account."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from calls import services
from calls.forms import PENDING_MAX_BYTES
from calls.models import Application, ConflictOfInterest, JuryScore, PreselectionVote, Question
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory
from calls.views.public import APPLICANT_COOKIE, PENDING
from incubator.tests.factories import UserFactory
from incubator.uploads import random_name

pytestmark = pytest.mark.django_db
S = Application.Status

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
POLYGLOT = PDF + b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def call(db):
    return CallFactory(slug="appel-ouvert")


@pytest.fixture
def applicant(db):
    return UserFactory(email="agente@example.gouv.fr")


def apply_url(call):
    return reverse("calls:apply", kwargs={"slug": call.slug})


def autosave_url(call):
    return reverse("calls:autosave", kwargs={"slug": call.slug})


def pending_sessions(call):
    key = PENDING.format(slug=call.slug)
    return [session.get_decoded()[key] for session in Session.objects.all() if key in session.get_decoded()]


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


# Item 4: an anonymous POST leaves at most a bounded copy of the form, and only for a former applicant.


def test_an_anonymous_post_without_the_applicant_cookie_stores_nothing(client, call):
    response = client.post(apply_url(call), {"problem": "x" * 1_000_000, "junk": "y" * 1_000_000})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Session.objects.count() == 0


def test_what_an_expired_session_keeps_is_bounded_to_the_forms_fields(client, call, applicant):
    question = QuestionFactory(call=call, kind=Question.Kind.SHORT_TEXT)
    client.force_login(applicant)
    assert client.get(apply_url(call)).cookies[APPLICANT_COOKIE]["path"] == apply_url(call)
    Session.objects.all().delete()  # the session expired

    anonymous = Client()
    anonymous.cookies = client.cookies  # the same browser, its session gone

    anonymous.post(apply_url(call), {"administration": "A" * 5000, f"q_{question.pk}": "Q" * 5000, "junk": "y"})
    [pending] = pending_sessions(call)
    assert pending == {
        "applicant": str(applicant.pk),
        "values": {"administration": "A" * 200, f"q_{question.pk}": "Q" * 300},
    }

    Session.objects.all().delete()
    anonymous.post(
        apply_url(call),
        {"problem": "p" * 500_000, "solution": "s" * 500_000, "junk": "y" * 500_000, "status": "laureate"},
    )
    [pending] = pending_sessions(call)
    assert set(pending["values"]) <= {"problem", "solution"}
    assert sum(len(value.encode()) for value in pending["values"].values()) <= PENDING_MAX_BYTES
    assert Session.objects.get().session_data.__len__() < 2 * PENDING_MAX_BYTES


def test_what_an_expired_session_kept_goes_only_to_the_same_account(client, call, applicant):
    client.force_login(applicant)
    client.get(apply_url(call))
    Session.objects.all().delete()
    client.post(apply_url(call), {"problem": "Tapé par l'agente"})

    someone_else = UserFactory(email="autre@example.gouv.fr")
    client.force_login(someone_else)
    client.get(apply_url(call))

    assert not Application.objects.filter(applicant=someone_else, problem="Tapé par l'agente").exists()
    assert pending_sessions(call) == []


# Item 6: a draft keeps every valid field, says what it did not keep; a request too large gets a page.


def test_saving_a_draft_with_a_refused_file_keeps_the_valid_fields_and_says_why(client, call, applicant):
    question = QuestionFactory(call=call, kind=Question.Kind.FILE, label="Votre note", required=False)
    client.force_login(applicant)

    response = client.post(
        apply_url(call),
        {
            "action": "save",
            "problem": "Un problème bien réel",
            f"q_{question.pk}": SimpleUploadedFile("note.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )

    application = Application.objects.get(applicant=applicant)
    assert application.problem == "Un problème bien réel"
    assert str(question.pk) not in application.answers
    assert response.status_code == 200
    assert f"q_{question.pk}" in response.context["form"].errors
    [message] = messages_of(response)
    assert "Votre brouillon est enregistré, sauf ces champs" in message
    assert "Votre note" in message
    assert "PDF, ODT ou DOCX" in message
    assert "Un problème bien réel" in response.text  # every typed value is still in the form


def test_saving_a_draft_with_a_nul_character_keeps_the_other_fields(client, call, applicant):
    ApplicationFactory(call=call, applicant=applicant, solution="Solution d'hier")
    client.force_login(applicant)

    response = client.post(
        apply_url(call), {"action": "save", "problem": "Nouveau problème", "solution": "avec\x00un nul"}
    )

    application = Application.objects.get(applicant=applicant)
    assert (application.problem, application.solution) == ("Nouveau problème", "Solution d'hier")
    assert "solution" in response.context["form"].errors
    assert not any("Votre brouillon est enregistré. Vous pouvez" in m for m in messages_of(response))


def test_the_autosave_keeps_the_valid_fields_and_names_the_refused_ones(client, call, applicant):
    client.force_login(applicant)

    response = client.post(autosave_url(call), {"problem": "Tapé au clavier", "solution": "nul\x00"})

    application = Application.objects.get(applicant=applicant)
    assert application.problem == "Tapé au clavier"
    assert "Brouillon enregistré" in response.text
    assert "Ces champs n'ont pas été conservés. La solution envisagée : Le caractère nul" in response.text


def test_a_request_too_large_gets_a_page_that_says_so_and_keeps_the_draft(client, call, applicant):
    ApplicationFactory(call=call, applicant=applicant, problem="Le brouillon d'hier")
    client.force_login(applicant)

    response = client.post(
        apply_url(call),
        "problem=" + "x" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
        headers={"referer": "http://testserver" + apply_url(call)},
    )

    assert response.status_code == 413
    assert "Votre envoi est trop volumineux" in response.text
    assert "votre dernier brouillon enregistré" in response.text
    assert f'href="http://testserver{apply_url(call)}"' in response.text
    assert Application.objects.get(applicant=applicant).problem == "Le brouillon d'hier"


def test_an_autosave_too_large_gets_a_status_line(client, call, applicant):
    client.force_login(applicant)

    response = client.post(autosave_url(call), {"problem": "x" * (3 * 1024 * 1024)}, headers={"hx-request": "true"})

    assert response.status_code == 413
    assert "Trop volumineux" in response.text
    assert "<html" not in response.text


def test_another_bad_request_gets_the_portals_400_page(client):
    response = client.get("/", headers={"host": "pirate.example"})

    assert response.status_code == 400
    assert "Requête incorrecte" in response.text


# Item 9: uploads under random names, served only through permission-checked attachments.


def test_an_answer_file_is_stored_under_a_random_name_with_its_detected_extension(client, call, applicant):
    question = QuestionFactory(call=call, kind=Question.Kind.FILE, required=False)
    client.force_login(applicant)

    client.post(apply_url(call), {"action": "save", f"q_{question.pk}": SimpleUploadedFile("polyglot.html", POLYGLOT)})

    answer = Application.objects.get(applicant=applicant).answers[str(question.pk)]
    assert answer["name"] == "polyglot.html"  # for display only
    assert re.fullmatch(rf"calls/answers/{call.pk}/[0-9a-f]{{32}}\.pdf", answer["path"])
    with default_storage.open(answer["path"]) as stored:
        assert stored.read() == POLYGLOT


def test_a_commitment_form_is_stored_under_a_random_name(client, call, applicant):
    application = ApplicationFactory(call=call, applicant=applicant, status=S.LAUREATE)
    client.force_login(applicant)

    client.post(
        reverse("calls:commitment", args=[application.pk]),
        {"commitment_form": SimpleUploadedFile("../../polyglot.html", POLYGLOT)},
    )

    name = Application.objects.get(pk=application.pk).commitment_form.name
    assert re.fullmatch(r"calls/commitments/\d{4}/[0-9a-f]{32}\.pdf", name)


def test_random_names_keep_only_the_extension():
    assert re.fullmatch(r"[0-9a-f]{32}\.pptx", random_name("pptx"))
    assert random_name("pdf") != random_name("pdf")


@pytest.fixture
def files(incubator_a, incubator_b, member_a, member_b, applicant):
    """An application of incubator A's call with an answer file and a signed commitment form."""
    call = CallFactory(slug="appel-a", incubator=incubator_a)
    hidden = CallFactory(slug="appel-masque", incubator=incubator_a, hide_identity=True)
    people = {
        "anonymous": None,
        "applicant": applicant,
        "member_a": member_a,
        "member_b": member_b,
        "other_applicant": UserFactory(email="autre-candidat@example.gouv.fr"),
        "juror": UserFactory(email="jure@example.gouv.fr"),
        "conflicted_juror": UserFactory(email="jure-en-conflit@example.gouv.fr"),
        "other_juror": UserFactory(email="jure-autre@example.gouv.fr"),
    }
    call.jurors.add(people["juror"], people["conflicted_juror"])
    hidden.jurors.add(people["juror"], people["other_juror"])
    result = {}
    for name, each in {"visible": call, "hidden": hidden}.items():
        question = QuestionFactory(call=each, kind=Question.Kind.FILE, label="Une note", required=False)
        path = default_storage.save(f"calls/answers/{each.pk}/{random_name('pdf')}", SimpleUploadedFile("x", PDF))
        application = ApplicationFactory(
            call=each,
            applicant=applicant,
            status=S.COMMITMENT_SIGNED,
            answers={str(question.pk): {"name": "Jean Dupont CV.pdf", "path": path}},
            commitment_form=default_storage.save(
                f"calls/commitments/2027/{random_name('pdf')}", SimpleUploadedFile("x", PDF)
            ),
        )
        result[name] = (application, question)
    ConflictOfInterest.objects.create(application=result["visible"][0], juror=people["conflicted_juror"])
    return result, people


def as_(people, name):
    client = Client()
    if people[name] is not None:
        client.force_login(people[name])
    return client


ANSWER_FILE = [
    ("anonymous", "visible", 302),
    ("applicant", "visible", 200),
    ("applicant", "hidden", 200),
    ("member_a", "visible", 200),
    ("member_a", "hidden", 200),
    ("member_b", "visible", 404),
    ("other_applicant", "visible", 404),
    ("juror", "visible", 200),
    ("juror", "hidden", 404),  # the call hides identities: the jury gets no file
    ("conflicted_juror", "visible", 404),
    ("other_juror", "visible", 404),
    ("other_juror", "hidden", 404),
]


@pytest.mark.parametrize(("persona", "which", "status"), ANSWER_FILE)
def test_who_may_download_an_answer_file(files, persona, which, status):
    (application, question), people = files[0][which], files[1]

    response = as_(people, persona).get(reverse("calls:answer_file", args=[application.pk, question.pk]))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="candidature-{application.pk}-reponse-1.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store, private"
        assert b"".join(response.streaming_content) == PDF
    response.close()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("applicant", 200),
        ("member_a", 200),
        ("member_b", 404),
        ("other_applicant", 404),
        ("juror", 404),
        ("conflicted_juror", 404),
    ],
)
def test_who_may_download_a_signed_commitment_form(files, persona, status):
    (application, _question), people = files[0]["visible"], files[1]

    response = as_(people, persona).get(reverse("calls:commitment_file", args=[application.pk]))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == f'attachment; filename="engagement-candidature-{application.pk}.pdf"'
        assert response["Cache-Control"] == "no-store, private"
    response.close()


def test_downloads_are_get_only(files):
    (application, question), people = files[0]["visible"], files[1]
    client = as_(people, "applicant")

    assert client.post(reverse("calls:answer_file", args=[application.pk, question.pk])).status_code == 405
    assert client.post(reverse("calls:commitment_file", args=[application.pk])).status_code == 405


def test_a_file_stored_under_the_clients_name_is_served_by_its_content(files):
    (application, question), people = files[0]["visible"], files[1]
    path = default_storage.save(
        f"calls/answers/{application.call_id}/polyglot.html", SimpleUploadedFile("x", b"<html>")
    )
    application.answers = {str(question.pk): {"name": "polyglot.html", "path": path}}
    application.save()

    response = as_(people, "applicant").get(reverse("calls:answer_file", args=[application.pk, question.pk]))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].endswith('-reponse-1.bin"')
    response.close()


def test_the_pages_link_to_the_files(files):
    result, people = files
    (application, question), (hidden, hidden_question) = result["visible"], result["hidden"]
    answer_url = reverse("calls:answer_file", args=[application.pk, question.pk])
    commitment_url = reverse("calls:commitment_file", args=[application.pk])

    manager_page = as_(people, "member_a").get(reverse("calls:manage_application", args=[application.pk])).text
    jury_page = as_(people, "juror").get(reverse("calls:jury_application", args=[application.pk])).text
    hidden_page = as_(people, "juror").get(reverse("calls:jury_application", args=[hidden.pk])).text
    own_page = as_(people, "applicant").get(application.get_absolute_url()).text

    assert answer_url in manager_page
    assert commitment_url in manager_page
    assert answer_url in jury_page
    assert commitment_url not in jury_page
    assert reverse("calls:answer_file", args=[hidden.pk, hidden_question.pk]) not in hidden_page
    assert "Jean Dupont" not in hidden_page
    assert "le jury ne reçoit pas les fichiers" in hidden_page
    assert answer_url in own_page
    assert commitment_url in own_page


# Item 13: a GET changes nothing.


def test_opening_the_form_creates_no_draft_the_first_autosave_does(client, call, applicant):
    client.force_login(applicant)

    page = client.get(apply_url(call))

    assert page.status_code == 200
    assert autosave_url(call) in page.text
    assert not Application.objects.exists()
    client.post(autosave_url(call), {"problem": "Premier mot"})
    assert Application.objects.get(applicant=applicant).problem == "Premier mot"


# Item 14: the jury's record outlives a juror's account.


def test_removing_a_jurors_account_keeps_their_ticks_and_scores_under_a_pseudonym(call):
    application = ApplicationFactory(call=call, status=S.SHORTLISTED)
    kept, leaving = UserFactory(email="reste@example.gouv.fr"), UserFactory(email="part@example.gouv.fr")
    PreselectionVote.objects.create(application=application, juror=kept)
    PreselectionVote.objects.create(application=application, juror=leaving)
    for juror, score in ((kept, 2), (leaving, 5)):
        for criterion in JuryScore.Criterion.values:
            JuryScore.objects.create(application=application, juror=juror, criterion=criterion, score=score)
    before = services.score_summary(application.scores.all())

    leaving.delete()

    assert JuryScore.objects.filter(application=application).count() == 8
    assert Application.objects.with_ticks().get(pk=application.pk).ticks == 2
    assert services.score_summary(application.scores.all()) == before
    assert before[1] == 3.5
    labels = set(JuryScore.objects.filter(juror__isnull=True).values_list("juror_label", flat=True))
    assert labels == {"Juré n°1"}
    assert PreselectionVote.objects.get(juror__isnull=True).juror_label == "Juré n°1"
