"""Access tables and query counts of the call pages built so far."""

import pytest
from django.urls import reverse

from calls.models import Application, Call
from calls.tests.factories import ApplicationFactory, CallFactory
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicants(db):
    return {
        "applicant_a": UserFactory(email="agent-a@example.gouv.fr"),
        "applicant_b": UserFactory(email="agent-b@example.gouv.fr"),
    }


@pytest.fixture
def as_call_persona(sign_in, personas, applicants):
    everyone = {**personas, **applicants}
    return lambda name: sign_in(everyone[name])


PERSONAS = ["anonymous", "applicant_a", "applicant_b", "member_a", "member_b", "network_admin"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_call_pages_are_open_to_everyone(as_call_persona, persona):
    call = CallFactory(title="Appel ouvert")
    client = as_call_persona(persona)

    assert "Appel ouvert" in client.get(reverse("calls:call_list")).text
    assert client.get(call.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_call_is_not_public(as_call_persona, persona):
    call = CallFactory(title="Appel en préparation", status=Call.Status.DRAFT)
    client = as_call_persona(persona)

    assert "Appel en préparation" not in client.get(reverse("calls:call_list")).text
    assert client.get(call.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("applicant_a", 200), ("applicant_b", 404), ("member_a", 404), ("network_admin", 404)],
)
def test_an_application_page_is_its_applicants_only(as_call_persona, applicants, persona, status):
    application = ApplicationFactory(applicant=applicants["applicant_a"])

    response = as_call_persona(persona).get(application.get_absolute_url())

    assert response.status_code == status


@pytest.mark.parametrize(("persona", "sees"), [("applicant_a", True), ("applicant_b", False)])
def test_my_applications_lists_only_mine(as_call_persona, applicants, persona, sees):
    ApplicationFactory(applicant=applicants["applicant_a"], call=CallFactory(title="Appel de la Fabrique"))

    response = as_call_persona(persona).get(reverse("calls:my_applications"))

    assert response.status_code == 200
    assert ("Appel de la Fabrique" in response.text) is sees


def test_my_applications_sends_anonymous_to_login(client):
    response = client.get(reverse("calls:my_applications"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("count", [1, 30])
def test_call_list_query_count(client, django_assert_num_queries, count):
    CallFactory.create_batch(count)

    with django_assert_num_queries(2):
        client.get(reverse("calls:call_list"))


@pytest.mark.parametrize("count", [1, 30])
def test_my_applications_query_count(sign_in, applicants, django_assert_num_queries, count):
    for _n in range(count):
        ApplicationFactory(applicant=applicants["applicant_a"])
    client = sign_in(applicants["applicant_a"])

    with django_assert_num_queries(4):  # with the header's facts
        client.get(reverse("calls:my_applications"))


@pytest.fixture
def everyone(personas, applicants, db):
    """Every persona of the call pages, jurors included (a call of incubator A with its jurors)."""
    jurors = {
        name: UserFactory(email=f"{name}@example.gouv.fr") for name in ["juror", "conflicted_juror", "other_juror"]
    }
    return {**personas, **applicants, **jurors}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("applicant_a", 200),
        ("applicant_b", 404),
        ("juror", 404),
        ("conflicted_juror", 404),
        ("other_juror", 404),
        ("member_a", 404),
        ("member_b", 404),
        ("network_admin", 404),
    ],
)
def test_an_applicants_pages_and_actions_are_theirs_only(sign_in, everyone, incubator_a, persona, status):
    call = CallFactory(incubator=incubator_a)
    call.jurors.add(everyone["juror"], everyone["conflicted_juror"])
    CallFactory().jurors.add(everyone["other_juror"])
    application = ApplicationFactory(call=call, applicant=everyone["applicant_a"], status=Application.Status.LAUREATE)
    client = sign_in(everyone[persona])

    page = client.get(application.get_absolute_url())
    commitment = client.post(reverse("calls:commitment", kwargs={"pk": application.pk}), {})
    withdraw = client.post(reverse("calls:withdraw", kwargs={"pk": application.pk}))

    assert page.status_code == status
    if status == 404:
        assert commitment.status_code == withdraw.status_code == 404
        assert Application.objects.get(pk=application.pk).status == Application.Status.LAUREATE
    elif status == 302:
        assert commitment.status_code == withdraw.status_code == 302
        assert Application.objects.get(pk=application.pk).status == Application.Status.LAUREATE
