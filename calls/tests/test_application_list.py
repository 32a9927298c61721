"""The managers' list of applications across calls (``calls:manage_application_list``): what each
stage of a call funnel links to. Each stage's link lists exactly the applications its figure counts,
on an incubator's dashboard, on the network cockpit and on a call's own dashboard; the list shows
only the applications to the calls the user manages; its filters keep their values; its queries do
not grow with its rows."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from calls.filters import STAGES
from calls.models import Application
from calls.tests.factories import ApplicationFactory, CallFactory
from incubator import registry
from incubator.models import Incubator, Membership
from incubator.tests.dsfr_html import attrs, elements, main, text
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio import dashboards
from portfolio import tiles as portfolio_tiles

pytestmark = pytest.mark.django_db
S = Application.Status
LIST = reverse("calls:manage_application_list")

# Applications per status in each call: A's first call, A's second call, B's call. Every status in
# each call (withdrawn ones too: no stage counts them), some twice, so that no two stages agree.
EXTRA = {"a1": [S.SUBMITTED, S.SHORTLISTED, S.LAUREATE], "a2": [S.DRAFT, S.DRAFT, S.ONBOARDED], "b": [S.PITCHED]}


@pytest.fixture
def calls(incubator_a, incubator_b):
    return {
        "a1": CallFactory(incubator=incubator_a, slug="appel-a1", title="Premier appel de A"),
        "a2": CallFactory(incubator=incubator_a, slug="appel-a2", title="Second appel de A"),
        "b": CallFactory(incubator=incubator_b, slug="appel-b", title="Appel de B"),
    }


@pytest.fixture
def applications(calls):
    """Every status in each of the three calls, and the ``EXTRA`` ones."""
    made = []
    for key, call in calls.items():
        for status in [*S, *EXTRA[key]]:
            made.append(ApplicationFactory(call=call, status=status))
    return made


def listed(client, url):
    """(the number of rows the list reports, the pks of all its rows, page by page)."""
    response = client.get(url)
    assert response.status_code == 200, url
    count, pks, page = response.context["paginator"].count, [], 1
    while True:
        pks += [application.pk for application in response.context["applications"]]
        if not response.context["page_obj"].has_next():
            return count, pks
        page += 1
        response = client.get(f"{url}{'&' if '?' in url else '?'}page={page}")  # the filters stay


def hrefs(response):
    """The links of the page's ``<main>``."""
    return [attrs(a)["href"] for a in elements(main(response)) if a.name == "a" and "href" in attrs(a)]


def counted(applications, stage, incubator=None):
    """What a stage counts, from the statuses the funnel names (``STAGES``), computed here."""
    return {
        application.pk
        for application in applications
        if application.status in STAGES[stage] and (incubator is None or application.call.incubator == incubator)
    }


def chart_rows(user, scope):
    """(label, link, value) of each row of the call funnel's chart, as the dashboards draw it."""
    with portfolio_tiles.one_page():
        [figure] = [f for f in dashboards.figures(user, scope) if f.tile.key == "call_funnel"]
    return figure


# The funnel's links --------------------------------------------------------------------------------


def test_each_stage_of_an_incubators_funnel_lists_what_it_counts(sign_in, member_a, incubator_a, applications):
    client = sign_in(member_a)
    figure = chart_rows(member_a, registry.Scope(incubator_a))

    rows = figure.chart.table_rows
    assert len(rows) == len(STAGES)
    assert len({url for _label, url, _values in rows}) == len(STAGES)  # a link of its own each
    for stage, (label, url, (value,)) in zip(STAGES, rows, strict=True):
        assert parse_qs(urlsplit(url).query) == {"incubator": [incubator_a.slug], "stage": [stage]}, label
        count, pks = listed(client, url)
        assert count == value == len(pks), stage
        assert set(pks) == counted(applications, stage, incubator_a), stage
    assert figure.value == {stage: len(counted(applications, stage, incubator_a)) for stage in STAGES}
    # The tile's own link: every application to A's calls.
    assert figure.link == f"{LIST}?incubator={incubator_a.slug}"
    assert listed(client, figure.link)[0] == sum(1 for a in applications if a.call.incubator == incubator_a)


def test_each_stage_of_the_networks_funnel_lists_what_it_counts(sign_in, network_admin, applications):
    network_wide = CallFactory(incubator=None, slug="appel-reseau")
    applications += [ApplicationFactory(call=network_wide, status=status) for status in (S.SUBMITTED, S.LAUREATE)]
    client = sign_in(network_admin)
    figure = chart_rows(network_admin, registry.Scope())

    for stage, (_label, url, (value,)) in zip(STAGES, figure.chart.table_rows, strict=True):
        assert url == f"{LIST}?stage={stage}"
        count, pks = listed(client, url)
        assert count == value, stage
        assert set(pks) == counted(applications, stage), stage
    assert figure.link == LIST


def test_the_cockpits_comparison_links_each_incubators_submitted_applications(
    sign_in, network_admin, incubator_a, incubator_b, applications
):
    client = sign_in(network_admin)
    with portfolio_tiles.one_page():
        comparison = dashboards.comparison(network_admin, registry.Scope(), Incubator.objects.all())
    column = [tile.key for tile in comparison.tiles].index("call_funnel")

    for row in comparison.rows:
        cell = row.cells[column]
        assert cell.link == f"{LIST}?incubator={row.incubator.slug}&stage=submitted"
        assert listed(client, cell.link)[0] == cell.value == len(counted(applications, "submitted", row.incubator))


def test_a_calls_dashboard_links_each_step_to_its_applications(sign_in, member_a, calls, applications):
    client = sign_in(member_a)
    call = calls["a1"]
    response = client.get(reverse("calls:manage_call", args=[call.slug]))

    links = [href for href in hrefs(response) if "stage=" in href]
    assert [parse_qs(urlsplit(link).query) for link in links] == [
        {"call": [call.slug], "stage": [stage]} for stage in ("drafts", "submitted", "shortlisted", "laureates")
    ]
    for link, stage in zip(links, ("drafts", "submitted", "shortlisted", "laureates"), strict=True):
        count, pks = listed(client, link)
        assert count == getattr(response.context["call"], stage), stage
        assert set(pks) == {pk for pk in counted(applications, stage) if Application.objects.get(pk=pk).call == call}


def test_the_calls_list_links_to_the_applications_and_each_count_to_its_rows(sign_in, member_a, calls, applications):
    client = sign_in(member_a)
    response = client.get(reverse("calls:manage_call_list"))
    links = hrefs(response)

    assert LIST in links
    for call in response.context["calls"]:
        for stage in ("drafts", "submitted", "shortlisted", "laureates"):
            link = f"{LIST}?call={call.slug}&stage={stage}"
            assert link in links
            assert listed(client, link)[0] == getattr(call, stage), (call.slug, stage)


# Who sees what -------------------------------------------------------------------------------------


@pytest.fixture
def everyone(personas, incubator_a, calls):
    """The access table's personas: the conftest's, an applicant, a juror, a coach of A and a
    network coordinator."""
    applicant = UserFactory(email="agent@example.gouv.fr")
    ApplicationFactory(call=calls["a1"], applicant=applicant, status=S.SUBMITTED)
    juror = UserFactory(email="jure@example.gouv.fr")
    calls["a1"].jurors.add(juror)
    coach = MembershipFactory(incubator=incubator_a, role=Membership.Role.COACH).user
    coordinator = UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)
    return {**personas, "applicant": applicant, "juror": juror, "coach_a": coach, "coordinator": coordinator}


@pytest.mark.parametrize(
    ("persona", "status", "sees_a", "sees_b"),
    [
        ("anonymous", 302, False, False),
        ("applicant", 403, False, False),
        ("juror", 403, False, False),
        ("coach_a", 403, False, False),
        ("coordinator", 403, False, False),  # reads every incubator's figures, not the applicants' data
        ("member_a", 200, True, False),
        ("member_b", 200, False, True),
        ("network_admin", 200, True, True),
    ],
)
def test_access_table(sign_in, everyone, calls, applications, persona, status, sees_a, sees_b):
    response = sign_in(everyone[persona]).get(LIST)

    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("account_login"))
    if status != 200:
        return
    incubators = {application.call.incubator.slug for application in response.context["paginator"].object_list}
    assert ("fabrique-a" in incubators, "fabrique-b" in incubators) == (sees_a, sees_b)


def test_another_incubators_applications_are_refused_by_slug(sign_in, member_b, calls, applications):
    client = sign_in(member_b)

    for query in ({"incubator": "fabrique-a"}, {"call": "appel-a1"}, {"incubator": "fabrique-a", "stage": "drafts"}):
        response = client.get(LIST, query)
        assert response.status_code == 400, query  # not a choice of theirs: the form says so
        assert list(response.context["applications"]) == [], query
        assert "Premier appel de A" not in response.content.decode()

    # Their own incubator's list holds nothing of A's.
    _count, pks = listed(client, f"{LIST}?incubator=fabrique-b")
    assert set(pks) == {application.pk for application in applications if application.call.slug == "appel-b"}


def test_the_filters_choices_are_what_the_user_manages(sign_in, member_a, calls):
    form = sign_in(member_a).get(LIST).context["filter"].form

    assert [value for value, _label in form.fields["incubator"].choices if value] == ["fabrique-a"]
    assert sorted(str(value) for value, _label in form.fields["call"].choices if value) == ["appel-a1", "appel-a2"]
    assert [value for value, _label in form.fields["stage"].choices if value] == list(STAGES)


def test_only_get_and_head(sign_in, member_a):
    client = sign_in(member_a)

    assert client.head(LIST).status_code == 200
    assert client.post(LIST).status_code == 405


# The page ------------------------------------------------------------------------------------------


def test_the_filters_keep_their_values(sign_in, member_a, incubator_a, calls, applications):
    response = sign_in(member_a).get(
        LIST, {"q": "Laroche", "incubator": incubator_a.slug, "call": "appel-a2", "stage": "shortlisted"}
    )

    assert response.status_code == 200
    found = elements(main(response))
    [search] = [e for e in found if e.name == "input" and attrs(e).get("name") == "q"]
    assert attrs(search)["value"] == "Laroche"
    selected = {
        attrs(select)["name"]: [attrs(option)["value"] for option in elements(select) if "selected" in attrs(option)]
        for select in found
        if select.name == "select"
    }
    assert selected == {"incubator": [incubator_a.slug], "call": ["appel-a2"], "stage": ["shortlisted"]}


def test_the_search_finds_the_applicant_by_name_and_the_problem(sign_in, member_a, calls):
    marie = ApplicationFactory(
        call=calls["a1"], applicant=UserFactory(first_name="Marie", last_name="Curieuse"), status=S.SUBMITTED
    )
    ApplicationFactory(call=calls["a1"], problem="Les dossiers de bourse arrivent en retard.", status=S.SUBMITTED)
    client = sign_in(member_a)

    assert [a.pk for a in client.get(LIST, {"q": "marie curieuse"}).context["applications"]] == [marie.pk]
    assert client.get(LIST, {"q": "bourse"}).context["paginator"].count == 1
    assert client.get(LIST, {"q": "personne ne s'appelle ainsi"}).context["paginator"].count == 0


def test_the_page_shows_its_rows_newest_first_in_a_dsfr_table(sign_in, member_a, calls, applications):
    response = sign_in(member_a).get(LIST, {"incubator": "fabrique-a", "stage": "submitted"})
    found = elements(main(response))

    [h1] = [e for e in found if e.name == "h1"]
    assert text(h1)
    [table] = [e for e in found if e.name == "table"]
    assert any(e.name == "caption" for e in elements(table))
    headers = [e for e in elements(table) if e.name == "th"]
    assert headers
    assert all(attrs(th).get("scope") == "col" for th in headers)
    assert any(e.name == "nav" and "fr-breadcrumb" in attrs(e).get("class", "") for e in found)
    rows = list(response.context["applications"])
    dates = [application.submitted_at for application in rows]
    assert dates == sorted(dates, key=lambda day: (day is not None, day), reverse=True)  # drafts (no date) last
    for application in rows:
        assert reverse("calls:manage_application", args=[application.pk]) in response.content.decode()


def test_an_empty_list_says_so(sign_in, member_a, calls):
    client = sign_in(member_a)

    assert gettext("No application to the calls you manage yet.") in text(elements(main(client.get(LIST)))[0])
    response = client.get(LIST, {"stage": "onboarded"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 0
    assert gettext("No application matches these filters.") in text(elements(main(response))[0])


def test_page_two_keeps_the_filters(sign_in, member_a, calls):
    for _n in range(30):
        ApplicationFactory(call=calls["a1"], status=S.SUBMITTED)
    ApplicationFactory(call=calls["a2"], status=S.SUBMITTED)
    client = sign_in(member_a)

    first = client.get(LIST, {"call": "appel-a1", "stage": "submitted"})
    second = client.get(LIST, {"call": "appel-a1", "stage": "submitted", "page": 2})

    assert first.context["paginator"].count == 30
    assert len(first.context["applications"]) == 25
    assert second.status_code == 200
    assert len(second.context["applications"]) == 5
    assert not {a.pk for a in first.context["applications"]} & {a.pk for a in second.context["applications"]}
    next_links = [href for href in hrefs(first) if "page=2" in href]
    assert next_links
    assert all(parse_qs(urlsplit(link).query)["call"] == ["appel-a1"] for link in next_links)


# The session, the user, the permission, the header's facts, the count, the page's rows, and the
# incubator and call choices drawn in the form; the filters' values add one query each (the
# incubator's and the call's slugs, checked among the user's).
QUERIES_UNFILTERED = 8
QUERIES_FILTERED = QUERIES_UNFILTERED + 2


@pytest.mark.parametrize("count", [1, 30])
def test_the_query_count_does_not_grow_with_the_rows(sign_in, member_a, calls, django_assert_num_queries, count):
    for n in range(count):  # the first one submitted to A's first call: the filtered page has a row
        ApplicationFactory(call=calls["a2" if n % 2 else "a1"], status=list(S)[(n + 1) % len(S)])
    client = sign_in(member_a)

    with django_assert_num_queries(QUERIES_FILTERED):
        response = client.get(LIST, {"incubator": "fabrique-a", "call": "appel-a1", "stage": "submitted"})
    assert response.status_code == 200
    assert response.context["applications"]
    with django_assert_num_queries(QUERIES_UNFILTERED):
        assert client.get(LIST).status_code == 200
