""" "Mon espace" as what needs the user today (issue 13, item 1): the "To do" list at the top, each
item a link with its date, late ones said in text; the right items for each persona; an empty list
says so; the query count does not grow with the rows; the demo manager's list is what the demo's
data implies (computed here from the rows, not by the sources)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from committees.models import Committee, CommitteeDocument, Decision
from committees.tests.factories import CommitteeDocumentFactory, CommitteeFactory, DecisionFactory, paris
from incubator import registry
from incubator.demo import DEMO_DOMAIN, DEMO_INCUBATOR
from incubator.models import Membership, User
from incubator.templatetags.portal_dates import long_date
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio.models import (
    ACTIVE_PHASES,
    INVESTIGATION_LENGTH,
    TYPICAL_MAX_DAYS,
    EventKind,
    Phase,
    PhasePeriod,
    ProductEvent,
    Startup,
)
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory
from standards.models import ProductStandard, Standard, Status

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 3, 16)
DAY = datetime.timedelta(days=1)
URL = "/mon-espace/"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 16, 9, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def startup_a(incubator_a, frozen):
    return StartupFactory(slug="produit-a", name="Produit A", incubator=incubator_a, phase=Phase.CONSTRUCTION)


@pytest.fixture
def team_member(startup_a):
    return TeamMembershipFactory(startup=startup_a, user=UserFactory(email="equipe-a@example.gouv.fr")).user


def todo_section(response):
    """The "To do" section's markup (the page's first section after the welcome)."""
    text = response.text
    start = text.index('id="todo"')
    return text[start : text.index("</section>", start)]


def test_my_space_url_is_the_one_the_tests_use():
    assert reverse("incubator:my_space") == URL


def test_todo_list_comes_first_with_one_h1_and_the_sections_below(client, member_a, startup_a):
    client.force_login(member_a)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.text.count("<h1") == 1
    # The core's sections follow: the incubators, the account.
    assert response.text.index('id="todo"') < response.text.index(escape(_("My incubators")))
    assert f">{escape(_('To do'))}</h2>" in response.text


def test_empty_list_says_so(client, member_a, startup_a):
    client.force_login(member_a)

    section = todo_section(client.get(URL))

    assert escape(_("Nothing to do for now.")) in section
    assert 'id="todo-list"' not in section


def test_each_item_is_a_link_with_its_kind_its_date_and_late_in_text(client, member_a, startup_a):
    late = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY - DAY))
    soon = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 6 * DAY))
    client.force_login(member_a)

    section = todo_section(client.get(URL))

    entries = re.findall(r"<li.*?</li>", section, flags=re.S)
    assert len(entries) == 2
    first, second = entries  # late first
    assert f'href="{reverse("committees:decision", kwargs={"pk": late.pk})}"' in first
    assert escape(_("Decision")) in first
    assert f">{escape(_('Late'))}</span>" in first
    assert f'<time datetime="{(TODAY - DAY).isoformat()}">{long_date(TODAY - DAY)}</time>' in first
    assert f'href="{reverse("committees:document_add", kwargs={"pk": soon.pk})}"' in second
    assert escape(_("Deck")) in second
    assert escape(_("Late")) not in second
    assert f'<time datetime="{(TODAY + 6 * DAY).isoformat()}">' in second
    # A late item's date is the day it became late, not a due date still ahead.
    assert escape(_("Late since:")) in first
    assert escape(_("Due date:")) not in first
    assert escape(_("Due date:")) in second


def test_items_are_for_the_right_persona_only(client, member_a, member_b, startup_a, team_member, network_admin):
    Startup.objects.filter(pk=startup_a.pk).update(next_committee_due=TODAY + 40 * DAY)
    plan = reverse("committees:committee_plan", kwargs={"slug": "produit-a"})

    seen = {}
    for name, user in {
        "member_a": member_a,
        "member_b": member_b,
        "team_member": team_member,
        "network_admin": network_admin,
    }.items():
        client.force_login(user)
        seen[name] = todo_section(client.get(URL))

    assert f'href="{plan}"' in seen["member_a"]
    assert "Produit A" not in seen["member_b"]
    assert escape(_("Nothing to do for now.")) in seen["member_b"]
    assert f'href="{startup_a.get_absolute_url()}"' in seen["team_member"]  # not planned yet: the team is told
    assert f'href="{plan}"' not in seen["team_member"]
    assert escape(_("Nothing to do for now.")) in seen["network_admin"]


def test_item_disappears_from_the_page_once_resolved(client, member_a, startup_a):
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 6 * DAY))
    client.force_login(member_a)
    add_deck = reverse("committees:document_add", kwargs={"pk": committee.pk})
    assert f'href="{add_deck}"' in todo_section(client.get(URL))

    CommitteeDocumentFactory(committee=committee)

    assert f'href="{add_deck}"' not in todo_section(client.get(URL))


def test_product_names_are_escaped(client, member_a, incubator_a, frozen):
    startup = StartupFactory(incubator=incubator_a, name="<script>alert(1)</script>", phase=Phase.CONSTRUCTION)
    CommitteeFactory(startup=startup, scheduled_at=paris(TODAY - DAY))
    client.force_login(member_a)

    section = todo_section(client.get(URL))

    assert "<script>alert(1)</script>" not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section


# Query counts: the same with 1 and with 30 rows, for each persona ---------------------------------


def build(count, incubator, team_user):
    """``count`` products of each situation in ``incubator``, ``team_user`` in each one's team."""
    for number in range(count):
        for phase in (Phase.INVESTIGATION, Phase.CONSTRUCTION):
            startup = StartupFactory(incubator=incubator, phase=phase, phase_start=TODAY - 80 * DAY)
            Startup.objects.filter(pk=startup.pk).update(
                next_committee_due=TODAY + 30 * DAY, updated_at=timezone.now() - 120 * DAY
            )
            TeamMembershipFactory(startup=startup, user=team_user)
        CommitteeFactory(startup=startup, scheduled_at=paris(TODAY - DAY - number * DAY))
        CommitteeFactory(startup=startup, scheduled_at=paris(TODAY + 5 * DAY))
        DecisionFactory(committee__startup=startup, committee__scheduled_at=paris(TODAY - 300 * DAY))


def queries_of(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("persona", ["manager", "portfolio_manager", "team_member", "other_manager", "network_admin"])
def test_my_space_query_count_is_the_same_with_1_and_30_rows(client, incubator_a, incubator_b, frozen, persona):
    counts = []
    for count in (1, 30):
        incubator = incubator_a if count == 1 else incubator_b
        team_user = UserFactory()
        people = {
            "manager": MembershipFactory(incubator=incubator, role=Membership.Role.MANAGER).user,
            "portfolio_manager": MembershipFactory(incubator=incubator, role=Membership.Role.PORTFOLIO_MANAGER).user,
            "team_member": team_user,
            "other_manager": MembershipFactory(role=Membership.Role.MANAGER).user,
            "network_admin": UserFactory(is_staff=True, is_superuser=True),
        }
        build(count, incubator, team_user)
        number, response = queries_of(client, people[persona])
        counts.append(number)
        if persona not in ("other_manager", "network_admin"):
            assert todo_section(response).count("<li") >= 2 * count
    assert counts[0] == counts[1]


# The demo (seed_demo on 2026-12-01) ---------------------------------------------------------------

DEMO_NOW = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=PARIS)
DEMO_TODAY = DEMO_NOW.date()
OUR_SOURCES = ("portfolio", "committees", "standards")


@pytest.fixture
def demo(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(DEMO_NOW, tick=False)
    call_command("seed_demo")


def listed(user):
    """What the portfolio's, committees' and standards' sources list for ``user`` today."""
    return {
        (item.kind, item.url, item.date, item.late)
        for source in registry.todo_sources()
        if source.key in OUR_SOURCES
        for item in source.items(user, DEMO_TODAY)
    }


def managed_products(user):
    incubators = set(
        Membership.objects.filter(user=user, role__in=Membership.MANAGER_ROLES).values_list("incubator", flat=True)
    )
    return [
        startup
        for startup in Startup.objects.prefetch_related("other_incubators")
        if startup.incubator_id in incubators or {i.pk for i in startup.other_incubators.all()} & incubators
    ]


def expected_for_manager(user):
    """The demo manager's items, from the rows: every rule of the issue applied in Python."""
    now, today = timezone.now(), DEMO_TODAY
    products = managed_products(user)
    ids = {startup.pk for startup in products}
    committees = list(Committee.objects.filter(startup__in=ids).exclude(status=Committee.Status.CANCELLED))
    decks = set(CommitteeDocument.objects.filter(kind="deck").values_list("committee", flat=True))
    decided = {decision.committee_id: decision for decision in Decision.objects.filter(committee__startup__in=ids)}
    expected = set()
    for startup in products:
        if startup.phase not in ACTIVE_PHASES:
            continue
        mine = [c for c in committees if c.startup_id == startup.pk]
        due = startup.next_committee_due
        planned_ahead = any(c.status == "planned" and c.scheduled_at >= now for c in mine)
        took_place = any(c.scheduled_at <= now and due and c.local_date >= due for c in mine)
        if due and not planned_ahead and due <= today + 45 * DAY and (due >= today or not took_place):
            url = reverse("committees:committee_plan", kwargs={"slug": startup.slug})
            expected.add((_("Committee"), url, due, due < today))
        if due and planned_ahead and due < today and not took_place:
            # Overdue, its next committee planned after the due date (Data.Subvention in the demo).
            expected.add((_("Committee"), startup.get_absolute_url(), due, True))
    for committee in committees:
        day = committee.local_date
        in_a_week = now <= committee.scheduled_at < paris(today + 8 * DAY, 0)
        if committee.status == "planned" and in_a_week and committee.pk not in decks:
            expected.add((_("Deck"), reverse("committees:document_add", kwargs={"pk": committee.pk}), day, False))
        if committee.scheduled_at < now and committee.pk not in decided:
            expected.add((_("Decision"), reverse("committees:decision", kwargs={"pk": committee.pk}), day, day < today))
        decision = decided.get(committee.pk)
        if decision and not decision.purchasing_told:
            when = decision.decided_on
            expected.add((_("Purchasing"), committee.get_absolute_url(), when, when < today))
    expected |= expected_portfolio(products, now, today)
    expected |= expected_standards(products, today)
    return expected


def expected_portfolio(products, now, today):
    expected = set()
    active = [startup for startup in products if startup.phase in ACTIVE_PHASES]
    periods = list(PhasePeriod.objects.filter(startup__in=[s.pk for s in active]))
    events = list(ProductEvent.objects.filter(startup__in=[s.pk for s in active], kind=EventKind.FUNDING_STOPPED))
    for startup in active:
        mine = [p for p in periods if p.startup_id == startup.pk]
        current = next(p for p in mine if p.end is None)
        investigating = startup.phase == Phase.INVESTIGATION
        if investigating and current.start < today - INVESTIGATION_LENGTH:
            expected.add((_("Investigation"), startup.get_absolute_url(), current.start + INVESTIGATION_LENGTH, True))
        if startup.updated_at < now - 90 * DAY:
            url = reverse("portfolio:startup_update", kwargs={"slug": startup.slug})
            expected.add((_("Product sheet"), url, timezone.localtime(startup.updated_at).date() + 90 * DAY, True))
        raised = [
            any(e.startup_id == startup.pk and e.date and e.date >= current.start for e in events),
            not investigating
            and current.phase in TYPICAL_MAX_DAYS
            and current.start < today - datetime.timedelta(days=TYPICAL_MAX_DAYS[current.phase]),
            any(
                p.end and p.phase in TYPICAL_MAX_DAYS and (p.end - p.start).days > TYPICAL_MAX_DAYS[p.phase]
                for p in mine
            ),
            any(p.is_override for p in mine),
        ]
        if any(raised):
            expected.add((_("Flag"), startup.get_absolute_url(), None, False))
    return expected


def expected_standards(products, today):
    criteria = set(Standard.objects.filter(version__is_current=True).values_list("pk", flat=True))
    answers = list(ProductStandard.objects.filter(standard__in=criteria))
    expected = set()
    for startup in products:
        due = startup.next_committee_due
        if startup.phase not in ACTIVE_PHASES or due is None or due > today + 45 * DAY or not criteria:
            continue
        took_place = Committee.objects.filter(
            startup=startup, scheduled_at__lte=timezone.now(), scheduled_at__date__gte=due
        ).exclude(status=Committee.Status.CANCELLED)
        if due < today and took_place.exists():
            continue  # its committee was held, its decision to record: nothing to prepare (Voirie en ligne)
        ready = {
            a.standard_id
            for a in answers
            if a.startup_id == startup.pk
            and a.status in (Status.DONE, Status.NOT_APPLICABLE)
            and (a.review_due is None or a.review_due >= due)
        }
        if criteria - ready:
            url = reverse("standards:scorecard_edit", kwargs={"slug": startup.slug})
            expected.add((_("Standards"), url, due, due < today))
    return expected


@pytest.mark.parametrize("account", ["responsable", "portefeuille"])
def test_demo_manager_list_is_what_the_demo_data_implies(demo, account):
    manager = User.objects.get(email=f"{account}@{DEMO_DOMAIN}")
    assert Membership.objects.filter(user=manager, incubator__slug=DEMO_INCUBATOR).exists()

    expected = expected_for_manager(manager)

    assert listed(manager) == expected
    # The demo's situations are there: a product due within 45 days with nothing planned, a
    # committee held yesterday awaiting its decision, one within 7 days without its deck.
    kinds = {kind for kind, *_rest in expected}
    assert {_("Committee"), _("Decision"), _("Deck")} <= kinds


def test_demo_people_without_an_incubator_to_manage_get_no_manager_items(demo):
    coach = User.objects.get(email=f"coach@{DEMO_DOMAIN}")
    kinds = {kind for kind, *_rest in listed(coach)}

    assert not kinds & {_("Deck"), _("Decision"), _("Purchasing"), _("Investigation"), _("Product sheet"), _("Flag")}
    assert not Membership.objects.filter(user=coach, role__in=Membership.MANAGER_ROLES).exists()
