"""What the committee pages show and refuse: calendar, planning, committee page, documents, decision, calendars.

The French catalogue of the new strings is filled by the lead: for the committee's own messages
the tests assert on error codes, fields, statuses and the database; Django's built-in messages
are checked in French.
"""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from icalendar import Calendar

from committees.models import DECK_MAX_BYTES, Attendee, CalendarFeed, Committee, CommitteeDocument, Decision
from committees.tests.factories import (
    AttendeeFactory,
    CommitteeDocumentFactory,
    CommitteeFactory,
    DecisionFactory,
    paris,
)
from incubator.models import Membership
from incubator.tests.dsfr_html import elements, main, unlabelled
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from incubator.uploads import PRESENTATIONS, check_upload
from portfolio.models import Phase, Startup
from portfolio.tests.factories import IndicatorFactory, MeasurementFactory, StartupFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def zip_bytes(entries):
    """A zip archive of (name, text) entries, stored uncompressed as OOXML and ODF packages are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


PPTX = zip_bytes(
    [("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"), ("ppt/presentation.xml", "<p/>")]
)
# PowerPoint itself may put ppt/ after many other parts: filetype (which reads the head) says "zip".
PPTX_LATE = zip_bytes(
    [
        ("[Content_Types].xml", "<Types/>"),
        ("_rels/.rels", "<Relationships/>"),
        ("docProps/app.xml", "<Properties/>"),
        ("docProps/core.xml", "<coreProperties/>"),
        ("customXml/item1.xml", "<item/>"),
        ("customXml/item2.xml", "<item/>"),
        ("ppt/presentation.xml", "<p/>"),
    ]
)
ODP = zip_bytes([("mimetype", "application/vnd.oasis.opendocument.presentation"), ("content.xml", "<document/>")])
DOCX = zip_bytes([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>")])
ODT = zip_bytes([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<document/>")])
PLAIN_ZIP = zip_bytes([("notes.txt", "hello")])
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def past_committee(startup_a, team_member, member_a):
    """A committee of product A two days ago, still planned: its decision is to be recorded."""
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY() - datetime.timedelta(days=2)))
    AttendeeFactory(committee=committee, user=team_member, email=team_member.email, role="intrapreneur")
    return committee


def days(n):
    return TODAY() + datetime.timedelta(days=n)


# The calendar


def names(response):
    assert response.status_code == 200, response.content[:500]
    return [committee.startup.name for committee in response.context["committees"]]


def test_calendar_sections_and_filters(manager, incubator_a, member_a):
    soon = CommitteeFactory(startup=StartupFactory(name="Bientôt", incubator=incubator_a), scheduled_at=paris(days(3)))
    later = CommitteeFactory(
        startup=StartupFactory(name="Plus tard", incubator=incubator_a),
        scheduled_at=paris(days(40)),
        kind=Committee.Kind.CONSOLIDATION,
    )
    CommitteeFactory(startup=StartupFactory(name="À tenir", incubator=incubator_a), scheduled_at=paris(days(-3)))
    DecisionFactory(
        committee__startup=StartupFactory(name="Tenu", incubator=incubator_a), committee__scheduled_at=paris(days(-30))
    )
    CommitteeFactory(
        startup=StartupFactory(name="Annulé", incubator=incubator_a),
        scheduled_at=paris(days(5)),
        status=Committee.Status.CANCELLED,
    )
    url = reverse("committees:committee_list")

    assert names(manager.get(url)) == ["Bientôt", "Plus tard"]  # upcoming by default, soonest first
    assert names(manager.get(url, {"section": "to_hold"})) == ["À tenir"]
    assert names(manager.get(url, {"section": "held"})) == ["Tenu"]
    assert names(manager.get(url, {"section": "cancelled"})) == ["Annulé"]
    assert names(manager.get(url, {"section": "all"})) == ["Plus tard", "Annulé", "Bientôt", "À tenir", "Tenu"]
    assert names(manager.get(url, {"section": "all", "kind": "consolidation"})) == ["Plus tard"]
    assert names(manager.get(url, {"section": "all", "status": "held"})) == ["Tenu"]
    assert names(manager.get(url, {"section": "all", "date_from": days(0), "date_to": days(10)})) == [
        "Annulé",
        "Bientôt",
    ]
    assert names(manager.get(url, {"incubator": "fabrique-a"})) == ["Bientôt", "Plus tard"]
    counts = {value: count for value, _label, count in manager.get(url).context["sections"]}
    assert counts == {"upcoming": 2, "to_hold": 1, "held": 1, "cancelled": 1, "all": 5}
    assert soon.get_absolute_url() in manager.get(url).text
    assert later.get_absolute_url() in manager.get(url).text


def test_calendar_incubator_filter_offers_only_the_users_incubators(manager, incubator_a, incubator_b):
    form = manager.get(reverse("committees:committee_list")).context["filter"].form

    assert [incubator.slug for incubator in form.fields["incubator"].queryset] == ["fabrique-a"]


def test_calendar_refuses_an_unknown_filter_value_with_a_400_keeping_the_other_values(manager, committee_a):
    response = manager.get(reverse("committees:committee_list"), {"kind": "inconnu", "date_from": "2026-01-05"})

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.text
    assert 'value="2026-01-05"' in response.text
    assert list(response.context["committees"]) == []


def test_calendar_lists_overdue_products_with_nothing_planned(manager, incubator_a, incubator_b):
    overdue = StartupFactory(name="En retard", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    planned = StartupFactory(name="Planifié", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    StartupFactory(name="À jour", incubator=incubator_a, phase=Phase.CONSTRUCTION, next_committee_due=days(30))
    StartupFactory(name="Arrêté", incubator=incubator_a, phase=Phase.ABANDONED, next_committee_due=days(-30))
    StartupFactory(name="Ailleurs", incubator=incubator_b, phase=Phase.CONSTRUCTION, next_committee_due=days(-30))
    Startup.objects.filter(pk__in=[overdue.pk, planned.pk]).update(next_committee_due=days(-10))
    CommitteeFactory(startup=planned, scheduled_at=paris(days(7)))

    response = manager.get(reverse("committees:committee_list"))

    assert [startup.name for startup in response.context["overdue_summary"]["overdue"]] == ["En retard"]
    assert reverse("committees:committee_plan", kwargs={"slug": overdue.slug}) in response.text


def test_calendar_summarises_a_long_overdue_list_and_links_to_the_portfolio(manager, incubator_a):
    for number in range(12):
        StartupFactory(name=f"Retard {number:02}", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    Startup.objects.update(next_committee_due=days(-30))
    Startup.objects.filter(name="Retard 11").update(next_committee_due=days(-40))  # the most overdue first

    response = manager.get(reverse("committees:committee_list"), {"incubator": incubator_a.slug})

    shown = [startup.name for startup in response.context["overdue_summary"]["overdue"]]
    assert shown == ["Retard 11", *[f"Retard {number:02}" for number in range(9)]]
    assert response.context["overdue_summary"]["overdue_total"] == 12
    sentence = ngettext(
        "%(counter)s product was due for a committee and none is planned.",
        "%(counter)s products were due for a committee and none is planned.",
        12,
    ) % {"counter": 12}
    assert sentence in response.text.replace("&#x27;", "'")
    link = response.context["overdue_summary"]["overdue_list_url"]
    assert link == f"{reverse('portfolio:startup_list')}?committee=en-retard&incubator={incubator_a.slug}"
    assert f'href="{link.replace("&", "&amp;")}"' in response.text


def test_calendar_overdue_list_leaves_out_a_product_whose_committee_took_place_since(manager, incubator_a):
    """As the portfolio says (``is_overdue``): a committee held after the due date, its decision
    awaited, is not overdue."""
    awaited = StartupFactory(name="Décision attendue", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    late = StartupFactory(name="En retard", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    Startup.objects.filter(pk__in=[awaited.pk, late.pk]).update(next_committee_due=days(-10))
    CommitteeFactory(startup=awaited, scheduled_at=paris(days(-1)))

    response = manager.get(reverse("committees:committee_list"))

    assert [startup.name for startup in response.context["overdue_summary"]["overdue"]] == ["En retard"]
    assert response.context["overdue_summary"]["overdue_total"] == 1
    assert 'id="all-overdue"' not in response.text


def make_committees(incubator, count):
    for number in range(count):
        committee = CommitteeFactory(
            startup=StartupFactory(incubator=incubator, next_committee_due=days(-1)),
            scheduled_at=paris(days(number % 20 + 1)),
        )
        CommitteeDocumentFactory(committee=committee)
        AttendeeFactory(committee=committee)
    for _number in range(count):  # overdue products, listed above the calendar
        StartupFactory(incubator=incubator, phase=Phase.CONSTRUCTION, next_committee_due=days(-5))


@pytest.mark.parametrize("count", [1, 30])
def test_calendar_query_count(manager, incubator_a, django_assert_num_queries, count):
    make_committees(incubator_a, count)

    # session, user, section counts, overdue products, managed among them, count, page, incubators, header
    with django_assert_num_queries(9):
        response = manager.get(reverse("committees:committee_list"))

    assert len(response.context["committees"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 30])
def test_calendar_query_count_for_a_team_member(client, startup_a, team_member, django_assert_num_queries, count):
    for number in range(count):
        CommitteeFactory(startup=startup_a, scheduled_at=paris(days(number + 1)))
    client.force_login(team_member)

    # session, user, counts, overdue (none: no "managed" query), count, page, incubators; the header's
    # facts and the team's products
    with django_assert_num_queries(9):
        response = client.get(reverse("committees:committee_list"))

    assert len(response.context["committees"]) == min(count, 25)


# The committee page


def test_committee_page_shows_agenda_request_indicators_attendees_documents(manager, committee_a):
    committee_a.requested_budget = Decimal("250000")
    committee_a.requested_team = "Une intrapreneuse, deux développeurs"
    committee_a.success_criteria = "1 000 usagers actifs par mois"
    committee_a.save()
    indicator = IndicatorFactory(startup=committee_a.startup, name="Usagers actifs", unit="usagers", target=1000)
    MeasurementFactory(indicator=indicator, date=datetime.date(2025, 3, 1), value=120)
    MeasurementFactory(indicator=indicator, date=datetime.date(2025, 6, 1), value=480)
    CommitteeDocumentFactory(committee=committee_a, contents=["impact", "roadmap"], original_name="support-v2.pdf")

    response = manager.get(committee_a.get_absolute_url())

    assert response.status_code == 200
    text = response.text
    assert text.count("<h1") == 1
    assert [covered for _label, covered in response.context["coverage"]] == [False, False, True, True, False]
    ((_document, labels),) = response.context["documents"]
    assert labels == [CommitteeDocument.Content.IMPACT.label, CommitteeDocument.Content.ROADMAP.label]
    assert f"<td>{labels[0]}, {labels[1]}</td>" in response.text
    agenda = text.split('id="agenda"')[1].split("</ol>")[0]
    assert agenda.count("<li>") == 5
    assert "250\xa0000" in text
    assert "Une intrapreneuse, deux développeurs" in text
    assert "1 000 usagers actifs par mois" in text
    assert "480 usagers" in text
    assert "01/06/2025" in text
    assert "support-v2.pdf" in text
    assert "Équipe A" in text
    assert "Manager A" in text
    assert reverse("committees:decision", kwargs={"pk": committee_a.pk}) not in text  # not held yet
    assert reverse("committees:committee_cancel", kwargs={"pk": committee_a.pk}) in text
    assert "data-confirm=" in text


def test_committee_page_for_the_team_offers_the_upload_but_not_the_decision(client, committee_a, team_member):
    client.force_login(team_member)

    response = client.get(committee_a.get_absolute_url())

    assert response.context["can_upload"] is True
    assert response.context["can_decide"] is False
    assert response.context["can_cancel"] is False
    assert reverse("committees:document_add", kwargs={"pk": committee_a.pk}) in response.text
    assert reverse("committees:decision", kwargs={"pk": committee_a.pk}) not in response.text
    assert reverse("committees:committee_cancel", kwargs={"pk": committee_a.pk}) not in response.text


@pytest.mark.parametrize("count", [1, 30])
def test_committee_page_query_count(manager, committee_a, django_assert_num_queries, count):
    for number in range(count):
        AttendeeFactory(committee=committee_a)
        CommitteeDocumentFactory(committee=committee_a, uploaded_by=UserFactory(), contents=["impact"])
        IndicatorFactory(startup=committee_a.startup, name=f"Indicateur {number}")

    # session, user, committee (product, incubator, decision), manager rule (1: then remembered on the
    # product for every rule the page asks), documents, attendees, the previous held committee (with its
    # decision), indicators (measurements in subqueries), the standards' panel (the product visible, its
    # scorecard), the header's facts
    with django_assert_num_queries(11):
        response = manager.get(committee_a.get_absolute_url())

    assert len(response.context["documents"]) == count


@pytest.mark.parametrize("count", [1, 30])
def test_committee_page_query_count_for_the_team(client, committee_a, team_member, django_assert_num_queries, count):
    for _number in range(count):
        AttendeeFactory(committee=committee_a)
        CommitteeDocumentFactory(committee=committee_a, uploaded_by=team_member)
    client.force_login(team_member)

    # as a manager's, plus the team rules, the header's team products
    with django_assert_num_queries(14):
        client.get(committee_a.get_absolute_url())


def test_committee_page_shows_the_decision_and_its_follow_up(manager, startup_a):
    decision = DecisionFactory(
        committee__startup=startup_a,
        committee__scheduled_at=paris(days(-5)),
        outcome=Decision.Outcome.NEXT_PHASE,
        next_phase=Phase.ACCELERATION,
        granted_amount=Decimal("300000"),
        minutes="Passage en accélération validé.",
        purchasing_told=True,
    )

    response = manager.get(decision.committee.get_absolute_url())

    assert "Passage en accélération validé." in response.text
    assert "Accélération" in response.text
    form = response.context["follow_up_form"]
    assert form.initial == {"purchasing_told": True, "deck_published": False, "sheet_updated": False}
    assert response.context["can_decide"] is False


# Planning


def plan_url(startup):
    return reverse("committees:committee_plan", kwargs={"slug": startup.slug})


def plan_data(when, **extra):
    data = {
        "kind": "periodic",
        "scheduled_at": when,
        "duration_minutes": "90",
        "place": "DINUM, salle 4",
        "video_link": "",
        "requested_budget": "240000",
        "requested_months": "6",
        "requested_team": "Une intrapreneuse, deux développeurs",
        "objectives": "1 000 usagers",
        "success_criteria": "Taux de satisfaction de 80 %",
        "attendees-TOTAL_FORMS": "3",
        "attendees-INITIAL_FORMS": "2",
        "attendees-MIN_NUM_FORMS": "0",
        "attendees-MAX_NUM_FORMS": "1000",
        "attendees-0-name": "Équipe A",
        "attendees-0-email": "equipe-a@example.gouv.fr",
        "attendees-0-role": "intrapreneur",
        "attendees-0-mandatory": "on",
        "attendees-1-name": "Manager A",
        "attendees-1-email": "manager-a@example.gouv.fr",
        "attendees-1-role": "incubator_manager",
        "attendees-2-name": "",
        "attendees-2-email": "",
        "attendees-2-role": "other",
    }
    return {**data, **extra}


def in_a_month():
    return f"{days(30).isoformat()}T14:30"


def test_plan_page_prefills_the_attendees_and_the_kind(manager, startup_a, team_member, portfolio_manager_a):
    response = manager.get(plan_url(startup_a))

    assert response.status_code == 200
    formset = response.context["formset"]
    assert [form.initial["email"] for form in formset.initial_forms] == [
        "equipe-a@example.gouv.fr",
        "manager-a@example.gouv.fr",
        "portefeuille-a@example.gouv.fr",
    ]
    assert len(formset.extra_forms) == 3
    assert response.context["form"].initial["kind"] == Committee.Kind.PERIODIC
    assert 'type="datetime-local"' in response.text
    assert unlabelled(elements(main(response))) == []
    assert response.text.count("<h1") == 1


def test_plan_page_proposes_the_end_of_investigation_committee_in_investigation(manager, incubator_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION)

    response = manager.get(plan_url(startup))

    assert response.context["form"].initial["kind"] == Committee.Kind.END_OF_INVESTIGATION


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (Committee.Status.HELD, Committee.Kind.PERIODIC),
        (Committee.Status.CANCELLED, Committee.Kind.END_OF_INVESTIGATION),
    ],
)
def test_plan_page_proposes_a_periodic_committee_once_the_investigation_had_its_committee(
    manager, incubator_a, status, kind
):
    start = timezone.localdate() - datetime.timedelta(weeks=12)
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=start)
    CommitteeFactory(startup=startup, scheduled_at=paris(start + datetime.timedelta(weeks=9)), status=status)

    response = manager.get(plan_url(startup))

    assert response.context["form"].initial["kind"] == kind


def test_plan_creates_the_committee_links_accounts_and_invites(manager, startup_a, team_member, member_a):
    data = plan_data(
        in_a_month(),
        **{
            "attendees-2-name": "Sponsor Externe",
            "attendees-2-email": "sponsor@ministere.example.fr",
            "attendees-2-role": "sponsor",
        },
    )

    response = manager.post(plan_url(startup_a), data)

    committee = Committee.objects.get(startup=startup_a)
    assert response.status_code == 302
    assert response.url == committee.get_absolute_url()
    assert timezone.localtime(committee.scheduled_at).strftime("%Y-%m-%d %H:%M") == f"{days(30).isoformat()} 14:30"
    assert committee.requested_budget == Decimal("240000")
    assert committee.created_by == member_a
    attendees = {a.email: (a.user, a.role, a.mandatory) for a in Attendee.objects.filter(committee=committee)}
    assert attendees == {
        "equipe-a@example.gouv.fr": (team_member, "intrapreneur", True),
        "manager-a@example.gouv.fr": (member_a, "incubator_manager", False),
        "sponsor@ministere.example.fr": (None, "sponsor", False),
    }


def test_plan_do_not_invite_removes_a_prefilled_attendee(manager, startup_a, team_member):
    response = manager.post(plan_url(startup_a), plan_data(in_a_month(), **{"attendees-1-DELETE": "on"}))

    assert response.status_code == 302
    assert list(Attendee.objects.values_list("email", flat=True)) == ["equipe-a@example.gouv.fr"]


def test_plan_refuses_a_committee_in_the_past_and_keeps_every_value(manager, startup_a, team_member):
    yesterday = f"{days(-1).isoformat()}T10:00"

    response = manager.post(plan_url(startup_a), plan_data(yesterday))

    assert response.status_code == 200
    assert response.context["form"].has_error("scheduled_at", code="past")
    assert f'value="{yesterday}"' in response.text
    assert "Une intrapreneuse, deux développeurs" in response.text
    assert 'value="equipe-a@example.gouv.fr"' in response.text
    assert 'href="#id_scheduled_at"' in response.text  # the error summary links to the field
    assert not Committee.objects.exists()


def test_plan_refuses_an_invalid_date_with_djangos_french_message(manager, startup_a, team_member):
    response = manager.post(plan_url(startup_a), plan_data("pas une date"))

    assert response.status_code == 200
    assert "Saisissez une date et une heure valides." in response.text
    assert not Committee.objects.exists()


def test_plan_refuses_an_attendee_without_email_and_keeps_the_rows(manager, startup_a, team_member):
    data = plan_data(in_a_month(), **{"attendees-2-name": "Sans Courriel", "attendees-2-role": "sponsor"})

    response = manager.post(plan_url(startup_a), data)

    assert response.status_code == 200
    row = response.context["formset"].forms[2]
    assert row.has_error("email", code="required")
    assert 'value="Sans Courriel"' in response.text
    assert 'href="#id_attendees-2-email"' in response.text
    assert 'value="1 000 usagers"' in response.text or "1 000 usagers" in response.text
    assert not Committee.objects.exists()
    assert not Attendee.objects.exists()


def test_plan_refuses_an_invalid_email_in_french(manager, startup_a, team_member):
    data = plan_data(in_a_month(), **{"attendees-2-name": "Mal Saisi", "attendees-2-email": "mal-saisi"})

    response = manager.post(plan_url(startup_a), data)

    assert "Saisissez une adresse de courriel valide." in response.text
    assert not Committee.objects.exists()


def test_plan_refuses_the_same_email_twice(manager, startup_a, team_member):
    data = plan_data(in_a_month(), **{"attendees-2-name": "Doublon", "attendees-2-email": "EQUIPE-A@example.gouv.fr"})

    response = manager.post(plan_url(startup_a), data)

    assert response.status_code == 200
    assert [error.code for error in response.context["formset"].non_form_errors().as_data()] == ["duplicate"]
    assert not Committee.objects.exists()


def test_plan_refuses_a_committee_without_attendee(manager, startup_a, team_member):
    data = plan_data(in_a_month(), **{"attendees-0-DELETE": "on", "attendees-1-DELETE": "on"})

    response = manager.post(plan_url(startup_a), data)

    assert [error.code for error in response.context["formset"].non_form_errors().as_data()] == ["empty"]
    assert not Committee.objects.exists()


def test_plan_needs_a_place_or_a_video_link(manager, startup_a, team_member):
    response = manager.post(plan_url(startup_a), plan_data(in_a_month(), place=""))

    assert response.context["form"].has_error("place")
    assert not Committee.objects.exists()

    accepted = manager.post(plan_url(startup_a), plan_data(in_a_month(), place="", video_link="visio.example.fr/abc"))

    assert accepted.status_code == 302
    assert Committee.objects.get().video_link == "https://visio.example.fr/abc"


# Documents


def upload_url(committee):
    return reverse("committees:document_add", kwargs={"pk": committee.pk})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "pdf"),
        (PPTX, "pptx"),
        (PPTX_LATE, "pptx"),
        (ODP, "odp"),
        (DOCX, None),
        (ODT, None),
        (PLAIN_ZIP, None),
        (PNG, None),
        (EXE, None),
        (b"just some text, named deck.pdf", None),
        (b"", None),
    ],
)
def test_document_type_is_read_from_the_content(content, expected):
    upload = SimpleUploadedFile("deck.pdf", content)
    try:
        extension = check_upload(upload, allowed=PRESENTATIONS, max_bytes=DECK_MAX_BYTES)
    except ValidationError:
        extension = None

    assert extension == expected


@pytest.mark.parametrize(("name", "content", "extension"), [("deck.pdf", PDF, ".pdf"), ("Deck", PPTX, ".pptx")])
def test_upload_stores_the_document_under_a_random_name(manager, committee_a, member_a, name, content, extension):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")

    response = manager.post(
        upload_url(committee_a), {"kind": "deck", "file": upload, "contents": ["user_research", "budget"]}
    )

    assert response.status_code == 302
    document = CommitteeDocument.objects.get()
    assert document.original_name == name
    assert document.file.name.startswith("committees/")
    assert document.file.name.endswith(extension)
    assert name not in document.file.name
    assert document.contents == ["user_research", "budget"]
    assert document.uploaded_by == member_a
    download = manager.get(document.get_absolute_url())
    filename = name if name.endswith(extension) else name + extension
    assert download["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert b"".join(download.streaming_content) == content


def test_upload_accepts_an_opendocument_presentation(manager, committee_a):
    response = manager.post(
        upload_url(committee_a), {"kind": "deck", "file": SimpleUploadedFile("deck.odp", ODP), "contents": []}
    )

    assert response.status_code == 302
    assert CommitteeDocument.objects.get().file.name.endswith(".odp")


@pytest.mark.parametrize("content", [DOCX, PNG, b"not a pdf at all"])
def test_upload_refuses_a_file_of_the_wrong_type_and_keeps_the_other_values(manager, committee_a, content):
    upload = SimpleUploadedFile("deck.pdf", content, content_type="application/pdf")

    response = manager.post(upload_url(committee_a), {"kind": "budget_report", "file": upload, "contents": ["impact"]})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("file", code="type")
    assert form["kind"].value() == "budget_report"
    assert form["contents"].value() == ["impact"]
    assert 'value="budget_report" selected' in response.text
    assert not CommitteeDocument.objects.exists()


def test_upload_refuses_a_file_over_10_mb(manager, committee_a):
    upload = SimpleUploadedFile("deck.pdf", PDF + b"0" * DECK_MAX_BYTES, content_type="application/pdf")

    response = manager.post(upload_url(committee_a), {"kind": "deck", "file": upload, "contents": ["roadmap"]})

    assert response.status_code == 200
    assert response.context["form"].has_error("file", code="size")
    assert "10,0\xa0Mio" in response.text  # the limit, in French units
    assert response.context["form"]["contents"].value() == ["roadmap"]
    assert not CommitteeDocument.objects.exists()


def test_upload_without_a_file_says_so_in_french(manager, committee_a):
    response = manager.post(upload_url(committee_a), {"kind": "deck"})

    assert "Ce champ est obligatoire." in response.text
    assert not CommitteeDocument.objects.exists()


def test_upload_to_a_cancelled_committee_is_refused(manager, committee_a):
    Committee.objects.filter(pk=committee_a.pk).update(status=Committee.Status.CANCELLED)

    response = manager.post(upload_url(committee_a), {"kind": "deck", "file": SimpleUploadedFile("d.pdf", PDF)})

    assert response.status_code == 302
    assert not CommitteeDocument.objects.exists()


def test_documents_are_never_linked_through_media_url(manager, committee_a, settings):
    CommitteeDocumentFactory(committee=committee_a)

    response = manager.get(committee_a.get_absolute_url())

    assert settings.MEDIA_URL not in response.text
    assert "/comites/documents/" in response.text


def test_download_of_a_missing_file_is_a_404(manager, committee_a):
    document = CommitteeDocumentFactory(committee=committee_a)
    document.file.delete(save=False)

    assert manager.get(document.get_absolute_url()).status_code == 404


# The decision


def decision_url(committee):
    return reverse("committees:decision", kwargs={"pk": committee.pk})


def decision_data(committee, **extra):
    return {
        "outcome": "continue",
        "next_phase": "",
        "decided_on": committee.local_date.isoformat(),
        "granted_amount": "200000",
        "granted_months": "6",
        "minutes": "Poursuite validée.",
        **extra,
    }


def test_decision_page_offers_the_next_phases_and_defaults(manager, past_committee):
    response = manager.get(decision_url(past_committee))

    form = response.context["form"]
    assert [value for value, _label in form.fields["next_phase"].choices] == ["", "acceleration"]
    assert form["decided_on"].value() == TODAY()
    assert form["granted_months"].value() == 6
    assert unlabelled(elements(main(response))) == []


def test_decision_next_phase_moves_the_product_and_shows_it(manager, past_committee):
    data = decision_data(past_committee, outcome="next_phase", next_phase="acceleration")

    response = manager.post(decision_url(past_committee), data, follow=True)

    startup = Startup.objects.get(pk=past_committee.startup_id)
    decision = Decision.objects.get(committee=past_committee)
    assert response.redirect_chain == [(past_committee.get_absolute_url(), 302)]
    assert startup.phase == Phase.ACCELERATION
    assert startup.next_committee_due == past_committee.local_date + relativedelta(months=6)
    assert decision.granted_amount == Decimal("200000")
    assert "Accélération" in response.text.split('id="startup-phase"')[1][:200]
    assert [str(message) for message in response.context["messages"]]


def test_decision_next_phase_without_the_phase_is_refused(manager, past_committee):
    response = manager.post(decision_url(past_committee), decision_data(past_committee, outcome="next_phase"))

    assert response.status_code == 200
    assert response.context["form"].has_error("next_phase")
    assert not Decision.objects.exists()


def test_decision_before_the_committee_is_refused_on_the_date(manager, past_committee):
    before = (past_committee.local_date - datetime.timedelta(days=1)).isoformat()

    response = manager.post(decision_url(past_committee), decision_data(past_committee, decided_on=before))

    assert response.context["form"].has_error("decided_on", code="date")
    assert f'value="{before}"' in response.text
    assert 'value="Poursuite validée."' in response.text or "Poursuite validée." in response.text
    assert not Decision.objects.exists()


def test_decision_in_the_future_is_refused(manager, past_committee):
    response = manager.post(decision_url(past_committee), decision_data(past_committee, decided_on=days(1).isoformat()))

    assert response.context["form"].has_error("decided_on", code="future")
    assert not Decision.objects.exists()


def test_decision_on_a_cancelled_committee_is_refused_and_nothing_changes(manager, past_committee):
    Committee.objects.filter(pk=past_committee.pk).update(status=Committee.Status.CANCELLED)
    data = decision_data(past_committee, outcome="next_phase", next_phase="acceleration")

    response = manager.post(decision_url(past_committee), data)

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="cancelled")
    assert "Poursuite validée." in response.text
    assert not Decision.objects.exists()
    assert Startup.objects.get(pk=past_committee.startup_id).phase == Phase.CONSTRUCTION
    assert Committee.objects.get(pk=past_committee.pk).status == Committee.Status.CANCELLED


def test_decision_page_of_a_cancelled_committee_sends_back_with_a_message(manager, past_committee):
    Committee.objects.filter(pk=past_committee.pk).update(status=Committee.Status.CANCELLED)

    response = manager.get(decision_url(past_committee), follow=True)

    assert response.redirect_chain == [(past_committee.get_absolute_url(), 302)]
    assert len(response.context["messages"]) == 1


def test_decision_page_of_a_future_committee_says_when_it_opens_without_a_form(manager, committee_a):
    response = manager.get(decision_url(committee_a))

    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'id="decision-not-open"' in response.text
    assert '<form method="post" novalidate' not in main(response)


def test_committee_page_offers_the_decision_once_the_committee_took_place(manager, past_committee):
    response = manager.get(past_committee.get_absolute_url())

    assert response.context["can_decide"] is True
    assert decision_url(past_committee) in response.text


def test_second_decision_is_refused_and_the_first_stays(manager, past_committee, member_a):
    manager.post(decision_url(past_committee), decision_data(past_committee))
    Committee.objects.filter(pk=past_committee.pk).update(status=Committee.Status.PLANNED)  # as if a tab was stale

    response = manager.post(
        decision_url(past_committee), decision_data(past_committee, outcome="stop", minutes="Arrêt.")
    )

    assert response.context["form"].has_error("__all__", code="exists")
    decision = Decision.objects.get()
    assert (decision.outcome, decision.minutes) == ("continue", "Poursuite validée.")
    assert Startup.objects.get(pk=past_committee.startup_id).phase == Phase.CONSTRUCTION


def test_decision_amount_must_be_a_number_in_french(manager, past_committee):
    response = manager.post(decision_url(past_committee), decision_data(past_committee, granted_months="0"))

    assert "Assurez-vous que cette valeur est supérieure ou égale à 1." in response.text
    assert not Decision.objects.exists()


def test_follow_up_flags_are_saved_with_history(manager, startup_a, member_a):
    decision = DecisionFactory(committee__startup=startup_a, committee__scheduled_at=paris(days(-5)))

    response = manager.post(
        reverse("committees:follow_up", kwargs={"pk": decision.committee_id}), {"deck_published": "on"}
    )

    decision.refresh_from_db()
    assert response.status_code == 302
    assert (decision.purchasing_told, decision.deck_published, decision.sheet_updated) == (False, True, False)
    assert decision.history.first().history_user == member_a


def test_follow_up_without_decision_is_a_404(manager, committee_a):
    assert manager.post(reverse("committees:follow_up", kwargs={"pk": committee_a.pk})).status_code == 404


# Cancelling


def cancel_url(committee):
    return reverse("committees:committee_cancel", kwargs={"pk": committee.pk})


def test_cancel_confirmation_page_without_javascript(manager, committee_a):
    page = manager.get(cancel_url(committee_a))
    asked = manager.post(cancel_url(committee_a), {"ask": "1"})

    assert page.status_code == 200
    assert asked.status_code == 200
    assert f'action="{cancel_url(committee_a)}"' in asked.text
    assert asked.text.count("<h1") == 1
    assert Committee.objects.get(pk=committee_a.pk).status == Committee.Status.PLANNED


def test_cancel_form_asks_for_confirmation_in_the_page_markup(manager, committee_a):
    response = manager.get(committee_a.get_absolute_url())
    form = response.text.split('id="cancel-committee"')[1].split("</form>")[0]

    assert "data-confirm=" in form
    assert '<noscript><input type="hidden" name="ask" value="1"></noscript>' in form


def test_cancel_a_planned_committee_and_refuse_a_second_time(manager, committee_a):
    first = manager.post(cancel_url(committee_a))
    second = manager.post(cancel_url(committee_a), follow=True)

    assert first.status_code == 302
    committee = Committee.objects.get(pk=committee_a.pk)
    assert committee.status == Committee.Status.CANCELLED
    assert second.redirect_chain == [(committee_a.get_absolute_url(), 302)]
    assert committee.history.count() == 2


# Due date


def due_url(startup):
    return reverse("committees:due_date", kwargs={"slug": startup.slug})


def test_due_date_needs_a_reason_and_keeps_the_date(manager, startup_a):
    before = Startup.objects.get(pk=startup_a.pk).next_committee_due
    due = days(60).isoformat()

    response = manager.post(due_url(startup_a), {"due": due, "reason": ""})

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.text
    assert f'value="{due}"' in response.text
    assert Startup.objects.get(pk=startup_a.pk).next_committee_due == before


def test_due_date_in_the_past_is_refused(manager, startup_a):
    response = manager.post(due_url(startup_a), {"due": days(-1).isoformat(), "reason": "Erreur"})

    assert response.context["form"].has_error("due", code="past")


def test_due_date_change_is_kept_in_the_history_with_its_reason(manager, startup_a, member_a):
    response = manager.post(due_url(startup_a), {"due": days(60).isoformat(), "reason": "Budget prolongé de 2 mois"})

    startup = Startup.objects.get(pk=startup_a.pk)
    assert response.status_code == 302
    assert startup.next_committee_due == days(60)
    last = startup.history.first()
    assert (last.history_change_reason, last.history_user) == ("Budget prolongé de 2 mois", member_a)


# Calendars


def test_committee_ics_is_an_attachment_with_the_event(manager, committee_a):
    response = manager.get(reverse("committees:committee_ics", kwargs={"pk": committee_a.pk}))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="comite-{committee_a.pk}.ics"'
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert "Produit A" in str(event["summary"])


def test_my_calendar_creates_the_feed_on_post_and_renewal_replaces_the_token(manager, member_a):
    first = manager.get(reverse("committees:my_calendar"))
    created = manager.post(reverse("committees:calendar_feed_renew"), follow=True)
    token = CalendarFeed.objects.get(user=member_a).token

    response = manager.post(reverse("committees:calendar_feed_renew"), follow=True)

    assert 'id="create-feed"' in first.text
    assert 'id="feed-url"' not in first.text
    assert token in created.text
    assert [str(message) for message in created.context["messages"]] == [
        gettext("Your calendar address is ready: subscribe to it in your calendar application.")
    ]

    new_token = CalendarFeed.objects.get(user=member_a).token
    assert new_token != token
    assert new_token in response.text
    assert token not in response.text
    assert 'data-confirm="' in response.text.split('id="renew-feed"')[1].split(">")[0]


def test_feed_lists_the_committees_a_user_attends_or_manages(client, incubator_a, incubator_b, committee_a):
    attendee = UserFactory(email="sponsor@example.gouv.fr")
    elsewhere = CommitteeFactory(startup=StartupFactory(name="Ailleurs", incubator=incubator_b))
    AttendeeFactory(committee=elsewhere, user=None, email="Sponsor@example.gouv.fr")
    CommitteeFactory(startup=StartupFactory(name="Sans lui", incubator=incubator_b))
    old = CommitteeFactory(startup=StartupFactory(name="Ancien", incubator=incubator_b), scheduled_at=paris(days(-400)))
    AttendeeFactory(committee=old, user=attendee)
    feed = CalendarFeed.objects.create(user=attendee, token="feed-token")

    response = client.get(feed.get_absolute_url())

    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(event["uid"]).split("@")[0] for event in events] == [f"committee-{elsewhere.pk}"]
    assert "Ailleurs" in str(events[0]["summary"])


def test_feed_of_a_manager_lists_the_incubators_committees(client, committee_a, member_a, incubator_b):
    CommitteeFactory(startup=StartupFactory(name="Ailleurs", incubator=incubator_b))
    cancelled = CommitteeFactory(startup=committee_a.startup, status=Committee.Status.CANCELLED)
    feed = CalendarFeed.objects.create(user=member_a, token="manager-token")

    events = Calendar.from_ical(client.get(feed.get_absolute_url()).content).walk("VEVENT")

    assert sorted(str(event["status"]) for event in events) == ["CANCELLED", "CONFIRMED"]
    assert {str(event["uid"]).split("@")[0] for event in events} == {
        f"committee-{committee_a.pk}",
        f"committee-{cancelled.pk}",
    }


# The product page


def test_product_page_shows_its_committees_and_the_managers_actions(manager, committee_a, client):
    Startup.objects.filter(pk=committee_a.startup_id).update(next_committee_due=days(25))

    response = manager.get(committee_a.startup.get_absolute_url())

    assert committee_a.get_absolute_url() in response.text
    assert plan_url(committee_a.startup) in response.text
    assert due_url(committee_a.startup) in response.text
    assert days(25).strftime("%d/%m/%Y") in response.text


def test_product_page_for_the_team_lists_committees_without_the_managers_actions(client, committee_a, team_member):
    client.force_login(team_member)

    response = client.get(committee_a.startup.get_absolute_url())

    assert committee_a.get_absolute_url() in response.text
    assert plan_url(committee_a.startup) not in response.text
    assert due_url(committee_a.startup) not in response.text


@pytest.mark.parametrize("count", [1, 30])
def test_product_page_query_count_with_committees(manager, startup_a, django_assert_num_queries, count):
    for number in range(count):
        CommitteeFactory(startup=startup_a, scheduled_at=paris(days(number - 15)))

    # The product page's own queries (portfolio/tests/test_pages.py), the committees in one for the panel
    # and one for the time line entries, the other apps' panels, the header
    with django_assert_num_queries(19):
        response = manager.get(startup_a.get_absolute_url())

    assert len(response.context["committees"]) == count


PAGES = [
    ("committees:committee_list", "none"),
    ("committees:my_calendar", "none"),
    ("committees:committee_detail", "committee"),
    ("committees:document_add", "committee"),
    ("committees:decision", "committee"),
    ("committees:committee_cancel", "committee"),
    ("committees:committee_plan", "startup"),
    ("committees:due_date", "startup"),
]


@pytest.mark.parametrize(("name", "argument"), PAGES)
def test_every_page_has_one_h1_and_labelled_fields(manager, past_committee, name, argument):
    kwargs = {"none": {}, "committee": {"pk": past_committee.pk}, "startup": {"slug": past_committee.startup.slug}}

    response = manager.get(reverse(name, kwargs=kwargs[argument]))

    assert response.status_code == 200
    found = elements(main(response))
    assert [element.name for element in found].count("h1") == 1
    assert unlabelled(found) == []


def test_product_slug_with_dots_reaches_the_planning_and_due_date_pages(manager, incubator_a):
    startup = StartupFactory(slug="demarches-simplifiees.fr", incubator=incubator_a, phase=Phase.CONSTRUCTION)

    assert plan_url(startup) == "/portefeuille/demarches-simplifiees.fr/comites/planifier/"
    assert manager.get(plan_url(startup)).status_code == 200
    assert manager.get(due_url(startup)).status_code == 200


def test_portfolio_manager_plans_too(client, startup_a, team_member, portfolio_manager_a):
    client.force_login(portfolio_manager_a)

    response = client.post(plan_url(startup_a), plan_data(in_a_month()))

    assert response.status_code == 302
    assert Committee.objects.get().created_by == portfolio_manager_a


def test_coach_of_the_incubator_sees_no_committee(client, past_committee, incubator_a):
    """A coach of the incubator who is neither in the team nor an attendee: the committee is a 404."""
    coach = UserFactory(email="coach-a@example.gouv.fr")
    MembershipFactory(user=coach, incubator=incubator_a, role=Membership.Role.COACH)
    client.force_login(coach)

    assert client.get(past_committee.get_absolute_url()).status_code == 404
    assert client.get(decision_url(past_committee)).status_code == 404
    assert client.get(upload_url(past_committee)).status_code == 404


def test_product_of_several_incubators_is_managed_from_the_partner_incubator(client, past_committee):
    partner = IncubatorFactory(slug="partenaire")
    manager = MembershipFactory(incubator=partner, user=UserFactory(email="partenaire@example.gouv.fr")).user
    past_committee.startup.other_incubators.add(partner)
    client.force_login(manager)

    assert client.get(decision_url(past_committee)).status_code == 200
