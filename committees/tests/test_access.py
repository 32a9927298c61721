"""Access tables of every committee page and action, for GET and POST, with the committee personas.

anonymous, team_member (of product A), attendee (invited by email, no role anywhere), coach_a,
juror_a and viewer_a (those roles in incubator A), member_a (manager of incubator A),
portfolio_manager_a, member_b (manager of incubator B), network_admin. Committees, decks and
minutes are for the product's managers, its team, the committee's attendees and network admins:
for anyone else (another incubator's manager, or a coach, juror or viewer of the same incubator)
a committee is a 404 and nothing changes. The team and the attendees see the committee; the team
adds documents; neither decides (403, nothing saved).
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from committees.models import Attendee, CalendarFeed, Committee, CommitteeDocument, Decision, DueDateChange
from committees.tests.factories import (
    AttendeeFactory,
    CommitteeDocumentFactory,
    CommitteeFactory,
    DecisionFactory,
    DueDateChangeFactory,
    invite_outside_attendee,
    paris,
)
from incubator.models import OutboxMessage
from incubator.tests.access import assert_status
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.models import Phase, Startup

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def past_committee(startup_a, team_member, member_a):
    """A committee of product A two days ago, still planned: its decision is to be recorded."""
    committee = CommitteeFactory(
        startup=startup_a, scheduled_at=paris(timezone.localdate() - datetime.timedelta(days=2))
    )
    AttendeeFactory(committee=committee, user=team_member, email=team_member.email, role="intrapreneur")
    invite_outside_attendee(committee)
    return committee


@pytest.fixture
def decided_committee(startup_a):
    committee = DecisionFactory(
        committee__startup=startup_a,
        committee__scheduled_at=paris(timezone.localdate() - datetime.timedelta(days=10)),
    ).committee
    invite_outside_attendee(committee)
    return committee


@pytest.fixture
def invited_committee(committee_a):
    """``committee_a`` (in 20 days, the team member and manager A attend) with the outside attendee invited."""
    invite_outside_attendee(committee_a)
    return committee_a


def messages_to(email):
    return [message for message in OutboxMessage.objects.all() if email in message.to]


def committee_url(name, committee):
    return reverse(f"committees:{name}", kwargs={"pk": committee.pk})


def startup_url(name, startup):
    return reverse(f"committees:{name}", kwargs={"slug": startup.slug})


def table(anonymous="login", *, team, attendee, managers, outsiders=404):
    """(persona, expected) for every committee persona. ``outsiders``: another incubator's manager,
    and the coach, juror and viewer of the product's incubator, who read no committee."""
    return [
        ("anonymous", anonymous),
        ("team_member", team),
        ("attendee", attendee),
        ("coach_a", outsiders),
        ("juror_a", outsiders),
        ("viewer_a", outsiders),
        ("member_a", managers),
        ("portfolio_manager_a", managers),
        ("member_b", outsiders),
        ("network_admin", managers),
    ]


SEES = table(team=200, attendee=200, managers=200)
UPLOADS = table(team=200, attendee=403, managers=200)
MANAGES = table(team=403, attendee=403, managers=200)
# Product pages (planning, the due date): the team reads the product but may not; an attendee
# without a role does not read the product at all; the incubator's other roles read it but may not.
MANAGES_PRODUCT = [
    (persona, 403 if persona in {"coach_a", "juror_a", "viewer_a"} else 404 if persona == "attendee" else expected)
    for persona, expected in MANAGES
]
NOT_SEEN = {persona for persona, expected in SEES if expected == 404}
# POST: 302 when the action goes through.
PLANS = [(persona, 302 if expected == 200 else expected) for persona, expected in MANAGES_PRODUCT]
ADDS = [(persona, 302 if expected == 200 else expected) for persona, expected in UPLOADS]
DECIDES = [(persona, 302 if expected == 200 else expected) for persona, expected in MANAGES]


def with_outcome(expected_table):
    """(persona, expected, whether the POST went through) for each row of ``expected_table``."""
    return [(persona, expected, expected == 302) for persona, expected in expected_table]


@pytest.mark.parametrize(("persona", "expected"), table(team=200, attendee=200, managers=200, outsiders=200))
def test_calendar_access(as_committee_persona, invited_committee, persona, expected):
    response = as_committee_persona(persona).get(reverse("committees:committee_list"))

    assert_status(response, expected)
    if expected == 200:
        listed = invited_committee in response.context["committees"]
        assert listed is (persona not in NOT_SEEN)
        assert response.context["sections"][0][2] == (0 if persona in NOT_SEEN else 1)  # the "upcoming" count


@pytest.mark.parametrize(("persona", "expected"), SEES)
@pytest.mark.parametrize("page", ["committee_detail", "committee_ics"])
def test_committee_pages_get_access(as_committee_persona, invited_committee, persona, expected, page):
    assert_status(as_committee_persona(persona).get(committee_url(page, invited_committee)), expected)


@pytest.mark.parametrize(("persona", "expected"), UPLOADS)
def test_document_page_get_access(as_committee_persona, invited_committee, persona, expected):
    assert_status(as_committee_persona(persona).get(committee_url("document_add", invited_committee)), expected)


@pytest.mark.parametrize(("persona", "expected"), MANAGES)
@pytest.mark.parametrize("page", ["decision", "committee_cancel"])
def test_manager_committee_pages_get_access(as_committee_persona, past_committee, persona, expected, page):
    assert_status(as_committee_persona(persona).get(committee_url(page, past_committee)), expected)


@pytest.mark.parametrize(("persona", "expected"), MANAGES_PRODUCT)
@pytest.mark.parametrize("page", ["committee_plan", "due_date"])
def test_product_committee_pages_get_access(as_committee_persona, startup_a, team_member, persona, expected, page):
    assert_status(as_committee_persona(persona).get(startup_url(page, startup_a)), expected)


@pytest.mark.parametrize(("persona", "expected"), SEES)
@pytest.mark.parametrize("kind", ["deck", "minutes"])
def test_document_download_access(as_committee_persona, invited_committee, persona, expected, kind):
    document = CommitteeDocumentFactory(committee=invited_committee, kind=kind)

    response = as_committee_persona(persona).get(document.get_absolute_url())

    assert_status(response, expected)
    if expected == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(("persona", "expected", "planned"), with_outcome(PLANS))
def test_plan_post_access(as_committee_persona, startup_a, team_member, persona, expected, planned):
    when = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "kind": "periodic",
        "scheduled_at": f"{when.isoformat()}T14:00",
        "duration_minutes": "60",
        "place": "Salle 1",
        "attendees-TOTAL_FORMS": "1",
        "attendees-INITIAL_FORMS": "0",
        "attendees-0-name": "Invitée",
        "attendees-0-email": "invitee@example.gouv.fr",
        "attendees-0-role": "sponsor",
    }

    response = as_committee_persona(persona).post(startup_url("committee_plan", startup_a), data)

    assert_status(response, expected)
    assert Committee.objects.filter(startup=startup_a).exists() is planned
    assert bool(messages_to("invitee@example.gouv.fr")) is planned


@pytest.mark.parametrize(("persona", "expected", "added"), with_outcome(ADDS))
def test_document_post_access(as_committee_persona, invited_committee, persona, expected, added):
    upload = SimpleUploadedFile("support.pdf", PDF, content_type="application/pdf")

    response = as_committee_persona(persona).post(
        committee_url("document_add", invited_committee), {"kind": "deck", "file": upload, "contents": ["impact"]}
    )

    assert_status(response, expected)
    assert CommitteeDocument.objects.filter(committee=invited_committee).exists() is added


@pytest.mark.parametrize(("persona", "expected", "decided"), with_outcome(DECIDES))
def test_decision_post_access(as_committee_persona, past_committee, persona, expected, decided):
    data = {
        "outcome": "next_phase",
        "next_phase": "acceleration",
        "decided_on": past_committee.local_date.isoformat(),
        "granted_months": "6",
    }

    response = as_committee_persona(persona).post(committee_url("decision", past_committee), data)

    assert_status(response, expected)
    assert Decision.objects.filter(committee=past_committee).exists() is decided
    assert Startup.objects.get(pk=past_committee.startup_id).phase == (
        Phase.ACCELERATION if decided else Phase.CONSTRUCTION
    )
    assert Committee.objects.get(pk=past_committee.pk).status == ("held" if decided else "planned")


@pytest.mark.parametrize(("persona", "expected", "marked"), with_outcome(DECIDES))
def test_follow_up_post_access(as_committee_persona, decided_committee, team_member, persona, expected, marked):
    response = as_committee_persona(persona).post(
        committee_url("follow_up", decided_committee), {"purchasing_told": "on", "sheet_updated": "on"}
    )

    assert_status(response, expected)
    decision = Decision.objects.get(committee=decided_committee)
    assert (decision.purchasing_told, decision.deck_published, decision.sheet_updated) == (marked, False, marked)


@pytest.mark.parametrize(("persona", "expected", "cancelled"), with_outcome(DECIDES))
def test_cancel_post_access(as_committee_persona, invited_committee, persona, expected, cancelled):
    response = as_committee_persona(persona).post(committee_url("committee_cancel", invited_committee))

    assert_status(response, expected)
    assert Committee.objects.get(pk=invited_committee.pk).status == ("cancelled" if cancelled else "planned")


@pytest.mark.parametrize(("persona", "expected", "changed"), with_outcome(PLANS))
def test_due_date_post_access(as_committee_persona, startup_a, team_member, persona, expected, changed):
    due = timezone.localdate() + datetime.timedelta(days=90)
    before = Startup.objects.get(pk=startup_a.pk).next_committee_due

    response = as_committee_persona(persona).post(
        startup_url("due_date", startup_a), {"due": due.isoformat(), "reason": "Budget prolongé"}
    )

    assert_status(response, expected)
    assert Startup.objects.get(pk=startup_a.pk).next_committee_due == (due if changed else before)


@pytest.mark.parametrize(("persona", "expected"), table(team=200, attendee=200, managers=200, outsiders=200))
def test_my_calendar_page_access(as_committee_persona, committee_personas, persona, expected):
    response = as_committee_persona(persona).get(reverse("committees:my_calendar"))

    assert_status(response, expected)
    if expected == 200:
        assert not CalendarFeed.objects.exists()  # a GET creates nothing: the page offers a button
        assert 'id="create-feed"' in response.text


@pytest.mark.parametrize(("persona", "expected"), table(team=302, attendee=302, managers=302, outsiders=302))
def test_feed_renewal_post_access(as_committee_persona, committee_personas, persona, expected):
    response = as_committee_persona(persona).post(reverse("committees:calendar_feed_renew"))

    assert_status(response, expected)
    assert CalendarFeed.objects.count() == (0 if persona == "anonymous" else 1)


@pytest.mark.parametrize("persona", ["member_b", "coach_a", "juror_a", "viewer_a"])
@pytest.mark.parametrize("page", ["committee_detail", "committee_ics", "document_add", "decision", "committee_cancel"])
def test_get_of_a_committee_by_who_may_not_see_it_is_a_404(as_committee_persona, invited_committee, persona, page):
    assert as_committee_persona(persona).get(committee_url(page, invited_committee)).status_code == 404


def test_feed_is_public_by_token_only(client, committee_a, member_a):
    feed = CalendarFeed.objects.create(user=member_a, token="secret-token-a")

    found = client.get(feed.get_absolute_url())
    unknown = client.get(reverse("committees:calendar_feed", kwargs={"token": "not-the-token"}))

    assert found.status_code == 200
    assert found["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"Produit A" in found.content
    assert unknown.status_code == 404


def test_revoked_feed_token_is_a_404(client, committee_a, member_a):
    feed = CalendarFeed.objects.create(user=member_a, token="old-token")
    feed.renew()

    assert client.get(reverse("committees:calendar_feed", kwargs={"token": "old-token"})).status_code == 404
    assert client.get(feed.get_absolute_url()).status_code == 200


def test_feed_of_a_deactivated_user_is_a_404(client, committee_a, member_a):
    feed = CalendarFeed.objects.create(user=member_a, token="token-of-a-leaver")
    member_a.is_active = False
    member_a.save()

    assert client.get(feed.get_absolute_url()).status_code == 404


def test_attendee_without_account_reaches_only_the_invitation(client, as_committee_persona, startup_a, team_member):
    """An external attendee gets an email with the .ics; every page behind its link asks to sign in."""
    when = timezone.localdate() + datetime.timedelta(days=15)
    as_committee_persona("member_a").post(
        startup_url("committee_plan", startup_a),
        {
            "kind": "periodic",
            "scheduled_at": f"{when.isoformat()}T10:00",
            "duration_minutes": "90",
            "place": "Salle 1",
            "attendees-TOTAL_FORMS": "1",
            "attendees-INITIAL_FORMS": "0",
            "attendees-0-name": "Sponsor Externe",
            "attendees-0-email": "sponsor@ministere.example.fr",
            "attendees-0-role": "sponsor",
        },
    )
    committee = Committee.objects.get(startup=startup_a)
    attendee = Attendee.objects.get(committee=committee)
    (invitation,) = messages_to("sponsor@ministere.example.fr")
    client.logout()

    assert attendee.user is None
    assert committee.get_absolute_url() in invitation.body_text
    assert [attachment["filename"] for attachment in invitation.attachments] == ["comite.ics"]
    for url in [
        committee.get_absolute_url(),
        committee_url("committee_ics", committee),
        reverse("committees:committee_list"),
        reverse("committees:my_calendar"),
    ]:
        assert_status(client.get(url), "login")
    assert client.get(reverse("committees:calendar_feed", kwargs={"token": "guess"})).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("member_a", 302), ("network_admin", 200)])
@pytest.mark.parametrize("model", ["committee", "decision", "duedatechange", "calendarfeed"])
def test_admin_pages_for_network_admins_only(as_committee_persona, decided_committee, persona, status, model):
    client = as_committee_persona(persona)

    assert client.get(reverse(f"admin:committees_{model}_changelist"), {"q": "a"}).status_code == status


def test_admin_due_dates_set_by_hand_are_read_only_and_deleted_by_a_superuser_only(client, startup_a):
    change = DueDateChangeFactory(startup=startup_a, beyond_rule=True, beyond_rule_reason="Attente de la DINUM")
    other = DueDateChangeFactory(reason="Autre produit")
    staff = UserFactory(email="staff@example.gouv.fr", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="committees"))
    superuser = UserFactory(email="root@example.gouv.fr", is_staff=True, is_superuser=True)
    delete = reverse("admin:committees_duedatechange_delete", args=[change.pk])
    pages = {}
    for name, user in [("staff", staff), ("superuser", superuser)]:
        client.force_login(user)
        pages[name] = {
            "list": client.get(reverse("admin:committees_duedatechange_changelist"), {"beyond_rule__exact": "1"}),
            "detail": client.get(reverse("admin:committees_duedatechange_change", args=[change.pk])),
            "add": client.get(reverse("admin:committees_duedatechange_add")),
            "change": client.post(reverse("admin:committees_duedatechange_change", args=[change.pk]), {"reason": "x"}),
        }
    client.force_login(staff)
    refused = client.post(delete, {"post": "yes"})
    kept = DueDateChange.objects.filter(pk=change.pk).exists()
    client.force_login(superuser)
    deleted = client.post(delete, {"post": "yes"})

    for page in pages.values():
        assert list(page["list"].context["cl"].result_list) == [change]
        assert "Attente de la DINUM" in page["detail"].text
        assert page["add"].status_code == 403
        assert page["change"].status_code == 403
    assert refused.status_code == 403
    assert kept
    assert deleted.status_code == 302
    assert list(DueDateChange.objects.all()) == [other]


def test_admin_committee_page_shows_inlines_and_the_feed_list_hides_tokens(
    as_committee_persona, decided_committee, member_a
):
    CommitteeDocumentFactory(committee=decided_committee)
    feed = CalendarFeed.objects.create(user=member_a, token="very-secret-token")
    client = as_committee_persona("network_admin")

    page = client.get(reverse("admin:committees_committee_change", args=[decided_committee.pk]))
    feeds = client.get(reverse("admin:committees_calendarfeed_changelist"))
    feed_page = client.get(reverse("admin:committees_calendarfeed_change", args=[feed.pk]))

    assert page.status_code == 200
    assert "support.pdf" in page.text
    assert 'name="decision-0-purchasing_told"' in page.text
    assert "very-secret-token" not in feeds.text
    assert "very-secret-token" not in feed_page.text


@pytest.mark.parametrize(("persona", "listed"), [("viewer_a", False), ("coach_a", False), ("team_member", True)])
def test_product_page_lists_the_committees_only_to_who_may_see_them(
    as_committee_persona, invited_committee, persona, listed
):
    response = as_committee_persona(persona).get(invited_committee.startup.get_absolute_url())

    assert response.status_code == 200
    assert list(response.context["committees"]) == ([invited_committee] if listed else [])
    assert (invited_committee.get_absolute_url() in response.text) is listed


def test_former_team_member_no_longer_sees_the_committees(client, committee_a, team_member):
    membership = team_member.team_memberships.get()
    membership.start, membership.end = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    membership.save()
    Attendee.objects.filter(committee=committee_a, user=team_member).delete()
    client.force_login(team_member)

    assert client.get(committee_a.get_absolute_url()).status_code == 404


def test_partner_incubators_portfolio_manager_sees_the_committee_and_has_it_in_the_feed(client, committee_a):
    partner = IncubatorFactory(slug="partenaire")
    committee_a.startup.other_incubators.add(partner)
    manager = MembershipFactory(
        incubator=partner, user=UserFactory(email="pm-partenaire@example.gouv.fr"), role="portfolio_manager"
    ).user
    feed = CalendarFeed.objects.create(user=manager, token="partner-token")
    client.force_login(manager)

    assert client.get(committee_a.get_absolute_url()).status_code == 200
    assert "Produit A" in client.get(feed.get_absolute_url()).text


@pytest.mark.parametrize(("persona", "in_feed"), [("attendee", True), ("coach_a", False), ("viewer_a", False)])
def test_feed_lists_the_committees_attended_by_email_not_those_of_the_incubator(
    client, committee_personas, invited_committee, persona, in_feed
):
    feed = CalendarFeed.objects.create(user=committee_personas[persona], token=f"token-{persona}")

    response = client.get(feed.get_absolute_url())

    assert response.status_code == 200
    assert ("Produit A" in response.text) is in_feed
