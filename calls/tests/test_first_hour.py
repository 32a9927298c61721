"""Issue 9, items 3 and 7: what a manager, an applicant and a juror trip over in their first hour.

Item 3: an action that cannot be undone is confirmed on a page that says what it does; the
server refuses what the calendar forbids (pre-selection before the deadline; closing before it
without a reason); the ranking's result goes to the ticked rows only, or to all the filtered
ones when that is chosen explicitly.
Item 7: the fields required to submit are marked on the draft form; the guide consent links
to a guide that exists (or says there is none); the jury scores with a rubric on a compact scale.
"""

import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from calls import services
from calls.forms import CONSENTS, REQUIRED_TO_SUBMIT, RUBRICS, CallForm
from calls.models import Application, Call, JuryScore, Question
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory, days_from_now
from incubator.models import Incubator, OutboxMessage
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Application.Status
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def call(incubator_a):
    """Open until 20 days from now, its pre-selection 30 days from now."""
    return CallFactory(incubator=incubator_a, slug="appel-a", title="Appel de la Fabrique A")


def submitted(call, count):
    return [
        ApplicationFactory(call=call, status=S.SUBMITTED, applicant=UserFactory(email=f"agent-{n}@example.gouv.fr"))
        for n in range(count)
    ]


def past_deadline(call):
    Call.objects.filter(pk=call.pk).update(closes_at=days_from_now(-1))
    call.refresh_from_db()


def forms_of(html):
    return re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S)


# Item 3 ---------------------------------------------------------------------------------------


def test_closing_before_the_deadline_needs_a_reason_kept_in_the_history(sign_in, member_a, call):
    client = sign_in(member_a)
    url = reverse("calls:manage_call_status", args=[call.slug, "closed"])

    refused = client.post(url, {"reason": "  "})

    call.refresh_from_db()
    assert (refused.status_code, call.status) == (400, Call.Status.PUBLISHED)
    assert list(refused.context["form"].errors) == ["reason"]

    response = client.post(url, {"reason": "Assez de candidatures pour la promotion"})

    call.refresh_from_db()
    assert (response.status_code, call.status) == (302, Call.Status.CLOSED)
    last = call.history.latest()
    assert (last.status, last.history_change_reason, last.history_user) == (
        Call.Status.CLOSED,
        "Assez de candidatures pour la promotion",
        member_a,
    )
    dashboard = client.get(reverse("calls:manage_call", args=[call.slug]))
    assert "Assez de candidatures pour la promotion" in dashboard.text
    assert not OutboxMessage.objects.exists()


def test_closing_after_the_deadline_needs_no_reason(sign_in, member_a, call):
    past_deadline(call)

    sign_in(member_a).post(reverse("calls:manage_call_status", args=[call.slug, "closed"]))

    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED
    assert call.history.latest().history_change_reason is None


@pytest.mark.parametrize("to", ["closed", "draft"])
def test_close_and_unpublish_are_confirmed_on_a_page_first(sign_in, member_a, call, to):
    ApplicationFactory(call=call, status=S.DRAFT)
    submitted(call, 2)
    client = sign_in(member_a)
    url = reverse("calls:manage_call_status", args=[call.slug, to])

    dashboard = client.get(reverse("calls:manage_call", args=[call.slug])).text
    page = client.get(url)

    # The overview links to the confirmation page; no form there moves the call in one click.
    assert f'href="{url}"' in dashboard
    assert not [form for form in forms_of(dashboard) if f'action="{url}"' in form]
    assert page.status_code == 200
    lines = page.context["consequences"]
    assert gettext("No email is sent to anyone.") in lines
    if to == "closed":
        assert any("1" in line for line in lines)  # the draft that will never be submitted
        assert page.context["form"].fields["reason"].required
    else:
        assert any("3" in line for line in lines)  # the three applicants who lose their page
    assert len([form for form in forms_of(page.text) if f'method="post" action="{url}"' in form]) == 1
    call.refresh_from_db()
    assert call.status == Call.Status.PUBLISHED


def test_preselection_before_the_deadline_is_refused_and_emails_nobody(sign_in, member_a, call):
    applications = submitted(call, 3)
    client = sign_in(member_a)
    url = reverse("calls:manage_preselect", args=[call.slug])
    data = {"to": "shortlisted", "scope": "checked", "applications": [a.pk for a in applications]}

    page = client.get(url, data)
    response = client.post(url, data, follow=True)

    assert page.context["blocked"]
    assert not [form for form in forms_of(page.text) if 'method="post"' in form and f'action="{url}"' in form]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert set(Application.objects.values_list("status", flat=True)) == {S.SUBMITTED}
    assert not OutboxMessage.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.transition_application(application=applications[0], to=S.INELIGIBLE, actor=member_a)
    assert refused.value.code == "before_deadline"


def test_preselection_is_allowed_once_the_call_is_closed_early(sign_in, member_a, call):
    [application] = submitted(call, 1)
    client = sign_in(member_a)
    client.post(reverse("calls:manage_call_status", args=[call.slug, "closed"]), {"reason": "Jury disponible"})

    client.post(
        reverse("calls:manage_preselect", args=[call.slug]),
        {"to": "shortlisted", "scope": "checked", "applications": [application.pk]},
    )

    application.refresh_from_db()
    assert application.status == S.SHORTLISTED
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == [["agent-0@example.gouv.fr"]]


def test_the_bulk_action_applies_only_to_the_ticked_rows(sign_in, member_a, call):
    applications = submitted(call, 4)
    past_deadline(call)
    client = sign_in(member_a)
    ranking = client.get(reverse("calls:manage_ranking", args=[call.slug])).text
    url = reverse("calls:manage_preselect", args=[call.slug])
    ticked = [applications[0].pk, applications[2].pk]
    data = {"to": "not_shortlisted", "scope": "checked", "applications": ticked}

    page = client.get(url, data)
    response = client.post(url, data)

    for application in applications:  # one labelled box per row
        box = f'<input type="checkbox" name="applications" value="{application.pk}" id="select-{application.pk}"'
        assert box in ranking
        assert f'<label class="fr-label" for="select-{application.pk}">' in ranking
    assert 'name="scope" value="all"' in ranking  # "all the filtered applications" is a choice of its own
    assert [r.email for r in page.context["recipients"]] == ["agent-0@example.gouv.fr", "agent-2@example.gouv.fr"]
    assert response.status_code == 302
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in applications] == [S.NOT_SHORTLISTED, S.SUBMITTED, S.NOT_SHORTLISTED, S.SUBMITTED]
    assert sorted(m.to[0] for m in OutboxMessage.objects.all()) == [
        "agent-0@example.gouv.fr",
        "agent-2@example.gouv.fr",
    ]


def test_the_bulk_action_with_nothing_ticked_changes_nothing(sign_in, member_a, call):
    submitted(call, 2)
    past_deadline(call)
    client = sign_in(member_a)

    response = client.post(
        reverse("calls:manage_preselect", args=[call.slug]), {"to": "shortlisted", "scope": "checked"}, follow=True
    )

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert set(Application.objects.values_list("status", flat=True)) == {S.SUBMITTED}
    assert not OutboxMessage.objects.exists()


def test_all_the_filtered_applications_is_an_explicit_choice_counted_on_the_confirmation(sign_in, member_a, call):
    applications = submitted(call, 3)
    Application.objects.filter(pk=applications[2].pk).update(administration="Ministère de la Mer")
    past_deadline(call)
    client = sign_in(member_a)

    page = client.get(
        reverse("calls:manage_preselect", args=[call.slug]), {"to": "shortlisted", "scope": "all", "q": "Exemple"}
    )

    assert len(page.context["recipients"]) == 2
    assert page.context["consequences"][0].startswith("2 ")
    assert ("q", "Exemple") in page.context["hidden"]  # the POST applies to the same filtered rows


# Item 7 ---------------------------------------------------------------------------------------


def marked_fields(html):
    """The names of the fields whose label (or legend) carries DSFR's required marker."""
    names = set()
    for name, inner in re.findall(r'<label[^>]*for="id_(\w+)"[^>]*>(.*?)</label>', html, flags=re.S):
        if "fr-required-marker" in inner:
            names.add(name)
    for name, inner in re.findall(r'<legend[^>]*id="id_(\w+)-legend"[^>]*>(.*?)</legend>', html, flags=re.S):
        if "fr-required-marker" in inner:
            names.add(name)
    return names


def test_the_apply_page_marks_exactly_the_fields_required_to_submit(sign_in, call):
    required = QuestionFactory(call=call, kind=Question.Kind.LONG_TEXT, required=True)
    QuestionFactory(call=call, kind=Question.Kind.SHORT_TEXT, required=False)
    QuestionFactory(call=call, kind=Question.Kind.YES_NO, required=True)  # a "no" is an answer
    required_file = QuestionFactory(call=call, kind=Question.Kind.FILE, required=True)
    client = sign_in(UserFactory())

    html = client.get(reverse("calls:apply", args=[call.slug])).text

    assert marked_fields(html) == {*REQUIRED_TO_SUBMIT, f"q_{required.pk}", f"q_{required_file.pk}", *CONSENTS}
    assert " required" not in "".join(re.findall(r"<(?:input|textarea|select)\b[^>]*>", html))  # drafts stay free
    assert (
        gettext(
            "Fields marked with an asterisk (*) are required to submit the application. "
            "You can save a draft without them."
        )
        in html
    )


def test_the_guide_consent_links_to_the_guide_file_which_downloads(sign_in, client, member_a, call):
    data = {
        "incubator": call.incubator_id,
        "title": call.title,
        "slug": call.slug,
        "description": call.description,
        "opens_at": "2026-11-01T09:00",
        "closes_at": "2027-01-01T18:00",
        "preselection_on": "2027-01-10",
        "selection_on": "2027-01-20",
        "investigation_starts_on": "2027-02-01",
        "investigations_planned": "3",
        "pitch_minutes": "3",
        "questions_minutes": "5",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "guide_upload": SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf"),
    }
    with time_machine.travel("2026-12-01 10:00 +01:00"):
        saved = sign_in(member_a).post(reverse("calls:manage_call_update", args=[call.slug]), data)
        assert saved.status_code == 302, saved.context["form"].errors
        call.refresh_from_db()
        assert call.guide_file.name.startswith("calls/guides/")
        assert not call.guide_file.name.endswith("guide.pdf")
        guide_url = reverse("calls:guide_file", args=[call.slug])
        client.force_login(UserFactory())

        html = client.get(reverse("calls:apply", args=[call.slug])).text
        client.logout()
        download = client.get(guide_url)

    label = re.search(r'<label class="fr-label" for="id_consent_guide">(.*?)</label>', html, flags=re.S).group(1)
    assert f'href="{guide_url}" download' in label
    assert "PDF \N{EN DASH} " in label
    assert "octets" in label
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert download["Content-Disposition"] == 'attachment; filename="guide-du-candidat-appel-a.pdf"'
    assert b"".join(download.streaming_content) == PDF


def test_a_draft_calls_guide_is_its_managers_only(sign_in, client, member_a, member_b, call):
    call.guide_file.save("guide.pdf", SimpleUploadedFile("guide.pdf", PDF))
    Call.objects.filter(pk=call.pk).update(status=Call.Status.DRAFT)
    url = reverse("calls:guide_file", args=[call.slug])

    anonymous = client.get(url).status_code
    other_manager = sign_in(member_b).get(url).status_code
    manager = sign_in(member_a).get(url)
    manager.close()

    assert (anonymous, other_manager, manager.status_code) == (404, 404, 200)


def test_a_refused_guide_upload_says_why(call):
    form = CallForm(
        {}, {"guide_upload": SimpleUploadedFile("guide.pdf", b"not a pdf")}, instance=call, incubators=Incubator.objects
    )

    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["guide_upload"]] == ["type"]


def test_a_call_without_a_guide_has_no_dead_guide_link(sign_in, call):
    html = sign_in(UserFactory()).get(reverse("calls:apply", args=[call.slug])).text

    label = re.search(r'<label class="fr-label" for="id_consent_guide">(.*?)</label>', html, flags=re.S).group(1)
    assert escape(gettext("I have read the call's presentation and who can apply")) in label
    assert re.findall(r'href="([^"]*)"', label) == [call.get_absolute_url()]
    assert "guide-du-candidat" not in html


def test_a_guide_address_is_linked_from_the_consent_and_the_call_page(sign_in, client, call):
    Call.objects.filter(pk=call.pk).update(guide_url="https://www.example.gouv.fr/guide-du-candidat")

    page = client.get(call.get_absolute_url()).text
    html = sign_in(UserFactory()).get(reverse("calls:apply", args=[call.slug])).text

    label = re.search(r'<label class="fr-label" for="id_consent_guide">(.*?)</label>', html, flags=re.S).group(1)
    assert re.findall(r'href="([^"]*)"', label) == ["https://www.example.gouv.fr/guide-du-candidat"]
    assert 'href="https://www.example.gouv.fr/guide-du-candidat"' in page
    assert "target=" not in label  # the same tab


def test_the_jury_scores_on_inline_scales_with_each_criterions_rubric(sign_in, call):
    juror = UserFactory()
    call.jurors.add(juror)
    application = ApplicationFactory(call=call, status=S.SHORTLISTED)

    html = sign_in(juror).get(reverse("calls:jury_application", args=[application.pk])).text

    for criterion in JuryScore.Criterion.values:
        legend = re.search(rf'<legend[^>]*id="id_{criterion}-legend"[^>]*>(.*?)</legend>', html, flags=re.S).group(1)
        for score, meaning in RUBRICS[criterion].items():
            assert escape(f"{score} \N{EN DASH} {meaning}") in legend
        fieldset = re.search(rf'<fieldset[^>]*id="id_{criterion}-fieldset".*?</fieldset>', html, flags=re.S).group(0)
        assert fieldset.count('class="fr-fieldset__element fr-fieldset__element--inline"') == 6
