"""Charts drawn on the server: SVG in DSFR colours, no JavaScript, no CDN, no inline style (CSP).

A chart is built from figures a page already computed (in the database: no query here) and is
shown with its data table (for screen readers, and for anyone who would rather read) and a link
to the same figures as CSV. Three kinds:

- ``bars(key, title, rows)``: horizontal bars, one per ``Row(label, value, url)`` (or tuple);
- ``grouped(key, title, categories, series)``: a group of bars per category, one per series;
- ``stacked(key, title, categories, series)``: one horizontal bar per category, cut into one
  segment per ``Series(label, values)`` (``values[i]`` belongs to ``categories[i]``), with a legend;
- ``line(key, title, categories, series)``: one line per series over ``categories`` (in order:
  months, years...); ``step=True`` draws steps (a count that holds until it changes).

Every constructor takes ``csv_url=`` (the download link under the table), ``label_header=`` (the
header of the first column) and, for ``bars``, ``value_label=``. ``url``s and ``links=`` (one per
category) make the table's first column a link to the list behind each figure.

In a view::

    from incubator import charts

    chart = charts.bars(
        "products-by-phase",
        _("Products by phase"),
        [charts.Row(label, count, url) for label, count, url in figures],
        csv_url=reverse("portfolio:dashboard_csv", args=[slug, "products-by-phase"]),
    )
    return render(request, "x.html", {"chart": chart})

and in the template ``{% include "includes/_chart.html" with chart=chart %}``: a ``<figure>``
with the title as its caption (put a heading around it if the page needs one; ``hide_caption=True``
keeps the caption for screen readers only, under a heading that says the same), the SVG, the data
table and the CSV link.
The CSV view answers ``charts.csv_response(chart, "products-by-phase.csv", request=request)``,
the figures of the table through ``incubator.exports`` (formula injection neutralised, audited).

Labels are user text (an incubator's or a product's name): ``chart.svg`` is built with
``format_html`` only, so every label and number is escaped; ``key`` is a slug unique on the page
(the ids of the title and the table derive from it).

Labels are never cut by the picture's edge: the label column is as wide as the longest label
(up to ``MAX_LABEL_WIDTH``; a longer label is abbreviated, its full text in a ``<title>``), a
legend takes fewer columns for long labels. Figures are printed in the page's language
(``1 080 000``, ``87,5``), as the table's ``floatformat:"-1g"``; a zero bar has no label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import exports

# The DSFR palette: blue France (sun-113) then the illustrative colours ("main" tints), in an order
# that keeps neighbouring segments apart. Text and axes in the DSFR greys.
PALETTE = (
    "#000091",  # blue-france-sun-113-625
    "#009081",  # green-menthe-main-548
    "#a558a0",  # purple-glycine-main-494
    "#ce614a",  # pink-tuile-main-556
    "#465f9d",  # blue-ecume-main-400
    "#c3992a",  # yellow-moutarde-main-679
    "#68a532",  # green-bourgeon-main-640
    "#bd987a",  # brown-opera-main-680
    "#417dc4",  # blue-cumulus-main-526
    "#e1000f",  # red-marianne-main-472
)
TEXT = "#3a3a3a"  # grey-200-850: the DSFR's default text
AXIS = "#929292"  # grey-625-425: borders

WIDTH = 640
LABEL_WIDTH = 200  # the narrowest left column of bar labels
MAX_LABEL_WIDTH = 320  # the widest: a longer label is abbreviated, its full text in a <title>
CHAR_WIDTH = 7  # a generous average width of a character at font-size 12 (accents, capitals)
VALUE_WIDTH = 64  # room for the value after the longest bar
ROW = 28
BAR = 18
PAD = 8
LEGEND_ROW = 20
LEGEND_COLUMNS = 3
LINE_HEIGHT = 240

BARS, STACKED, LINE = "bars", "stacked", "line"


@dataclass(frozen=True)
class Row:
    """One bar: its label (user text allowed), its value, and the URL of the list behind it."""

    label: Any
    value: Any
    url: str = ""


@dataclass(frozen=True)
class Series:
    """One segment colour (stacked) or one line: ``values[i]`` is the figure of category ``i``."""

    label: Any
    values: tuple
    colour: str = ""


@dataclass
class Chart:
    key: str
    title: Any
    kind: str
    categories: list
    series: list[Series]
    links: list = field(default_factory=list)
    csv_url: str = ""
    label_header: Any = ""
    step: bool = False

    # The data table: its header, then one row per category -------------------------------

    @property
    def header(self) -> list:
        return [self.label_header, *(series.label for series in self.series)]

    @property
    def rows(self) -> list[list]:
        return [[category, *(series.values[i] for series in self.series)] for i, category in enumerate(self.categories)]

    @property
    def table_rows(self) -> list[tuple]:
        """(category, its link or "", its values) for the template's table."""
        links = list(self.links) + [""] * (len(self.categories) - len(self.links))
        return [(row[0], links[i], row[1:]) for i, row in enumerate(self.rows)]

    @property
    def title_id(self) -> str:
        return f"chart-{self.key}-title"

    @property
    def svg_title_id(self) -> str:
        return f"chart-{self.key}-svg-title"

    @property
    def table_id(self) -> str:
        return f"chart-{self.key}-table"

    @property
    def colours(self) -> list[str]:
        return [series.colour or PALETTE[i % len(PALETTE)] for i, series in enumerate(self.series)]

    @property
    def legend(self) -> list[tuple[str, Any]]:
        return list(zip(self.colours, (series.label for series in self.series), strict=True))

    @property
    def svg(self) -> SafeString:
        draw = {BARS: _draw_bars, STACKED: _draw_stacked, LINE: _draw_line}[self.kind]
        height, body = draw(self)
        return format_html(
            '<svg class="portal-chart portal-chart--figures" xmlns="http://www.w3.org/2000/svg"'
            ' viewBox="0 0 {} {}" width="{}" height="{}" role="img"'
            ' aria-labelledby="{}" aria-describedby="{}" font-size="12">'
            '<title id="{}">{}</title>{}</svg>',
            WIDTH,
            height,
            WIDTH,
            height,
            self.svg_title_id,
            self.table_id,
            self.svg_title_id,
            self.title,
            body,
        )


def _number(value) -> float:
    if value is None:
        return 0.0
    return float(value) if isinstance(value, int | float | Decimal) else 0.0


def _shown(value) -> str:
    """A figure as the chart prints it, in the page's language as its table does (``floatformat``
    ``"-1g"``): whole numbers without decimals, others with one; thousands grouped ("1 080 000",
    "87,5" in French)."""
    number = _number(value)
    whole = number == int(number)
    return number_format(round(number, 0 if whole else 1), 0 if whole else 1, use_l10n=True, force_grouping=True)


def _px(value: float) -> str:
    return f"{value:.1f}"


def _fits(width: float) -> int:
    """How many characters a label may have in ``width`` pixels."""
    return max(4, int(width // CHAR_WIDTH))


def _label_width(chart) -> int:
    """The left column of the bars' labels: room for the longest label, within the bounds."""
    longest = max((len(str(category)) for category in chart.categories), default=0)
    return int(min(MAX_LABEL_WIDTH, max(LABEL_WIDTH, longest * CHAR_WIDTH + 2 * PAD)))


def _text(x, y, text, width, *, anchor="start") -> SafeString:
    """A label at (x, y) that fits in ``width`` pixels: abbreviated if it must be, then with its
    full text in a ``<title>`` (shown on hover; the data table has it in full too)."""
    full = str(text)
    shown = Truncator(full).chars(_fits(width))
    title = format_html("<title>{}</title>", full) if shown != full else ""
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" dominant-baseline="middle" fill="{}">{}{}</text>',
        _px(x),
        _px(y),
        anchor,
        TEXT,
        title,
        shown,
    )


def _row_label(left: float, y: float, text) -> SafeString:
    return _text(left - PAD, y, text, left - 2 * PAD, anchor="end")


def _value_label(x: float, y: float, value) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" dominant-baseline="middle" fill="{}">{}</text>', _px(x), _px(y), TEXT, _shown(value)
    )


def _axis(left: float, height: float) -> SafeString:
    return format_html(
        '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        left,
        left,
        _px(height),
        AXIS,
    )


def _scale(left: float, largest: float):
    room = WIDTH - left - VALUE_WIDTH
    return (lambda value: _number(value) / largest * room) if largest > 0 else (lambda value: 0.0)


def _draw_bars(chart: Chart) -> tuple[int, SafeString]:
    """One bar per category, or, with several series, a group of thinner bars (and a legend)."""
    count = len(chart.series)
    left = _label_width(chart)
    width = _scale(left, max((_number(value) for series in chart.series for value in series.values), default=0))
    bar = BAR if count <= 1 else 12
    row = max(ROW, count * bar + 10)
    parts = []
    for i, category in enumerate(chart.categories):
        top = PAD + i * row
        parts.append(_row_label(left, top + count * bar / 2, category))
        for j, (series, colour) in enumerate(zip(chart.series, chart.colours, strict=True)):
            y = top + j * bar
            length = width(series.values[i])
            parts.append(
                format_html(
                    '<rect class="portal-chart__bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    left,
                    _px(y),
                    _px(length),
                    bar - (2 if count > 1 else 0),
                    colour,
                )
            )
            if _number(series.values[i]):  # a zero bar is unlabelled (its table says 0)
                parts.append(_value_label(left + length + 4, y + bar / 2, series.values[i]))
    bars_height = PAD + max(len(chart.categories), 1) * row
    legend_height, legend = _legend(chart, bars_height + PAD) if count > 1 else (0, SafeString(""))
    height = bars_height + PAD + (legend_height + PAD if count > 1 else 0)
    return int(height), format_html("{}{}{}", _axis(left, bars_height), _join(parts), legend)


def _legend_columns(chart: Chart) -> int:
    """As many columns (at most ``LEGEND_COLUMNS``) as the longest label leaves room for, whole."""
    longest = max((len(str(label)) for _colour, label in chart.legend), default=0)
    fitting = int((WIDTH - PAD) // (longest * CHAR_WIDTH + 18 + 2 * PAD))
    return max(1, min(LEGEND_COLUMNS, fitting))


def _legend(chart: Chart, top: float) -> tuple[float, SafeString]:
    columns = _legend_columns(chart)
    column = (WIDTH - PAD) / columns
    parts = []
    for i, (colour, label) in enumerate(chart.legend):
        x = PAD + (i % columns) * column
        y = top + (i // columns) * LEGEND_ROW
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>{}',
                _px(x),
                _px(y),
                colour,
                _text(x + 18, y + 6, label, column - 18 - PAD),
            )
        )
    rows = -(-len(chart.legend) // columns)
    return rows * LEGEND_ROW, _join(parts)


def _draw_stacked(chart: Chart) -> tuple[int, SafeString]:
    totals = [sum(_number(series.values[i]) for series in chart.series) for i in range(len(chart.categories))]
    left = _label_width(chart)
    width = _scale(left, max(totals, default=0))
    parts = []
    for i, category in enumerate(chart.categories):
        top = PAD + i * ROW
        middle = top + BAR / 2
        parts.append(_row_label(left, middle, category))
        x = float(left)
        for series, colour in zip(chart.series, chart.colours, strict=True):
            length = width(series.values[i])
            if length > 0:
                parts.append(
                    format_html(
                        '<rect class="portal-chart__bar" x="{}" y="{}" width="{}" height="{}" fill="{}"'
                        ' stroke="#ffffff" stroke-width="1"/>',
                        _px(x),
                        _px(top),
                        _px(length),
                        BAR,
                        colour,
                    )
                )
            x += length
        if totals[i]:
            parts.append(_value_label(x + 4, middle, totals[i]))
    bars_height = PAD + max(len(chart.categories), 1) * ROW
    legend_height, legend = _legend(chart, bars_height + PAD)
    height = bars_height + PAD * 2 + legend_height
    return int(height), format_html("{}{}{}", _axis(left, bars_height), _join(parts), legend)


def _draw_line(chart: Chart) -> tuple[int, SafeString]:
    largest = max((_number(value) for series in chart.series for value in series.values), default=0) or 1
    # Room on the left for the axis's largest figure ("1 080 000"), never less than before.
    left = max(48, len(_shown(largest)) * CHAR_WIDTH + 12)
    right, top, bottom = WIDTH - PAD * 2, PAD * 2, LINE_HEIGHT - 36
    count = len(chart.categories)

    def x(i):
        return left + (i / (count - 1) * (right - left) if count > 1 else (right - left) / 2)

    def y(value):
        return bottom - _number(value) / largest * (bottom - top)

    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" fill="{}">{}</text>'
            '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" fill="{}">0</text>',
            left,
            bottom,
            right,
            bottom,
            AXIS,
            left - 6,
            top,
            TEXT,
            _shown(largest),
            left - 6,
            bottom,
            TEXT,
        )
    ]
    every = max(1, -(-count // 8))  # at most about 8 labels under the axis
    for i, category in enumerate(chart.categories):
        if i % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                    _px(x(i)),
                    bottom + 18,
                    TEXT,
                    Truncator(str(category)).chars(12),
                )
            )
    for series, colour in zip(chart.series, chart.colours, strict=True):
        points = []
        for i, value in enumerate(series.values):
            if chart.step and i:
                points.append((x(i), y(series.values[i - 1])))
            points.append((x(i), y(value)))
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                " ".join(f"{_px(px)},{_px(py)}" for px, py in points),
                colour,
            )
        )
    legend_height, legend = _legend(chart, LINE_HEIGHT) if len(chart.series) > 1 else (0, SafeString(""))
    return LINE_HEIGHT + legend_height, format_html("{}{}", _join(parts), legend)


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


# Constructors ------------------------------------------------------------------------------


def bars(key, title, rows, *, csv_url="", label_header=None, value_label=None, colour="") -> Chart:
    """Horizontal bars, one per row (``Row`` or ``(label, value[, url])``)."""
    rows = [row if isinstance(row, Row) else Row(*row) for row in rows]
    return Chart(
        key=key,
        title=title,
        kind=BARS,
        categories=[row.label for row in rows],
        series=[Series(value_label or _("Number"), tuple(row.value for row in rows), colour)],
        links=[row.url for row in rows],
        csv_url=csv_url,
        label_header=label_header or _("Label"),
    )


def _of_series(kind, key, title, categories, series, *, links, csv_url, label_header, **fields) -> Chart:
    """A chart of several series over ``categories`` (grouped, stacked, line)."""
    return Chart(
        key=key,
        title=title,
        kind=kind,
        categories=list(categories),
        series=list(series),
        links=list(links),
        csv_url=csv_url,
        label_header=label_header,
        **fields,
    )


def grouped(key, title, categories, series, *, links=(), csv_url="", label_header=None) -> Chart:
    """A group of horizontal bars per category, one bar per series (the legend names them)."""
    return _of_series(
        BARS, key, title, categories, series, links=links, csv_url=csv_url, label_header=label_header or _("Label")
    )


def stacked(key, title, categories, series, *, links=(), csv_url="", label_header=None) -> Chart:
    """One horizontal bar per category, a segment per series (the legend names them)."""
    return _of_series(
        STACKED, key, title, categories, series, links=links, csv_url=csv_url, label_header=label_header or _("Label")
    )


def line(key, title, categories, series, *, step=False, links=(), csv_url="", label_header=None) -> Chart:
    """One line per series over the ordered ``categories``; ``step`` holds each value until the next."""
    return _of_series(
        LINE,
        key,
        title,
        categories,
        series,
        links=links,
        csv_url=csv_url,
        label_header=label_header or _("Date"),
        step=step,
    )


def csv_response(chart: Chart, filename: str, *, request=None):
    """The chart's figures (its table) as a CSV attachment, through ``incubator.exports``."""
    rows = [[str(row[0]), *row[1:]] for row in chart.rows]
    return exports.csv_response(filename, chart.header, rows, request=request)
