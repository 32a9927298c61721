"""``{{ value|number }}``: a measured figure as French readers write it, with the decimals it
has and no trailing zeros ("22,9", "31", "1 080 000"), thousands grouped, in the active language."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter(is_safe=False)
def number(value):
    if value in (None, ""):
        return ""
    try:
        figure = Decimal(str(value)).normalize()
    except InvalidOperation:
        return value
    decimals = max(0, -figure.as_tuple().exponent)
    return number_format(figure, decimals, use_l10n=True, force_grouping=True)
