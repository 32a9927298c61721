"""What a new manager tripped over in the first hour (issue 9), on the committee pages:
item 4, a decision recorded before the meeting and a message that read as a phase change;
item 5, invitations that left people out in silence and a coach invited as "other"."""

import datetime
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from committees.models import Attendee, Committee, Decision
from committees.services import record_decision
from committees.tests.factories import AttendeeFactory, CommitteeFactory
from incubator.models import OutboxMessage
from incubator.templatetags.portal_dates import long_date
from incubator.tests.dsfr_html import main
from incubator.tests.factories import OrganisationFactory, UserFactory
from portfolio.models import Phase, Startup, TeamMembership
from portfolio.tests.factories import TeamMembershipFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DAY = datetime.date(2026, 3, 16)
MORNING = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=PARIS)
MEETING = datetime.datetime(2026, 3, 16, 23, 0, tzinfo=PARIS)


@pytest.fixture
def evening_committee(startup_a, team_member, member_a):
    """Product A's committee today at 23:00 Paris, the intrapreneur and the manager invited."""
    committee = CommitteeFactory(startup=startup_a, scheduled_at=MEETING)
    AttendeeFactory(committee=committee, user=team_member, email=team_member.email, role="intrapreneur")
    AttendeeFactory(committee=committee, user=member_a, email=member_a.email, role="incubator_manager")
    return committee


def decision_url(committee):
    return reverse("committees:decision", kwargs={"pk": committee.pk})


def decision_data(**extra):
    return {"outcome": "continue", "decided_on": DAY.isoformat(), "granted_months": "6", **extra}


# Item 4: a decision only once the meeting has started -------------------------------------------


def test_decision_before_the_start_time_is_refused_by_the_service(time_machine, evening_committee, member_a):
    time_machine.move_to(MORNING, tick=False)

    with pytest.raises(ValidationError) as refused:
        record_decision(committee=evening_committee, actor=member_a, outcome=Decision.Outcome.CONTINUE, decided_on=DAY)

    assert refused.value.code == "not_started"
    assert long_date(MEETING, "weekday_datetime") in refused.value.messages[0]
    assert not Decision.objects.exists()
    assert Committee.objects.get(pk=evening_committee.pk).status == Committee.Status.PLANNED
    assert Startup.objects.get(pk=evening_committee.startup_id).next_committee_due is None


def test_decision_once_the_meeting_started_is_accepted(time_machine, evening_committee, member_a):
    time_machine.move_to(MEETING + datetime.timedelta(minutes=5), tick=False)

    decision = record_decision(
        committee=evening_committee, actor=member_a, outcome=Decision.Outcome.CONTINUE, decided_on=DAY
    )

    assert decision.committee_id == evening_committee.pk
    assert Committee.objects.get(pk=evening_committee.pk).status == Committee.Status.HELD


def test_decision_page_before_the_start_says_when_it_opens_and_offers_no_form(time_machine, manager, evening_committee):
    time_machine.move_to(MORNING, tick=False)

    page = manager.get(decision_url(evening_committee))
    committee_page = manager.get(evening_committee.get_absolute_url())

    assert page.status_code == 200
    notice = main(page).split('id="decision-not-open"')[1].split("</div>")[0]
    assert long_date(MEETING, "weekday_datetime") in notice
    assert 'name="outcome"' not in page.text
    assert committee_page.context["can_decide"] is False
    assert 'id="record-decision"' not in committee_page.text
    assert long_date(MEETING, "weekday_datetime") in committee_page.text.split('id="decision-opens"')[1][:300]


def test_decision_posted_before_the_start_is_refused_on_the_form(time_machine, manager, evening_committee):
    time_machine.move_to(MORNING, tick=False)

    response = manager.post(decision_url(evening_committee), decision_data())

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="not_started")
    assert not Decision.objects.exists()
    assert Committee.objects.get(pk=evening_committee.pk).status == Committee.Status.PLANNED


def continue_sentence(due):
    return gettext("Continuation approved: %(name)s stays in %(phase)s; next committee due by %(due)s.") % {
        "name": "Produit A",
        "phase": Phase.CONSTRUCTION.label,
        "due": long_date(due),
    }


def test_message_after_continue_names_the_unchanged_phase_and_the_next_due_date(
    time_machine, manager, evening_committee
):
    time_machine.move_to(MEETING + datetime.timedelta(hours=1), tick=False)

    response = manager.post(decision_url(evening_committee), decision_data(), follow=True)

    (message,) = [str(message) for message in response.context["messages"]]
    assert message == continue_sentence(datetime.date(2026, 9, 16))
    assert str(Phase.CONSTRUCTION.label) in message
    assert Startup.objects.get(pk=evening_committee.startup_id).phase == Phase.CONSTRUCTION


def test_decision_email_says_what_changed_as_the_page_does(time_machine, manager, evening_committee, team_member):
    time_machine.move_to(MEETING + datetime.timedelta(hours=1), tick=False)

    manager.post(decision_url(evening_committee), decision_data())

    email = OutboxMessage.objects.get(to=[team_member.email])
    assert continue_sentence(datetime.date(2026, 9, 16)) in email.body_text
    assert continue_sentence(datetime.date(2026, 9, 16)) in email.body_html


def test_message_after_next_phase_names_the_move(time_machine, manager, evening_committee):
    time_machine.move_to(MEETING + datetime.timedelta(hours=1), tick=False)

    response = manager.post(
        decision_url(evening_committee), decision_data(outcome="next_phase", next_phase="acceleration"), follow=True
    )

    (message,) = [str(message) for message in response.context["messages"]]
    assert message == gettext(
        "Move approved: %(name)s moves from %(previous)s to %(phase)s; next committee due by %(due)s."
    ) % {
        "name": "Produit A",
        "previous": Phase.CONSTRUCTION.label,
        "phase": Phase.ACCELERATION.label,
        "due": long_date(datetime.date(2026, 9, 16)),
    }


def test_message_after_stop_says_the_product_is_stopped(time_machine, manager, evening_committee):
    time_machine.move_to(MEETING + datetime.timedelta(hours=1), tick=False)

    response = manager.post(decision_url(evening_committee), decision_data(outcome="stop"), follow=True)

    (message,) = [str(message) for message in response.context["messages"]]
    assert message == gettext("Stop decided: %(name)s is stopped after %(previous)s; no further committee is due.") % {
        "name": "Produit A",
        "previous": Phase.CONSTRUCTION.label,
    }


# Item 5: who is invited, who is not and why ------------------------------------------------------


def plan_url(startup):
    return reverse("committees:committee_plan", kwargs={"slug": startup.slug})


def initial_rows(response):
    return [
        (row.initial["email"], row.initial["role"], row.initial["mandatory"])
        for row in response.context["formset"].initial_forms
    ]


def test_plan_notice_lists_the_team_members_without_an_email_with_a_link_to_edit_them(manager, startup_a, team_member):
    silent = TeamMembershipFactory(
        startup=startup_a, user=None, name="Sans Courriel", email="", role=TeamMembership.Role.DESIGNER
    )

    response = manager.get(plan_url(startup_a))

    listed = main(response).split('id="team-without-email"')[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?) \(", listed) == ["Sans Courriel"]
    assert reverse("portfolio:team_edit", kwargs={"slug": startup_a.slug, "pk": silent.pk}) in listed
    assert "Sans Courriel" not in [row.initial["name"] for row in response.context["formset"].initial_forms]


def test_plan_prefills_a_row_for_the_sponsor_contact_and_names_the_sponsor_without_one(
    manager, startup_a, team_member, member_a
):
    with_contact = OrganisationFactory(
        acronym="MINEX", contact_name="Sophie Sponsor", contact_email="sophie.sponsor@minex.gouv.fr"
    )
    without_contact = OrganisationFactory(acronym="MINSANS")
    startup_a.sponsors.add(with_contact, without_contact)

    response = manager.get(plan_url(startup_a))

    assert initial_rows(response) == [
        (team_member.email, Attendee.Role.INTRAPRENEUR, True),
        ("sophie.sponsor@minex.gouv.fr", Attendee.Role.SPONSOR, False),
        (member_a.email, Attendee.Role.INCUBATOR_MANAGER, True),
    ]
    assert response.context["formset"].initial_forms[1].initial["name"] == "Sophie Sponsor"
    listed = main(response).split('id="sponsors-without-contact"')[1].split("</ul>")[0]
    assert "MINSANS" in listed
    assert "MINEX" not in listed
    assert 'id="no-sponsor"' not in response.text


def test_plan_says_when_the_product_has_no_sponsor(manager, startup_a, team_member):
    response = manager.get(plan_url(startup_a))

    assert 'id="no-sponsor"' in main(response)
    assert reverse("portfolio:startup_update", kwargs={"slug": startup_a.slug}) in main(response)


def test_plan_prefills_the_coach_as_coach_and_the_team_with_their_roles(manager, startup_a, team_member, member_a):
    coach = UserFactory(email="coach@example.gouv.fr")
    TeamMembershipFactory(startup=startup_a, user=coach, role=TeamMembership.Role.COACH)
    TeamMembershipFactory(startup=startup_a, user=None, name="Dev", email="dev@example.gouv.fr", role="developer")

    response = manager.get(plan_url(startup_a))

    roles = {email: role for email, role, _mandatory in initial_rows(response)}
    assert roles == {
        team_member.email: Attendee.Role.INTRAPRENEUR,
        "coach@example.gouv.fr": Attendee.Role.COACH,
        "dev@example.gouv.fr": Attendee.Role.TEAM,
        member_a.email: Attendee.Role.INCUBATOR_MANAGER,
    }
    assert 'id="team-without-email"' not in response.text
