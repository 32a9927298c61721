"""What the tests of the to-do sources ("Mon espace", ``incubator.registry.TodoSource``) share: a
morning in Paris, the items in their source strings, and the items of one source."""

import datetime
import zoneinfo

from django.utils import translation

from incubator import registry

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 6, 5)


def paris(*args):
    """An aware date-time, Paris time."""
    return datetime.datetime(*args, tzinfo=PARIS)


def on_the_day(time_machine, day=TODAY):
    """A fixture's body: 10:00 in Paris on ``day``, the items in English (their source strings; the
    French catalogue is merged apart)."""
    time_machine.move_to(paris(day.year, day.month, day.day, 10), tick=False)
    with translation.override("en"):
        yield


def source_items(key, user, today=TODAY):
    """The items the registered to-do source ``key`` gives ``user`` on ``today``."""
    source = next(source for source in registry.todo_sources() if source.key == key)
    return list(source.items(user, today))
