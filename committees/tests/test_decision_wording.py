"""The decision's pages in French: the form sits under the committee in the breadcrumb, and the
phase it opens says the committee's date in words (the project's ``long_date``), not in ISO."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from committees.models import Decision
from committees.services import record_decision
from committees.tests.factories import CommitteeFactory, paris
from incubator.tests.dsfr_html import attrs, elements, text
from portfolio.models import Phase, PhasePeriod
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 7)


@time_machine.travel("2025-06-07 17:00 +0200", tick=False)
def test_phase_opened_by_a_decision_says_the_committee_date_in_words(incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=datetime.date(2025, 4, 1))
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(DAY, 14))

    with translation.override("fr"):
        record_decision(
            committee=committee,
            actor=member_a,
            outcome=Decision.Outcome.NEXT_PHASE,
            decided_on=DAY,
            next_phase=Phase.CONSTRUCTION,
        )

    period = PhasePeriod.objects.get(startup=startup, phase=Phase.CONSTRUCTION)
    assert "2025-06-07" not in period.comment
    assert "7 juin 2025" in period.comment


@time_machine.travel("2025-06-07 17:00 +0200", tick=False)
def test_decision_form_has_the_committee_page_in_its_breadcrumb(sign_in, incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a)
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(DAY, 14))

    response = sign_in(member_a).get(reverse("committees:decision", args=[committee.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    nav = html[html.index('<nav role="navigation" class="fr-breadcrumb"') :]
    links = [e for e in elements(nav[: nav.index("</nav>") + 6]) if e.name == "a"]
    assert [attrs(a).get("href") for a in links][-2:] == [committee.get_absolute_url(), None]
    assert attrs(links[-1])["aria-current"] == "page"
    assert text(links[-1]) == translation.gettext("Record the decision")
