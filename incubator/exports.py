"""The one CSV writer of every export: UTF-8 with a BOM, semicolons, no formulas (docs/decisions/0006).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and some
still do after a leading tab or carriage return): an applicant who names their service
``=HYPERLINK("http://x","y")`` would otherwise plant a link, or worse, in the manager's Excel.
Such text cells are written with a leading single quote, as OWASP advises ("CSV Injection"):
the spreadsheet shows the text, it runs nothing. Numbers (int, Decimal...) are written as they
are: our code computed them, and a negative amount must stay a number.

The convention is French Excel's, in every CSV (charts, statistics, lists): ``;`` between cells
and a decimal comma (``87,5``, not ``87.5``, which French Excel reads as text or a date); no
thousands separator (``1080000``: a number to Excel, where ``1 080 000`` would be text).
"""

import csv
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from . import audit

BOM = "\ufeff"  # Excel opens UTF-8 correctly only with it
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would read as a formula, prefixed with ``'``; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def decimal_comma(value):
    """A number with a fractional part written with a decimal comma (``1,5``); anything else as is."""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        return str(value).replace(".", ",")
    return value


def csv_response(filename, header, rows, *, delimiter=";", request=None):
    """An attachment ``filename``: the ``header`` (labels, lazy ones too) then the ``rows`` (iterables of cells).
    With the ``request``, the export is in the audit log (its route and object, by the request's user)."""
    if request is not None:
        match = request.resolver_match
        audit.record(
            audit.Action.DATA_EXPORTED,
            actor=request.user,
            object_type=match.view_name if match else "",
            object_id=next(iter(match.kwargs.values()), "") if match else "",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response.write(BOM)
    writer = csv.writer(response, delimiter=delimiter)
    writer.writerow([neutralise(str(label)) for label in header])
    writer.writerows([decimal_comma(neutralise(cell)) for cell in row] for row in rows)
    return response
