"""Validators and input clean-ups that any app's models and forms use.

- ``CodeListValidator(choices)``: a JSON list whose every item is a value of ``choices`` (a
  ``TextChoices`` class), for the multiple-choice vocabularies stored as JSON lists;
- ``https_by_default``: a model form's ``formfield_callback`` that reads a URL typed without a
  scheme (``beta.gouv.fr``) as ``https://``.

The date window's validator is in ``incubator.dates``, the uploads' checks in ``incubator.uploads``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible
class CodeListValidator:
    """Validates a JSON list of codes taken from one fixed vocabulary (``choices``, a TextChoices class)."""

    def __init__(self, choices):
        self.choices = choices

    def __call__(self, value):
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of values."))
        codes = self.choices.values
        unknown = [str(code) for code in value if code not in codes]
        if unknown:
            raise ValidationError(_("Unknown values: %(values)s"), params={"values": ", ".join(unknown)})

    def __eq__(self, other):
        return isinstance(other, CodeListValidator) and other.choices is self.choices

    def __hash__(self):
        return hash((CodeListValidator, self.choices.__qualname__))


def https_by_default(db_field, **kwargs):
    """Model form fields, with URLs typed without a scheme read as https://."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)
