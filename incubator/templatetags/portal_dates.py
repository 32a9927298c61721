"""Dates written in words, the way each language writes them.

French writes the first day of a month as an ordinal, "1er décembre 2026", then "2 décembre";
English writes "December 1, 2026". Django's ``date`` filter knows neither rule (``"j F Y"`` gives
"1 décembre" in French and "1 December" in English), so pages and emails use ``long_date``::

    {% load portal_dates %}
    {{ committee.scheduled_at|long_date:"weekday_datetime" }}

Styles: ``date`` (the default), ``weekday``, ``datetime`` and ``weekday_datetime``. An aware
date-time is shown in the current time zone (``{% timezone %}`` applies, as for ``date``).
"""

from django import template
from django.utils import dateformat, translation

register = template.Library()

# Django date formats per language and style; in French "j" becomes "1er" on the first day.
FORMATS = {
    "fr": {
        "date": "j F Y",
        "weekday": "l j F Y",
        "datetime": "j F Y à H:i",
        "weekday_datetime": "l j F Y à H:i",
    },
    "en": {
        "date": "F j, Y",
        "weekday": "l, F j, Y",
        "datetime": r"F j, Y \a\t H:i",
        "weekday_datetime": r"l, F j, Y \a\t H:i",
    },
}
FIRST_OF_MONTH = r"j\e\r"  # "1er": "e" and "r" are format characters, hence escaped


def long_date_format(value, style="date", language=None):
    """The Django date format that writes ``value`` in ``style`` in ``language`` (the active one)."""
    language = (language or translation.get_language() or "en").split("-")[0].lower()
    formats = FORMATS.get(language, FORMATS["en"])
    if style not in formats:
        raise ValueError(f"Unknown date style {style!r}: use one of {', '.join(formats)}.")
    pattern = formats[style]
    if language == "fr" and value.day == 1:
        pattern = pattern.replace("j", FIRST_OF_MONTH, 1)
    return pattern


@register.filter(expects_localtime=True, is_safe=False)
def long_date(value, style="date"):
    """``value`` (a date or date-time) written in words: "1er décembre 2026", "December 1, 2026"."""
    if value in (None, ""):
        return ""
    return dateformat.format(value, long_date_format(value, style))
