"""Issue 9, items 2 and 6: a phase form that moves nothing by default and confirms an exception;
the committee due dates that are overdue or planned too late, shown, sorted and filtered."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.contributions import with_schedule
from committees.models import Committee
from committees.tests.factories import CommitteeFactory, paris
from portfolio.models import Phase, Startup
from portfolio.services import change_phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 2)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0)), tick=False)


@pytest.fixture
def transferred(incubator_a, member_a):
    """Produit X, transferred on 2025-06-02 after an acceleration."""
    startup = StartupFactory(
        slug="produit-x", name="Produit X", incubator=incubator_a, phase=Phase.ACCELERATION, phase_start=D(2025, 1, 6)
    )
    change_phase(startup=startup, phase=Phase.TRANSFERRED, start=D(2025, 6, 2), actor=member_a)
    return startup


class FormReader(HTMLParser):
    """What a browser submits from the page's POST forms when nobody touches a field."""

    def __init__(self):
        super().__init__()
        self.forms, self.select, self.textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.forms.append({"data": {}, "selects": {}})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button") and "name" in attrs:
            self.forms[-1]["data"][attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs["name"]
            self.forms[-1]["selects"][self.select] = []
        elif tag == "option" and self.select:
            self.forms[-1]["selects"][self.select].append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.forms[-1]["data"][self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.forms[-1]["data"][self.textarea] += data

    def submission(self):
        """The last POST form of the page (the first is the header's sign-out form)."""
        form = self.forms[-1]
        data = dict(form["data"])
        for name, options in form["selects"].items():
            data[name] = next((value for value, selected in options if selected), options[0][0])
        return data


def untouched_submission(response):
    reader = FormReader()
    reader.feed(response.text)
    return reader.submission()


def phase_url(startup):
    return reverse("portfolio:phase_change", kwargs={"slug": startup.slug})


# Item 2: the phase form


def test_phase_form_has_no_phase_chosen_in_advance(manager, transferred):
    response = manager.get(phase_url(transferred))

    form = response.context["form"]
    assert "phase" not in form.initial
    assert form.fields["phase"].choices == [
        ("", "Choisir la nouvelle phase"),
        ("Dans le parcours habituel", [("abandon", "Abandon")]),
        (
            "Hors du parcours habituel (motif obligatoire)",
            [
                ("investigation", "Investigation"),
                ("construction", "Construction"),
                ("acceleration", "Accélération"),
                ("consolidation", "Consolidation"),
                ("opere", "Opéré"),
                ("abandon-investigation", "Abandon après investigation"),
            ],
        ),
    ]
    assert '<option value="" selected>Choisir la nouvelle phase</option>' in response.text
    assert '<optgroup label="Dans le parcours habituel">' in response.text


def test_phase_form_submitted_untouched_with_a_reason_moves_nothing(manager, transferred):
    data = untouched_submission(manager.get(phase_url(transferred)))
    data["reason"] = "Une réflexion en cours."

    response = manager.post(phase_url(transferred), data)

    assert response.status_code == 200
    assert data["phase"] == ""
    assert "Choisissez la nouvelle phase du produit." in response.text
    assert Startup.objects.get(pk=transferred.pk).phase == Phase.TRANSFERRED
    assert transferred.periods.count() == 2


def test_phase_form_of_a_product_without_usual_move_offers_only_the_exceptions(manager, incubator_a):
    stopped = StartupFactory(slug="arrete", incubator=incubator_a, phase=Phase.ABANDONED)

    response = manager.get(phase_url(stopped))

    empty, *groups = response.context["form"].fields["phase"].choices
    assert empty == ("", "Choisir la nouvelle phase")
    assert [label for label, _ in groups] == ["Hors du parcours habituel (motif obligatoire)"]


def test_out_of_path_move_asks_to_confirm_and_only_the_confirmed_post_moves(manager, transferred):
    data = {
        "phase": "investigation",
        "start": "2026-03-02",
        "reason": "Le ministère relance le projet.\nAvec une équipe.",
    }

    asked = manager.post(phase_url(transferred), data)

    assert asked.status_code == 200
    assert asked.templates[0].name == "portfolio/phase_confirm.html"
    assert "<h1>Passer Produit X de Transféré à Investigation ?</h1>" in asked.text
    assert '<input type="hidden" name="phase" value="investigation"' in asked.text
    assert '<input type="hidden" name="start" value="2026-03-02"' in asked.text
    assert 'name="reason" value="Le ministère relance le projet.\nAvec une équipe."' in asked.text
    assert '<button type="submit" class="fr-btn" name="confirm" value="transfere">' in asked.text
    assert "window.confirm" not in asked.text
    assert Startup.objects.get(pk=transferred.pk).phase == Phase.TRANSFERRED

    moved = manager.post(phase_url(transferred), {**untouched_submission(asked), "confirm": "transfere"})

    assert moved.status_code == 302
    startup = Startup.objects.get(pk=transferred.pk)
    assert startup.phase == Phase.INVESTIGATION
    period = startup.periods.get(end__isnull=True)
    assert (period.phase, period.start, period.is_override) == ("investigation", TODAY, True)
    assert period.comment == "Le ministère relance le projet.\nAvec une équipe."


def test_confirmation_of_another_move_is_asked_again(manager, transferred):
    """The confirm button names the phase the manager saw; if the product moved since, ask again."""
    data = {"phase": "investigation", "start": "2026-03-02", "reason": "Relance.", "confirm": "acceleration"}

    response = manager.post(phase_url(transferred), data)

    assert response.status_code == 200
    assert "Passer Produit X de Transféré à Investigation ?" in response.text
    assert Startup.objects.get(pk=transferred.pk).phase == Phase.TRANSFERRED


def test_confirmation_page_change_my_choice_goes_back_to_the_filled_form(manager, transferred):
    data = {"phase": "investigation", "start": "2026-03-02", "reason": "Relance.", "edit": "1"}

    response = manager.post(phase_url(transferred), data)

    assert response.templates[0].name == "portfolio/phase_form.html"
    assert '<option value="investigation" selected>Investigation</option>' in response.text
    assert ">\nRelance.</textarea>" in response.text
    assert Startup.objects.get(pk=transferred.pk).phase == Phase.TRANSFERRED


def test_out_of_path_move_without_reason_is_refused_before_any_confirmation(manager, transferred):
    response = manager.post(phase_url(transferred), {"phase": "investigation", "start": "2026-03-02", "reason": " "})

    assert response.templates[0].name == "portfolio/phase_form.html"
    assert "indiquez-en le motif" in response.text
    assert Startup.objects.get(pk=transferred.pk).phase == Phase.TRANSFERRED


def test_usual_move_needs_no_confirmation(manager, transferred):
    response = manager.post(phase_url(transferred), {"phase": "abandon", "start": "2026-03-02", "reason": ""})

    assert response.status_code == 302
    assert Startup.objects.get(pk=transferred.pk).phase == Phase.ABANDONED


def test_confirmation_page_escapes_the_typed_reason(manager, transferred):
    data = {"phase": "investigation", "start": "2026-03-02", "reason": '"><script>alert(1)</script>'}

    response = manager.post(phase_url(transferred), data)

    assert "<script>alert(1)" not in response.text
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text


# Item 6: overdue and planned after the due date


@pytest.fixture
def schedule(incubator_a):
    """Four products of incubator A and their committees, on 2 March 2026.

    - Retard: due 1 December 2025 (3 months ago), a committee planned on 20 March 2026.
    - Tenu: due 1 December 2025, a committee held on 3 December 2025: not overdue.
    - Bientot: due 2 April 2026 (in 31 days), nothing planned.
    - Serein: due 30 June 2026, a committee planned on 15 June 2026.
    """
    late = StartupFactory(slug="retard", name="Retard", incubator=incubator_a, next_committee_due=D(2025, 12, 1))
    CommitteeFactory(startup=late, scheduled_at=paris(D(2026, 3, 20)))
    CommitteeFactory(startup=late, scheduled_at=paris(D(2026, 2, 2)), status=Committee.Status.CANCELLED)
    held = StartupFactory(slug="tenu", name="Tenu", incubator=incubator_a, next_committee_due=D(2025, 12, 1))
    CommitteeFactory(startup=held, scheduled_at=paris(D(2025, 12, 3)), status=Committee.Status.HELD)
    StartupFactory(slug="bientot", name="Bientot", incubator=incubator_a, next_committee_due=D(2026, 4, 2))
    calm = StartupFactory(slug="serein", name="Serein", incubator=incubator_a, next_committee_due=D(2026, 6, 30))
    CommitteeFactory(startup=calm, scheduled_at=paris(D(2026, 6, 15)))
    StartupFactory(slug="fini", name="Fini", incubator=incubator_a, phase=Phase.TRANSFERRED)
    return {"late": late, "held": held, "calm": calm}


def rows(response):
    """The list's rows, as (name, text of the "next committee" cell)."""
    table = response.text.split("<tbody>")[1].split("</tbody>")[0]
    result = []
    for row in table.split("<tr>")[1:]:
        cells = row.split("<td>")
        name = cells[1].split("</a>")[0].rsplit(">", 1)[1]
        result.append((name, " ".join(HTMLText.of(cells[5]).split())))
    return result


class HTMLText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return " ".join(parser.parts)


def test_product_page_flags_an_overdue_due_date_with_a_later_committee(manager, schedule):
    response = manager.get(schedule["late"].get_absolute_url())

    assert '<p class="fr-badge fr-badge--sm fr-badge--error">En retard</p>' in response.text
    assert '<p class="fr-badge fr-badge--sm fr-badge--warning">Planifié après l\'échéance</p>' in response.text
    assert "L'échéance est passée et aucun comité ne s'est tenu depuis." in response.text
    assert "Le prochain comité planifié (20/03/2026) a lieu après l'échéance." in response.text


@pytest.mark.parametrize("slug", ["tenu", "serein", "bientot"])
def test_product_page_shows_no_warning_for_a_due_date_in_order(manager, schedule, slug):
    response = manager.get(reverse("portfolio:startup_detail", kwargs={"slug": slug}))

    assert "fr-badge--error" not in response.text
    assert "Planifié après" not in response.text


def test_a_committee_awaiting_its_decision_counts_as_taking_place(manager, incubator_a):
    """Held this morning, decision not yet recorded (still "planned"): the product is not overdue."""
    startup = StartupFactory(slug="matin", incubator=incubator_a, next_committee_due=D(2026, 2, 27))
    CommitteeFactory(startup=startup, scheduled_at=paris(TODAY, hour=8))

    annotated = with_schedule(Startup.objects.all()).get(pk=startup.pk)

    assert (annotated.is_overdue, annotated.next_committee_at, annotated.is_planned_late) == (False, None, False)


def test_portfolio_list_shows_the_next_committee_column_with_badges(manager, schedule):
    response = manager.get(reverse("portfolio:startup_list"))

    assert '<th scope="col">Prochain comité</th>' in response.text
    assert rows(response) == [
        ("Bientot", "Échéance le 02/04/2026 non planifié"),
        ("Fini", "Aucun"),
        ("Retard", "20/03/2026 échéance le 01/12/2025 En retard Planifié après l'échéance"),
        ("Serein", "15/06/2026 échéance le 30/06/2026"),
        ("Tenu", "Échéance le 01/12/2025 non planifié"),
    ]


@pytest.mark.parametrize(
    ("committee", "expected"),
    [
        ("en-retard", ["Retard"]),
        ("planifie-apres-echeance", ["Retard"]),
        ("echeance-45-jours", ["Bientot"]),
        ("sans-comite", ["Bientot", "Tenu"]),
    ],
)
def test_portfolio_list_filters_on_the_next_committee(manager, schedule, committee, expected):
    response = manager.get(reverse("portfolio:startup_list"), {"committee": committee})

    assert response.status_code == 200
    assert [startup.name for startup in response.context["startups"]] == expected


def test_portfolio_list_refuses_an_unknown_committee_filter(manager, schedule):
    response = manager.get(reverse("portfolio:startup_list"), {"committee": "demain"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("next_committee", ["Tenu", "Retard", "Bientot", "Serein", "Fini"]),
        ("-next_committee", ["Serein", "Bientot", "Retard", "Tenu", "Fini"]),
    ],
)
def test_portfolio_list_sorts_on_the_date_it_shows_products_without_one_last(manager, schedule, sort, expected):
    """Tenu: due 01/12/2025 (none planned); Retard: planned 20/03; Bientot: due 02/04; Serein: planned 15/06."""
    response = manager.get(reverse("portfolio:startup_list"), {"sort": sort})

    assert [startup.name for startup in response.context["startups"]] == expected


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize(
    "params", [{}, {"sort": "next_committee"}, {"committee": "en-retard", "sort": "-next_committee"}]
)
def test_portfolio_list_query_count_with_committees(manager, incubator_a, django_assert_num_queries, count, params):
    for startup in StartupFactory.create_batch(count, incubator=incubator_a, next_committee_due=D(2025, 12, 1)):
        TeamMembershipFactory(startup=startup, user=None, name="Quelqu'un")
        CommitteeFactory(startup=startup, scheduled_at=paris(D(2026, 3, 20)))
        CommitteeFactory(startup=startup, scheduled_at=paris(D(2025, 11, 3)), status=Committee.Status.HELD)

    with django_assert_num_queries(9):  # session, user, perms, count, page, sponsors, filter choices, header
        response = manager.get(reverse("portfolio:startup_list"), params)

    assert len(response.context["startups"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 30])
def test_product_page_query_count_with_committees(manager, startup_a, django_assert_num_queries, count):
    for day in range(count):
        CommitteeFactory(startup=startup_a, scheduled_at=paris(D(2026, 3, 3) + datetime.timedelta(days=day)))

    # As test_pages.test_product_page_query_count: the committees' panel and time line entries, one query each
    with django_assert_num_queries(20):
        manager.get(startup_a.get_absolute_url())
