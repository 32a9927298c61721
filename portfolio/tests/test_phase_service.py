import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from incubator.tests.services import require_postgres
from portfolio.models import Phase, PhasePeriod, Startup
from portfolio.services import change_phase
from portfolio.signals import phase_changed
from portfolio.tests.factories import StartupFactory

D = datetime.date


def periods_of(startup):
    return list(startup.periods.order_by("start").values_list("phase", "start", "end", "is_override"))


@pytest.mark.django_db
def test_forward_move_closes_the_open_period_and_opens_the_next_on_the_same_date(member_a):
    startup = StartupFactory(phase=Phase.INVESTIGATION, phase_start=D(2025, 1, 6))

    period = change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=D(2025, 3, 10), actor=member_a)

    assert periods_of(startup) == [
        ("investigation", D(2025, 1, 6), D(2025, 3, 10), False),
        ("construction", D(2025, 3, 10), None, False),
    ]
    assert period.decided_by == member_a
    startup.refresh_from_db()
    assert startup.phase == Phase.CONSTRUCTION


@pytest.mark.django_db
def test_investigation_may_end_in_abandon_investigation():
    startup = StartupFactory(phase=Phase.INVESTIGATION, phase_start=D(2025, 1, 6))

    change_phase(startup=startup, phase=Phase.ABANDONED_INVESTIGATION, start=D(2025, 3, 10), actor=None)

    assert periods_of(startup)[-1] == ("abandon-investigation", D(2025, 3, 10), None, False)
    assert Startup.objects.get(pk=startup.pk).phase == "abandon-investigation"


@pytest.mark.django_db
def test_override_with_a_reason_is_recorded_as_such(member_a):
    startup = StartupFactory(phase=Phase.CONSOLIDATION, phase_start=D(2025, 1, 6))

    period = change_phase(
        startup=startup,
        phase=Phase.ACCELERATION,
        start=D(2025, 5, 14),
        actor=member_a,
        reason="Nouvelle phase d'accélération après un pivot validé en comité.",
        may_override=True,
    )

    assert period.is_override is True
    assert period.comment == "Nouvelle phase d'accélération après un pivot validé en comité."
    assert periods_of(startup) == [
        ("consolidation", D(2025, 1, 6), D(2025, 5, 14), False),
        ("acceleration", D(2025, 5, 14), None, True),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("may_override", "reason", "message"),
    [
        (True, "  ", "« Consolidation » à la phase « Accélération » sort du parcours habituel : indiquez-en le motif."),
        (False, "Une raison", "seul un responsable de l'incubateur du produit peut l'effectuer."),
    ],
)
def test_illegal_move_is_refused_in_french_and_changes_nothing(may_override, reason, message):
    startup = StartupFactory(phase=Phase.CONSOLIDATION, phase_start=D(2025, 1, 6))
    before = periods_of(startup)

    with pytest.raises(ValidationError) as error:
        change_phase(
            startup=startup,
            phase=Phase.ACCELERATION,
            start=D(2025, 5, 14),
            actor=None,
            reason=reason,
            may_override=may_override,
        )

    assert message in error.value.messages[0]
    assert periods_of(startup) == before
    assert Startup.objects.get(pk=startup.pk).phase == Phase.CONSOLIDATION


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phase", "start", "message"),
    [
        (Phase.CONSTRUCTION, D(2025, 1, 6), "La nouvelle phase doit commencer après la phase en cours"),
        (Phase.CONSTRUCTION, D(2099, 1, 1), "Une phase ne peut pas commencer à une date future."),
        (Phase.INVESTIGATION, D(2025, 3, 1), "Le produit est déjà dans cette phase."),
    ],
)
def test_bad_dates_and_same_phase_are_refused(phase, start, message):
    startup = StartupFactory(phase=Phase.INVESTIGATION, phase_start=D(2025, 1, 6))

    with pytest.raises(ValidationError) as error:
        change_phase(startup=startup, phase=phase, start=start, actor=None)

    assert message in error.value.messages[0]
    assert startup.periods.count() == 1


@pytest.mark.django_db
def test_database_refuses_a_second_open_period():
    startup = StartupFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PhasePeriod.objects.create(startup=startup, phase=Phase.CONSTRUCTION, start=D(2025, 2, 1))


@pytest.mark.django_db
def test_database_refuses_an_end_before_the_start():
    startup = StartupFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        startup.periods.update(end=D(2024, 1, 1))


@pytest.mark.django_db
def test_postgresql_refuses_overlapping_periods():
    require_postgres()
    startup = StartupFactory(phase_start=D(2025, 1, 6))
    startup.periods.update(end=D(2025, 6, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        PhasePeriod.objects.create(startup=startup, phase=Phase.CONSTRUCTION, start=D(2025, 3, 1), end=D(2025, 4, 1))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_phase_changes_leave_exactly_one_open_period():
    require_postgres()
    startup = StartupFactory(phase=Phase.CONSTRUCTION, phase_start=D(2025, 1, 6))
    barrier = threading.Barrier(2)
    outcomes = []

    def move(phase, start):
        try:
            barrier.wait(timeout=10)
            change_phase(startup=Startup.objects.get(pk=startup.pk), phase=phase, start=start, actor=None)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(Phase.ACCELERATION, D(2025, 6, 2))),
        threading.Thread(target=move, args=(Phase.ACCELERATION, D(2025, 6, 3))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["Le produit est déjà dans cette phase.", "ok"]
    assert startup.periods.filter(end__isnull=True).count() == 1
    assert startup.periods.count() == 2
    assert Startup.objects.get(pk=startup.pk).phase == Phase.ACCELERATION


@pytest.mark.django_db
def test_change_phase_announces_the_move_inside_its_transaction(member_a):
    """``signals.phase_changed``: what a receiver writes stays or goes with the move."""
    startup = StartupFactory(phase=Phase.INVESTIGATION, phase_start=D(2025, 1, 6))
    heard = []

    def receiver(sender, **kwargs):
        heard.append({**kwargs, "savepoints": len(connection.savepoint_ids), "phase_now": kwargs["startup"].phase})

    outside = len(connection.savepoint_ids)
    phase_changed.connect(receiver, dispatch_uid="test-phase-changed")
    try:
        period = change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=D(2025, 3, 10), actor=member_a)
    finally:
        phase_changed.disconnect(dispatch_uid="test-phase-changed")

    (event,) = heard
    assert (event["startup"], event["phase"], event["start"], event["actor"], event["period"]) == (
        startup,
        Phase.CONSTRUCTION,
        D(2025, 3, 10),
        member_a,
        period,
    )
    assert event["savepoints"] == outside + 1  # inside change_phase's atomic block
    assert event["phase_now"] == Phase.CONSTRUCTION


@pytest.mark.django_db
def test_a_receiver_that_fails_rolls_the_move_back():
    startup = StartupFactory(phase=Phase.INVESTIGATION, phase_start=D(2025, 1, 6))

    def receiver(sender, **kwargs):
        raise RuntimeError("refused downstream")

    phase_changed.connect(receiver, dispatch_uid="test-phase-changed-fails")
    try:
        with pytest.raises(RuntimeError):
            change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=D(2025, 3, 10), actor=None)
    finally:
        phase_changed.disconnect(dispatch_uid="test-phase-changed-fails")

    assert periods_of(startup) == [("investigation", D(2025, 1, 6), None, False)]
    assert Startup.objects.get(pk=startup.pk).phase == Phase.INVESTIGATION
