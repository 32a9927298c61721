"""Queries do not grow with the criteria: the product page's panel costs one query, the edit page
reads and saves 1 or 30 criteria in the same number (``docs/architecture.md``, "Plugging into
the core": a contribution costs at most its own one or two queries)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incubator import registry, versions
from portfolio.contributions import PRODUCT_PAGE
from standards.models import ProductStandard, Status
from standards.tests.conftest import make_current_version
from standards.tests.factories import ProductStandardFactory

pytestmark = pytest.mark.django_db


def count(client, method, url, data=None):
    versions.bump_all()  # the page drawn: nothing kept ({% kept %}) from the request before
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), response.status_code
    return len(queries)


def answered(startup, count_):
    criteria = make_current_version(count_)
    for criterion in criteria:
        ProductStandardFactory(startup=startup, standard=criterion, status=Status.DONE, evidence_url="https://x.fr")
    return criteria


def post_data(criteria, status):
    data = {"criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": str(len(criteria))}
    for index in range(len(criteria)):
        data.update({f"criteria-{index}-status": status, f"criteria-{index}-evidence_url": ""})
    return data


def test_product_page_panel_costs_one_query_whatever_the_criteria(client, member_a, startup_a, monkeypatch):
    client.force_login(member_a)
    url = startup_a.get_absolute_url()
    answered(startup_a, 1)
    client.get(url)  # caches warm
    one = count(client, "get", url)
    answered(startup_a, 30)
    thirty = count(client, "get", url)
    panels = {key: panel for key, panel in registry._panels.items() if key != (PRODUCT_PAGE, "standards_scorecard")}
    monkeypatch.setattr(registry, "_panels", panels)
    without = count(client, "get", url)

    assert thirty == one
    assert one - without == 1


@pytest.mark.parametrize(
    ("method", "answered_before"),
    [("get", False), ("get", True), ("post", False), ("post", True)],
    ids=["read", "read-answered", "save-new", "save-changed"],
)
def test_edit_page_queries_are_the_same_for_1_and_30_criteria(client, member_a, startup_a, method, answered_before):
    client.force_login(member_a)
    url = reverse("standards:scorecard_edit", kwargs={"slug": startup_a.slug})
    totals = []
    for size in (1, 30):
        criteria = answered(startup_a, size) if answered_before else make_current_version(size)
        client.get(url)  # caches warm
        totals.append(count(client, method, url, post_data(criteria, Status.IN_PROGRESS) if method == "post" else None))

    assert totals[0] == totals[1]
    if method == "post":
        assert ProductStandard.objects.filter(startup=startup_a, status=Status.IN_PROGRESS).count() == 1 + 30
