"""The application's state machine, the deadline, the draw and onboarding."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from calls import services
from calls.models import Application, Call, Pitch
from calls.tests.factories import ApplicationFactory, CallFactory, days_from_now
from incubator.models import OutboxMessage
from incubator.tests.services import require_postgres
from portfolio.models import Phase, Startup

pytestmark = pytest.mark.django_db
S = Application.Status


def test_submit_moves_a_draft_to_submitted_and_acknowledges_it(member_a):
    application = ApplicationFactory()

    services.submit(application=application, actor=application.applicant)

    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.submitted_at is not None
    message = OutboxMessage.objects.get(idempotency_key=f"application:{application.pk}:submitted")
    assert message.to == [application.applicant.email]
    assert application.call.title in message.subject
    assert "/candidatures/" in message.body_text


def test_nothing_is_submitted_or_saved_after_the_deadline():
    application = ApplicationFactory(call=CallFactory(closes_at=days_from_now(-1), opens_at=days_from_now(-30)))

    with pytest.raises(ValidationError) as error:
        services.submit(application=application, actor=application.applicant)
    with pytest.raises(ValidationError):
        services.save_draft(
            application=application, actor=application.applicant, values={"problem": "Changé après la date limite"}
        )

    assert error.value.code == "closed"
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.problem.startswith("Les usagers")


def test_an_autosave_racing_a_submit_keeps_the_submitted_version():
    application = ApplicationFactory(problem="Version soumise")
    services.submit(application=application, actor=application.applicant)

    saved = services.save_draft(
        application=application, actor=application.applicant, values={"problem": "Brouillon arrivé après la soumission"}
    )

    assert saved is False
    assert Application.objects.get(pk=application.pk).problem == "Version soumise"


def test_a_transition_outside_the_map_is_refused_and_changes_nothing():
    application = ApplicationFactory()

    with pytest.raises(ValidationError) as error:
        services.transition_application(application=application, to=S.LAUREATE, actor=None)

    assert error.value.code == "transition"
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_withdrawn_application_leaves_the_jury_lists(member_b):
    call = CallFactory()
    call.jurors.add(member_b)
    application = ApplicationFactory(call=call)
    services.submit(application=application, actor=application.applicant)
    assert list(Application.objects.for_jury(member_b)) == [application]

    services.withdraw(application=application, actor=application.applicant)

    assert list(Application.objects.for_jury(member_b)) == []


def test_the_pitch_draw_is_reproducible_from_its_seed(member_a):
    call = CallFactory()
    applications = ApplicationFactory.create_batch(6, call=call, status=S.SHORTLISTED)

    services.draw_pitches(call=call, actor=member_a)

    call.refresh_from_db()
    drawn = list(
        Pitch.objects.filter(application__call=call).order_by("order").values_list("application_id", flat=True)
    )
    assert drawn == services.pitch_order(call.draw_seed, [a.pk for a in applications])
    starts = list(Pitch.objects.filter(application__call=call).order_by("order").values_list("starts_at", flat=True))
    assert starts[1] - starts[0] == datetime.timedelta(minutes=call.pitch_minutes + call.questions_minutes)
    with pytest.raises(ValidationError):
        services.draw_pitches(call=call, actor=member_a)


def test_onboarding_creates_exactly_one_product_in_investigation(member_a):
    application = ApplicationFactory(status=S.COMMITMENT_SIGNED)

    first = services.onboard(application=application, actor=member_a, name="Suivi des dossiers")
    second = services.onboard(
        application=Application.objects.get(pk=application.pk), actor=member_a, name="Suivi des dossiers"
    )

    assert first == second
    assert Startup.objects.count() == 1
    startup = Startup.objects.get()
    assert startup.phase == Phase.INVESTIGATION
    assert startup.incubator == application.call.incubator
    assert list(startup.team.values_list("user", "role")) == [(application.applicant.pk, "intrapreneur")]
    assert "Les usagers attendent trois mois" in startup.description
    start = startup.periods.get().start
    assert startup.next_committee_due == start + datetime.timedelta(weeks=9)
    assert Application.objects.get(pk=application.pk).status == S.ONBOARDED


def test_only_a_signed_laureate_is_onboarded(member_a):
    application = ApplicationFactory(status=S.LAUREATE)

    with pytest.raises(ValidationError):
        services.onboard(application=application, actor=member_a, name="Trop tôt")

    assert not Startup.objects.exists()


def test_open_calls_are_published_and_between_their_dates():
    open_call = CallFactory()
    CallFactory(status=Call.Status.DRAFT)
    CallFactory(opens_at=days_from_now(5), closes_at=days_from_now(30))
    CallFactory(opens_at=days_from_now(-30), closes_at=days_from_now(-1))

    assert list(Call.objects.open()) == [open_call]


@pytest.mark.django_db(transaction=True)
def test_an_autosave_arriving_during_the_submission_waits_and_changes_nothing():
    """PostgreSQL, two connections: the submission holds the row lock; the autosave's conditional
    UPDATE waits for it, then finds the application no longer a draft."""
    require_postgres()
    application = ApplicationFactory(problem="Brouillon")
    outcome = {}

    def autosave():
        try:
            outcome["saved"] = services.save_draft(
                application=application, actor=application.applicant, values={"problem": "Autosave tardif"}
            )
        finally:
            connection.close()

    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        Application.objects.filter(pk=locked.pk).update(problem="Version soumise", status=S.SUBMITTED)
        thread = threading.Thread(target=autosave)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # the autosave waits for the submission's lock
    thread.join(timeout=10)

    assert outcome == {"saved": False}
    assert Application.objects.get(pk=application.pk).problem == "Version soumise"
