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


# Issue 11: the steering record after seed_demo, on 2026-12-01 -----------------------------------

DECEMBER_FIRST = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def seeded_on_december_first(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(DECEMBER_FIRST, tick=False)
    call_command("seed_demo")


def test_seed_demo_the_first_committee_of_an_investigation_is_its_end_of_investigation_committee(
    seeded_on_december_first,
):
    # Pitchou's first committee (2023-11-27) was held during its investigation (2023-07-01 to 2024-03-15).
    pitchou = list(Committee.objects.filter(startup__slug="pitchou").order_by("scheduled_at"))
    assert [c.kind for c in pitchou] == [Committee.Kind.END_OF_INVESTIGATION] + [Committee.Kind.PERIODIC] * 4
    # Every product: the first committee held while (or the day) an investigation ran is its
    # end-of-investigation committee, and no other committee is one.
    for startup in Startup.objects.prefetch_related("periods", "committees"):
        committees = sorted((c for c in startup.committees.all() if not c.is_cancelled), key=lambda c: c.scheduled_at)
        expected = set()
        for period in (p for p in startup.periods.all() if p.phase == "investigation"):
            during = [c for c in committees if period.start <= c.local_date <= (period.end or c.local_date)]
            expected |= {during[0].pk} if during else set()
        ends = {c.pk for c in startup.committees.all() if c.kind == Committee.Kind.END_OF_INVESTIGATION}
        assert ends == expected, startup.slug


def test_seed_demo_marks_the_decisions_beyond_the_six_month_rule_with_their_reason(seeded_on_december_first):
    beyond = Decision.objects.filter(beyond_rule=True).select_related("committee__startup")

    # inventaire-equipements was granted 12 months twice (construction, acceleration): beyond the rule.
    assert sorted((d.committee.startup.slug, d.granted_months) for d in beyond) == [
        ("inventaire-equipements", 12),
        ("inventaire-equipements", 12),
    ]
    assert all(d.beyond_rule_reason for d in beyond)
    # No decision granted more than the rule allows without being marked.
    assert not Decision.objects.filter(granted_months__gt=12, beyond_rule=False).exists()
    # The invented products' decisions say what the next committee checks.
    promised = Decision.objects.filter(committee__startup__incubator__slug=DEMO_INCUBATOR).exclude(outcome="stop")
    assert all(d.next_objectives and d.hypotheses and d.team_size for d in promised)
