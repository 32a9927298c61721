"""The scorecard: who may answer it (an access table), what a save writes (the answers, their
history, who and when), what a wrong form keeps and says, and the product page's panel."""

import datetime

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from standards.models import ProductStandard, Status

pytestmark = pytest.mark.django_db
# The messages of this app, in French once the catalogue has them (gettext_lazy: read in the test's language).
NEEDS_EVIDENCE = _("A criterion marked done needs its evidence link.")
HTTPS = _("Enter a secure address, starting with https://.")
REVIEW_AFTER = _("The review comes after the date it was reached.")


def edit_url(startup):
    return reverse("standards:scorecard_edit", kwargs={"slug": startup.slug})


def post_data(criteria, overrides=None):
    """A POST of the formset: every criterion "in progress", ``overrides`` by index -> fields."""
    data = {"criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": str(len(criteria))}
    for index, _criterion in enumerate(criteria):
        fields = {"status": Status.IN_PROGRESS, "evidence_url": "", "done_on": "", "review_due": ""}
        fields.update((overrides or {}).get(index, {}))
        data.update({f"criteria-{index}-{name}": value for name, value in fields.items()})
    return data


@pytest.mark.parametrize(
    ("persona", "get_status", "post_status", "saves"),
    [
        ("anonymous", 302, 302, False),  # to the sign-in page
        ("member_a", 200, 302, True),  # a manager of the product's incubator
        ("team_member", 200, 302, True),  # the product's team
        ("network_admin", 200, 302, True),
        ("coach_a", 403, 403, False),  # sees the product, answers nothing
        ("member_b", 404, 404, False),  # another incubator: the product does not exist for them
    ],
)
def test_scorecard_edit_access(client, people, startup_a, criteria, persona, get_status, post_status, saves):
    if people[persona]:
        client.force_login(people[persona])

    got = client.get(edit_url(startup_a))
    posted = client.post(edit_url(startup_a), post_data(criteria))

    assert (got.status_code, posted.status_code) == (get_status, post_status)
    saved = ProductStandard.objects.filter(startup=startup_a).count()
    assert saved == (len(criteria) if saves else 0)


def test_scorecard_save_writes_the_answers_with_who_and_their_history(client, team_member, startup_a, criteria):
    client.force_login(team_member)
    done = {
        "status": Status.DONE,
        "evidence_url": "beta.gouv.fr/accessibilite",
        "done_on": "2026-03-02",
        "review_due": "2027-03-02",
    }

    response = client.post(edit_url(startup_a), post_data(criteria, {0: done, 1: {"status": Status.NOT_APPLICABLE}}))

    assert response.status_code == 302
    assert response["Location"] == startup_a.get_absolute_url() + "#standards"
    first = ProductStandard.objects.get(startup=startup_a, standard=criteria[0])
    assert (first.status, first.evidence_url, first.done_on, first.review_due, first.updated_by) == (
        Status.DONE,
        "https://beta.gouv.fr/accessibilite",
        datetime.date(2026, 3, 2),
        datetime.date(2027, 3, 2),
        team_member,
    )
    assert ProductStandard.objects.get(startup=startup_a, standard=criteria[1]).status == Status.NOT_APPLICABLE
    assert first.history.count() == 1
    assert first.history.first().history_user == team_member


def test_scorecard_save_again_changes_only_what_changed(client, member_a, startup_a, criteria):
    client.force_login(member_a)
    client.post(edit_url(startup_a), post_data(criteria))

    client.post(edit_url(startup_a), post_data(criteria, {2: {"status": Status.NOT_STARTED}}))

    histories = {row.standard_id: row.history.count() for row in ProductStandard.objects.filter(startup=startup_a)}
    assert histories[criteria[2].pk] == 2
    assert sum(histories.values()) == len(criteria) + 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": Status.DONE}, "evidence_url", NEEDS_EVIDENCE),
        ({"evidence_url": "http://exemple.fr/preuve"}, "evidence_url", HTTPS),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url", HTTPS),
        ({"done_on": "1999-12-31"}, "done_on", "2000"),
        ({"done_on": "2026-03-02", "review_due": "2026-01-01"}, "review_due", REVIEW_AFTER),
        ({"status": "valide-par-moi"}, "status", "Sélectionnez un choix valide"),
    ],
)
def test_scorecard_refuses_a_wrong_answer_in_french_and_keeps_the_values(
    client, member_a, startup_a, criteria, fields, field, message
):
    client.force_login(member_a)
    typed = {3: {"evidence_url": "https://exemple.fr/garde", "status": Status.IN_PROGRESS}, 0: fields}

    response = client.post(edit_url(startup_a), post_data(criteria, typed))

    assert response.status_code == 400
    form = response.context["formset"].forms[0]
    assert any(str(message) in error for error in form.errors[field])
    assert 'value="https://exemple.fr/garde"' in response.content.decode()
    assert f'aria-describedby="id_criteria-0-{field}' in response.content.decode() or form.errors[field]
    assert not ProductStandard.objects.filter(startup=startup_a).exists()


def test_scorecard_posted_forms_beyond_the_criteria_are_ignored(client, member_a, startup_a, criteria):
    client.force_login(member_a)
    data = post_data(criteria)
    data.update({"criteria-TOTAL_FORMS": "50", "criteria-10-status": Status.DONE})

    assert client.post(edit_url(startup_a), data).status_code == 302
    assert ProductStandard.objects.filter(startup=startup_a).count() == len(criteria)


def test_product_page_shows_the_scorecard_with_the_edit_link_to_who_may_answer(
    client, member_a, coach_a, startup_a, criteria
):
    ProductStandard.objects.create(
        startup=startup_a, standard=criteria[0], status=Status.DONE, evidence_url="https://exemple.fr/rgaa"
    )

    client.force_login(member_a)
    response = client.get(startup_a.get_absolute_url())
    page = response.content.decode()
    (panel,) = [
        block for block in response.context["panels"]["aside_after_phases"] if block.key == "standards_scorecard"
    ]
    client.force_login(coach_a)
    seen_by_coach = client.get(startup_a.get_absolute_url()).content.decode()

    assert 'id="standards"' in page
    assert criteria[0].label in page
    assert (panel.context["standards_done"], panel.context["standards_applicable"]) == (1, 10)
    assert panel.context["standards_missing"] == 9
    assert 'href="https://exemple.fr/rgaa"' in page
    assert edit_url(startup_a) in page
    assert 'id="standards"' in seen_by_coach
    assert edit_url(startup_a) not in seen_by_coach


def test_scorecard_page_escapes_a_hostile_criterion(client, member_a, startup_a, criteria):
    criteria[0].label = '<script>alert("x")</script>'
    criteria[0].save()
    client.force_login(member_a)

    for url in (edit_url(startup_a), startup_a.get_absolute_url()):
        body = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in body
        assert "&lt;script&gt;" in body
