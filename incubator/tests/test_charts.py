"""The server-drawn charts: valid SVG, escaped labels, bars to scale, the table and the CSV."""

import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.template.loader import render_to_string

from incubator import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "Co"'


def parse(chart):
    return ET.fromstring(str(chart.svg))


def bar_widths(root):
    return [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.get("class") == "portal-chart__bar"]


def test_bars_svg_is_valid_xml_with_a_title():
    chart = charts.bars("phases", "Produits par phase", [("Investigation", 3), ("Construction", 5)])

    root = parse(chart)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title.text == "Produits par phase"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == "chart-phases-table"


def test_bars_are_proportional_to_their_values():
    chart = charts.bars("b", "B", [("a", 10), ("b", 5), ("c", 0), ("d", Decimal("2.5"))])

    widths = bar_widths(parse(chart))

    room = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert widths == [room, room / 2, 0.0, room / 4]


def test_bars_all_zero_draw_empty_bars():
    widths = bar_widths(parse(charts.bars("z", "Z", [("a", 0), ("b", 0)])))

    assert widths == [0.0, 0.0]


def test_labels_are_escaped_in_the_svg_and_the_table():
    chart = charts.stacked("s", HOSTILE, [HOSTILE], [charts.Series(HOSTILE, (2,))])

    svg = str(chart.svg)
    html = render_to_string("includes/_chart.html", {"chart": chart})

    assert "<script>" not in svg
    assert "<script>" not in html
    root = parse(chart)  # still valid XML: the text was escaped, not dropped
    assert root.find(f"{SVG}title").text == HOSTILE
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert HOSTILE in texts  # the label column is as wide as its longest label
    assert "&lt;script&gt;" in html


def test_stacked_segments_add_up_to_the_row_total_and_scale_on_the_largest():
    chart = charts.stacked(
        "s",
        "S",
        ["A", "B"],
        [charts.Series("x", (2, 1)), charts.Series("y", (2, 0))],
        label_header="Incubateur",
    )

    widths = bar_widths(parse(chart))

    room = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert widths == [room / 2, room / 2, room / 4]  # the zero segment is not drawn
    assert chart.rows == [["A", 2, 2], ["B", 1, 0]]
    assert chart.header == ["Incubateur", "x", "y"]


def test_line_draws_one_polyline_per_series_and_steps():
    chart = charts.line("l", "L", ["2024", "2025", "2026"], [charts.Series("p", (0, 4, 2))], step=True)

    root = parse(chart)

    (polyline,) = root.iter(f"{SVG}polyline")
    points = polyline.get("points").split()
    assert len(points) == 5  # three values, two risers
    ys = [float(point.split(",")[1]) for point in points]
    assert ys[1] == ys[0]  # each value holds until the next category
    assert ys[3] == ys[2]


def test_template_shows_the_table_links_and_the_csv_link():
    chart = charts.bars("p", "P", [charts.Row("Construction", 4, "/produits/?phase=construction")], csv_url="/x.csv")

    html = render_to_string("includes/_chart.html", {"chart": chart})

    assert '<a href="/produits/?phase=construction">Construction</a>' in html
    assert 'href="/x.csv"' in html
    assert "style=" not in html  # the CSP refuses inline styles


def test_csv_response_has_the_table_and_neutralises_formulas():
    chart = charts.bars(
        "p", "P", [("=HYPERLINK(1)", 3), ("Ok", Decimal("1.5"))], label_header="Produit", value_label="Nombre"
    )

    response = charts.csv_response(chart, "p.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Produit", "Nombre"], ["'=HYPERLINK(1)", "3"], ["Ok", "1,5"]]  # a decimal comma


def test_grouped_bars_draw_one_bar_per_series_in_each_group():
    chart = charts.grouped("g", "G", ["Jan", "Feb"], [charts.Series("asked", (4, 2)), charts.Series("granted", (2, 0))])

    widths = bar_widths(parse(chart))

    room = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert widths == [room, room / 2, room / 2, 0.0]
    assert chart.rows == [["Jan", 4, 2], ["Feb", 2, 0]]
