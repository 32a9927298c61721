"""A committee's status: one map (``Committee.TRANSITIONS``), one writer
(``services.transition_committee``), read-only in the admin, asked by properties in the templates."""

import ast
import datetime
import zoneinfo
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils.translation import gettext

from committees.models import CalendarFeed, Committee
from committees.services import cancel_committee, transition_committee
from committees.tests.factories import CommitteeFactory, paris

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
S = Committee.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 20, 12, 0, tzinfo=PARIS), tick=False)


def test_the_map_lets_a_planned_committee_be_held_or_cancelled_and_nothing_after():
    assert {S.PLANNED: {S.HELD, S.CANCELLED}, S.HELD: set(), S.CANCELLED: set()} == Committee.TRANSITIONS
    assert set(Committee.TRANSITIONS) == set(S)


@pytest.mark.parametrize(
    ("status", "to", "code", "message"),
    [
        (S.HELD, S.CANCELLED, "status", "Only a planned committee can be cancelled."),
        (S.CANCELLED, S.CANCELLED, "status", "Only a planned committee can be cancelled."),
        (S.CANCELLED, S.HELD, "status", "Only a planned committee can receive its decision."),
        (S.HELD, S.HELD, "status", "Only a planned committee can receive its decision."),
    ],
)
def test_a_move_outside_the_map_is_refused_and_changes_nothing(frozen, member_a, status, to, code, message):
    committee = CommitteeFactory(scheduled_at=paris(datetime.date(2026, 3, 16)), status=status)
    records = committee.history.count()

    with pytest.raises(ValidationError) as refused:
        transition_committee(committee=committee, to=to, actor=member_a)

    assert (refused.value.code, refused.value.messages) == (code, [gettext(message)])
    committee.refresh_from_db()
    assert committee.status == status
    assert committee.history.count() == records


def test_cancel_moves_the_status_records_the_actor_and_updates_the_instance(frozen, member_a):
    committee = CommitteeFactory(scheduled_at=paris(datetime.date(2026, 4, 2)))

    cancel_committee(committee=committee, actor=member_a)

    assert committee.status == S.CANCELLED
    last = committee.history.order_by("-history_id").first()
    assert (last.status, last.history_user) == (S.CANCELLED, member_a)


@pytest.mark.parametrize(
    ("status", "day", "expected"),
    [
        # is_planned, is_held, is_cancelled, awaits_decision, can_record_decision, can_cancel, accepts_documents
        (S.PLANNED, datetime.date(2026, 4, 2), (True, False, False, False, False, True, True)),
        (S.PLANNED, datetime.date(2026, 3, 16), (True, False, False, True, True, True, True)),
        (S.HELD, datetime.date(2026, 3, 16), (False, True, False, False, False, False, True)),
        (S.CANCELLED, datetime.date(2026, 3, 16), (False, False, True, False, False, False, False)),
    ],
)
def test_the_properties_the_templates_ask(frozen, status, day, expected):
    committee = CommitteeFactory(scheduled_at=paris(day), status=status)

    assert (
        committee.is_planned,
        committee.is_held,
        committee.is_cancelled,
        committee.awaits_decision,
        committee.can_record_decision,
        committee.can_cancel,
        committee.accepts_documents,
    ) == expected


def status_writes(node):
    """The ``x.status = value`` of an assignment, but a copy of another row's status (a caller's
    instance brought up to date: ``committee.status = locked.status``)."""
    if not isinstance(node, ast.Assign):
        return []
    pairs = []
    for target in node.targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            pairs += zip(target.elts, node.value.elts, strict=True)
        else:
            pairs.append((target, node.value))
    return [
        target
        for target, value in pairs
        if isinstance(target, ast.Attribute)
        and target.attr == "status"
        and not (isinstance(value, ast.Attribute) and value.attr == "status")
    ]


def test_only_transition_committee_assigns_a_committee_status():
    """No other function of the committees app sets ``<something>.status``."""
    root = Path(__file__).resolve().parents[1]
    writers = set()
    for path in root.glob("*.py"):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(function, ast.FunctionDef) and any(status_writes(node) for node in ast.walk(function)):
                writers.add(f"{path.name}:{function.name}")
    assert writers == {"services.py:transition_committee"}


def test_the_admin_shows_the_status_read_only(network_admin):
    request = RequestFactory().get("/")
    request.user = network_admin
    admin = site._registry[Committee]

    assert "status" in admin.get_readonly_fields(request, CommitteeFactory())


def test_renewing_a_calendar_feed_changes_its_token_and_its_renewal_time(time_machine, member_a):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=PARIS), tick=False)
    feed = CalendarFeed.objects.create(user=member_a, token="ancien-jeton")
    time_machine.move_to(datetime.datetime(2026, 3, 20, 12, 0, tzinfo=PARIS), tick=False)

    feed.renew()

    feed.refresh_from_db()
    assert feed.token != "ancien-jeton"
    assert feed.renewed_at == datetime.datetime(2026, 3, 20, 12, 0, tzinfo=PARIS)
