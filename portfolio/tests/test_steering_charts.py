"""The steering pages' charts as pictures: the budget's two series both visible (grouped bars),
wide tables across the page's width."""

import pytest
import time_machine
from django.urls import reverse

from incubator import charts, registry
from incubator.tests.dsfr_html import attrs, classes, elements, main
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db
TODAY = "2026-12-01 10:00 +0100"


@time_machine.travel(TODAY, tick=False)
def test_budget_is_drawn_as_grouped_bars_so_equal_amounts_both_show(incubator_a):
    tile = registry.get_tile("committee_budget")
    scope = registry.Scope(incubator_a)
    value = tile.compute(None, scope)
    month = value["months"][-1]
    value["requested"][month] = value["granted"][month] = 300000  # equal: a line would hide the other

    chart = tile.chart(value, scope)

    assert chart.kind == charts.BARS
    assert len(chart.series) == 2
    svg = str(chart.svg)
    for colour in chart.colours:
        assert svg.count(f'fill="{colour}"') >= len(value["months"])  # a bar (and a legend key) each


@time_machine.travel(TODAY, tick=False)
def test_a_chart_with_a_wide_table_takes_the_page_width(sign_in, incubator_a, member_a):
    for phase in (Phase.INVESTIGATION, Phase.CONSTRUCTION, Phase.ACCELERATION):
        StartupFactory(incubator=incubator_a, phase=phase)
    response = sign_in(member_a).get(reverse("portfolio:dashboard", args=[incubator_a.slug]))

    sections = {attrs(e)["aria-labelledby"]: classes(e) for e in elements(main(response)) if e.name == "section"}
    assert "fr-col-lg-6" not in sections["figure-products_over_time"]  # a column per phase
    assert "fr-col-lg-6" in sections["figure-products_by_phase"]  # a column of counts
