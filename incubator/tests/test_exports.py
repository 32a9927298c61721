"""The core's CSV writer: BOM, semicolons, header labels, and text that a spreadsheet would run."""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext_lazy

from incubator.exports import csv_response


def read(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_csv_response_is_a_utf8_attachment_with_a_bom_and_semicolons():
    response = csv_response("export-été.csv", [gettext_lazy("Name"), "Montant"], [["Café", 12]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''export-%C3%A9t%C3%A9.csv"
    assert response.content.decode("utf-8") == "\ufeffNom;Montant\r\nCafé;12\r\n"


def test_csv_response_prefixes_text_cells_that_start_a_formula():
    payloads = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(1)", "\tx", "\rx"]

    rows = read(csv_response("x.csv", ["a"] * len(payloads), [payloads]))

    assert rows[1] == [f"'{payload}" for payload in payloads]


def test_csv_response_keeps_numbers_and_harmless_text_as_they_are():
    rows = read(csv_response("x.csv", ["a", "b", "c", "d"], [[-2, Decimal("-1.50"), "a=b", " =1"]]))

    assert rows[1] == ["-2", "-1,50", "a=b", " =1"]  # French Excel: a decimal comma
