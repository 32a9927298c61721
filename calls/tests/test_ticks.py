"""The maintained tick count of an application (``Application.tick_count``) and the flat ranking.

The count changes with the vote, in its transaction (F()): a tick, an untick, a conflict of
interest that removes a vote, a vote added or deleted in the admin; two jurors voting at once
both count (PostgreSQL). The ranking reads the count: no grouping, whatever the call's size.
"""

import threading
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls import services
from calls.models import Application, PreselectionVote
from calls.tests.factories import ApplicationFactory, CallFactory
from incubator.tests.factories import UserFactory
from incubator.tests.services import require_postgres

pytestmark = pytest.mark.django_db
S = Application.Status


def ticks_of(application):
    return Application.objects.get(pk=application.pk).tick_count


def votes_of(application):
    return PreselectionVote.objects.filter(application=application).count()


@pytest.fixture
def submitted():
    return ApplicationFactory(status=S.SUBMITTED)


def test_tick_count_follows_ticks_and_unticks(submitted):
    first, second = UserFactory.create_batch(2)

    assert services.toggle_vote(application=submitted, juror=first) is True
    assert services.toggle_vote(application=submitted, juror=second) is True
    assert ticks_of(submitted) == 2

    assert services.toggle_vote(application=submitted, juror=first) is False

    assert ticks_of(submitted) == 1 == votes_of(submitted)


def test_a_conflict_of_interest_takes_the_jurors_tick_off_the_count(submitted):
    voter, conflicted = UserFactory.create_batch(2)
    services.toggle_vote(application=submitted, juror=voter)
    services.toggle_vote(application=submitted, juror=conflicted)

    services.declare_conflict(application=submitted, juror=conflicted, comment="Même service.")
    services.declare_conflict(application=submitted, juror=conflicted)  # twice: nothing more to remove

    assert ticks_of(submitted) == 1 == votes_of(submitted)


def test_a_conflict_without_a_vote_leaves_the_count(submitted):
    services.toggle_vote(application=submitted, juror=UserFactory())

    services.declare_conflict(application=submitted, juror=UserFactory())

    assert ticks_of(submitted) == 1


def test_a_refused_vote_changes_no_count():
    shortlisted = ApplicationFactory(status=S.SHORTLISTED)

    with pytest.raises(ValidationError):
        services.toggle_vote(application=shortlisted, juror=UserFactory())

    assert ticks_of(shortlisted) == 0 == votes_of(shortlisted)


def test_votes_deleted_in_bulk_are_taken_off_each_of_their_applications(submitted):
    other = ApplicationFactory(status=S.SUBMITTED, call=submitted.call)
    jurors = UserFactory.create_batch(3)
    for juror in jurors:
        PreselectionVote.objects.create(application=submitted, juror=juror)
    PreselectionVote.objects.create(application=other, juror=jurors[0])

    deleted, _by_model = PreselectionVote.objects.filter(juror__in=jurors[:2]).delete()
    PreselectionVote.objects.get(application=submitted, juror=jurors[2]).delete()

    assert deleted == 3
    assert (ticks_of(submitted), ticks_of(other)) == (0, 0)
    assert PreselectionVote.objects.filter(juror__in=jurors[:2]).delete() == (0, {})


def test_a_removed_jurors_ticks_keep_counting(submitted):
    leaving = UserFactory()
    services.toggle_vote(application=submitted, juror=leaving)

    leaving.delete()

    assert ticks_of(submitted) == 1 == votes_of(submitted)


def test_votes_added_and_deleted_in_the_admin_keep_the_count(client, network_admin, submitted):
    client.force_login(network_admin)
    juror = UserFactory()

    client.post(reverse("admin:calls_preselectionvote_add"), {"application": submitted.pk, "juror": juror.pk})
    assert ticks_of(submitted) == 1 == votes_of(submitted)

    vote = PreselectionVote.objects.get()
    client.post(
        reverse("admin:calls_preselectionvote_changelist"),
        {"action": "delete_selected", "_selected_action": [vote.pk], "post": "yes"},
    )

    assert ticks_of(submitted) == 0 == votes_of(submitted)


def test_the_admin_never_moves_a_vote_to_another_application(client, network_admin, submitted):
    client.force_login(network_admin)
    vote = PreselectionVote.objects.create(application=submitted, juror=UserFactory())
    other = ApplicationFactory(status=S.SUBMITTED, call=submitted.call)

    client.post(
        reverse("admin:calls_preselectionvote_change", args=[vote.pk]),
        {"application": other.pk, "juror": vote.juror_id},
    )

    assert PreselectionVote.objects.get().application == submitted
    assert (ticks_of(submitted), ticks_of(other)) == (1, 0)


def test_recount_and_the_data_migration_set_the_count_from_the_votes(submitted):
    other = ApplicationFactory(status=S.SUBMITTED, call=submitted.call)
    PreselectionVote.objects.bulk_create(
        PreselectionVote(application=submitted, juror=j) for j in UserFactory.create_batch(2)
    )
    assert ticks_of(submitted) == 0  # bulk_create does not count

    Application.objects.filter(pk=submitted.pk).recount_ticks()
    assert (ticks_of(submitted), ticks_of(other)) == (2, 0)

    Application.objects.update(tick_count=7)
    import_module("calls.migrations.0008_application_tick_count").count_ticks(apps, None)
    assert (ticks_of(submitted), ticks_of(other)) == (2, 0)


def test_the_ranking_reads_the_count_without_grouping(sign_in, member_a, incubator_a):
    call = CallFactory(incubator=incubator_a)
    applications = ApplicationFactory.create_batch(3, call=call, status=S.SUBMITTED)
    for juror in UserFactory.create_batch(2):
        services.toggle_vote(application=applications[1], juror=juror)
    services.toggle_vote(application=applications[2], juror=UserFactory())
    client = sign_in(member_a)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("calls:manage_ranking", args=[call.slug]), {"min_ticks": 1})

    rows = [(application, application.ticks) for application in response.context["applications"]]
    assert rows == [(applications[1], 2), (applications[2], 1)]
    assert response.context["paginator"].count == 2
    ranking_sql = [q["sql"] for q in captured if "calls_application" in q["sql"]]
    assert ranking_sql
    assert not any("GROUP BY" in sql or "calls_preselectionvote" in sql for sql in ranking_sql)


@pytest.mark.django_db(transaction=True)
def test_a_second_jurors_tick_waits_for_the_first_and_both_count():
    """PostgreSQL, two connections: the first juror's vote holds the application's row (its
    count's UPDATE) until it commits; the second juror's UPDATE waits, then adds to the new count."""
    require_postgres()
    application = ApplicationFactory(status=S.SUBMITTED)
    first, second = UserFactory.create_batch(2)
    outcome = {}

    def vote():
        try:
            outcome["ticked"] = services.toggle_vote(application=application, juror=second)
        finally:
            connection.close()

    with transaction.atomic():
        services.toggle_vote(application=application, juror=first)
        thread = threading.Thread(target=vote)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # waiting for the first vote's row lock
    thread.join(timeout=10)

    assert outcome == {"ticked": True}
    assert ticks_of(application) == 2 == votes_of(application)


@pytest.mark.django_db(transaction=True)
def test_jurors_voting_unvoting_and_declaring_conflicts_at_once_keep_the_count_right():
    """PostgreSQL: eight jurors at once (two of them double-clicking, one declaring a conflict
    on the application they ticked): the count is the number of votes that remain."""
    require_postgres()
    application = ApplicationFactory(status=S.SUBMITTED)
    jurors = UserFactory.create_batch(8)
    services.toggle_vote(application=application, juror=jurors[7])  # ticked before: will declare a conflict
    actions = [(juror, "tick") for juror in jurors[:6]]
    actions += [(jurors[0], "tick"), (jurors[1], "tick"), (jurors[7], "conflict")]  # double clicks, a conflict
    barrier = threading.Barrier(len(actions))
    errors = []

    def act(juror, action):
        try:
            barrier.wait(timeout=10)
            if action == "tick":
                services.toggle_vote(application=Application.objects.get(pk=application.pk), juror=juror)
            else:
                services.declare_conflict(application=application, juror=juror)
        except Exception as error:  # reported below; the thread must close its connection
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=action) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert not PreselectionVote.objects.filter(juror=jurors[7]).exists()
    assert ticks_of(application) == votes_of(application)
    assert 4 <= votes_of(application) <= 6  # the double clicks end ticked or unticked
