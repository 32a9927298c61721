"""Password validators (AUTH_PASSWORD_VALIDATORS): common passwords in French too, runs of
characters, and 16 characters for the privileged accounts (ANSSI's rule for administrators)."""

import re
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .security import is_privileged

DJANGO_LIST = Path(password_validation.__file__).resolve().parent / "common-passwords.txt.gz"
FRENCH_LIST = Path(__file__).resolve().parent / "data" / "common-passwords-fr.txt.gz"  # see data/README.md

# Digits, symbols and spaces around a word: "motdepasse12", "2024soleil!" -> the word.
AROUND_A_WORD = re.compile(r"^[\W\d_]+|[\W\d_]+$")
SHORTEST_CORE = 4

# Runs read forwards or backwards: the alphabet, the digits, and the rows of the French (AZERTY)
# and English (QWERTY) keyboards, digits row of the AZERTY keyboard unshifted included.
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "1234567890",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "&é\"'(-è_çà",
)
RUNS = SEQUENCES + tuple(sequence[::-1] for sequence in SEQUENCES)


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of common passwords and the French one, for the password and for its core
    (the password without the digits and symbols around it: "motdepasse12" is "motdepasse")."""

    def __init__(self, password_list_paths=(DJANGO_LIST, FRENCH_LIST)):
        passwords = set()
        for path in password_list_paths:
            super().__init__(password_list_path=path)
            passwords |= self.passwords
        self.passwords = passwords

    def validate(self, password, user=None):
        super().validate(password, user)
        core = AROUND_A_WORD.sub("", password.lower().strip())
        if len(core) >= SHORTEST_CORE:
            super().validate(core, user)

    def get_help_text(self):
        return _("Your password cannot be a common password, French ones included, even with digits or symbols added.")


def characters_in_runs(password, shortest=4):
    """How many characters of ``password`` are in runs of at least ``shortest`` characters: one
    character repeated (aaaa), or a piece of a sequence of RUNS (1234, dcba, azer)."""
    text = password.lower()
    covered = 0
    start = 0
    while start < len(text):
        end = start + 1
        while end < len(text) and text[end] == text[start]:
            end += 1
        if end - start < shortest:
            end = start + 1
            while end < len(text) and any(text[start : end + 1] in run for run in RUNS):
                end += 1
        if end - start >= shortest:
            covered += end - start
            start = end
        else:
            start += 1
    return covered


class SequenceValidator:
    """Refuses a password that is mostly runs (aaaa, 1234, abcd, azerty): fewer than
    ``min_other`` characters left once the runs of 4 or more are taken out."""

    def __init__(self, min_other=8):
        self.min_other = min_other

    def validate(self, password, user=None):
        if len(password) - characters_in_runs(password) < self.min_other:
            raise ValidationError(
                _(
                    "This password is mostly repeated or sequential characters or keyboard runs "
                    "(aaaa, 1234, abcd, azerty)."
                ),
                code="password_sequential",
            )

    def get_help_text(self):
        return _("Your password cannot be mostly repeated or sequential characters or keyboard runs (aaaa, 1234).")


class PrivilegedMinimumLengthValidator:
    """``min_length`` characters for network admins and incubator managers (ANSSI: 16 for the
    accounts that administer a system); the others keep MinimumLengthValidator's minimum."""

    def __init__(self, min_length=16):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length and is_privileged(user):
            raise ValidationError(
                ngettext(
                    "Network admins and incubator managers need a password of at least %(min_length)d character.",
                    "Network admins and incubator managers need a password of at least %(min_length)d characters.",
                    self.min_length,
                ),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self):
        return ngettext(
            "Network admins and incubator managers: at least %(min_length)d character.",
            "Network admins and incubator managers: at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
