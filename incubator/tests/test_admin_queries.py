"""The admin changelists at volume: their queries do not grow with their rows, big tables are
counted once (estimated on PostgreSQL when unfiltered), ordered by an index, and searched through
trigram indexes on PostgreSQL."""

import datetime
import itertools
import zoneinfo

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import date_hierarchy, results
from django.contrib.auth.models import Permission
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from calls.models import Application, Call, ConflictOfInterest, JuryScore, Pitch, PreselectionVote, Question
from calls.tests.factories import ApplicationFactory, CallFactory
from committees.models import Attendee, CalendarFeed, Committee, CommitteeDocument, Decision, DueDateChange
from committees.tests.factories import CommitteeFactory, DecisionFactory, DueDateChangeFactory
from community.models import (
    DismissedSuggestion,
    Event,
    Registration,
    RequestComment,
    Resource,
    ResourceCategory,
    ResourceRequest,
)
from community.tests.factories import (
    DismissedSuggestionFactory,
    EventFactory,
    RegistrationFactory,
    RequestCommentFactory,
    ResourceCategoryFactory,
    ResourceFactory,
    ResourceRequestFactory,
)
from incubator import admin_paginator
from incubator.admin_paginator import EstimatedCountPaginator, LargeTableAdmin
from incubator.models import (
    AuditEvent,
    Incubator,
    Membership,
    Organisation,
    OutboxMessage,
    ReminderDelivery,
    ReminderRule,
    User,
)
from incubator.tests.factories import IncubatorFactory, MembershipFactory, OrganisationFactory, UserFactory
from incubator.tests.services import require_postgres
from portfolio.models import Indicator, Measurement, PhasePeriod, ProductEvent, Startup, TeamMembership
from portfolio.tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProductEventFactory,
    StartupFactory,
    TeamMembershipFactory,
)
from standards.models import ProductStandard, Standard, StandardsVersion
from standards.tests.factories import ProductStandardFactory, StandardFactory, StandardsVersionFactory

pytestmark = pytest.mark.django_db
APPS = {"incubator", "portfolio", "committees", "calls", "community", "standards"}
numbers = itertools.count(1)


def outbox_message():
    n = next(numbers)
    return OutboxMessage.objects.create(
        from_email="portail@example.gouv.fr",
        to=[f"destinataire{n}@example.gouv.fr"],
        subject=f"Objet {n}",
        body_text=".",
    )


def reminder_rule():
    n = next(numbers)
    return ReminderRule.objects.create(
        kind=f"bench.kind{n}",
        name=f"Règle {n}",
        offset_days=n,
        subject_template="Rappel",
        body_template="Bonjour",
    )


def application():
    return ApplicationFactory(call=CallFactory(), applicant=UserFactory())


# One row of each admin's list, with its related rows of its own (a new product, call, user...).
MAKERS = {
    AuditEvent: lambda: AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, actor_id=next(numbers)),
    User: lambda: MembershipFactory().user,
    Organisation: OrganisationFactory,
    Incubator: IncubatorFactory,
    Membership: MembershipFactory,
    OutboxMessage: outbox_message,
    ReminderRule: reminder_rule,
    ReminderDelivery: lambda: ReminderDelivery.objects.create(
        rule=reminder_rule(),
        object_key="committee:1",
        recipient="a@example.gouv.fr",
        occurrence="1",
        message=outbox_message(),
    ),
    Startup: lambda: StartupFactory(sponsors=[OrganisationFactory()]),
    TeamMembership: TeamMembershipFactory,
    Indicator: IndicatorFactory,
    Measurement: lambda: MeasurementFactory(recorded_by=UserFactory()),
    ProductEvent: ProductEventFactory,
    Call: lambda: CallFactory(created_by=UserFactory()),
    Application: application,
    PreselectionVote: lambda: PreselectionVote.objects.create(application=application(), juror=UserFactory()),
    ConflictOfInterest: lambda: ConflictOfInterest.objects.create(application=application(), juror=UserFactory()),
    Pitch: lambda: Pitch.objects.create(application=application(), order=next(numbers), starts_at=timezone.now()),
    JuryScore: lambda: JuryScore.objects.create(
        application=application(), juror=UserFactory(), criterion=JuryScore.Criterion.PROBLEM, score=3
    ),
    Committee: CommitteeFactory,
    Decision: DecisionFactory,
    DueDateChange: lambda: DueDateChangeFactory(changed_by=UserFactory()),
    CalendarFeed: lambda: CalendarFeed.objects.create(user=UserFactory(), token=f"jeton-{next(numbers)}"),
    ResourceCategory: ResourceCategoryFactory,
    Resource: lambda: ResourceFactory(handlers=[UserFactory()]),
    ResourceRequest: ResourceRequestFactory,
    RequestComment: RequestCommentFactory,
    Event: lambda: EventFactory(audience="incubator", audience_incubator=IncubatorFactory()),
    Registration: RegistrationFactory,
    DismissedSuggestion: DismissedSuggestionFactory,
    StandardsVersion: StandardsVersionFactory,
    Standard: StandardFactory,
    ProductStandard: lambda: ProductStandardFactory(updated_by=UserFactory()),
}
# The models with no admin of their own, and why; the history tables (``Historical*``) are read
# on their model's history page (``SimpleHistoryAdmin``).
NOT_REGISTERED = {
    PhasePeriod: "an inline of the product, read-only: phases change through the phase service",
    Attendee: "an inline of the committee",
    CommitteeDocument: "an inline of the committee, read-only: documents are uploaded on the committee page",
    Question: "an inline of the call",
}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS), key=lambda m: m._meta.label
)


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_admin_changelists_each_have_a_row_maker_here():
    assert set(REGISTERED) <= set(MAKERS)


def test_every_model_has_an_admin_or_a_reason_not_to():
    models = {
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    }

    assert models - set(REGISTERED) == set(NOT_REGISTERED)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_changelist_queries_are_the_same_for_1_and_30_rows(client, network_admin, model):
    client.force_login(network_admin)
    url = changelist(model)
    MAKERS[model]()
    client.get(url)  # caches warm (content types, the site)
    one, response = queries_of(client, url)
    shown = len(response.context["cl"].result_list)
    for _row in range(29):
        MAKERS[model]()

    thirty, response = queries_of(client, url)

    assert len(response.context["cl"].result_list) == shown + 29
    assert thirty == one


@pytest.mark.parametrize(
    "model", [Startup, Application, Committee, User, OutboxMessage, AuditEvent, PreselectionVote, Measurement]
)
def test_admin_changelist_of_a_big_table_counts_its_rows_once(model):
    model_admin = admin.site._registry[model]

    assert isinstance(model_admin, LargeTableAdmin)
    assert model_admin.show_full_result_count is False
    assert model_admin.list_per_page == 50


@pytest.mark.parametrize(
    ("model", "order_by"),
    [
        (Startup, 'ORDER BY "portfolio_startup"."slug" ASC'),
        (Application, 'ORDER BY "calls_application"."id" DESC'),
        (User, 'ORDER BY "incubator_user"."email" ASC'),
        (OutboxMessage, 'ORDER BY "incubator_outboxmessage"."id" DESC'),
    ],
)
def test_admin_changelist_default_order_is_an_index(client, network_admin, model, order_by):
    MAKERS[model]()
    client.force_login(network_admin)

    _count, response = queries_of(client, changelist(model))

    sql = str(response.context["cl"].result_list.query)
    assert sql.endswith(order_by) or f"{order_by} LIMIT" in sql


def test_admin_application_changelist_counts_the_search_once(client, network_admin):
    ApplicationFactory(problem="Les convocations partent par courrier.")
    ApplicationFactory(problem="Un autre problème.")
    client.force_login(network_admin)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist(Application), {"q": "convocations"})

    counts = [query["sql"] for query in queries if query["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert [row.problem for row in response.context["cl"].result_list] == ["Les convocations partent par courrier."]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("convocations", {"courrier"}),
        ("Roussel", {"roussel"}),
        ("gouv.fr courrier", {"courrier"}),
        ('"Ministère de la Mer"', {"mer"}),
        ("Roussel convocations", set()),
        ("personne", set()),
    ],
)
def test_admin_application_search_finds_a_word_in_any_field_and_every_word(client, network_admin, search, expected):
    applications = {
        # Fixed names: Faker's French surnames include Roussel, which made the test fail at random.
        "courrier": ApplicationFactory(
            applicant=UserFactory(first_name="Anne", last_name="Leclerc"),
            problem="Les convocations partent par courrier.",
        ),
        "roussel": ApplicationFactory(applicant=UserFactory(last_name="Roussel"), problem="Des délais."),
        "mer": ApplicationFactory(
            applicant=UserFactory(first_name="Paul", last_name="Martin"),
            administration="Ministère de la Mer",
            problem="Des délais.",
        ),
    }
    client.force_login(network_admin)

    response = client.get(changelist(Application), {"q": search})

    found = {key for key, row in applications.items() if row in response.context["cl"].result_list}
    assert found == expected
    assert response.context["cl"].result_count == len(expected)


def test_admin_application_search_reads_indexes_not_the_joined_tables(postgres, client, network_admin):
    for n in range(30):
        ApplicationFactory(problem=f"Problème numéro {n} des usagers.", administration=f"Administration {n}")
    for table in ("calls_application", "incubator_user"):
        analyse(table)
    client.force_login(network_admin)
    with connection.cursor() as cursor:  # tiny tables: ask whether the indexes can serve each field
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")

        response = client.get(changelist(Application), {"q": "numéro"})
        plan = response.context["cl"].queryset.order_by().explain()

    assert response.context["cl"].result_count == 30
    for index in ("user_email_trgm", "user_first_name_trgm", "user_last_name_trgm", "application_problem_trgm"):
        assert index in plan


@pytest.mark.parametrize("language", ["fr", "en"])
def test_large_table_checkbox_is_djangos_markup(language):
    startup = StartupFactory(name='Produit <b>"gras"</b> & cie')
    model_admin = admin.site._registry[Startup]

    with translation.override(language):
        ours = model_admin.action_checkbox(startup)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, startup)

    assert ours == djangos
    assert "&lt;b&gt;" in ours


LARGE_TABLES = [model for model in REGISTERED if isinstance(admin.site._registry[model], LargeTableAdmin)]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("model", LARGE_TABLES, ids=lambda model: model._meta.label)
def test_large_table_rows_are_djangos_markup(client, network_admin, model, language):
    for _row in range(3):
        MAKERS[model]()
    client.force_login(network_admin)

    for query in ({}, {"o": "-2"}):  # a sorted list: its links carry the list's filters
        cl = client.get(changelist(model), query).context["cl"]
        with translation.override(language):
            ours = ["".join(row) for row in cl.rows()]
            djangos = ["".join(row) for row in results(cl)]

        assert len(ours) >= 3  # with the rows of their own (the admin, its login)
        assert ours == djangos


def test_large_table_rows_escape_what_they_show(client, network_admin):
    startup = StartupFactory(name='Produit <b>"gras"</b> & cie')
    client.force_login(network_admin)

    response = client.get(changelist(Startup), {"o": "-1"})

    html = response.content.decode()
    url = reverse("admin:portfolio_startup_change", args=[startup.pk])
    assert f'<th class="field-name"><a href="{url}?_changelist_filters=o%3D-1">' in html
    assert "Produit &lt;b&gt;&quot;gras&quot;&lt;/b&gt; &amp; cie</a></th>" in html
    assert "<b>" not in html.split('id="result_list"')[1]


def paris(*day_and_time):
    return timezone.make_aware(datetime.datetime(*day_and_time), zoneinfo.ZoneInfo("Europe/Paris"))


def startups_updated_at(*moments):
    for moment in moments:
        Startup.objects.filter(pk=StartupFactory().pk).update(updated_at=moment)


def date_hierarchies(cl):
    """The date hierarchy's markup as Django's tag writes it, and as the big tables' list does."""
    ours = cl.date_choices()
    return (
        render_to_string("admin/date_hierarchy.html", date_hierarchy(cl)),
        None if ours is None else render_to_string("admin/date_hierarchy.html", ours),
    )


@pytest.mark.parametrize(
    ("moments", "shown"),
    [
        # Years; the first instant of a year in Paris is still the year before in UTC.
        ([paris(2024, 5, 1, 12), paris(2026, 1, 1, 0, 30), paris(2026, 3, 1)], ["2024", "2026"]),
        ([paris(2025, 2, 3), paris(2025, 2, 4), paris(2025, 11, 30, 23, 30)], ["Février 2025", "Novembre 2025"]),
        ([paris(2025, 2, 3, 9), paris(2025, 2, 3, 18), paris(2025, 2, 28, 23, 59)], ["3 février", "28 février"]),
        ([], []),
    ],
    ids=["years", "months of one year", "days of one month", "no rows"],
)
def test_large_table_date_hierarchy_is_djangos(postgres, client, network_admin, moments, shown):
    startups_updated_at(*moments)
    client.force_login(network_admin)

    with translation.override("fr"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(changelist(Startup))
        djangos, ours = date_hierarchies(response.context["cl"])

    assert ours == djangos
    assert [title in ours for title in shown] == [True] * len(shown)
    assert ours in response.content.decode()
    assert not [query for query in queries if "MIN(" in query["sql"] and "RECURSIVE" not in query["sql"]]


@pytest.mark.parametrize("query", [{"phase": "investigation"}, {"q": "produit"}, {"updated_at__year": "2025"}])
def test_large_table_date_hierarchy_of_a_filtered_list_is_djangos_own(postgres, client, network_admin, query):
    startups_updated_at(paris(2024, 5, 1), paris(2025, 6, 1))
    client.force_login(network_admin)

    cl = client.get(changelist(Startup), query).context["cl"]

    assert cl.date_choices() is None  # Django's tag answers


def test_large_table_date_hierarchy_without_an_index_is_djangos_own(postgres, client, network_admin):
    CommitteeFactory()
    client.force_login(network_admin)

    cl = client.get(changelist(Committee)).context["cl"]

    assert not admin_paginator.leads_an_index(Committee._meta.get_field("scheduled_at"))
    assert admin_paginator.leads_an_index(Startup._meta.get_field("updated_at"))
    assert cl.date_choices() is None  # a scan probing a column without an index would read the table a month


def sidebar_of(response):
    """The sidebar as Django's template writes it for this response's apps, page and language."""
    context = {"available_apps": response.context["available_apps"]}
    return render_to_string("admin/nav_sidebar.html", context, response.wsgi_request)


def test_large_table_sidebar_is_djangos_for_each_user_page_and_language(client, network_admin):
    StartupFactory()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_startup"))
    pages = []

    for user, language, model in [
        (network_admin, "fr", Startup),
        (viewer, "fr", Startup),  # fewer models, the same page
        (network_admin, "en", Startup),
        (network_admin, "fr", Application),
        (network_admin, "fr", Startup),  # from the cache
    ]:
        client.force_login(user)
        response = client.get(changelist(model), headers={"accept-language": language})
        with translation.override(language):
            sidebar = sidebar_of(response)
        assert sidebar in response.content.decode()
        pages.append(sidebar)

    assert len(set(pages)) == 4
    assert pages[0] == pages[4]
    assert "/admin/calls/" not in pages[1]
    assert 'aria-current="page">Applications' in pages[3] or 'aria-current="page">Candidatures' in pages[3]


def test_estimated_paginator_counts_exactly_off_postgresql():
    StartupFactory()
    StartupFactory()

    paginator = EstimatedCountPaginator(Startup.objects.order_by("pk"), 1)

    assert paginator.count == 2
    assert paginator.num_pages == 2


@pytest.fixture
def postgres():
    require_postgres()


def analyse(table):
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def test_estimated_paginator_takes_a_big_unfiltered_table_from_the_statistics(postgres, monkeypatch):
    for _row in range(5):
        StartupFactory()
    analyse("portfolio_startup")
    monkeypatch.setattr(admin_paginator, "ESTIMATE_ABOVE", 2)
    with connection.cursor() as cursor:  # the statistics say 1,000 rows: the count is theirs
        cursor.execute("UPDATE pg_class SET reltuples = 1000 WHERE oid = 'portfolio_startup'::regclass")

    unfiltered = EstimatedCountPaginator(Startup.objects.order_by("pk"), 10)
    filtered = EstimatedCountPaginator(Startup.objects.filter(name__icontains="produit").order_by("pk"), 10)
    last_pages = EstimatedCountPaginator(Startup.objects.order_by("pk"), 10, page_number="95")

    assert unfiltered.count == 1000
    assert filtered.count == 5
    assert last_pages.count == 5


def test_estimated_paginator_counts_a_small_table_exactly(postgres):
    for _row in range(3):
        StartupFactory()
    analyse("portfolio_startup")

    assert EstimatedCountPaginator(Startup.objects.order_by("pk"), 10).count == 3


TRIGRAM_INDEXES = {
    "incubator_user": {"user_email_trgm", "user_first_name_trgm", "user_last_name_trgm"},
    "portfolio_startup": {"startup_name_trgm", "startup_slug_trgm", "startup_pitch_trgm"},
    "calls_application": {"application_problem_trgm", "application_administration_trgm"},
}


@pytest.mark.parametrize("table", sorted(TRIGRAM_INDEXES))
def test_trigram_indexes_exist_on_postgresql(postgres, table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = dict(cursor.fetchall())

    assert TRIGRAM_INDEXES[table] <= set(indexes)
    assert all("gin_trgm_ops" in indexes[name] for name in TRIGRAM_INDEXES[table])


def test_admin_search_of_the_application_problem_uses_its_trigram_index(postgres, client, network_admin):
    for n in range(50):
        ApplicationFactory(problem=f"Problème numéro {n} des usagers.", administration=f"Administration {n}")
    analyse("calls_application")
    search = Application.objects.filter(problem__icontains="convocations").order_by().values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index serves

        plan = search.explain()

    assert "application_problem_trgm" in plan


def test_trigram_migrations_leave_sqlite_and_the_model_state_alone():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's side of the migrations")
    names = set()
    with connection.cursor() as cursor:
        for table in TRIGRAM_INDEXES:
            names |= set(connection.introspection.get_constraints(cursor, table))

    assert not names & set().union(*TRIGRAM_INDEXES.values())
    assert not any(index.name.endswith("_trgm") for index in Application._meta.indexes + Startup._meta.indexes)
