"""Consistency flags (issue 11, item 6): each flag on factories with time moved by time-machine,
the product page's list of them, the portfolio list's ``flag`` filter, the dashboard tile, the
seeded demo's cases and the query counts (the flags are annotations of the page's one query)."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from committees.models import Committee
from committees.tests.factories import CommitteeFactory, paris
from incubator import registry
from incubator.demo import DEMO_DOMAIN, load_sample
from incubator.models import User
from incubator.tests.clock import FRIDAY_NOON, PARIS, frozen_at
from incubator.tests.mfa import enrol_totp
from portfolio import flags
from portfolio.contributions import PORTFOLIO_LIST, PRODUCT_PAGE, products_with_flags
from portfolio.models import TYPICAL_MAX_DAYS, EventKind, Phase, PhasePeriod, ProductEvent, Startup
from portfolio.services import change_phase
from portfolio.tests.factories import ProductEventFactory, StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ALL_KEYS = [
    flags.FUNDING_STOPPED,
    flags.PHASE_TOO_LONG,
    flags.PAST_PHASE_TOO_LONG,
    flags.OVERRIDE,
    "aucun-comite",
    "en-retard",
    "hors-regle-6-mois",
]


frozen = frozen_at(FRIDAY_NOON)


def raised_on(startup, page=PRODUCT_PAGE):
    """The keys of the flags ``startup`` raises, computed as the product page computes them."""
    row = flags.with_flags(registry.annotate(page, Startup.objects.filter(pk=startup.pk)), page).get()
    return {flag.key for flag in flags.raised(row, page)}


SEPTEMBER_2025 = D(2025, 9, 1)


def product(incubator, phase=Phase.CONSTRUCTION, start=SEPTEMBER_2025, **kwargs):
    """A product with a committee planned (so that "no committee ever" stays quiet), due later."""
    startup = StartupFactory(
        incubator=incubator, phase=phase, phase_start=start, next_committee_due=D(2026, 9, 1), **kwargs
    )
    CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 6, 1)))
    return startup


def test_every_flag_is_registered_on_both_pages_in_order():
    for page in (PRODUCT_PAGE, PORTFOLIO_LIST):
        assert [flag.key for flag in registry.flags(page)] == ALL_KEYS


def test_a_quiet_product_raises_no_flag(frozen, incubator_a):
    assert raised_on(product(incubator_a)) == set()


# Funding stopped, phase still active ---------------------------------------------------------


def test_a_funding_stop_in_the_current_active_phase_is_flagged(frozen, incubator_a):
    startup = product(incubator_a, phase=Phase.ACCELERATION, start=D(2025, 9, 1))
    ProductEventFactory(startup=startup, kind=EventKind.FUNDING_STOPPED, date=D(2026, 1, 15))

    assert raised_on(startup) == {flags.FUNDING_STOPPED}


def test_a_funding_stop_before_the_current_phase_began_is_not(frozen, incubator_a, member_a):
    startup = product(incubator_a, phase=Phase.CONSTRUCTION, start=D(2025, 9, 1))
    ProductEventFactory(startup=startup, kind=EventKind.FUNDING_STOPPED, date=D(2025, 10, 1))
    change_phase(startup=startup, phase=Phase.ACCELERATION, start=D(2026, 2, 2), actor=member_a)

    assert flags.FUNDING_STOPPED not in raised_on(startup)


def test_a_funding_stop_of_a_stopped_product_is_not(frozen, incubator_a, member_a):
    startup = product(incubator_a, phase=Phase.CONSTRUCTION, start=D(2025, 9, 1))
    ProductEventFactory(startup=startup, kind=EventKind.FUNDING_STOPPED, date=D(2026, 1, 15))
    change_phase(startup=startup, phase=Phase.ABANDONED, start=D(2026, 2, 2), actor=member_a)

    assert flags.FUNDING_STOPPED not in raised_on(startup)


def test_other_events_raise_nothing(frozen, incubator_a):
    startup = product(incubator_a)
    ProductEventFactory(startup=startup, kind=EventKind.OTHER, date=D(2026, 1, 15))
    ProductEvent.objects.create(startup=startup, kind=EventKind.FAST, fast_promotion=14)

    assert raised_on(startup) == set()


# A phase longer than usual ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "start", "flagged"),
    [
        # Investigation: about 9 weeks (63 days). 20 March 2026 - 63 days = 16 January.
        (Phase.INVESTIGATION, D(2026, 1, 16), False),
        (Phase.INVESTIGATION, D(2026, 1, 15), True),
        # Construction: at most 18 months (558 days), acceleration 12 (372), consolidation 18.
        (Phase.CONSTRUCTION, D(2024, 9, 8), False),
        (Phase.CONSTRUCTION, D(2024, 9, 7), True),
        (Phase.ACCELERATION, D(2025, 3, 13), False),
        (Phase.ACCELERATION, D(2025, 3, 12), True),
        (Phase.CONSOLIDATION, D(2024, 9, 7), True),
        # Operated and the ended phases have no typical length.
        (Phase.OPERATED, D(2020, 1, 6), False),
    ],
)
def test_the_current_phase_past_its_typical_length_is_flagged(frozen, incubator_a, phase, start, flagged):
    startup = product(incubator_a, phase=phase, start=start)

    assert (flags.PHASE_TOO_LONG in raised_on(startup)) is flagged


def test_the_current_phase_flag_follows_time(time_machine, incubator_a):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=PARIS), tick=False)
    startup = product(incubator_a, phase=Phase.INVESTIGATION, start=D(2026, 1, 5))
    assert flags.PHASE_TOO_LONG not in raised_on(startup)

    time_machine.move_to(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS), tick=False)
    assert flags.PHASE_TOO_LONG in raised_on(startup)


@pytest.mark.parametrize(
    ("phase", "end", "flagged"),
    [
        (Phase.CONSTRUCTION, D(2023, 7, 22), False),  # 558 days: the most it may last
        (Phase.CONSTRUCTION, D(2023, 7, 23), True),
        (Phase.ACCELERATION, D(2023, 1, 17), False),  # 372 days
        (Phase.ACCELERATION, D(2023, 1, 18), True),  # 373 days
        (Phase.INVESTIGATION, D(2022, 3, 14), False),  # 63 days
        (Phase.INVESTIGATION, D(2022, 3, 15), True),
    ],
)
def test_a_past_phase_longer_than_usual_is_flagged(frozen, incubator_a, member_a, phase, end, flagged):
    startup = product(incubator_a, phase=phase, start=D(2022, 1, 10))
    change_phase(startup=startup, phase=Phase.OPERATED, start=end, actor=member_a, reason="Suite.", may_override=True)

    assert (flags.PAST_PHASE_TOO_LONG in raised_on(startup)) is flagged


# An override in the history -----------------------------------------------------------------


def test_a_move_outside_the_usual_path_stays_flagged(frozen, incubator_a, member_a):
    startup = product(incubator_a, phase=Phase.CONSTRUCTION, start=D(2025, 9, 1))
    assert flags.OVERRIDE not in raised_on(startup)

    change_phase(
        startup=startup,
        phase=Phase.INVESTIGATION,
        start=D(2026, 2, 2),
        actor=member_a,
        reason="Retour.",
        may_override=True,
    )
    change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=D(2026, 3, 2), actor=member_a)

    assert flags.OVERRIDE in raised_on(startup)


# The committees' flags ----------------------------------------------------------------------


def test_an_active_product_without_any_committee_is_flagged(frozen, incubator_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION, phase_start=D(2025, 9, 1))
    assert "aucun-comite" in raised_on(startup)

    CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 2, 2)), status=Committee.Status.CANCELLED)
    assert "aucun-comite" in raised_on(startup)  # a cancelled one does not count

    CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 5, 4)))
    assert "aucun-comite" not in raised_on(startup)  # one is planned


def test_an_ended_product_without_committee_is_not(frozen, incubator_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.TRANSFERRED, phase_start=D(2025, 9, 1))

    assert raised_on(startup) == set()


def test_an_overdue_product_is_flagged(frozen, incubator_a):
    startup = StartupFactory(
        incubator=incubator_a, phase=Phase.CONSTRUCTION, phase_start=D(2025, 9, 1), next_committee_due=D(2026, 3, 1)
    )
    CommitteeFactory(startup=startup, scheduled_at=paris(D(2025, 12, 1)), status=Committee.Status.HELD)

    assert raised_on(startup) == {"en-retard"}


# The product page ---------------------------------------------------------------------------


@pytest.fixture
def stopped_funding(frozen, startup_a):
    """Produit A (construction since 6 January 2025): its funding stopped on 2 February 2026."""
    ProductEventFactory(startup=startup_a, kind=EventKind.FUNDING_STOPPED, date=D(2026, 2, 2))
    Startup.objects.filter(pk=startup_a.pk).update(next_committee_due=D(2026, 7, 1))
    CommitteeFactory(startup=startup_a, scheduled_at=paris(D(2026, 6, 1)))
    return startup_a


def test_the_product_page_lists_the_raised_flags_with_their_details(manager, stopped_funding):
    response = manager.get(stopped_funding.get_absolute_url())

    assert [flag.key for flag in response.context["flags"]] == [flags.FUNDING_STOPPED]
    (flag,) = response.context["flags"]
    assert flag.level == "error"
    assert "02/02/2026" in flag.details[0]
    assert 'id="flags"' in response.text
    assert f'id="flag-{flags.FUNDING_STOPPED}"' in response.text
    assert str(flag.label) in response.text


def test_a_product_without_flags_has_no_alert(manager, frozen, startup_a):
    Startup.objects.filter(pk=startup_a.pk).update(next_committee_due=D(2026, 7, 1))
    CommitteeFactory(startup=startup_a, scheduled_at=paris(D(2026, 6, 1)))

    response = manager.get(startup_a.get_absolute_url())

    assert response.context["flags"] == []
    assert 'id="flags"' not in response.text


def test_the_public_page_shows_no_flag(client, stopped_funding):
    response = client.get(stopped_funding.get_public_url())

    assert "flags" not in response.context
    assert 'id="flags"' not in response.text


# The portfolio list, its filter -------------------------------------------------------------


@pytest.fixture
def portfolio(frozen, incubator_a, incubator_b, member_a):
    """One product of incubator A per flag, a quiet one, and one of incubator B."""
    made = {"calme": product(incubator_a, slug="calme", name="Calme")}
    made["finance"] = product(incubator_a, slug="finance", name="Finance", phase=Phase.ACCELERATION)
    ProductEventFactory(startup=made["finance"], kind=EventKind.FUNDING_STOPPED, date=D(2026, 1, 15))
    made["longue"] = product(incubator_a, slug="longue", name="Longue", phase=Phase.INVESTIGATION, start=D(2025, 6, 2))
    made["ancienne"] = product(incubator_a, slug="ancienne", name="Ancienne", start=D(2022, 1, 10))
    change_phase(startup=made["ancienne"], phase=Phase.ACCELERATION, start=D(2025, 9, 1), actor=member_a)
    made["derogation"] = product(incubator_a, slug="derogation", name="Derogation", start=D(2025, 6, 2))
    change_phase(
        startup=made["derogation"], phase=Phase.CONSOLIDATION, start=D(2026, 1, 5), actor=member_a, reason="Saut.",
        may_override=True,
    )  # fmt: skip
    made["sans-comite"] = StartupFactory(
        slug="sans-comite", name="Sans comite", incubator=incubator_a, phase=Phase.CONSTRUCTION,
        phase_start=D(2025, 9, 1), next_committee_due=D(2026, 9, 1),
    )  # fmt: skip
    made["retard"] = product(incubator_a, slug="retard", name="Retard")
    # The phase changes above moved the due dates (the committees' cadence): set them again.
    Startup.objects.filter(incubator=incubator_a).update(next_committee_due=D(2026, 9, 1))
    Startup.objects.filter(pk=made["retard"].pk).update(next_committee_due=D(2026, 3, 1))
    made["autre"] = product(incubator_b, slug="autre", name="Autre", phase=Phase.INVESTIGATION, start=D(2025, 1, 6))
    return made


@pytest.mark.parametrize(
    ("flag", "names"),
    [
        (flags.FUNDING_STOPPED, ["Finance"]),
        (flags.PHASE_TOO_LONG, ["Longue"]),
        (flags.PAST_PHASE_TOO_LONG, ["Ancienne"]),
        (flags.OVERRIDE, ["Derogation"]),
        ("aucun-comite", ["Sans comite"]),
        ("en-retard", ["Retard"]),
        (flags.ANY, ["Ancienne", "Derogation", "Finance", "Longue", "Retard", "Sans comite"]),
    ],
)
def test_the_list_filters_on_each_flag(manager, portfolio, flag, names):
    response = manager.get(reverse("portfolio:startup_list"), {"flag": flag})

    assert response.status_code == 200
    assert [startup.name for startup in response.context["startups"]] == names


def test_the_list_shows_each_rows_flags(manager, portfolio):
    response = manager.get(reverse("portfolio:startup_list"))

    rows = {startup.slug: [flag.key for flag in startup.raised_flags] for startup in response.context["startups"]}
    assert rows["calme"] == []
    assert rows["finance"] == [flags.FUNDING_STOPPED]
    assert rows["retard"] == ["en-retard"]
    # Each flagged row says how many points it has to check (the filter tells which).
    assert response.text.count("fr-badge--warning fr-mt-1v") == sum(bool(keys) for keys in rows.values()) == 6


def test_an_unknown_flag_is_a_400(manager, portfolio):
    response = manager.get(reverse("portfolio:startup_list"), {"flag": "inconnu"})

    assert response.status_code == 400
    assert list(response.context["startups"]) == []


# The dashboard tile -------------------------------------------------------------------------


def test_the_tile_counts_the_scopes_flagged_products_in_one_query(portfolio, incubator_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = products_with_flags(None, registry.Scope(incubator_a))

    assert figures == {
        "products": 6,
        flags.FUNDING_STOPPED: 1,
        flags.PHASE_TOO_LONG: 1,
        flags.PAST_PHASE_TOO_LONG: 1,
        flags.OVERRIDE: 1,
        "aucun-comite": 1,
        "en-retard": 1,
        "hors-regle-6-mois": 0,  # the committees' 6-month rule: no product of the fixture is beyond it
    }
    network = products_with_flags(None, registry.Scope())
    assert (network["products"], network[flags.PHASE_TOO_LONG]) == (7, 2)


def test_the_tile_links_to_the_filtered_list(portfolio, incubator_a, manager):
    tile = registry.get_tile("products_with_flags")
    link = tile.link(registry.Scope(incubator_a))

    assert link == reverse("portfolio:startup_list") + f"?flag={flags.ANY}&incubator=fabrique-a"
    assert len(manager.get(link).context["startups"]) == 6


# Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_portfolio_list_query_count_with_flags(
    manager, frozen, incubator_a, member_a, django_assert_num_queries, count
):
    for startup in StartupFactory.create_batch(count, incubator=incubator_a, phase_start=D(2022, 1, 10)):
        TeamMembershipFactory(startup=startup, user=None, name="Quelqu'un")
        ProductEventFactory(startup=startup, kind=EventKind.FUNDING_STOPPED, date=D(2026, 1, 15))
        change_phase(
            startup=startup, phase=Phase.ACCELERATION, start=D(2023, 9, 1), actor=member_a, reason="Saut.",
            may_override=True,
        )  # fmt: skip

    for params in ({}, {"flag": flags.ANY}, {"flag": flags.FUNDING_STOPPED, "sort": "-next_committee"}):
        with django_assert_num_queries(9):  # session, user, perms, count, page, sponsors, filter choices, header
            response = manager.get(reverse("portfolio:startup_list"), params)

        assert len(response.context["startups"]) == min(count, 25)
        assert all(len(startup.raised_flags) >= 3 for startup in response.context["startups"])


# The seeded demo (issue 11, "Must show") ------------------------------------------------------


@pytest.fixture
def seeded_on_december_first(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(datetime.datetime(2026, 12, 1, 9, 30, tzinfo=PARIS), tick=False)
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the second run adds no event


@pytest.fixture
def demo_admin(client, seeded_on_december_first):
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    enrol_totp(admin)  # the portal asks a network admin for a second factor
    client.force_login(admin)
    return client


def test_seed_demo_1000_jours_blues_carries_a_funding_stop_and_its_flag(demo_admin):
    blues = Startup.objects.get(slug="1000.premiers.jours.blues")
    (stop,) = ProductEvent.objects.filter(startup=blues)
    assert (stop.kind, stop.date, stop.is_public) == (EventKind.FUNDING_STOPPED, D(2025, 11, 24), False)
    assert blues.phase == Phase.ACCELERATION  # no stop phase was recorded: the case the portal catches

    response = demo_admin.get(blues.get_absolute_url())

    assert flags.FUNDING_STOPPED in [flag.key for flag in response.context["flags"]]
    assert gettext("Funding stopped, phase still active") in response.text
    assert (D(2025, 11, 24), EventKind.FUNDING_STOPPED.label) in [
        (entry.date, entry.kind) for entry in response.context["events"]
    ]
    listed = demo_admin.get(reverse("portfolio:startup_list"), {"flag": flags.FUNDING_STOPPED})
    assert [startup.slug for startup in listed.context["startups"]] == ["1000.premiers.jours.blues"]


def test_seed_demo_france_chaleur_urbaine_keeps_its_overrides_and_shows_its_fast_and_label(demo_admin, client):
    fcu = Startup.objects.get(slug="chauffage-urbain")
    overrides = PhasePeriod.objects.filter(startup=fcu, is_override=True).order_by("start")
    assert [period.phase for period in overrides] == [
        Phase.CONSOLIDATION,
        Phase.ACCELERATION,
    ]  # the skip, the step back

    response = demo_admin.get(fcu.get_absolute_url())

    assert flags.OVERRIDE in [flag.key for flag in response.context["flags"]]
    assert response.text.count(gettext("Outside the usual path")) >= 2
    timeline = [(entry.kind, entry.year, entry.text) for entry in response.context["events"]]
    assert (EventKind.FAST.label, None, "Promotion 14") in timeline  # no day in the sample: shown last
    assert (EventKind.NATIONAL_IMPACT.label, 2024, "") in timeline  # shown on its year
    # Both are public facts: on the public page and in the open data too.
    public = client.get(fcu.get_public_url())
    assert [(entry.kind, entry.year, entry.text) for entry in public.context["events"]] == [
        (EventKind.NATIONAL_IMPACT.label, 2024, ""),
        (EventKind.FAST.label, None, "Promotion 14"),
    ]
    assert "Promotion 14" in public.text
    (entry,) = [
        row for row in client.get(reverse("portfolio:startups_json")).json()["startups"] if row["slug"] == fcu.slug
    ]
    assert [event["kind"] for event in entry["events"]] == ["label-impact-national", "fast"]


def test_seed_demo_loads_every_fast_and_label_of_the_sample_once(seeded_on_december_first):
    facts = set(ProductEvent.objects.values_list("startup__slug", "kind", "fast_promotion", "amount_eur", "label_year"))

    assert ("a-just", EventKind.FAST, 13, 300000, None) in facts
    assert ("a-just", EventKind.NATIONAL_IMPACT, None, None, 2024) in facts
    assert ("mon-suivi-justice", EventKind.FAST, 12, None, None) in facts
    assert ("signalement", EventKind.NATIONAL_IMPACT, None, None, 2021) in facts
    sample = load_sample()["startups"]
    expected = sum(bool(row.get("fast")) + len(row.get("labels", [])) for row in sample) + 1  # and the stop
    assert ProductEvent.objects.count() == len(facts) == expected


def test_details_say_the_usual_length_as_the_guide_does():
    with translation.override("en"):
        assert [flags.usual_length(days) for days in TYPICAL_MAX_DAYS.values()] == [
            "9 weeks",
            "18 months",
            "12 months",
            "18 months",
        ]
