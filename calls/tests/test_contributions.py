"""The calls' contributions to the core's registries: their section of "Mon espace", the product's
origin on its page, the open-calls tile and the personal-data provider."""

import json

import pytest

from calls.models import Application, Call, ConflictOfInterest, JuryScore, PreselectionVote
from calls.tests.factories import ApplicationFactory, CallFactory, days_from_now
from incubator import personal_data, registry
from incubator.tests.factories import IncubatorFactory, UserFactory
from portfolio.contributions import PRODUCT_PAGE
from portfolio.tests.factories import StartupFactory


def test_the_calls_section_and_the_origin_panel_are_registered():
    assert "calls" in [section.key for section in registry.sections()]
    assert ("facts_after_incubators", "call_origin") in [(p.slot, p.key) for p in registry.panels(PRODUCT_PAGE)]


@pytest.mark.django_db
def test_the_origin_panel_is_left_out_for_a_product_not_born_from_an_application(django_assert_num_queries):
    born = StartupFactory()
    application = ApplicationFactory(startup=born)
    panel = next(panel for panel in registry.panels(PRODUCT_PAGE) if panel.key == "call_origin")

    with django_assert_num_queries(1):
        assert panel.context(born, None) == {"origin": application}
    assert panel.context(StartupFactory(), None) is None


@pytest.mark.django_db
def test_the_open_calls_tile_counts_the_scopes_open_calls_and_the_network_wide_ones_in_one_query(
    django_assert_num_queries,
):
    mine, other = IncubatorFactory(), IncubatorFactory()
    CallFactory(incubator=mine)
    CallFactory(incubator=None)
    CallFactory(incubator=other)
    CallFactory(incubator=mine, status=Call.Status.DRAFT)
    CallFactory(incubator=mine, opens_at=days_from_now(-30), closes_at=days_from_now(-1))
    tile = registry.get_tile("open_calls")

    with django_assert_num_queries(1):
        count = tile.compute(None, registry.Scope(incubator=mine))

    assert count == 2
    assert tile.compute(None, registry.Scope()) == 3
    assert tile.link(registry.Scope()) == "/appels/"


@pytest.fixture
def jury_world(db):
    """An applicant with a draft and a submitted application; a juror who ticked, scored and
    declared a conflict on other applications."""
    applicant = UserFactory(email="candidate@example.gouv.fr", first_name="Camille", last_name="Candidate")
    juror = UserFactory(email="jure@example.gouv.fr", first_name="Jules", last_name="Juré")
    call = CallFactory(title="Appel A")
    call.jurors.add(juror)
    submitted = ApplicationFactory(
        call=call, applicant=applicant, status=Application.Status.SUBMITTED, remarks="Joignable le matin."
    )
    draft = ApplicationFactory(call=CallFactory(title="Appel B"), applicant=applicant)
    other = ApplicationFactory(call=call, status=Application.Status.SUBMITTED, applicant__last_name="Autrui")
    PreselectionVote.objects.create(application=submitted, juror=juror)
    ConflictOfInterest.objects.create(application=other, juror=juror, comment="Mon ancien collègue")
    for criterion in JuryScore.Criterion.values:
        JuryScore.objects.create(application=submitted, juror=juror, criterion=criterion, score=4)
    return {
        "applicant": applicant,
        "juror": juror,
        "call": call,
        "submitted": submitted,
        "draft": draft,
        "other": other,
    }


def test_the_export_holds_the_applicants_applications(jury_world):
    data = personal_data.get_provider("calls").export(jury_world["applicant"])

    first, second = data["applications"]
    assert (first["number"], first["call"], first["status"]) == (jury_world["submitted"].pk, "Appel A", "submitted")
    assert (first["administration"], first["role"], first["remarks"]) == (
        "Ministère de l'Exemple",
        "Cheffe de bureau",
        "Joignable le matin.",
    )
    assert first["problem"].startswith("Les usagers attendent")
    assert (second["call"], second["status"]) == ("Appel B", "draft")
    assert data["jury"] == {"calls": [], "ticks": [], "conflicts": [], "scores": []}


def test_the_export_holds_the_jurors_work_naming_applications_by_number_only(jury_world):
    data = personal_data.get_provider("calls").export(jury_world["juror"])

    submitted, other = jury_world["submitted"].pk, jury_world["other"].pk
    assert data["jury"]["calls"] == ["Appel A"]
    assert [tick["application"] for tick in data["jury"]["ticks"]] == [submitted]
    assert data["jury"]["conflicts"][0]["application"] == other
    assert data["jury"]["conflicts"][0]["comment"] == "Mon ancien collègue"
    assert sorted(score["score"] for score in data["jury"]["scores"]) == [4, 4, 4, 4]
    text = json.dumps(data)
    assert "Candidate" not in text
    assert "Autrui" not in text
    assert "candidate@example.gouv.fr" not in text


def test_erasure_of_an_applicant_drops_the_drafts_and_what_identifies_them(jury_world):
    applicant, submitted = jury_world["applicant"], jury_world["submitted"]

    report = personal_data.get_provider("calls").erase(applicant, actor=applicant)

    submitted.refresh_from_db()
    assert report["drafts"] == 1
    assert report["applications_pseudonymised"] == 1
    assert not Application.objects.filter(pk=jury_world["draft"].pk).exists()
    assert not Application.history.filter(id=jury_world["draft"].pk).exists()
    assert (submitted.administration, submitted.service, submitted.role, submitted.remarks) == ("", "", "", "")
    assert submitted.problem.startswith("Les usagers attendent")
    assert set(Application.history.filter(id=submitted.pk).values_list("remarks", flat=True)) == {""}


def test_erasure_of_a_juror_keeps_the_scores_under_a_pseudonym(jury_world):
    juror, submitted = jury_world["juror"], jury_world["submitted"]

    report = personal_data.get_provider("calls").erase(juror, actor=juror)

    assert report["jury_records_pseudonymised"] == 6
    assert report["jury_seats"] == 1
    scores = JuryScore.objects.filter(application=submitted)
    assert sorted(scores.values_list("score", flat=True)) == [4, 4, 4, 4]
    assert set(scores.values_list("juror", "juror_label")) == {(None, "Juré n°1")}
    assert not jury_world["call"].jurors.exists()
