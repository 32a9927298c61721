"""The manager's side of a call: access tables, funnel, pre-selection, selection day, results, onboarding."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls import services
from calls.models import Application, Call, ConflictOfInterest, JuryScore, Pitch, PreselectionVote
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory, days_from_now
from incubator.models import Membership, OutboxMessage
from incubator.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from portfolio.models import Startup

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture
def applicant(db):
    return UserFactory(email="agent@example.gouv.fr")


@pytest.fixture
def jurors(db):
    return {name: UserFactory(email=f"{name}@example.gouv.fr") for name in ["juror", "conflicted_juror", "other_juror"]}


@pytest.fixture
def as_manager_persona(sign_in, personas, applicant, jurors):
    everyone = {**personas, "applicant": applicant, **jurors}
    return lambda name: sign_in(everyone[name])


@pytest.fixture
def call(incubator_a, incubator_b, jurors):
    """A call of incubator A judged by a juror and a conflicted juror; the other juror judges B's call."""
    call = CallFactory(incubator=incubator_a, slug="appel-a", title="Appel de la Fabrique A")
    call.jurors.add(jurors["juror"], jurors["conflicted_juror"])
    CallFactory(incubator=incubator_b, slug="appel-b").jurors.add(jurors["other_juror"])
    return call


@pytest.fixture
def application(call, applicant, jurors):
    application = ApplicationFactory(call=call, applicant=applicant, status=S.SUBMITTED)
    ConflictOfInterest.objects.create(application=application, juror=jurors["conflicted_juror"])
    return application


def call_pages(call, application):
    return [
        reverse("calls:manage_call", args=[call.slug]),
        reverse("calls:manage_call_update", args=[call.slug]),
        reverse("calls:manage_jurors", args=[call.slug]),
        reverse("calls:manage_ranking", args=[call.slug]),
        reverse("calls:manage_preselect", args=[call.slug]) + "?to=shortlisted&scope=all",
        reverse("calls:manage_call_status", args=[call.slug, "closed"]),
        reverse("calls:manage_selection", args=[call.slug]),
        reverse("calls:manage_draw", args=[call.slug]),
        reverse("calls:manage_convoke", args=[call.slug]),
        reverse("calls:manage_send_results", args=[call.slug]),
        reverse("calls:manage_export", args=[call.slug]),
        reverse("calls:manage_application", args=[application.pk]),
        reverse("calls:manage_onboard", args=[application.pk]),
    ]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("applicant", 404),
        ("juror", 404),
        ("conflicted_juror", 404),
        ("other_juror", 404),
        ("member_a", 200),
        ("member_b", 404),
        ("network_admin", 200),
    ],
)
def test_manager_pages_access_table(as_manager_persona, call, application, persona, status):
    client = as_manager_persona(persona)

    for url in call_pages(call, application):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert response.url.startswith(reverse("account_login"))


def post_actions(call, application):
    return [
        (reverse("calls:manage_call_status", args=[call.slug, "closed"]), {"reason": "Volé"}),
        (reverse("calls:manage_call_update", args=[call.slug]), {"title": "Volé"}),
        (reverse("calls:manage_jurors", args=[call.slug]), {"emails": "manager-b@example.gouv.fr"}),
        (reverse("calls:manage_preselect", args=[call.slug]), {"to": "shortlisted", "scope": "all"}),
        (reverse("calls:manage_draw", args=[call.slug]), {}),
        (reverse("calls:manage_convoke", args=[call.slug]), {}),
        (reverse("calls:manage_prepare_results", args=[call.slug]), {}),
        (reverse("calls:manage_send_results", args=[call.slug]), {}),
        (reverse("calls:manage_decide", args=[application.pk]), {"to": "laureate"}),
        (reverse("calls:manage_onboard", args=[application.pk]), {"name": "Volé"}),
    ]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("applicant", 404),
        ("juror", 404),
        ("conflicted_juror", 404),
        ("other_juror", 404),
        ("member_b", 404),
    ],
)
def test_manager_actions_refuse_outsiders_and_change_nothing(as_manager_persona, call, application, persona, status):
    client = as_manager_persona(persona)

    for url, data in post_actions(call, application):
        assert client.post(url, data).status_code == status, url

    call.refresh_from_db()
    application.refresh_from_db()
    assert (call.status, call.title, call.jurors.count()) == (Call.Status.PUBLISHED, "Appel de la Fabrique A", 2)
    assert application.status == S.SUBMITTED
    assert not OutboxMessage.objects.exists()
    assert not Startup.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status", "sees"),
    [
        ("anonymous", 302, False),
        ("applicant", 403, False),
        ("member_a", 200, True),
        ("member_b", 200, False),
        ("network_admin", 200, True),
    ],
)
def test_call_list_shows_only_managed_calls(as_manager_persona, call, persona, status, sees):
    response = as_manager_persona(persona).get(reverse("calls:manage_call_list"))

    assert response.status_code == status
    assert (status == 200 and call in response.context["calls"]) is sees


def test_call_list_shows_the_funnel(sign_in, member_a, call):
    statuses = [S.DRAFT, S.DRAFT, S.SUBMITTED, S.INELIGIBLE, S.SHORTLISTED, S.PITCHED, S.LAUREATE, S.ONBOARDED]
    for status in [*statuses, S.WITHDRAWN]:
        ApplicationFactory(call=call, status=status)

    response = sign_in(member_a).get(reverse("calls:manage_call_list"))

    listed = response.context["calls"][0]
    assert (listed.drafts, listed.submitted, listed.shortlisted, listed.laureates) == (2, 6, 4, 2)


def test_call_list_query_count_is_constant(sign_in, member_a, incubator_a):
    client = sign_in(member_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("calls:manage_call_list")).status_code == 200
        return len(captured)

    ApplicationFactory(call=CallFactory(incubator=incubator_a))
    one = queries()
    for _n in range(29):
        ApplicationFactory(call=CallFactory(incubator=incubator_a))
    assert queries() == one


def call_data(incubator, **overrides):
    data = {
        "incubator": incubator.pk,
        "title": "Appel à intrapreneurs 2026",
        "slug": "",
        "description": "Vous avez repéré un problème ? Candidatez.",
        "eligibility": "Agents publics",
        "themes": ["justice"],
        "opens_at": "2026-03-01T09:00",
        "closes_at": "2026-04-01T18:00",
        "preselection_on": "2026-04-15",
        "selection_on": "2026-05-01",
        "investigation_starts_on": "2026-05-15",
        "investigations_planned": "3",
        "budget": "150000",
        "pitch_minutes": "3",
        "questions_minutes": "5",
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-label": "Quel est votre service ?",
        "questions-0-kind": "choice",
        "questions-0-choices": "Central\nDéconcentré",
        "questions-0-required": "on",
        "questions-0-order": "1",
        "questions-1-label": "",
        "questions-1-kind": "long_text",
        "questions-1-required": "on",  # a blank row, as the browser sends it
        "questions-1-order": "0",
    }
    return {**data, **overrides}


def test_a_manager_creates_a_draft_call_with_its_questions(sign_in, member_a, incubator_a):
    response = sign_in(member_a).post(reverse("calls:manage_call_create"), call_data(incubator_a, status="published"))

    call = Call.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("calls:manage_call", args=[call.slug])
    assert (call.slug, call.status, call.incubator, call.themes) == (
        "appel-a-intrapreneurs-2026",
        Call.Status.DRAFT,  # a forged status is ignored
        incubator_a,
        ["justice"],
    )
    assert call.created_by == member_a
    assert list(call.questions.values_list("label", "kind", "required")) == [
        ("Quel est votre service ?", "choice", True)
    ]


def test_a_manager_cannot_create_a_call_for_another_incubator(sign_in, member_a, incubator_b):
    response = sign_in(member_a).post(reverse("calls:manage_call_create"), call_data(incubator_b))

    assert response.status_code == 200
    assert "incubator" in response.context["form"].errors
    assert not Call.objects.exists()


def test_call_dates_out_of_order_are_refused(sign_in, member_a, incubator_a):
    data = call_data(incubator_a, closes_at="2026-02-01T09:00", selection_on="2026-04-10")

    response = sign_in(member_a).post(reverse("calls:manage_call_create"), data)

    assert {"closes_at", "selection_on"} <= set(response.context["form"].errors)
    assert not Call.objects.exists()


def test_a_manager_edits_a_call_and_its_questions(sign_in, member_a, call):
    question = QuestionFactory(call=call, label="Ancienne question")
    data = call_data(
        call.incubator,
        slug=call.slug,
        title="Appel renommé",
        **{
            "questions-INITIAL_FORMS": "1",
            "questions-0-id": str(question.pk),
            "questions-0-call": str(call.pk),
            "questions-0-DELETE": "on",
        },
    )

    response = sign_in(member_a).post(reverse("calls:manage_call_update", args=[call.slug]), data)

    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.title, call.status) == ("Appel renommé", Call.Status.PUBLISHED)
    assert not call.questions.exists()


def test_status_actions_follow_the_call_state_machine(sign_in, member_a, call):
    client = sign_in(member_a)

    def url(to):
        return reverse("calls:manage_call_status", args=[call.slug, to])

    client.post(url("closed"), {"reason": "Assez de candidatures"}, follow=True)
    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED

    response = client.post(url("archived"), follow=True)  # not allowed from closed
    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED
    assert [m.level_tag for m in response.context["messages"]] == ["error"]

    client.post(url("forged"))
    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED


def test_jurors_are_the_incubator_jury_first_then_anyone_by_email(sign_in, member_a, call, incubator_a):
    jury = MembershipFactory(incubator=incubator_a, role=Membership.Role.JURY, user=UserFactory(last_name="Zola")).user
    outsider = UserFactory(email="experte@example.gouv.fr", last_name="Abel")
    call.jurors.set([outsider])
    client = sign_in(member_a)
    url = reverse("calls:manage_jurors", args=[call.slug])

    offered = list(client.get(url).context["form"].fields["jurors"].queryset)
    assert offered == [jury, outsider]

    response = client.post(url, {"jurors": [jury.pk], "emails": "Experte@example.gouv.fr\n"})
    assert response.status_code == 302
    assert set(call.jurors.all()) == {jury, outsider}

    response = client.post(url, {"jurors": [jury.pk], "emails": "personne@example.gouv.fr"})
    assert "emails" in response.context["form"].errors
    assert set(call.jurors.all()) == {jury, outsider}


def test_juror_candidates_offer_each_person_once_and_nobody_else(call, incubator_a, incubator_b, jurors):
    both = MembershipFactory(incubator=incubator_a, role=Membership.Role.JURY, user=UserFactory(last_name="Bach")).user
    call.jurors.add(both)
    MembershipFactory(incubator=incubator_a, role=Membership.Role.COACH)  # not the jury
    MembershipFactory(incubator=incubator_b, role=Membership.Role.JURY)  # another incubator's jury
    UserFactory()  # nobody's juror

    offered = [(user, user.in_jury) for user in call.juror_candidates()]

    assert offered[0] == (both, True)
    assert sorted(user.email for user, in_jury in offered[1:]) == [
        jurors["conflicted_juror"].email,
        jurors["juror"].email,
    ]
    assert not any(in_jury for _user, in_jury in offered[1:])


@pytest.mark.parametrize("count", [1, 30])
def test_jurors_page_query_count(sign_in, member_a, call, incubator_a, django_assert_num_queries, count):
    for user in UserFactory.create_batch(count):
        MembershipFactory(incubator=incubator_a, role=Membership.Role.JURY, user=user)
    call.jurors.add(*UserFactory.create_batch(count))
    client = sign_in(member_a)

    with django_assert_num_queries(7):  # with the header's facts
        response = client.get(reverse("calls:manage_jurors", args=[call.slug]))

    assert len(response.context["form"].fields["jurors"].choices) == 2 * count + 2


def ranked_call(call, count):
    """``count`` submitted applications; all but the last three have a tick."""
    juror = UserFactory()
    applications = ApplicationFactory.create_batch(count, call=call, status=S.SUBMITTED)
    for application in applications[: max(count - 3, 1)]:
        PreselectionVote.objects.create(application=application, juror=juror)
    return applications


def test_ranking_sorts_by_ticks_and_filters(sign_in, member_a, call):
    low, high = ApplicationFactory.create_batch(2, call=call, status=S.SUBMITTED)
    ApplicationFactory(call=call, status=S.DRAFT)
    for juror in UserFactory.create_batch(2):
        PreselectionVote.objects.create(application=high, juror=juror)
    client = sign_in(member_a)
    url = reverse("calls:manage_ranking", args=[call.slug])

    assert list(client.get(url).context["applications"]) == [high, low]
    assert list(client.get(url, {"min_ticks": 1}).context["applications"]) == [high]
    assert client.get(url, {"status": "forged"}).status_code == 400


def test_bulk_shortlist_applies_to_all_filtered_applications(sign_in, member_a, call):
    applications = ranked_call(call, 30)  # 27 ticked: more than one page of 25
    Call.objects.filter(pk=call.pk).update(closes_at=days_from_now(-1))
    url = reverse("calls:manage_preselect", args=[call.slug])

    response = sign_in(member_a).post(url, {"to": "shortlisted", "scope": "all", "min_ticks": 1})

    assert response.status_code == 302
    statuses = {a.pk: a.status for a in Application.objects.filter(call=call)}
    assert [statuses[a.pk] for a in applications] == [S.SHORTLISTED] * 27 + [S.SUBMITTED] * 3
    assert OutboxMessage.objects.filter(subject__isnull=False).count() == 27


def test_bulk_action_refuses_a_forged_status(sign_in, member_a, call):
    ranked_call(call, 3)

    Call.objects.filter(pk=call.pk).update(closes_at=days_from_now(-1))

    sign_in(member_a).post(reverse("calls:manage_preselect", args=[call.slug]), {"to": "laureate", "scope": "all"})

    assert set(Application.objects.values_list("status", flat=True)) == {S.SUBMITTED}


def test_ranking_query_count_is_constant(sign_in, member_a, call):
    client = sign_in(member_a)
    url = reverse("calls:manage_ranking", args=[call.slug])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"min_ticks": 0}).status_code == 200
        return len(captured)

    ranked_call(call, 1)
    one = queries()
    ranked_call(call, 29)
    assert queries() == one


def test_the_draw_is_shown_and_reproducible_from_its_seed(sign_in, member_a, call):
    applications = ApplicationFactory.create_batch(5, call=call, status=S.SHORTLISTED)
    client = sign_in(member_a)

    client.post(reverse("calls:manage_draw", args=[call.slug]))

    call.refresh_from_db()
    drawn = list(Pitch.objects.filter(application__call=call).order_by("order").values_list("application", flat=True))
    assert call.draw_seed
    assert drawn == services.pitch_order(call.draw_seed, [a.pk for a in applications])
    page = client.get(reverse("calls:manage_selection", args=[call.slug]))
    assert call.draw_seed in page.text
    assert [pitch.application_id for pitch, _cells, _mean in page.context["rows"]] == drawn

    response = client.post(reverse("calls:manage_draw", args=[call.slug]), follow=True)  # a second draw is refused
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Pitch.objects.count() == 5


def test_convocations_are_queued_with_a_calendar_file(sign_in, member_a, call):
    ApplicationFactory.create_batch(2, call=call, status=S.SHORTLISTED)
    services.draw_pitches(call=call, actor=member_a)

    sign_in(member_a).post(reverse("calls:manage_convoke", args=[call.slug]))

    rows = OutboxMessage.objects.all()
    assert rows.count() == 2
    assert all(row.attachments and row.attachments[0]["filename"] == "pitch.ics" for row in rows)


def test_scores_aggregate_as_shown(sign_in, member_a, call, django_assert_max_num_queries):
    applications = ApplicationFactory.create_batch(2, call=call, status=S.SHORTLISTED)
    services.draw_pitches(call=call, actor=member_a, seed="graine")
    jurors = UserFactory.create_batch(2)
    for juror, problem, person in [(jurors[0], 4, 2), (jurors[1], 3, 5)]:
        JuryScore.objects.create(application=applications[0], juror=juror, criterion="problem", score=problem)
        JuryScore.objects.create(application=applications[0], juror=juror, criterion="person", score=person)
    client = sign_in(member_a)

    response = client.get(reverse("calls:manage_selection", args=[call.slug]))

    rows = {pitch.application_id: (cells, mean) for pitch, cells, mean in response.context["rows"]}
    cells, mean = rows[applications[0].pk]
    by_label = {str(label): (avg, spread) for label, avg, spread in cells}
    assert by_label[str(JuryScore.Criterion.PROBLEM.label)] == (3.5, 1)
    assert by_label[str(JuryScore.Criterion.PERSON.label)] == (3.5, 3)
    assert by_label[str(JuryScore.Criterion.STRATEGY.label)] == (None, None)
    assert mean == 3.5
    assert rows[applications[1].pk] == ([(label, None, None) for _c, label in JuryScore.Criterion.choices], None)


def test_decisions_then_results_held_until_sent(sign_in, member_a, call):
    laureate, other = ApplicationFactory.create_batch(2, call=call, status=S.SHORTLISTED)
    services.draw_pitches(call=call, actor=member_a)
    client = sign_in(member_a)

    client.post(reverse("calls:manage_decide", args=[laureate.pk]), {"to": "laureate"})
    client.post(reverse("calls:manage_decide", args=[other.pk]), {"to": "not_selected"})
    client.post(reverse("calls:manage_decide", args=[other.pk]), {"to": "forged"})
    client.post(reverse("calls:manage_prepare_results", args=[call.slug]))

    assert Application.objects.get(pk=laureate.pk).status == S.LAUREATE
    assert Application.objects.get(pk=other.pk).status == S.NOT_SELECTED
    results = services.results_outbox(call)
    assert set(results.values_list("status", flat=True)) == {OutboxMessage.Status.HELD}
    assert sorted(to for row in results for to in row.to) == sorted([laureate.applicant.email, other.applicant.email])
    page = client.get(reverse("calls:manage_selection", args=[call.slug]))
    assert list(page.context["results"]) == list(results.order_by("pk"))

    client.post(reverse("calls:manage_send_results", args=[call.slug]))

    assert OutboxMessage.Status.HELD not in set(results.values_list("status", flat=True))


def test_onboarding_twice_creates_one_product(sign_in, member_a, call):
    application = ApplicationFactory(call=call, status=S.COMMITMENT_SIGNED, problem="Suivre les dossiers en ligne.\n")
    sponsor = OrganisationFactory(acronym="DINUM")
    client = sign_in(member_a)
    url = reverse("calls:manage_onboard", args=[application.pk])

    assert client.get(url).context["form"].initial["name"] == "Suivre les dossiers en ligne"
    first = client.post(url, {"name": "Suivi en ligne", "sponsors": [sponsor.pk]})
    second = client.post(url, {"name": "Suivi en ligne", "sponsors": [sponsor.pk]})

    startup = Startup.objects.get()
    assert first.url == second.url == startup.get_absolute_url()
    assert list(startup.sponsors.all()) == [sponsor]
    assert Application.objects.get(pk=application.pk).startup == startup


def test_onboarding_before_the_commitment_is_refused(sign_in, member_a, call):
    application = ApplicationFactory(call=call, status=S.LAUREATE)

    response = sign_in(member_a).post(reverse("calls:manage_onboard", args=[application.pk]), {"name": "Trop tôt"})

    assert response.url == reverse("calls:manage_application", args=[application.pk])
    assert not Startup.objects.exists()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_laureate_uploads_the_signed_commitment_form(sign_in, call, applicant, media):
    application = ApplicationFactory(call=call, applicant=applicant, status=S.LAUREATE)
    upload = SimpleUploadedFile("engagement.pdf", PDF, content_type="application/pdf")

    response = sign_in(applicant).post(reverse("calls:commitment", args=[application.pk]), {"commitment_form": upload})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.COMMITMENT_SIGNED
    with application.commitment_form.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("engagement.pdf", PNG, "type"), ("engagement.pdf", PDF + b"0" * (5 * 1024 * 1024), "size")],
)
def test_a_refused_commitment_upload_says_why_and_changes_nothing(sign_in, call, applicant, media, name, content, code):
    application = ApplicationFactory(call=call, applicant=applicant, status=S.LAUREATE)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")

    response = sign_in(applicant).post(reverse("calls:commitment", args=[application.pk]), {"commitment_form": upload})

    assert response.status_code == 400
    assert response.context["commitment_form"].has_error("commitment_form", code)
    assert "Les usagers attendent trois mois" in response.text  # the rest of the page is kept
    application.refresh_from_db()
    assert (application.status, application.commitment_form.name) == (S.LAUREATE, "")


def test_another_applicant_cannot_upload_a_commitment(sign_in, call, media):
    application = ApplicationFactory(call=call, status=S.LAUREATE)
    upload = SimpleUploadedFile("engagement.pdf", PDF, content_type="application/pdf")

    response = sign_in(UserFactory()).post(
        reverse("calls:commitment", args=[application.pk]), {"commitment_form": upload}
    )

    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).status == S.LAUREATE


def test_csv_export_lists_applications_with_ticks_and_mean_scores(sign_in, member_a, call, django_assert_num_queries):
    application = ApplicationFactory(
        call=call, status=S.PITCHED, applicant=UserFactory(first_name="Anaïs", last_name="Agente")
    )
    ApplicationFactory(call=call, status=S.DRAFT)
    juror, other = UserFactory.create_batch(2)
    PreselectionVote.objects.create(application=application, juror=juror)
    JuryScore.objects.create(application=application, juror=juror, criterion="problem", score=4)
    JuryScore.objects.create(application=application, juror=other, criterion="problem", score=1)
    JuryScore.objects.create(application=application, juror=juror, criterion="person", score=5)

    response = sign_in(member_a).get(reverse("calls:manage_export", args=[call.slug]))

    text = response.content.decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == 2  # the header and the one submitted application (no draft)
    assert rows[1][:8] == [
        str(application.pk),
        "Anaïs Agente",
        application.applicant.email,
        "Ministère de l'Exemple",
        "Direction des usagers",
        str(S.PITCHED.label),
        "",
        "1",
    ]
    assert rows[1][8:] == ["2,50", "", "", "5,00", "3,75"]


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(1)", "\tx", "\rx"])
def test_csv_export_writes_an_applicant_typed_formula_as_text(sign_in, member_a, call, payload):
    """What an applicant typed and a spreadsheet would run (CSV injection) is written with a leading quote."""
    applicant = UserFactory(first_name='=HYPERLINK("http://x","y")', last_name="Agente")
    ApplicationFactory(call=call, status=S.SUBMITTED, applicant=applicant, administration=payload, service=payload)

    response = sign_in(member_a).get(reverse("calls:manage_export", args=[call.slug]))

    _header, row = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    assert row[1] == '\'=HYPERLINK("http://x","y") Agente'
    assert row[3:5] == [f"'{payload}", f"'{payload}"]


def test_seed_demo_creates_the_demo_calls_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    open_call = Call.objects.open().get()
    assert open_call.incubator.slug == "dinum"
    assert list(open_call.jurors.values_list("email", flat=True)) == ["jury@demo.incubateurs.example"]
    assert open_call.applications.get(applicant__email="agent@demo.incubateurs.example").status == S.DRAFT
    assert Application.objects.count() == 11
    assert set(Application.objects.values_list("status", flat=True)) >= {
        S.DRAFT,
        S.SUBMITTED,
        S.INELIGIBLE,
        S.NOT_SHORTLISTED,
        S.NOT_SELECTED,
        S.LAUREATE,
        S.COMMITMENT_SIGNED,
    }


@pytest.mark.parametrize("count", [1, 30])
def test_selection_and_export_query_counts(sign_in, member_a, call, django_assert_num_queries, count):
    applications = ApplicationFactory.create_batch(count, call=call, status=S.SHORTLISTED)
    services.draw_pitches(call=call, actor=member_a)
    juror = UserFactory()
    for application in applications:
        JuryScore.objects.create(application=application, juror=juror, criterion="problem", score=3)
    client = sign_in(member_a)

    with django_assert_num_queries(10):  # with the header's facts
        client.get(reverse("calls:manage_selection", args=[call.slug]))
    with django_assert_num_queries(7):  # with the audit log's row
        client.get(reverse("calls:manage_export", args=[call.slug]))


def test_the_onboarded_product_links_back_to_the_application(sign_in, member_a, call, application):
    Application.objects.filter(pk=application.pk).update(status=S.COMMITMENT_SIGNED)
    startup = services.onboard(application=application, actor=member_a, name="Suivi des dossiers")

    response = sign_in(member_a).get(startup.get_absolute_url())

    assert reverse("calls:manage_application", args=[application.pk]) in response.text
    assert "Appel de la Fabrique A" in response.text
