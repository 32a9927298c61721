"""Dates that people type: one sane window, checked by forms, models and the database.

A date typed as ``0001-01-01`` or ``9999-12-31`` is no mistake a portal should store: on
PostgreSQL the first cannot be converted between time zones and the second overflows any
computation that adds to it (``year 10001``). Every date and date-time a person enters is
therefore bounded to ``EARLIEST``..``LATEST``:

- the form widgets (``DateInput``, ``DateTimeLocalInput``) carry ``min`` and ``max``, so the
  browser's picker stays inside;
- ``validate_in_window`` is a validator for model fields and plain form fields, with a French
  message that names the window;
- ``window_constraint(field, name=...)`` is the database's own check, for a model's
  ``Meta.constraints``, so no writer (admin, import, shell) can store what forms refuse.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .templatetags.portal_dates import long_date

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)
# The same bounds as aware instants, for date-time columns (a day of margin either side, so a
# date-time whose local date is in the window is never refused by the database).
EARLIEST_INSTANT = datetime.datetime.combine(EARLIEST, datetime.time.min, tzinfo=datetime.UTC) - datetime.timedelta(
    days=1
)
LATEST_INSTANT = datetime.datetime.combine(LATEST, datetime.time.max, tzinfo=datetime.UTC) + datetime.timedelta(days=1)


def local_day(value):
    """The calendar day of a date or date-time (an aware date-time is read in the current zone)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value)
        return value.date()
    return value


@deconstructible
class WindowValidator:
    """Refuse a date or date-time outside ``EARLIEST``..``LATEST``."""

    message = _("Enter a date between %(earliest)s and %(latest)s.")
    code = "date_window"

    def __call__(self, value):
        if value is None:
            return
        day = local_day(value)
        if not EARLIEST <= day <= LATEST:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"earliest": long_date(EARLIEST), "latest": long_date(LATEST)},
            )

    def __eq__(self, other):
        return isinstance(other, WindowValidator)

    def __hash__(self):
        return hash(self.code)


validate_in_window = WindowValidator()


def window_constraint(field, *, name, instant=False, nullable=False):
    """The database's check that ``field`` is inside the window (``instant`` for a date-time)."""
    low, high = (EARLIEST_INSTANT, LATEST_INSTANT) if instant else (EARLIEST, LATEST)
    condition = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return CheckConstraint(condition=condition, name=name)


class DateInput(forms.DateInput):
    """A native date picker (ISO value), bounded to the window."""

    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        attrs = {"min": EARLIEST.isoformat(), "max": LATEST.isoformat(), **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%d", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    """A native date and time picker, bounded to the window; the value is read in the current
    time zone (Paris)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, **kwargs):
        attrs = {"min": f"{EARLIEST.isoformat()}T00:00", "max": f"{LATEST.isoformat()}T23:59", **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M", **kwargs)


class DateField(forms.DateField):
    """A form date field with the window's validator and the bounded picker."""

    widget = DateInput
    default_validators = [validate_in_window]


class DateTimeField(forms.DateTimeField):
    """A form date-time field with the window's validator and the bounded picker."""

    widget = DateTimeLocalInput
    default_validators = [validate_in_window]
