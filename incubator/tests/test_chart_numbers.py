"""Numbers in the charts, their tables and their CSV files, as French readers (and French Excel)
read them: thousands grouped and a decimal comma on the page, a decimal comma in the CSV."""

import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation

from incubator import charts
from incubator.templatetags.portal_numbers import number

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\xa0"  # Django's French thousands separator


def value_labels(chart):
    """The texts drawn after the bars (the labels of the rows are anchored at their end)."""
    root = ET.fromstring(str(chart.svg))
    return [text.text for text in root.iter(f"{SVG}text") if text.get("text-anchor") != "end"]


def test_bar_value_labels_are_in_french():
    chart = charts.bars("b", "B", [("Budget", 1080000), ("Part", Decimal("87.5")), ("Durée", 8.25)])

    with translation.override("fr"):
        labels = value_labels(chart)

    assert labels == [f"1{NBSP}080{NBSP}000", "87,5", "8,2"]


def test_line_axis_is_grouped_in_french():
    chart = charts.line("l", "L", ["01/2026", "02/2026"], [charts.Series("Demandé", (320000, 0))])

    with translation.override("fr"):
        root = ET.fromstring(str(chart.svg))

    assert f"320{NBSP}000" in [text.text for text in root.iter(f"{SVG}text")]


def test_zero_bars_are_unlabelled():
    chart = charts.grouped(
        "g", "G", ["2025", "2026"], [charts.Series("Lancées", (0, 3)), charts.Series("Arrêtées", (2, 0))]
    )
    stacked = charts.stacked("s", "S", ["A", "B"], [charts.Series("X", (0, 4)), charts.Series("Y", (0, 1))])

    with translation.override("fr"):
        assert [label for label in value_labels(chart) if label not in ("Lancées", "Arrêtées")] == ["2", "3"]
        assert [label for label in value_labels(stacked) if label.isdigit()] == ["5"]


def test_the_table_beside_the_chart_groups_thousands_and_uses_a_decimal_comma():
    chart = charts.bars("b", "B", [("Budget", 1080000), ("Part", 87.5), ("Rien", None)])

    with translation.override("fr"):
        html = render_to_string("includes/_chart.html", {"chart": chart})

    assert f"<td>1{NBSP}080{NBSP}000</td>" in html
    assert "<td>87,5</td>" in html
    assert "<td>—</td>" in html


def test_every_csv_writes_decimals_with_a_comma_beside_its_semicolons():
    chart = charts.grouped("d", "D", ["Accélération"], [charts.Series("Moyenne", (13.8,)), charts.Series("N", (2,))])

    response = charts.csv_response(chart, "d.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Accélération", "13,8", "2"]


def test_number_filter_writes_the_decimals_a_figure_has_and_no_trailing_zeros():
    with translation.override("fr"):
        shown = [number(value) for value in (Decimal("22.90"), Decimal("31.00"), Decimal("1080000"), Decimal("100"))]

    assert shown == ["22,9", "31", f"1{NBSP}080{NBSP}000", "100"]
    assert number(None) == ""
