"""The charts' labels stay inside the picture: the label column is as wide as its longest label
(up to a bound, beyond which a label is abbreviated with its full text in a ``<title>``), and a
legend takes fewer columns rather than cutting its labels."""

import xml.etree.ElementTree as ET

from incubator import charts

SVG = "{http://www.w3.org/2000/svg}"
LONG = "Le département Accompagnement numérique"
LEGEND = "Arrêtées à l'issue de l'investigation"


def texts(chart):
    root = ET.fromstring(str(chart.svg))
    return list(root.iter(f"{SVG}text"))


def shown(text):
    return "".join(text.itertext()).replace(text.findtext(f"{SVG}title") or "", "", 1)


def test_row_labels_start_inside_the_picture():
    chart = charts.stacked("s", "S", [LONG, "DINUM"], [charts.Series("Construction", (3, 2))])

    for text in texts(chart):
        if text.get("text-anchor") == "end":
            assert float(text.get("x")) - len(shown(text)) * charts.CHAR_WIDTH >= 0, shown(text)
    assert LONG in [shown(text) for text in texts(chart)]  # it fits whole


def test_a_label_too_long_for_the_column_keeps_its_full_text_in_a_title():
    label = "Incubateur " * 10
    chart = charts.bars("b", "B", [(label, 3)])

    [row] = [text for text in texts(chart) if text.get("text-anchor") == "end"]

    assert row.findtext(f"{SVG}title") == label
    assert float(row.get("x")) - len(shown(row)) * charts.CHAR_WIDTH >= 0


def test_legend_labels_are_whole():
    series = [charts.Series(LEGEND, (1,)), charts.Series("Passées en construction", (2,)), charts.Series("X", (0,))]
    chart = charts.grouped("g", "G", ["2025"], series)

    legend = [shown(text) for text in texts(chart) if text.get("text-anchor") == "start"]

    assert {LEGEND, "Passées en construction", "X"} <= set(legend)
