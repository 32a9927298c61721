"""The jury's pages: who sees what, votes, conflicts, hidden identities, scores."""

import pytest
from django.urls import reverse

from calls.models import Application, ConflictOfInterest, JuryScore, PreselectionVote
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture
def jury(db, incubator_a, incubator_b, personas):
    """A call of incubator A with a juror, a conflicted juror, and a juror of another call."""
    call = CallFactory(slug="appel-a", incubator=incubator_a)
    other_call = CallFactory(slug="appel-b", incubator=incubator_b)
    people = {
        **personas,
        "applicant_a": UserFactory(email="candidate-a@example.gouv.fr", first_name="Alice", last_name="Candidate"),
        "juror": UserFactory(email="jure@example.gouv.fr"),
        "conflicted_juror": UserFactory(email="jure-en-conflit@example.gouv.fr"),
        "other_juror": UserFactory(email="jure-autre-appel@example.gouv.fr"),
    }
    call.jurors.add(people["juror"], people["conflicted_juror"])
    other_call.jurors.add(people["other_juror"])
    application = ApplicationFactory(call=call, applicant=people["applicant_a"], status=S.SUBMITTED)
    ConflictOfInterest.objects.create(application=application, juror=people["conflicted_juror"])
    return call, application, people


@pytest.fixture
def as_jury_persona(sign_in, jury):
    return lambda name: sign_in(jury[2][name])


VISIBILITY = [
    ("anonymous", 302),
    ("applicant_a", 404),
    ("juror", 200),
    ("conflicted_juror", 404),
    ("other_juror", 404),
    ("member_a", 404),
    ("member_b", 404),
    ("network_admin", 404),
]


@pytest.mark.parametrize(("persona", "status"), VISIBILITY)
def test_jury_application_page_access(as_jury_persona, jury, persona, status):
    _call, application, _people = jury

    response = as_jury_persona(persona).get(reverse("calls:jury_application", kwargs={"pk": application.pk}))

    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), [(p, 302 if s == 200 else s) for p, s in VISIBILITY])
def test_jury_vote_access_and_nothing_changes_for_outsiders(as_jury_persona, jury, persona, status):
    _call, application, _people = jury

    response = as_jury_persona(persona).post(reverse("calls:jury_vote", kwargs={"pk": application.pk}))

    assert response.status_code == status
    assert PreselectionVote.objects.filter(application=application).exists() is (persona == "juror")


@pytest.mark.parametrize(
    ("persona", "status", "lists"),
    [
        ("anonymous", 302, False),
        ("juror", 200, True),
        ("conflicted_juror", 200, False),
        ("other_juror", 404, False),
        ("member_b", 404, False),
    ],
)
def test_jury_application_list_access(as_jury_persona, jury, persona, status, lists):
    call, _application, _people = jury

    response = as_jury_persona(persona).get(reverse("calls:jury_applications", kwargs={"slug": call.slug}))

    assert response.status_code == status
    assert ("Alice Candidate" in response.text) is lists


def test_hidden_identity_appears_on_no_jury_page(as_jury_persona, jury):
    call, application, _people = jury
    call.hide_identity = True
    call.save()
    client = as_jury_persona("juror")

    pages = [
        client.get(reverse("calls:jury_calls")),
        client.get(reverse("calls:jury_applications", kwargs={"slug": call.slug})),
        client.get(reverse("calls:jury_application", kwargs={"pk": application.pk})),
    ]

    for page in pages:
        assert page.status_code == 200
        assert "Alice" not in page.text
        assert "Candidate" not in page.text
        assert "candidate-a@example.gouv.fr" not in page.text
    assert str(application.pk) in pages[1].text


def test_declaring_a_conflict_hides_the_application_and_removes_the_vote(as_jury_persona, jury):
    _call, application, _people = jury
    client = as_jury_persona("juror")
    client.post(reverse("calls:jury_vote", kwargs={"pk": application.pk}))

    client.post(reverse("calls:jury_conflict", kwargs={"pk": application.pk}), {"comment": "Même service"})

    assert not PreselectionVote.objects.filter(application=application).exists()
    assert client.get(reverse("calls:jury_application", kwargs={"pk": application.pk})).status_code == 404


def test_a_second_tick_removes_the_first(as_jury_persona, jury):
    _call, application, _people = jury
    client = as_jury_persona("juror")

    client.post(reverse("calls:jury_vote", kwargs={"pk": application.pk}))
    client.post(reverse("calls:jury_vote", kwargs={"pk": application.pk}))

    assert not PreselectionVote.objects.exists()


def test_a_juror_scores_a_pitched_application(as_jury_persona, jury):
    _call, application, _people = jury
    Application.objects.filter(pk=application.pk).update(status=S.PITCHED)
    client = as_jury_persona("juror")

    refused = client.post(reverse("calls:jury_score", kwargs={"pk": application.pk}), {"problem": "9"})
    client.post(
        reverse("calls:jury_score", kwargs={"pk": application.pk}),
        {"problem": "4", "strategy": "3", "legitimacy": "5", "person": "2"},
    )

    assert refused.status_code == 302
    assert dict(JuryScore.objects.values_list("criterion", "score")) == {
        "problem": 4,
        "strategy": 3,
        "legitimacy": 5,
        "person": 2,
    }


@pytest.mark.parametrize("count", [1, 30])
def test_jury_application_list_query_count(as_jury_persona, jury, django_assert_num_queries, count):
    call, _application, _people = jury
    ApplicationFactory.create_batch(count, call=call, status=S.SUBMITTED)
    client = as_jury_persona("juror")

    with django_assert_num_queries(6):  # with the header's facts
        client.get(reverse("calls:jury_applications", kwargs={"slug": call.slug}))


def test_a_juror_sees_the_jurys_averages_and_spread_after_scoring(as_jury_persona, jury):
    _call, application, people = jury
    Application.objects.filter(pk=application.pk).update(status=S.PITCHED)
    for criterion, score in {"problem": 2, "strategy": 4, "legitimacy": 4, "person": 4}.items():
        JuryScore.objects.create(application=application, juror=people["member_b"], criterion=criterion, score=score)
    client = as_jury_persona("juror")
    url = reverse("calls:jury_application", kwargs={"pk": application.pk})
    assert client.get(url).context["averages"] == []

    client.post(
        reverse("calls:jury_score", kwargs={"pk": application.pk}),
        {"problem": "4", "strategy": "4", "legitimacy": "4", "person": "4"},
    )
    context = client.get(url).context

    assert context["averages"][0][1:] == (3.0, 2)
    assert context["overall"] == 3.75


def test_a_juror_reads_the_answers_to_the_calls_questions(as_jury_persona, jury):
    call, application, _people = jury
    question = QuestionFactory(call=call, label="Combien d'usagers ?")
    application.answers = {str(question.pk): "Environ 40 000 par an"}
    application.save()

    response = as_jury_persona("juror").get(reverse("calls:jury_application", kwargs={"pk": application.pk}))

    assert "Combien d&#x27;usagers ?" in response.text
    assert "Environ 40 000 par an" in response.text
