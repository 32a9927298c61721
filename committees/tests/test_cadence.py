"""The committee cadence (committees/cadence.py): the due date follows from the record.

Each rule of issue 11 item 1, with time moved by time-machine: the last held committee's decision
+ granted months (6 by default); an investigation with no committee yet: its start + 9 weeks; an
ended product has none; a product reactivated from an ended phase gets one; recomputed whenever a
committee, a decision or a phase changes; the manual override kept with its reason.
"""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import gettext

from committees import cadence
from committees.admin import DecisionAdmin
from committees.contributions import product_committees, with_first_phase_start, with_schedule
from committees.models import Committee, Decision
from committees.services import record_decision
from committees.tests.factories import CommitteeFactory, DecisionFactory, paris
from committees.views import overdue_startups
from incubator.models import User
from incubator.tests.clock import FRIDAY_NOON, PARIS, frozen_at
from portfolio.models import Phase, PhasePeriod, Startup
from portfolio.services import change_phase, create_startup
from portfolio.tests.factories import StartupFactory

D = datetime.date


frozen = frozen_at(FRIDAY_NOON)


def due_of(startup):
    return Startup.objects.get(pk=startup.pk).next_committee_due


def last_record(startup):
    """The product's latest history record (time is frozen: by id, not by date)."""
    return Startup.history.filter(id=startup.pk).order_by("-history_id").first()


def held(startup, day, *, actor=None, outcome=Decision.Outcome.CONTINUE, months=None, next_phase="", reason=""):
    """A committee of ``startup`` on ``day`` at 14:00 whose decision is recorded by the service."""
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(day, 14))
    return record_decision(
        committee=committee,
        actor=actor,
        outcome=outcome,
        decided_on=day,
        granted_months=months,
        next_phase=next_phase,
        beyond_rule_reason=reason,
    )


# The rule itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "phase_start", "decided_on", "months", "due"),
    [
        # The last decision in the current phase: its date + the months granted, 6 by default.
        (Phase.CONSTRUCTION, D(2025, 1, 6), D(2026, 3, 16), 9, D(2026, 12, 16)),
        (Phase.CONSTRUCTION, D(2025, 1, 6), D(2026, 3, 16), None, D(2026, 9, 16)),
        (Phase.ACCELERATION, D(2026, 3, 16), D(2026, 3, 16), 6, D(2026, 9, 16)),  # the decision moved it
        # An investigation with no committee yet: its start + 9 weeks.
        (Phase.INVESTIGATION, D(2026, 3, 2), None, None, D(2026, 5, 4)),
        # Another phase entered with no committee (a move by hand, a reactivation): its start + 6 months.
        (Phase.CONSTRUCTION, D(2026, 2, 1), None, None, D(2026, 8, 1)),
        (Phase.CONSTRUCTION, D(2026, 2, 1), D(2025, 11, 3), 12, D(2026, 8, 1)),  # a decision of an earlier phase
        # An ended product has none.
        (Phase.TRANSFERRED, D(2026, 1, 5), D(2026, 1, 5), 6, None),
        (Phase.ABANDONED, D(2026, 1, 5), None, None, None),
        (Phase.ABANDONED_INVESTIGATION, D(2026, 1, 5), D(2026, 1, 5), 6, None),
    ],
)
def test_due_from_follows_the_record(phase, phase_start, decided_on, months, due):
    assert cadence.due_from(phase=phase, phase_start=phase_start, decided_on=decided_on, granted_months=months) == due


def test_due_from_uses_nine_weeks_for_an_investigation():
    assert datetime.timedelta(weeks=9) == cadence.END_OF_INVESTIGATION_AFTER


# Recomputed on a phase change ----------------------------------------------------------------


@pytest.mark.django_db
def test_change_phase_into_investigation_sets_the_committee_due_nine_weeks_later(frozen, incubator_a):
    startup = Startup.objects.create(
        slug="nouvelle-idee", name="Nouvelle idée", pitch="Une idée.", incubator=incubator_a
    )

    change_phase(startup=startup, phase=Phase.INVESTIGATION, start=D(2026, 3, 2), actor=None)

    startup.refresh_from_db()
    assert (startup.phase, startup.next_committee_due) == (Phase.INVESTIGATION, D(2026, 5, 4))


@pytest.mark.django_db
def test_create_startup_in_investigation_is_due_nine_weeks_later_and_says_why(frozen, incubator_a, member_a):
    startup = Startup(slug="idee", name="Idée", pitch="Une idée.", incubator=incubator_a)

    create_startup(startup=startup, phase=Phase.INVESTIGATION, start=D(2026, 3, 2), actor=member_a)

    assert startup.next_committee_due == D(2026, 5, 4)  # the caller's instance too
    last = last_record(startup)
    assert (last.next_committee_due, last.history_change_reason, last.history_user) == (
        D(2026, 5, 4),
        gettext("Phase change"),
        member_a,
    )


@pytest.mark.django_db
def test_a_phase_entered_by_hand_is_due_six_months_after_it_began(frozen, incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2025, 12, 1))

    change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=D(2026, 2, 9), actor=member_a)

    assert due_of(startup) == D(2026, 8, 9)


@pytest.mark.django_db
def test_an_ended_product_has_no_due_date(frozen, incubator_a, member_a):
    startup = StartupFactory(
        incubator=incubator_a, phase=Phase.ACCELERATION, phase_start=D(2025, 1, 6), next_committee_due=D(2026, 6, 1)
    )

    change_phase(startup=startup, phase=Phase.TRANSFERRED, start=D(2026, 3, 2), actor=member_a)

    assert due_of(startup) is None


@pytest.mark.django_db
def test_a_product_reactivated_from_an_ended_phase_gets_a_due_date(frozen, incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION, phase_start=D(2024, 1, 8))
    held(startup, D(2024, 7, 1), outcome=Decision.Outcome.STOP)
    assert due_of(startup) is None

    change_phase(
        startup=startup,
        phase=Phase.CONSTRUCTION,
        start=D(2026, 3, 2),
        actor=member_a,
        reason="Reprise du produit par un nouveau sponsor.",
        may_override=True,
    )

    assert due_of(startup) == D(2026, 9, 2)  # the reactivation's start + 6 months, not the stop's


@pytest.mark.django_db
def test_a_refused_phase_change_leaves_the_due_date_alone(frozen, incubator_a, member_a):
    startup = StartupFactory(
        incubator=incubator_a, phase=Phase.CONSTRUCTION, phase_start=D(2025, 1, 6), next_committee_due=D(2026, 6, 1)
    )

    with pytest.raises(ValidationError):
        change_phase(startup=startup, phase=Phase.CONSOLIDATION, start=D(2026, 3, 2), actor=member_a)

    assert due_of(startup) == D(2026, 6, 1)


# Recomputed on a decision --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_last_held_committee_sets_the_due_date(frozen, startup_a, member_a):
    held(startup_a, D(2025, 7, 7), actor=member_a, months=12, reason="Marché public à passer.")
    assert due_of(startup_a) == D(2026, 7, 7)

    held(startup_a, D(2026, 3, 16), actor=member_a)  # a later committee moves it (the demo never did)

    assert due_of(startup_a) == D(2026, 9, 16)
    last = last_record(startup_a)
    assert (last.history_change_reason, last.history_user) == (gettext("Committee decision"), member_a)


@pytest.mark.django_db
def test_a_decision_that_moves_the_phase_counts_from_its_date(frozen, startup_a, member_a):
    held(startup_a, D(2026, 3, 16), actor=member_a, outcome=Decision.Outcome.NEXT_PHASE, next_phase=Phase.ACCELERATION)

    assert due_of(startup_a) == D(2026, 9, 16)
    last = last_record(startup_a)
    assert last.history_change_reason == gettext("Committee decision")


@pytest.mark.django_db
def test_a_planned_or_cancelled_committee_does_not_move_the_due_date(frozen, startup_a, member_a):
    held(startup_a, D(2025, 12, 1), actor=member_a)
    CommitteeFactory(startup=startup_a, scheduled_at=paris(D(2026, 3, 19)))  # awaiting its decision
    CommitteeFactory(startup=startup_a, scheduled_at=paris(D(2026, 4, 20)), status=Committee.Status.CANCELLED)

    assert cadence.next_committee_due(startup_a) == D(2026, 6, 1) == due_of(startup_a)


@pytest.mark.django_db
def test_a_stop_decision_ends_the_cadence(frozen, startup_a, member_a):
    held(startup_a, D(2026, 3, 16), actor=member_a, outcome=Decision.Outcome.STOP)

    assert due_of(startup_a) is None


@pytest.mark.django_db
def test_a_decision_loaded_after_the_stop_it_made_moves_nothing(frozen, incubator_a):
    """A past stop decision imported once the product's history is loaded (the demo's sample)."""
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2025, 9, 1))
    change_phase(startup=startup, phase=Phase.ABANDONED_INVESTIGATION, start=D(2025, 11, 3), actor=None)

    held(startup, D(2025, 11, 3), outcome=Decision.Outcome.STOP)

    assert list(startup.periods.order_by("start").values_list("phase", flat=True)) == [
        Phase.INVESTIGATION,
        Phase.ABANDONED_INVESTIGATION,
    ]
    assert due_of(startup) is None


# The manual override and the admin -----------------------------------------------------------


@pytest.mark.django_db
def test_the_manual_due_date_is_kept_with_its_reason_until_the_record_changes(frozen, startup_a, member_a):
    held(startup_a, D(2025, 12, 1), actor=member_a)

    cadence.set_due_date(
        startup=startup_a, due=D(2026, 7, 15), actor=member_a, reason="Budget prolongé", beyond_rule_reason="Budget."
    )

    assert due_of(startup_a) == D(2026, 7, 15)
    last = last_record(startup_a)
    assert (last.history_change_reason, last.history_user) == ("Budget prolongé", member_a)

    held(startup_a, D(2026, 3, 16), actor=member_a, months=3)

    assert due_of(startup_a) == D(2026, 6, 16)


@pytest.mark.django_db
def test_refresh_writes_nothing_when_the_date_stands(frozen, startup_a, member_a, django_assert_num_queries):
    held(startup_a, D(2026, 3, 16), actor=member_a)
    records = startup_a.history.count()

    with django_assert_num_queries(3):  # the product, locked, with its record, in one query (and a savepoint)
        due = cadence.refresh_due_date(startup=startup_a, actor=member_a, reason="Rien")

    assert due == D(2026, 9, 16)
    assert startup_a.history.count() == records


@pytest.mark.django_db
def test_deleting_the_last_decision_in_the_admin_recomputes_the_due_date(frozen, startup_a, member_a, network_admin):
    held(startup_a, D(2025, 12, 1), actor=member_a)
    last = held(startup_a, D(2026, 3, 16), actor=member_a)
    request = RequestFactory().post("/")
    request.user = network_admin

    DecisionAdmin(Decision, site).delete_model(request, last)

    assert due_of(startup_a) == D(2026, 6, 1)


@pytest.mark.django_db
def test_refresh_all_recomputes_many_products_in_two_queries(frozen, incubator_a, django_assert_num_queries):
    investigating = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2026, 3, 2))
    decided = StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION, phase_start=D(2025, 1, 6))
    DecisionFactory(committee__startup=decided, committee__scheduled_at=paris(D(2026, 1, 12)), granted_months=12)
    stopped = StartupFactory(incubator=incubator_a, phase=Phase.ABANDONED, next_committee_due=D(2026, 1, 1))

    with django_assert_num_queries(2):
        assert cadence.refresh_all(Startup.objects.all()) == 3

    assert [due_of(s) for s in (investigating, decided, stopped)] == [D(2026, 5, 4), D(2027, 1, 12), None]


# The demo data ---------------------------------------------------------------------------------


@pytest.fixture
def seeded_on_december_first(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(datetime.datetime(2026, 12, 1, 9, 30, tzinfo=PARIS), tick=False)
    call_command("seed_demo")


@pytest.mark.django_db
def test_seed_demo_due_dates_follow_the_sample_committees(seeded_on_december_first):
    startups = {startup.slug: startup for startup in with_schedule(Startup.objects.all())}

    pitchou, zlv = startups["pitchou"], startups["zero-logement-vacant"]
    assert (pitchou.next_committee_due, pitchou.is_overdue) == (D(2027, 1, 8), False)
    assert (zlv.next_committee_due, zlv.is_overdue) == (D(2026, 12, 11), False)
    # No product whose last committee (held, or awaiting its decision) is under 6 months old shows
    # as overdue: not in the portfolio, not in the calendar's overdue list.
    calendar = {startup.slug for startup in overdue_startups(User.objects.get(email="admin@demo.incubateurs.example"))}
    took_place = Committee.objects.exclude(status=Committee.Status.CANCELLED).filter(scheduled_at__lte=timezone.now())
    recent = {c.startup.slug for c in took_place.select_related("startup") if c.local_date >= D(2026, 6, 1)}
    assert {"pitchou", "zero-logement-vacant", "voirie-en-ligne", "cantine-locale"} <= recent
    for slug in recent:
        assert not startups[slug].is_overdue, slug
        assert slug not in calendar, slug
    assert calendar  # the products with no committee in their phase for long are listed
    # Every sample decision went through the service: the committee is held, a stop made no extra move.
    assert not Committee.objects.filter(decision__isnull=False).exclude(status=Committee.Status.HELD).exists()
    andv = Decision.objects.get(committee__startup__slug="andv-aerien")
    assert andv.outcome == Decision.Outcome.STOP
    assert PhasePeriod.objects.get(startup__slug="andv-aerien", end__isnull=True).decision_id == andv.pk
    assert startups["andv-aerien"].next_committee_due is None


# The cadence audit (issue 11 item 2) -----------------------------------------------------------


def test_gaps_of_flags_what_is_past_six_months_from_the_first_phase_start_and_between_committees():
    gaps = cadence.gaps_of(
        committee_days=[D(2024, 1, 10), D(2023, 11, 27), D(2024, 9, 1)], first_phase_start=D(2023, 2, 1)
    )

    assert [(g.start, g.end, g.months, g.from_phase_start, g.too_long) for g in gaps] == [
        (D(2023, 2, 1), D(2023, 11, 27), 9.8, True, True),
        (D(2023, 11, 27), D(2024, 1, 10), 1.4, False, False),
        (D(2024, 1, 10), D(2024, 9, 1), 7.7, False, True),
    ]
    assert cadence.gaps_of(committee_days=[], first_phase_start=D(2023, 2, 1)) == []


@pytest.mark.django_db
def test_seed_demo_flags_the_gaps_of_pitchous_real_history(seeded_on_december_first):
    pitchou = Startup.objects.get(slug="pitchou")

    gaps = cadence.cadence_gaps(pitchou)

    assert [g.months for g in gaps if g.too_long] == [7.4, 7.2, 11.7]
    assert [g.months for g in gaps if not g.too_long] == [4.9, 5.0]


@pytest.mark.django_db
def test_the_committees_panel_shows_pitchous_cadence_strip_with_its_long_gaps(seeded_on_december_first):
    pitchou = with_first_phase_start(Startup.objects.filter(slug="pitchou")).get()  # as the product page reads it
    admin = User.objects.get(email="admin@demo.incubateurs.example")

    panel = render_to_string(
        "committees/includes/_product_committees.html", {"startup": pitchou, **product_committees(pitchou, admin)}
    )

    assert 'id="cadence"' in panel
    assert panel.count("cadence-gap--too-long") == 3
