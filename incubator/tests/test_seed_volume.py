"""The benchmarks' volume data (``seed_volume``): the volumes asked for, rows the database and the
models accept, histories as the phase service writes them."""

import io

import pytest
from django.core.management import CommandError, call_command

from calls.models import Application, Call, ConflictOfInterest, PreselectionVote
from calls.volume import SLUG
from committees.models import Attendee, Committee, Decision
from incubator import volume
from incubator.dates import EARLIEST, LATEST
from incubator.models import Incubator, Membership, User
from portfolio.models import ENDED_PHASES, PhasePeriod, Startup, TeamMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    output = io.StringIO()
    call_command("seed_volume", "--scale", "0.01", stdout=output)
    return output.getvalue()


def test_seed_volume_writes_the_volumes_of_its_scale(seeded):
    assert seeded.splitlines()[-1] == "Volume data loaded at scale 0.01."
    assert Incubator.objects.filter(slug__startswith=volume.INCUBATOR_PREFIX).count() == 10
    assert Startup.objects.count() == 10
    assert Startup.objects.published().count() == 9
    assert TeamMembership.objects.count() == 30
    assert Committee.objects.count() == 20
    assert Attendee.objects.count() == 60
    assert Decision.objects.count() == 13
    call = Call.objects.get(slug=SLUG)
    assert call.applications.count() == 100
    assert call.applications.filter(status=Application.Status.SUBMITTED).count() == 90
    assert call.jurors.count() == 12


def test_seed_volume_phase_histories_tile_time_with_one_open_period(seeded):
    for startup in Startup.objects.all():
        periods = list(startup.periods.order_by("start"))
        assert [period.end for period in periods[:-1]] == [period.start for period in periods[1:]]
        assert periods[-1].end is None
        assert periods[-1].phase == startup.phase
        assert all(EARLIEST <= period.start < (period.end or LATEST) for period in periods)
        assert (startup.next_committee_due is None) == (startup.phase in ENDED_PHASES)
    assert PhasePeriod.objects.filter(end__isnull=True).count() == 10


def test_seed_volume_rows_pass_the_models_validation(seeded):
    for model in (Startup, PhasePeriod, TeamMembership, Committee, Decision, Application):
        for row in model.objects.all():
            row.full_clean()


def test_seed_volume_ticks_only_judged_applications_and_never_with_a_conflict(seeded):
    votes = set(PreselectionVote.objects.values_list("application", "juror"))
    conflicts = set(ConflictOfInterest.objects.values_list("application", "juror"))
    assert votes
    assert not votes & conflicts
    statuses = set(PreselectionVote.objects.values_list("application__status", flat=True))
    assert statuses <= set(Application.JURY_STATUSES)
    ranked = Application.objects.filter(call__slug=SLUG).with_ticks()
    assert sum(application.ticks for application in ranked) == len(votes)


def test_seed_volume_manager_runs_every_volume_product_and_the_call(seeded):
    manager = User.objects.get(email=volume.MANAGER_EMAIL)
    assert Membership.objects.filter(user=manager, role=Membership.Role.MANAGER).count() == 10
    assert Startup.objects.managed_by(manager).count() == 10
    assert list(Call.objects.managed_by(manager).values_list("slug", flat=True)) == [SLUG]
    assert not manager.has_usable_password()
    assert User.objects.get(email=volume.ADMIN_EMAIL).is_network_admin


def test_seed_volume_refuses_a_database_that_has_it_already(seeded):
    with pytest.raises(CommandError, match="already in this database"):
        call_command("seed_volume", "--scale", "0.01")
    assert Startup.objects.count() == 10
