"""The six committee reminder kinds, with the rules seeded by the migration, through the engine's planner.

Time is frozen (time-machine) in 2026; every moment below is Paris time. The committee of the
scenes is on Monday 15 June 2026 at 14:00 (12:00 UTC), so a "14:00" in an email is Paris time.
"""

import base64
import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from committees.models import Committee
from committees.tests.factories import AttendeeFactory, CommitteeDocumentFactory, CommitteeFactory, DecisionFactory
from incubator.models import Membership, OutboxMessage, ReminderDelivery, ReminderRule
from incubator.reminders import get_kind, plan
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DUE_UNPLANNED = "committees.due_unplanned"
DECK_MISSING = "committees.deck_missing"
AGENDA = "committees.agenda"
DECISION_MISSING = "committees.decision_missing"
PURCHASING = "committees.purchasing_follow_up"
DIGEST = "committees.weekly_digest"
KINDS = [DUE_UNPLANNED, DECK_MISSING, AGENDA, DECISION_MISSING, PURCHASING, DIGEST]

COMMITTEE_DAY = datetime.date(2026, 6, 15)  # a Monday
PURCHASING_EMAIL = "achats-a@example.gouv.fr"


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def committee_at(day, hour=14):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _rules(reminder_rules):
    """Every test here plans with the seeded rules."""


@pytest.fixture
def clock(time_machine):
    """``clock(moment)``: move the frozen time to ``moment`` and run the planner; the number queued."""
    time_machine.move_to(at(2026, 5, 1, 12, 0), tick=False)

    def run(moment):
        time_machine.move_to(moment, tick=False)
        return plan(now=moment).created

    return run


def emails(kind):
    """(recipient, subject, body) of what the rule of ``kind`` queued, by recipient."""
    deliveries = ReminderDelivery.objects.filter(rule__kind=kind).select_related("message")
    return sorted((delivery.recipient, delivery.message.subject, delivery.message.body_text) for delivery in deliveries)


def recipients(kind):
    return sorted(ReminderDelivery.objects.filter(rule__kind=kind).values_list("recipient", flat=True))


def link(path):
    return f"{settings.SITE_URL}{path}"


@pytest.fixture
def scene(clock, incubator_a, member_a, member_b, portfolio_manager_a, startup_a, team_member):
    """Product A of incubator A: its intrapreneur, a manager and a portfolio manager; incubator B's manager."""
    incubator_a.purchasing_email = PURCHASING_EMAIL
    incubator_a.save(update_fields=["purchasing_email"])
    return startup_a


@pytest.fixture
def committee(scene, team_member, member_a):
    """Product A's committee on Monday 15 June 2026 at 14:00, with its intrapreneur, its manager
    and a sponsor without an account."""
    committee = CommitteeFactory(startup=scene, scheduled_at=committee_at(COMMITTEE_DAY))
    AttendeeFactory(
        committee=committee, user=team_member, name="Équipe A", email=team_member.email, role="intrapreneur"
    )
    AttendeeFactory(
        committee=committee, user=member_a, name="Manager A", email=member_a.email, role="incubator_manager"
    )
    AttendeeFactory(committee=committee, name="Sponsor du ministère", email="Sponsor@Ministere.gouv.fr", role="sponsor")
    return committee


def test_seeded_rules_cover_the_six_kinds():
    rules = ReminderRule.objects.filter(kind__in=KINDS, is_active=True)

    for rule in rules:  # each names a registered kind
        assert get_kind(rule.kind) is not None

    assert sorted((rule.kind, rule.offset_days, rule.send_at) for rule in rules) == [
        (AGENDA, -7, datetime.time(9)),
        (DECISION_MISSING, 1, datetime.time(9)),
        (DECK_MISSING, -7, datetime.time(9)),
        (DUE_UNPLANNED, -45, datetime.time(9)),
        (PURCHASING, 1, datetime.time(9)),
        (DIGEST, 0, datetime.time(8)),
    ]


# D-45 before the due date, nothing planned: the team and the portfolio managers --------------


def test_due_unplanned_reminds_team_and_portfolio_managers_at_d_minus_45(
    clock, scene, team_member, portfolio_manager_a
):
    scene.next_committee_due = datetime.date(2026, 7, 31)  # a Friday; D-45 is Tuesday 16 June
    scene.save()

    runs = [clock(at(2026, 6, 15, 9, 0)), clock(at(2026, 6, 16, 8, 59)), clock(at(2026, 6, 16, 9, 0))]
    again = [clock(at(2026, 6, 16, 9, 5)), clock(at(2026, 6, 17, 9, 0)), clock(at(2026, 6, 18, 9, 0))]

    assert (runs, again) == ([0, 0, 2], [0, 0, 0])
    assert recipients(DUE_UNPLANNED) == ["equipe-a@example.gouv.fr", "portefeuille-a@example.gouv.fr"]
    for _recipient, subject, body in emails(DUE_UNPLANNED):
        assert subject == "Produit A : organisez le comité d'investissement avant le 31/07/2026"
        assert body.startswith("Bonjour ")
        assert (
            "Le prochain comité d'investissement de Produit A doit se tenir au plus tard le vendredi 31 juillet 2026, "
            "et aucun comité n'est planifié." in body
        )
        assert "Ce qui est attendu : planifier le comité 30 à 45 jours avant la fin du budget" in body
        assert f"Planifier le comité : {link(scene.get_absolute_url())}" in body
    assert emails(DUE_UNPLANNED)[0][2].startswith(f"Bonjour {team_member},")


def test_due_unplanned_is_not_sent_once_a_committee_is_planned(clock, scene, team_member):
    scene.next_committee_due = datetime.date(2026, 7, 31)
    scene.save()
    CommitteeFactory(startup=scene, scheduled_at=committee_at(datetime.date(2026, 7, 20)))

    assert clock(at(2026, 6, 16, 9, 0)) == 0
    assert recipients(DUE_UNPLANNED) == []


def test_due_unplanned_is_not_sent_for_an_ended_product(clock, scene, team_member):
    scene.next_committee_due = datetime.date(2026, 7, 31)
    scene.phase = Phase.ABANDONED
    scene.save()

    assert clock(at(2026, 6, 16, 9, 0)) == 0


# D-7 before a planned committee without its deck: the team ---------------------------------------


def test_deck_missing_reminds_the_team_at_d_minus_7_nine_paris_time(clock, committee, team_member):
    before = [clock(at(2026, 6, 7, 9, 0)), clock(at(2026, 6, 8, 8, 59))]
    clock(at(2026, 6, 8, 9, 0))
    again = [clock(at(2026, 6, 8, 9, 5)), clock(at(2026, 6, 9, 9, 0)), clock(at(2026, 6, 10, 9, 0))]

    assert (before, again) == ([0, 0], [0, 0, 0])
    [(recipient, subject, body)] = emails(DECK_MISSING)
    assert recipient == "equipe-a@example.gouv.fr"  # the team, not the other attendees
    assert subject == "Produit A : déposez le support du comité du 15/06/2026"
    assert body.startswith(f"Bonjour {team_member},")
    assert (
        "Le comité d'investissement de Produit A a lieu le lundi 15 juin 2026 à 14:00 (heure de Paris) "
        "et son support de présentation n'est pas encore déposé." in body
    )
    assert "Ce qui est attendu : déposer le support aujourd'hui" in body
    assert f"Déposer le support : {link(f'/comites/{committee.pk}/')}" in body


def test_deck_missing_is_not_sent_once_the_deck_is_uploaded(clock, committee):
    CommitteeDocumentFactory(committee=committee)

    clock(at(2026, 6, 8, 9, 0))

    assert recipients(DECK_MISSING) == []
    assert len(recipients(AGENDA)) == 3  # the agenda still goes out


def test_deck_missing_and_agenda_are_not_sent_for_a_cancelled_committee(clock, committee):
    committee.status = Committee.Status.CANCELLED
    committee.save()

    assert clock(at(2026, 6, 8, 9, 0)) == 0


# D-7: the agenda and the .ics to every attendee ---------------------------------------------------


def test_agenda_goes_to_every_attendee_at_d_minus_7_with_the_ics(clock, committee):
    assert clock(at(2026, 6, 8, 8, 59)) == 0
    clock(at(2026, 6, 8, 9, 0))
    assert clock(at(2026, 6, 9, 9, 0)) == 0

    assert recipients(AGENDA) == [
        "equipe-a@example.gouv.fr",
        "manager-a@example.gouv.fr",
        "sponsor@ministere.gouv.fr",  # an attendee without an account
    ]
    kind = str(Committee.Kind.PERIODIC.label)
    for _recipient, subject, body in emails(AGENDA):
        assert subject == "Comité d'investissement de Produit A le 15/06/2026 à 14:00"
        assert (
            f"Le comité d'investissement de Produit A ({kind}) a lieu le lundi 15 juin 2026 à 14:00 "
            "(heure de Paris), 20 avenue de Ségur, Paris." in body
        )
        assert "Ordre du jour : 1. Bilan des 6 derniers mois et indicateurs d'impact" in body
        assert "Ce qui est attendu : lire le support avant le comité. L'invitation est jointe (.ics)." in body
        assert f"Page du comité : {link(f'/comites/{committee.pk}/')}" in body
    assert emails(AGENDA)[2][2].startswith("Bonjour Sponsor du ministère,")
    for delivery in ReminderDelivery.objects.filter(rule__kind=AGENDA).select_related("message"):
        [attachment] = delivery.message.attachments
        assert (attachment["filename"], attachment["mimetype"]) == ("comite.ics", "text/calendar")
        calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
        [event] = calendar.walk("VEVENT")
        start = event.decoded("dtstart")
        assert start.astimezone(PARIS).replace(tzinfo=None) == datetime.datetime(2026, 6, 15, 14, 0)
        assert event["dtstart"].params["TZID"] in [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")]
        assert str(event["url"]) == link(f"/comites/{committee.pk}/")


def test_agenda_email_is_delivered_with_its_ics(clock, committee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        clock(at(2026, 6, 8, 9, 0))

    agenda = [message for message in django_mail.outbox if message.subject.startswith("Comité d'investissement")]
    assert sorted(message.to[0] for message in agenda) == [
        "equipe-a@example.gouv.fr",
        "manager-a@example.gouv.fr",
        "sponsor@ministere.gouv.fr",
    ]
    for message in agenda:
        [(filename, content, mimetype)] = message.attachments
        assert (filename, mimetype) == ("comite.ics", "text/calendar")
        assert "DTSTART;TZID=Europe/Paris:20260615T140000" in content


# D+1 after a committee without a decision: the incubator's managers ------------------------------


def test_decision_missing_reminds_the_managers_the_day_after(clock, committee, member_a, portfolio_manager_a):
    before = [clock(at(2026, 6, 15, 16, 0)), clock(at(2026, 6, 16, 8, 59))]
    clock(at(2026, 6, 16, 9, 0))
    again = [clock(at(2026, 6, 16, 18, 0)), clock(at(2026, 6, 17, 9, 0))]

    assert (before, again) == ([0, 0], [0, 0])
    assert recipients(DECISION_MISSING) == ["manager-a@example.gouv.fr", "portefeuille-a@example.gouv.fr"]
    for _recipient, subject, body in emails(DECISION_MISSING):
        assert subject == "Produit A : saisissez la décision du comité du 15/06/2026"
        assert "Le comité d'investissement de Produit A du lundi 15 juin 2026 n'a pas de décision enregistrée." in body
        assert "Ce qui est attendu : saisir la décision aujourd'hui" in body
        assert f"Saisir la décision : {link(f'/comites/{committee.pk}/')}" in body


def test_decision_missing_is_not_sent_once_the_decision_is_recorded(clock, committee):
    DecisionFactory(committee=committee, purchasing_told=True)

    assert clock(at(2026, 6, 16, 9, 0)) == 0


def test_decision_missing_is_not_sent_for_a_cancelled_committee(clock, committee):
    committee.status = Committee.Status.CANCELLED
    committee.save()

    clock(at(2026, 6, 16, 9, 0))

    assert recipients(DECISION_MISSING) == []


# D+1 after a decision that purchasing has not been told of: the purchasing contact ----------------


def test_purchasing_follow_up_reaches_purchasing_the_day_after_the_decision(clock, committee):
    DecisionFactory(committee=committee, granted_amount=Decimal("250000"), granted_months=6)

    before = [clock(at(2026, 6, 15, 18, 0)), clock(at(2026, 6, 16, 8, 59))]
    clock(at(2026, 6, 16, 9, 0))
    again = clock(at(2026, 6, 17, 9, 0))

    assert (before, again) == ([0, 0], 0)
    [(recipient, subject, body)] = emails(PURCHASING)
    assert recipient == PURCHASING_EMAIL
    assert subject == "À commander : décision du comité de Produit A du 15/06/2026"
    outcome = str(committee.decision.get_outcome_display())
    assert (
        f"Le comité d'investissement de Produit A a décidé le lundi 15 juin 2026 : {outcome}, 250000 € pour 6 mois."
        in body
    )
    assert "Ce qui est attendu : lancer la commande maintenant (elle prend environ un mois)" in body
    assert f"Page du comité : {link(f'/comites/{committee.pk}/')}" in body


def test_purchasing_follow_up_is_not_sent_once_purchasing_is_told(clock, committee):
    DecisionFactory(committee=committee, purchasing_told=True)

    clock(at(2026, 6, 16, 9, 0))

    assert recipients(PURCHASING) == []


def test_purchasing_follow_up_needs_a_purchasing_contact(clock, committee, incubator_a):
    incubator_a.purchasing_email = ""
    incubator_a.save(update_fields=["purchasing_email"])
    DecisionFactory(committee=committee)

    clock(at(2026, 6, 16, 9, 0))

    assert recipients(PURCHASING) == []


# Mondays at 08:00: overdue and unplanned committees, to each incubator's managers -----------------


@pytest.fixture
def digest_scene(scene, incubator_a, incubator_b):
    """Incubator A: one overdue, one to plan within 45 days, one far, one planned, one ended.
    Incubator B: one overdue."""

    def product(slug, name, due, incubator=incubator_a, phase=Phase.CONSTRUCTION):
        return StartupFactory(slug=slug, name=name, incubator=incubator, phase=phase, next_committee_due=due)

    product("en-retard", "Produit en retard", datetime.date(2026, 6, 1))
    product("a-organiser", "Produit à organiser", datetime.date(2026, 7, 10))
    product("lointain", "Produit lointain", datetime.date(2026, 9, 30))
    planned = product("planifie", "Produit planifié", datetime.date(2026, 6, 20))
    CommitteeFactory(startup=planned, scheduled_at=committee_at(datetime.date(2026, 6, 18)))
    product("arrete", "Produit arrêté", datetime.date(2026, 5, 1), phase=Phase.ABANDONED)
    product("produit-b", "Produit B", datetime.date(2026, 5, 4), incubator=incubator_b)


def test_weekly_digest_lists_overdue_and_unplanned_products_to_their_managers_on_monday(clock, digest_scene):
    # "Produit à organiser" is inside its D-45 window already: that reminder is not this test's.
    ReminderRule.objects.exclude(kind=DIGEST).update(is_active=False)
    before = [clock(at(2026, 6, 6, 8, 0)), clock(at(2026, 6, 8, 7, 59))]
    clock(at(2026, 6, 8, 8, 0))
    again = [clock(at(2026, 6, 8, 8, 5)), clock(at(2026, 6, 9, 8, 0)), clock(at(2026, 6, 10, 8, 0))]

    assert (before, again) == ([0, 0], [0, 0, 0])
    assert recipients(DIGEST) == [
        "manager-a@example.gouv.fr",
        "manager-b@example.gouv.fr",
        "portefeuille-a@example.gouv.fr",
    ]
    digests = {recipient: (subject, body) for recipient, subject, body in emails(DIGEST)}
    subject, body = digests["manager-a@example.gouv.fr"]
    assert subject == "Fabrique A : comités en retard et à organiser (semaine du 08/06/2026)"
    assert (
        "Comités en retard (échéance dépassée, rien de planifié) :\n"
        "- Produit en retard : échéance le 01/06/2026\n\n"
        "Comités à organiser dans les 45 jours :\n"
        "- Produit à organiser : échéance le 10/07/2026\n\n"
        "Ce qui est attendu : planifier ces comités depuis la page de chaque produit." in body
    )
    assert f"Calendrier des comités : {link('/comites/')}" in body
    for absent in ("Produit lointain", "Produit planifié", "Produit arrêté", "Produit B", "Produit A"):
        assert absent not in body
    assert digests["portefeuille-a@example.gouv.fr"][1].split("\n", 1)[1] == body.split("\n", 1)[1]  # but the greeting
    subject_b, body_b = digests["manager-b@example.gouv.fr"]
    assert subject_b == "Fabrique B : comités en retard et à organiser (semaine du 08/06/2026)"
    assert "- Produit B : échéance le 04/05/2026" in body_b
    assert "Produit en retard" not in body_b


def test_weekly_digest_goes_out_on_mondays_at_eight_only(clock, digest_scene):
    """The planner runs every hour for twelve days: one digest per incubator each Monday at 08:00.

    It starts on Thursday at 08:00, when Monday 1 June is out of the engine's catch-up window
    (a missed Monday is still sent until Wednesday)."""
    sent_at = []
    moment = at(2026, 6, 4, 8, 0)
    while moment < at(2026, 6, 17, 0, 0):
        before = ReminderDelivery.objects.filter(rule__kind=DIGEST).count()
        clock(moment)
        if ReminderDelivery.objects.filter(rule__kind=DIGEST).count() != before:
            sent_at.append(moment)
        moment += datetime.timedelta(hours=1)

    assert sent_at == [at(2026, 6, 8, 8, 0), at(2026, 6, 15, 8, 0)]
    assert sorted(ReminderDelivery.objects.filter(rule__kind=DIGEST).values_list("occurrence", "recipient")) == [
        ("2026-06-08", "manager-a@example.gouv.fr"),
        ("2026-06-08", "manager-b@example.gouv.fr"),
        ("2026-06-08", "portefeuille-a@example.gouv.fr"),
        ("2026-06-15", "manager-a@example.gouv.fr"),
        ("2026-06-15", "manager-b@example.gouv.fr"),
        ("2026-06-15", "portefeuille-a@example.gouv.fr"),
    ]


def test_weekly_digest_is_not_sent_to_an_incubator_with_nothing_to_plan(clock, scene, incubator_a):
    scene.next_committee_due = datetime.date(2026, 12, 1)
    scene.save()

    clock(at(2026, 6, 8, 8, 0))

    assert recipients(DIGEST) == []


# All six at once: three planner runs send each reminder once ----------------------------------------


@pytest.fixture
def everything_due(scene, committee, team_member, member_a, incubator_a):
    """At Tuesday 16 June 2026 09:00, something of every kind is due (Monday's digest is caught up)."""
    scene.next_committee_due = datetime.date(2026, 7, 31)  # D-45: today
    scene.save()
    DecisionFactory(committee=committee, outcome="continue")  # purchasing follow-up: today
    soon = StartupFactory(slug="bientot", name="Produit bientôt", incubator=incubator_a, phase=Phase.ACCELERATION)
    TeamMembershipFactory(startup=soon, user=UserFactory(email="equipe-bientot@example.gouv.fr"))
    upcoming = CommitteeFactory(startup=soon, scheduled_at=committee_at(datetime.date(2026, 6, 23)))  # D-7: today
    AttendeeFactory(committee=upcoming, email="equipe-bientot@example.gouv.fr", name="Équipe bientôt")
    late = StartupFactory(slug="oublie", name="Produit oublié", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    CommitteeFactory(startup=late, scheduled_at=committee_at(COMMITTEE_DAY, 10))  # D+1 without decision: today
    late.next_committee_due = datetime.date(2026, 6, 1)  # overdue: in Monday's digest
    late.save()
    return at(2026, 6, 16, 9, 0)


def test_planner_run_three_times_sends_each_reminder_once(clock, everything_due, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        runs = [clock(everything_due) for _run in range(3)]
        later = [clock(everything_due + datetime.timedelta(minutes=5 * n)) for n in range(1, 4)]
        next_days = [clock(everything_due + datetime.timedelta(days=n)) for n in (1, 2)]

    expected = {
        DUE_UNPLANNED: ["equipe-a@example.gouv.fr", "portefeuille-a@example.gouv.fr"],
        DECK_MISSING: ["equipe-bientot@example.gouv.fr"],
        AGENDA: ["equipe-bientot@example.gouv.fr"],
        DECISION_MISSING: ["manager-a@example.gouv.fr", "portefeuille-a@example.gouv.fr"],
        PURCHASING: [PURCHASING_EMAIL],
        DIGEST: ["manager-a@example.gouv.fr", "portefeuille-a@example.gouv.fr"],
    }
    assert {kind: recipients(kind) for kind in KINDS} == expected
    total = sum(len(people) for people in expected.values())
    assert (runs, later, next_days) == ([total, 0, 0], [0, 0, 0], [0, 0])
    assert OutboxMessage.objects.count() == total
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == total
    assert len(django_mail.outbox) == total


# Queries grow with batches, not with reminders ---------------------------------------------------


def build_due_unplanned(n, incubator):
    for _item in range(n):
        startup = StartupFactory(
            incubator=incubator, phase=Phase.CONSTRUCTION, next_committee_due=datetime.date(2026, 7, 31)
        )
        TeamMembershipFactory(startup=startup)
    return at(2026, 6, 16, 9, 0)


def build_committees(n, incubator, *, day=COMMITTEE_DAY, attendee=False, decision=False):
    for _item in range(n):
        startup = StartupFactory(incubator=incubator, phase=Phase.CONSTRUCTION)
        TeamMembershipFactory(startup=startup)
        committee = CommitteeFactory(startup=startup, scheduled_at=committee_at(day))
        if attendee:
            AttendeeFactory(committee=committee)
        if decision:
            DecisionFactory(committee=committee, granted_amount=Decimal("100000"))


def build_deck_missing(n, incubator):
    build_committees(n, incubator)
    return at(2026, 6, 8, 9, 0)


def build_agenda(n, incubator):
    build_committees(n, incubator, attendee=True)
    return at(2026, 6, 8, 9, 0)


def build_decision_missing(n, incubator):
    build_committees(n, incubator)
    return at(2026, 6, 16, 9, 0)


def build_purchasing(n, incubator):
    build_committees(n, incubator, decision=True)
    return at(2026, 6, 16, 9, 0)


def build_digest(n, incubator):
    """One digest per incubator: ``n`` more incubators, each with a manager and an overdue product."""
    for _item in range(n):
        other = IncubatorFactory()
        MembershipFactory(incubator=other, role=Membership.Role.MANAGER)
        StartupFactory(incubator=other, phase=Phase.CONSTRUCTION, next_committee_due=datetime.date(2026, 6, 1))
    return at(2026, 6, 8, 8, 0)


BUILDERS = {
    DUE_UNPLANNED: build_due_unplanned,
    DECK_MISSING: build_deck_missing,
    AGENDA: build_agenda,
    DECISION_MISSING: build_decision_missing,
    PURCHASING: build_purchasing,
    DIGEST: build_digest,
}


@pytest.mark.parametrize("kind", KINDS)
def test_plan_queries_are_the_same_for_one_and_thirty_due_committees(kind, clock, db):
    """One recipient per reminder: SQLite splits an INSERT beyond ~58 outbox rows, PostgreSQL does not."""
    ReminderRule.objects.exclude(kind=kind).update(is_active=False)
    incubator = IncubatorFactory(purchasing_email=PURCHASING_EMAIL)
    MembershipFactory(incubator=incubator, role=Membership.Role.MANAGER)
    queries = []
    for count, extra in ((1, 1), (30, 29)):
        moment = BUILDERS[kind](extra, incubator)
        ReminderDelivery.objects.all().delete()
        OutboxMessage.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            assert clock(moment) == count
        queries.append(len(captured))

    assert queries[0] == queries[1], queries
    assert ReminderDelivery.objects.filter(rule__kind=kind).count() == 30


# Edges: Paris dates, clock changes, very long addresses ---------------------------------------------


def test_committee_just_after_midnight_is_anchored_on_its_paris_date(clock, scene):
    """00:30 in Paris on 15 June is 22:30 UTC on the 14th: its D-7 is still the 8th."""
    committee = CommitteeFactory(startup=scene, scheduled_at=datetime.datetime(2026, 6, 15, 0, 30, tzinfo=PARIS))
    AttendeeFactory(committee=committee, email="tot@example.gouv.fr", name="Lève-tôt")

    assert clock(at(2026, 6, 7, 9, 0)) == 0
    clock(at(2026, 6, 8, 9, 0))

    [(recipient, subject, _body)] = emails(AGENDA)
    assert (recipient, subject) == ("tot@example.gouv.fr", "Comité d'investissement de Produit A le 15/06/2026 à 00:30")
    assert ReminderDelivery.objects.get(rule__kind=AGENDA).occurrence == "2026-06-15"


@pytest.mark.parametrize("send_day", [datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)])
def test_agenda_due_on_a_clock_change_day_is_sent_once_at_nine_paris_time(clock, scene, send_day):
    """The beat ticks every 5 minutes in UTC through the night of the clock change and the morning."""
    committee = CommitteeFactory(startup=scene, scheduled_at=committee_at(send_day + datetime.timedelta(days=7)))
    AttendeeFactory(committee=committee, email="dst@example.gouv.fr", name="Heure d'été")
    tick = datetime.datetime.combine(send_day - datetime.timedelta(days=1), datetime.time(22), tzinfo=datetime.UTC)
    sent_at = []
    while tick < datetime.datetime.combine(send_day, datetime.time(11), tzinfo=datetime.UTC):
        if clock(tick):
            sent_at.append(tick.astimezone(PARIS))
        tick += datetime.timedelta(minutes=5)

    assert [(moment.date(), moment.time()) for moment in sent_at] == [(send_day, datetime.time(9, 0))]
    assert recipients(AGENDA) == ["dst@example.gouv.fr"]


def test_a_very_long_address_gets_its_reminder_and_blocks_no_other(clock, committee):
    """An idempotency key longer than its column must not fail the batch (PostgreSQL enforces it)."""
    long_address = f"{'prenom.nom' * 6}@{'direction' * 6}.{'ministere' * 6}.{'service' * 6}.gouv.fr"
    assert len(long_address) > 200
    AttendeeFactory(committee=committee, email=long_address, name="Adresse longue")

    clock(at(2026, 6, 8, 9, 0))

    assert long_address.lower() in recipients(AGENDA)
    assert len(recipients(AGENDA)) == 4
    assert recipients(DECK_MISSING) == ["equipe-a@example.gouv.fr"]  # the next rule ran too
    keys = OutboxMessage.objects.values_list("idempotency_key", flat=True)
    assert len(set(keys)) == 5
    assert max(len(key) for key in keys) <= OutboxMessage._meta.get_field("idempotency_key").max_length
