"""Steering by the network's rules (issue 11): the 6-month rule (item 3) and the promise against the
delivery (item 8), with time moved by time-machine, on PostgreSQL (``REQUIRE_SERVICES``).

The rule: granting more than 6 months, or setting the due date by hand more than 6 months after
the last committee, needs a written reason and is marked (the decision, the committee page, the
product page, the flag ``hors-regle-6-mois`` of the portfolio list); consolidation and opéré may go
12 months without one; nothing goes past 24 months.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, gettext_lazy, ngettext

from committees import cadence
from committees.admin import DecisionAdminForm
from committees.contributions import BEYOND_RULE
from committees.models import Committee, Decision, DueDateChange
from committees.services import record_decision
from committees.tests.factories import CommitteeFactory, DecisionFactory, paris
from incubator import registry
from incubator.tests.clock import FRIDAY_NOON, PARIS, frozen_at
from portfolio import flags
from portfolio.contributions import PORTFOLIO_LIST
from portfolio.models import Phase, Startup
from portfolio.services import change_phase
from portfolio.tests.factories import IndicatorFactory, MeasurementFactory, StartupFactory

D = datetime.date
REASON = "Marché public à passer avant le prochain comité."
RULE_MESSAGE = gettext_lazy(
    "More than %(allowed)d months between two committees goes beyond the network's rule: write the reason."
)

pytestmark = pytest.mark.django_db


frozen = frozen_at(FRIDAY_NOON)


CONSTRUCTION_START = D(2025, 1, 6)


def product(incubator, phase=Phase.CONSTRUCTION, start=CONSTRUCTION_START, **fields):
    return StartupFactory(incubator=incubator, phase=phase, phase_start=start, **fields)


def hold(startup, day, *, actor=None, months=6, reason="", **fields):
    """A committee of ``startup`` on ``day`` whose decision the service records."""
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(day, 14))
    return record_decision(
        committee=committee,
        actor=actor,
        outcome=fields.pop("outcome", Decision.Outcome.CONTINUE),
        decided_on=day,
        granted_months=months,
        beyond_rule_reason=reason,
        **fields,
    )


def flagged(startup):
    """The flag keys the portfolio list raises on ``startup`` (its one query's annotations)."""
    row = flags.with_flags(registry.annotate(PORTFOLIO_LIST, Startup.objects.filter(pk=startup.pk)), PORTFOLIO_LIST)
    return {flag.key for flag in flags.raised(row.get(), PORTFOLIO_LIST)}


# The rule, in the decision service ------------------------------------------------------------


def test_six_months_need_no_reason_and_are_not_marked(frozen, incubator_a, member_a):
    startup = product(incubator_a)

    decision = hold(startup, D(2026, 3, 16), actor=member_a, months=6)

    assert (decision.beyond_rule, decision.beyond_rule_reason) == (False, "")
    assert Startup.objects.get(pk=startup.pk).next_committee_due == D(2026, 9, 16)
    assert BEYOND_RULE not in flagged(startup)


def test_more_than_six_months_without_a_reason_is_refused_and_changes_nothing(frozen, incubator_a, member_a):
    startup = product(incubator_a)
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 3, 16), 14))

    with pytest.raises(ValidationError) as refused:
        record_decision(
            committee=committee, actor=member_a, outcome="continue", decided_on=D(2026, 3, 16), granted_months=7
        )

    assert refused.value.code == "beyond_rule_reason"
    assert not Decision.objects.exists()
    assert Committee.objects.get(pk=committee.pk).status == Committee.Status.PLANNED
    assert Startup.objects.get(pk=startup.pk).next_committee_due == startup.next_committee_due


def test_more_than_six_months_with_a_reason_is_marked_and_flagged(frozen, incubator_a, member_a):
    startup = product(incubator_a)

    decision = hold(startup, D(2026, 3, 16), actor=member_a, months=9, reason=f"  {REASON} ")

    assert (decision.beyond_rule, decision.beyond_rule_reason) == (True, REASON)
    assert Startup.objects.get(pk=startup.pk).next_committee_due == D(2026, 12, 16)
    assert BEYOND_RULE in flagged(startup)
    assert decision.history.first().beyond_rule  # in the decision's history


@pytest.mark.parametrize(
    ("phase", "months", "needs_reason"),
    [
        (Phase.CONSOLIDATION, 12, False),  # yearly, per the network's guide
        (Phase.OPERATED, 12, False),
        (Phase.CONSOLIDATION, 13, True),
        (Phase.OPERATED, 18, True),
        (Phase.ACCELERATION, 12, True),
        (Phase.INVESTIGATION, 7, True),
    ],
)
def test_consolidation_and_opere_may_be_yearly_without_a_reason(
    frozen, incubator_a, member_a, phase, months, needs_reason
):
    startup = product(incubator_a, phase=phase, start=D(2025, 9, 1))
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 3, 16), 14))
    decide = {
        "committee": committee,
        "actor": member_a,
        "outcome": "continue",
        "decided_on": D(2026, 3, 16),
        "granted_months": months,
    }

    if needs_reason:
        with pytest.raises(ValidationError) as refused:
            record_decision(**decide)
        assert refused.value.code == "beyond_rule_reason"
        decision = record_decision(**decide, beyond_rule_reason=REASON)
    else:
        decision = record_decision(**decide)

    assert decision.beyond_rule is needs_reason
    assert (BEYOND_RULE in flagged(startup)) is needs_reason


def test_the_rule_reads_the_phase_the_decision_moves_to(frozen, incubator_a, member_a):
    startup = product(incubator_a, phase=Phase.ACCELERATION, start=D(2025, 3, 3))

    decision = hold(
        startup, D(2026, 3, 16), actor=member_a, months=12, outcome="next_phase", next_phase=Phase.CONSOLIDATION
    )

    assert decision.beyond_rule is False  # 12 months in consolidation: within the guide
    assert Startup.objects.get(pk=startup.pk).next_committee_due == D(2027, 3, 16)


def test_more_than_24_months_is_refused_even_with_a_reason(frozen, incubator_a, member_a):
    startup = product(incubator_a, phase=Phase.OPERATED)
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 3, 16), 14))

    with pytest.raises(ValidationError) as refused:
        record_decision(
            committee=committee,
            actor=member_a,
            outcome="continue",
            decided_on=D(2026, 3, 16),
            granted_months=25,
            beyond_rule_reason=REASON,
        )

    assert refused.value.code == "too_long"
    assert not Decision.objects.exists()


def test_the_flag_drops_once_a_later_committee_keeps_the_rule(frozen, incubator_a, member_a, time_machine):
    startup = product(incubator_a)
    hold(startup, D(2026, 3, 16), actor=member_a, months=9, reason=REASON)
    assert BEYOND_RULE in flagged(startup)

    time_machine.move_to(datetime.datetime(2026, 12, 10, 17, 0, tzinfo=PARIS), tick=False)
    hold(startup, D(2026, 12, 10), actor=member_a, months=6)

    assert BEYOND_RULE not in flagged(startup)
    assert Startup.objects.get(pk=startup.pk).next_committee_due == D(2027, 6, 10)


def test_a_phase_change_after_the_decision_drops_the_flag(frozen, incubator_a, member_a):
    startup = product(incubator_a)
    hold(startup, D(2026, 1, 12), actor=member_a, months=9, reason=REASON)

    change_phase(startup=startup, phase=Phase.ACCELERATION, start=D(2026, 3, 19), actor=member_a)

    assert BEYOND_RULE not in flagged(startup)  # the new phase's due date comes from its start


# The rule, on the decision page ---------------------------------------------------------------


def decision_data(**extra):
    return {"outcome": "continue", "decided_on": "2026-03-16", "granted_months": "6", **extra}


@pytest.fixture
def past_committee(frozen, incubator_a):
    return CommitteeFactory(startup=product(incubator_a, slug="produit-a"), scheduled_at=paris(D(2026, 3, 16), 14))


def test_the_decision_page_asks_the_reason_on_its_field_keeping_what_was_typed(manager, past_committee):
    url = reverse("committees:decision", kwargs={"pk": past_committee.pk})

    response = manager.post(url, decision_data(granted_months="9", next_objectives="Ouvrir à 3 régions."))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("beyond_rule_reason", code="beyond_rule_reason")
    assert form.errors["beyond_rule_reason"] == [RULE_MESSAGE % {"allowed": 6}]
    assert "Ouvrir à 3 régions." in response.text  # nothing typed is lost
    assert not Decision.objects.exists()

    response = manager.post(url, decision_data(granted_months="9", beyond_rule_reason=REASON))

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.granted_months, decision.beyond_rule, decision.beyond_rule_reason) == (9, True, REASON)
    page = manager.get(past_committee.get_absolute_url())
    assert 'id="decision-beyond-rule"' in page.text
    assert REASON in page.text


def test_the_decision_page_refuses_more_than_24_months_in_french(manager, past_committee):
    url = reverse("committees:decision", kwargs={"pk": past_committee.pk})

    response = manager.post(url, decision_data(granted_months="30", beyond_rule_reason=REASON))

    assert response.status_code == 200
    assert response.context["form"].has_error("granted_months", code="max_value")
    message = gettext("At most %(limit_value)s months between two committees.") % {"limit_value": 24}
    assert escape(message) in response.text
    assert REASON in response.text
    assert not Decision.objects.exists()


def test_the_decision_page_records_the_next_objectives_team_size_and_hypotheses(manager, past_committee):
    url = reverse("committees:decision", kwargs={"pk": past_committee.pk})

    response = manager.post(
        url,
        decision_data(
            next_objectives="Ouvrir le service à trois régions.",
            team_size="4",
            hypotheses="Les agents l'adoptent sans formation.",
        ),
    )

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.next_objectives, decision.team_size, decision.hypotheses) == (
        "Ouvrir le service à trois régions.",
        4,
        "Les agents l'adoptent sans formation.",
    )
    assert decision.history.first().team_size == 4


@pytest.mark.parametrize(("value", "message"), [("0", "supérieure ou égale à 1"), ("quatre", "nombre entier")])
def test_the_decision_page_refuses_a_bad_team_size_in_french(manager, past_committee, value, message):
    url = reverse("committees:decision", kwargs={"pk": past_committee.pk})

    response = manager.post(url, decision_data(team_size=value, hypotheses="Une hypothèse."))

    assert response.context["form"].has_error("team_size")
    assert message in response.text
    assert "Une hypothèse." in response.text
    assert not Decision.objects.exists()


# The rule, on the due date set by hand ---------------------------------------------------------


def test_a_due_date_by_hand_within_six_months_of_the_last_committee_is_not_marked(frozen, incubator_a, member_a):
    startup = product(incubator_a)
    hold(startup, D(2026, 3, 16), actor=member_a)

    cadence.set_due_date(startup=startup, due=D(2026, 9, 16), actor=member_a, reason="Budget prolongé")

    change = DueDateChange.objects.get()
    assert (change.due, change.reason, change.beyond_rule, change.changed_by) == (
        D(2026, 9, 16),
        "Budget prolongé",
        False,
        member_a,
    )
    assert BEYOND_RULE not in flagged(startup)


def test_a_due_date_by_hand_past_six_months_needs_a_reason_and_is_marked(frozen, incubator_a, member_a):
    startup = product(incubator_a)
    hold(startup, D(2026, 3, 16), actor=member_a)

    with pytest.raises(ValidationError) as refused:
        cadence.set_due_date(startup=startup, due=D(2026, 9, 17), actor=member_a, reason="Budget prolongé")
    assert refused.value.code == "beyond_rule_reason"
    assert Startup.objects.get(pk=startup.pk).next_committee_due == D(2026, 9, 16)
    assert not DueDateChange.objects.exists()

    cadence.set_due_date(
        startup=startup, due=D(2026, 9, 17), actor=member_a, reason="Budget prolongé", beyond_rule_reason=REASON
    )

    assert DueDateChange.objects.get().beyond_rule is True
    assert BEYOND_RULE in flagged(startup)


def test_a_due_date_by_hand_in_consolidation_may_be_a_year_after(frozen, incubator_a, member_a):
    startup = product(incubator_a, phase=Phase.CONSOLIDATION, start=D(2025, 9, 1))
    hold(startup, D(2026, 3, 16), actor=member_a)

    cadence.set_due_date(startup=startup, due=D(2027, 3, 16), actor=member_a, reason="Rythme annuel")

    assert DueDateChange.objects.get().beyond_rule is False


def test_a_due_date_by_hand_past_24_months_is_refused(frozen, incubator_a, member_a):
    startup = product(incubator_a)

    with pytest.raises(ValidationError) as refused:
        cadence.set_due_date(
            startup=startup, due=D(2028, 3, 21), actor=member_a, reason="Loin", beyond_rule_reason=REASON
        )

    assert refused.value.code == "too_long"
    assert not DueDateChange.objects.exists()


def test_an_overdue_product_may_be_given_a_near_date_with_its_reason(frozen, incubator_a, member_a):
    startup = product(incubator_a, start=D(2023, 1, 9))
    hold(startup, D(2023, 6, 12), actor=None)  # nearly three years ago

    cadence.set_due_date(
        startup=startup, due=D(2026, 4, 30), actor=member_a, reason="Comité à planifier", beyond_rule_reason=REASON
    )

    assert Startup.objects.get(pk=startup.pk).next_committee_due == D(2026, 4, 30)
    assert DueDateChange.objects.get().beyond_rule is True  # the gap since the last committee says so


def test_the_due_date_page_asks_the_reason_on_its_field_and_marks_the_product(manager, frozen, incubator_a, member_a):
    startup = product(incubator_a, slug="produit-a")
    hold(startup, D(2026, 3, 16), actor=member_a)
    url = reverse("committees:due_date", kwargs={"slug": startup.slug})
    assert 'id="due-date-rule"' in manager.get(url).text

    response = manager.post(url, {"due": "2026-11-02", "reason": "Budget prolongé"})

    assert response.status_code == 200
    assert response.context["form"].has_error("beyond_rule_reason", code="beyond_rule_reason")
    assert "Budget prolongé" in response.text  # kept
    response = manager.post(url, {"due": "2028-06-01", "reason": "Budget prolongé", "beyond_rule_reason": REASON})
    assert response.context["form"].has_error("due", code="too_long")
    assert escape(gettext("At most %(max)d months from today: choose an earlier date.") % {"max": 24}) in response.text

    response = manager.post(url, {"due": "2026-11-02", "reason": "Budget prolongé", "beyond_rule_reason": REASON})

    assert response.status_code == 302
    page = manager.get(startup.get_absolute_url())
    assert 'id="due-beyond-rule"' in page.text
    assert REASON in page.text
    assert BEYOND_RULE in [flag.key for flag in page.context["flags"]]
    listed = manager.get(reverse("portfolio:startup_list"), {"flag": BEYOND_RULE})
    assert [row.slug for row in listed.context["startups"]] == [startup.slug]
    assert escape(gettext("Beyond the 6-month rule")) in page.text


def test_a_later_decision_replaces_the_due_date_set_by_hand_and_its_mark(frozen, incubator_a, member_a, time_machine):
    startup = product(incubator_a)
    hold(startup, D(2026, 3, 16), actor=member_a)
    cadence.set_due_date(
        startup=startup, due=D(2026, 11, 2), actor=member_a, reason="Budget", beyond_rule_reason=REASON
    )
    assert BEYOND_RULE in flagged(startup)

    time_machine.move_to(datetime.datetime(2026, 10, 20, 17, 0, tzinfo=PARIS), tick=False)
    hold(startup, D(2026, 10, 20), actor=member_a)

    assert BEYOND_RULE not in flagged(startup)


# Where the mark shows -------------------------------------------------------------------------


def test_the_product_page_and_its_time_line_mark_a_decision_beyond_the_rule(manager, frozen, incubator_a, member_a):
    startup = product(incubator_a, slug="produit-a")
    decision = hold(startup, D(2026, 3, 16), actor=member_a, months=9, reason=REASON)

    page = manager.get(startup.get_absolute_url())

    committees_panel = page.text.split('id="committees"')[1]
    granted = ngettext(
        "Beyond the 6-month rule: %(months)s month granted", "Beyond the 6-month rule: %(months)s months granted", 9
    )
    assert granted % {"months": 9} in committees_panel
    assert REASON in committees_panel
    entry = next(e for e in page.context["events"] if e.url == decision.committee.get_absolute_url())
    assert REASON in entry.text


def test_the_admin_holds_the_rule_too(frozen, incubator_a, member_a):
    decision = hold(product(incubator_a), D(2026, 3, 16), actor=member_a)
    data = {"granted_months": "9", "beyond_rule_reason": "", "minutes": "", "next_objectives": "", "hypotheses": ""}

    form = DecisionAdminForm(data=data, instance=decision)
    assert form.has_error("beyond_rule_reason", code="beyond_rule_reason")
    form = DecisionAdminForm(data={**data, "granted_months": "25"}, instance=decision)
    assert form.has_error("granted_months")

    form = DecisionAdminForm(data={**data, "beyond_rule_reason": REASON}, instance=decision)
    assert form.is_valid(), form.errors
    request = RequestFactory().post("/")
    request.user = member_a
    site._registry[Decision].save_model(request, form.save(commit=False), form, change=True)

    decision.refresh_from_db()
    assert (decision.granted_months, decision.beyond_rule) == (9, True)


# The promise against the delivery (item 8) ---------------------------------------------------


@pytest.fixture
def promised(frozen, incubator_a, member_a):
    """Produit A: a committee held on 2025-09-15 (its objectives, its decision's promise), the next
    one on 2026-03-16; an indicator measured before and after the first."""
    startup = product(incubator_a, slug="produit-a", name="Produit A")
    first = CommitteeFactory(
        startup=startup,
        scheduled_at=paris(D(2025, 9, 15), 14),
        objectives="Atteindre 1 000 usagers actifs.",
        success_criteria="500 dossiers instruits par mois.",
    )
    record_decision(
        committee=first,
        actor=member_a,
        outcome="continue",
        decided_on=D(2025, 9, 15),
        next_objectives="Ouvrir le service à trois régions.",
        team_size=4,
        hypotheses="Les agents l'adoptent sans formation.",
    )
    indicator = IndicatorFactory(startup=startup, name="Usagers actifs", unit="usagers", target=Decimal("1000"))
    MeasurementFactory(indicator=indicator, date=D(2025, 9, 1), value=300)
    MeasurementFactory(indicator=indicator, date=D(2025, 12, 1), value=650)
    MeasurementFactory(indicator=indicator, date=D(2026, 3, 1), value=910)
    return CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 3, 30), 14))


def test_the_committee_page_shows_the_previous_promise_next_to_the_indicators_since(manager, promised):
    response = manager.get(promised.get_absolute_url())

    text = response.text
    promise = text.split('id="previous-promise"')[1].split("</dl>")[0]
    assert "Atteindre 1 000 usagers actifs." in promise
    assert "500 dossiers instruits par mois." in promise
    assert "Ouvrir le service à trois régions." in promise
    assert ngettext("%(people)s person", "%(people)s people", 4) % {"people": 4} in promise
    assert "Les agents l&#x27;adoptent sans formation." in promise
    (indicator,) = response.context["indicators"]
    assert (indicator.baseline_value, indicator.baseline_date) == (Decimal("300"), D(2025, 9, 1))
    assert (indicator.latest_value, indicator.measured_since) == (Decimal("910"), 2)
    table = text.split('id="indicators"')[1].split("</table>")[0]
    assert gettext("At the committee of %(date)s") % {"date": "15/09/2025"} in table
    assert "300 usagers" in table
    assert "910 usagers" in table


def test_a_first_committee_says_no_committee_came_before(manager, frozen, incubator_a):
    committee = CommitteeFactory(startup=product(incubator_a, slug="produit-a"), scheduled_at=paris(D(2026, 4, 2)))

    response = manager.get(committee.get_absolute_url())

    assert response.context["previous"] is None
    assert 'id="previous-promise"' in response.text
    assert gettext("No committee of this product was held before this one.") in response.text  # template text


def test_the_previous_committee_is_the_last_held_one_before_this_one(manager, promised, member_a):
    startup = promised.startup
    CommitteeFactory(startup=startup, scheduled_at=paris(D(2025, 12, 1)), status=Committee.Status.CANCELLED)
    later = CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 6, 1)))

    assert manager.get(promised.get_absolute_url()).context["previous"].local_date == D(2025, 9, 15)
    assert manager.get(later.get_absolute_url()).context["previous"].local_date == D(2025, 9, 15)


@pytest.mark.parametrize("count", [1, 30])
def test_the_committee_page_query_count_with_past_committees_and_measurements(
    manager, promised, django_assert_num_queries, count
):
    startup = promised.startup
    for number in range(count):
        day = D(2023, 1, 2) + datetime.timedelta(days=7 * number)
        DecisionFactory(committee__startup=startup, committee__scheduled_at=paris(day))
        indicator = IndicatorFactory(startup=startup, name=f"Indicateur {number}")
        for month in range(1, 13):
            MeasurementFactory(indicator=indicator, date=D(2025, month, 1), value=month)

    with django_assert_num_queries(11):  # as committees/tests/test_pages.py counts them
        response = manager.get(promised.get_absolute_url())

    assert len(response.context["indicators"]) == count + 1
