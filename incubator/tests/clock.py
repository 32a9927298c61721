"""Stopped clocks of the tests (time_machine): ``frozen = frozen_at(FRIDAY_NOON)`` gives a test
module its ``frozen`` fixture (``autouse=True``: every test of the module)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

PARIS = ZoneInfo("Europe/Paris")
# Friday 20 March 2026, noon in Paris: the committees' cadence and the product pages' events and flags.
FRIDAY_NOON = datetime.datetime(2026, 3, 20, 12, 0, tzinfo=PARIS)
# Monday 16 March 2026, 9:00 in Paris: the to-do lists of "Mon espace" (their ``TODAY``).
MONDAY_MORNING = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=PARIS)


def frozen_at(moment, *, autouse=False):
    """A ``frozen`` fixture: the clock stopped at ``moment``."""

    @pytest.fixture(autouse=autouse)
    def frozen(time_machine):
        time_machine.move_to(moment, tick=False)

    return frozen
