"""Every query-string link of every list page works: no ``??``, each answers with its rows.

Before: templates wrote ``?{% querystring %}`` and Django's tag already starts with ``?``, so
pagination, the portfolio's CSV link and the committee tabs pointed to ``??page=2``.
"""

import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.tests.factories import ApplicationFactory, CallFactory
from committees.models import Committee
from committees.tests.factories import CommitteeFactory
from incubator.models import Membership
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db
ROWS = 30  # more than one page of 25


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href is not None:
            self.hrefs.append(href)


def hrefs(response):
    parser = Links()
    parser.feed(response.text)
    return parser.hrefs


def query_links(response, path):
    """The links of a page that lead to the same page with another query string."""
    return [href for href in hrefs(response) if href.startswith("?") or href.startswith(f"{path}?")]


@pytest.fixture
def data(incubator_a, member_a):
    jury = UserFactory(email="jure@example.gouv.fr")
    MembershipFactory(incubator=incubator_a, user=jury, role=Membership.Role.JURY)
    startups = [StartupFactory(incubator=incubator_a, slug=f"liste-{n:02}", is_published=True) for n in range(ROWS)]
    later = timezone.now() + datetime.timedelta(days=10)
    for n, startup in enumerate(startups):
        status = Committee.Status.HELD if n % 2 else Committee.Status.PLANNED
        CommitteeFactory(startup=startup, scheduled_at=later + datetime.timedelta(hours=n), status=status)
    calls = [CallFactory(incubator=incubator_a, slug=f"appel-liste-{n:02}") for n in range(ROWS)]
    calls[0].jurors.add(jury)
    for n in range(ROWS):
        ApplicationFactory(call=calls[0], status="submitted", applicant=UserFactory(email=f"agent{n}@example.gouv.fr"))
    return {"member_a": member_a, "jury": jury, "anonymous": None, "call": calls[0]}


def list_pages(call):
    """(persona, path) of every list page."""
    return [
        ("anonymous", reverse("portfolio:directory")),
        ("anonymous", reverse("calls:call_list")),
        ("member_a", reverse("portfolio:startup_list")),
        ("member_a", reverse("committees:committee_list")),
        ("member_a", reverse("calls:manage_call_list")),
        ("member_a", reverse("calls:manage_ranking", args=[call.slug])),
        ("jury", reverse("calls:jury_applications", args=[call.slug])),
    ]


def test_every_query_link_of_every_list_page_works(client, data):
    followed = 0
    for persona, path in list_pages(data["call"]):
        client.logout()
        if data[persona] is not None:
            client.force_login(data[persona])
        page = client.get(path)
        assert page.status_code == 200, path
        links = query_links(page, path)
        assert not [href for href in hrefs(page) if "??" in href], path
        for href in links:
            target = href if href.startswith("/") else f"{path}{href}"
            response = client.get(target)
            assert response.status_code == 200, target
            query = parse_qs(urlsplit(target).query)
            if query.get("format") == ["csv"]:
                assert response["Content-Type"].startswith("text/csv"), target
            elif "page" in query and "page_obj" in response.context:
                assert response.context["page_obj"].number == int(query["page"][0]), target
            followed += 1

    assert followed >= 10  # pagination, tabs and the CSV link were found and followed


def test_page_two_of_the_directory_shows_the_rest(client, data):
    first = client.get(reverse("portfolio:directory"))
    second_link = next(href for href in query_links(first, reverse("portfolio:directory")) if "page=2" in href)

    second = client.get(f"{reverse('portfolio:directory')}{second_link}")

    assert second_link == "?page=2"
    assert len(first.context["object_list"]) == 25
    assert len(second.context["object_list"]) == ROWS - 25


def test_the_committee_tabs_show_their_section(client, data):
    client.force_login(data["member_a"])
    page = client.get(reverse("committees:committee_list"))
    tabs = [href for href in query_links(page, reverse("committees:committee_list")) if "section=" in href]

    sections = {parse_qs(href[1:])["section"][0]: client.get(f"/comites/{href}") for href in tabs}

    assert {"upcoming", "held", "cancelled", "all"} <= set(sections)
    assert all(response.status_code == 200 for response in sections.values())


def test_the_pagination_elides_pages_far_from_the_current_one(client, incubator_a):
    for n in range(25 * 12):
        StartupFactory(incubator=incubator_a, slug=f"long-{n:03}", is_published=True)

    response = client.get(reverse("portfolio:directory"), {"page": 6})

    pages = [href for href in query_links(response, reverse("portfolio:directory")) if "page=" in href]
    numbers = sorted({int(parse_qs(href[1:])["page"][0]) for href in pages})
    assert numbers == [1, 4, 5, 7, 8, 12]
    assert response.text.count("…") >= 2
