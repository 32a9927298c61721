import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from committees.models import Committee, CommitteeDocument, Decision
from incubator.demo import DEMO_INCUBATOR
from incubator.models import OutboxMessage
from portfolio.models import ACTIVE_PHASES, Startup

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_sample_committees_and_due_dates(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    # The sample's 11, and the 10 decisions of the demo incubator's invented products.
    assert Committee.objects.filter(status=Committee.Status.HELD).count() == 21
    assert Decision.objects.count() == 21
    # Held yesterday awaiting its decision, in 6 days, in 3 weeks.
    assert Committee.objects.filter(status=Committee.Status.PLANNED).count() == 3
    assert Committee.objects.get(startup__slug="andv-aerien").kind == Committee.Kind.END_OF_INVESTIGATION
    assert not Startup.objects.filter(phase__in=ACTIVE_PHASES, next_committee_due__isnull=True).exists()
    assert not Startup.objects.exclude(phase__in=ACTIVE_PHASES).exclude(next_committee_due__isnull=True).exists()


# What the demo incubator leaves a manager to act on (issue 9, item 11), seeded on a fixed day.
SEED_DAY = datetime.datetime(2027, 1, 15, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = SEED_DAY.date()


@pytest.fixture
def seeded(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(SEED_DAY, tick=False)
    call_command("seed_demo")
    call_command("seed_demo")


def demo_committees():
    return Committee.objects.filter(startup__incubator__slug=DEMO_INCUBATOR).for_list()


def test_demo_has_a_committee_held_yesterday_awaiting_its_decision_and_one_at_d6_without_deck(seeded):
    (held,) = [c for c in demo_committees() if c.local_date == TODAY - datetime.timedelta(days=1)]
    assert (held.startup.slug, held.status, held.has_decision, held.has_deck) == (
        "voirie-en-ligne",
        Committee.Status.PLANNED,
        False,
        True,
    )
    (soon,) = [c for c in demo_committees() if c.local_date == TODAY + datetime.timedelta(days=6)]
    assert (soon.startup.slug, soon.status, soon.has_deck) == ("cantine-locale", Committee.Status.PLANNED, False)
    assert soon.attendees.filter(email="bastien.perrin@demo.incubateurs.example", mandatory=True).exists()
    # Planned three weeks earlier (its history says so), not at seed time.
    assert soon.history.earliest("history_date").history_date.date() == TODAY - datetime.timedelta(days=15)


def test_demo_has_a_product_due_in_40_days_with_nothing_planned(seeded):
    due = Startup.objects.filter(incubator__slug=DEMO_INCUBATOR, next_committee_due=TODAY + datetime.timedelta(days=40))

    assert [startup.slug for startup in due] == ["boussole-formation"]
    assert not due.get().committees.exists()


def test_demo_decisions_go_through_the_service_and_the_past_sends_no_email(seeded):
    decisions = Decision.objects.filter(committee__startup__incubator__slug=DEMO_INCUBATOR).exclude(
        committee__startup__slug="andv-aerien"
    )

    assert decisions.count() == 10
    assert all(decision.recorded_by.email == "responsable@demo.incubateurs.example" for decision in decisions)
    stopped = Startup.objects.get(slug="covoiturage-agents")
    assert (stopped.phase, stopped.next_committee_due) == ("abandon", None)
    assert not stopped.team.current().exists()
    assert not OutboxMessage.objects.exists()


def test_demo_decks_are_valid_pdf_files(seeded):
    decks = CommitteeDocument.objects.filter(committee__startup__incubator__slug=DEMO_INCUBATOR)

    assert decks.count() == 12  # every held committee of the invented products, yesterday's, Data.Subvention's
    for deck in decks:
        with deck.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-1.4\n")
        assert content.endswith(b"%%EOF\n")
        xref = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
        assert content[xref:].startswith(b"xref\n")
        offsets = [int(line[:10]) for line in content[xref:].split(b"\n")[3:] if line.endswith(b" n ")]
        assert all(content[offset:].startswith(b"%d 0 obj" % n) for n, offset in enumerate(offsets, start=1))
        assert deck.original_name.endswith(".pdf")
        assert deck.uploaded_at < SEED_DAY
