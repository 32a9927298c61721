"""The core's registries (``incubator.registry``, ``incubator.personal_data``): their API on a blank
slate, what the apps register into them, and that the core and the portfolio name no upper app."""

import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve

from incubator import personal_data, registry
from incubator.middleware import is_personal
from incubator.models import AuditEvent, Membership
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory


@pytest.fixture
def blank_registry(monkeypatch):
    """Empty registries for the test (the apps' registrations come back afterwards)."""
    for name in (
        "_sections",
        "_pages",
        "_panels",
        "_annotations",
        "_columns",
        "_list_filters",
        "_sorts",
        "_tiles",
    ):
        monkeypatch.setattr(registry, name, {})
    monkeypatch.setattr(registry, "_personal_views", set())
    monkeypatch.setattr(personal_data, "_providers", {})


# Sections of "Mon espace" ------------------------------------------------------------------


def test_sections_for_come_in_order_with_their_context_and_skip_those_that_return_none(blank_registry):
    registry.register_section(registry.Section("last", "last.html", order=90))
    registry.register_section(registry.Section("first", "first.html", context=lambda user: {"who": user}, order=10))
    registry.register_section(registry.Section("hidden", "hidden.html", context=lambda user: None, order=50))

    blocks = registry.sections_for("someone")

    assert blocks == [registry.Block("first", "first.html", {"who": "someone"}), registry.Block("last", "last.html")]


def test_registering_a_section_again_replaces_it(blank_registry):
    registry.register_section(registry.Section("calls", "old.html"))
    registry.register_section(registry.Section("calls", "new.html"))

    assert [section.template for section in registry.sections()] == ["new.html"]


# Pages and panels ---------------------------------------------------------------------------


def test_a_panel_of_an_undeclared_page_or_slot_is_refused(blank_registry):
    with pytest.raises(ValueError, match=r"No page 'shop\.detail'"):
        registry.register_panel(registry.Panel("shop.detail", "aside", "price", "price.html"))
    registry.declare_page("shop.detail", slots=("aside",))
    with pytest.raises(ValueError, match="has no slot 'heading'"):
        registry.register_panel(registry.Panel("shop.detail", "heading", "price", "price.html"))
    with pytest.raises(ValueError, match=r"No page 'shop\.list'"):
        registry.register_column(registry.Column("shop.list", "price", "Price", "cell.html"))


def test_panels_for_groups_the_shown_panels_by_slot_in_order(blank_registry):
    registry.declare_page("shop.detail", slots=("heading", "aside"))
    registry.register_panel(registry.Panel("shop.detail", "aside", "b", "b.html", order=20))
    registry.register_panel(
        registry.Panel("shop.detail", "aside", "a", "a.html", context=lambda obj, user: {"n": obj}, order=10)
    )
    registry.register_panel(registry.Panel("shop.detail", "aside", "none", "x.html", context=lambda obj, user: None))

    slots = registry.panels_for("shop.detail", 7, user=None)

    assert slots["aside"] == [registry.Block("a", "a.html", {"n": 7}), registry.Block("b", "b.html")]
    assert slots["heading"] == []


def test_annotate_applies_the_annotations_of_its_page_only(blank_registry):
    registry.declare_page("shop.list")
    registry.declare_page("shop.detail")
    registry.register_annotation(registry.Annotation("shop.list", "twice", lambda values: [v * 2 for v in values]))
    registry.register_annotation(registry.Annotation("shop.detail", "never", lambda values: []))

    assert registry.annotate("shop.list", [1, 2]) == [2, 4]


def test_columns_filters_and_sorts_of_a_page_come_in_order(blank_registry):
    registry.declare_page("shop.list")
    registry.register_column(registry.Column("shop.list", "z", "Z", "z.html", order=1))
    registry.register_column(registry.Column("shop.list", "a", "A", "a.html", order=2))
    registry.register_list_filter(registry.ListFilter("shop.list", "f", build=object))
    registry.register_sort(registry.Sort("shop.list", "s", "S", expression=object))

    assert [column.key for column in registry.columns("shop.list")] == ["z", "a"]
    assert [item.key for item in registry.list_filters("shop.list")] == ["f"]
    assert [sort.key for sort in registry.sorts("shop.list")] == ["s"]
    assert registry.columns("elsewhere") == []


def test_render_blocks_renders_each_template_with_the_page_context_and_its_own(blank_registry, settings, tmp_path):
    (tmp_path / "one.html").write_text("<p>{{ page }}: {{ mine }}</p>")
    (tmp_path / "two.html").write_text("<p>{{ page }}{% if mine %}!{% endif %}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    blocks = [registry.Block("one", "one.html", {"mine": "<b>"}), registry.Block("two", "two.html")]

    html = Template("{% load portal_blocks %}{% render_blocks blocks %}").render(
        Context({"blocks": blocks, "page": "Page"})
    )

    assert html == "<p>Page: &lt;b&gt;</p><p>Page</p>"


# Tiles and personal views -------------------------------------------------------------------


def test_tiles_come_in_order_and_are_found_by_key(blank_registry):
    registry.register_tile(registry.Tile("b", "B", compute=lambda user, scope: 2, order=2))
    registry.register_tile(registry.Tile("a", "A", compute=lambda user, scope: 1, order=1))

    assert [tile.key for tile in registry.tiles()] == ["a", "b"]
    assert registry.get_tile("b").compute(None, registry.Scope()) == 2
    assert registry.Scope().is_network
    assert not registry.Scope(incubator="x").is_network


def test_a_registered_personal_view_is_personal(blank_registry):
    registry.register_personal_view("shop:feed")

    assert registry.is_personal_view("shop:feed")
    assert not registry.is_personal_view("shop:list")


# Personal data ------------------------------------------------------------------------------


def category(key, *fields):
    return personal_data.DataCategory(key, key, fields, "purpose", personal_data.LegalBasis.PUBLIC_TASK, "a year")


def test_export_all_asks_every_provider_in_order(blank_registry):
    personal_data.register(
        personal_data.Provider("b", "B", (category("y", "b.m.y"),), export=lambda u: {"y": u}, erase=None, order=2)
    )
    personal_data.register(
        personal_data.Provider("a", "A", (category("x", "a.m.x"),), export=lambda u: {"x": u}, erase=None, order=1)
    )

    assert list(personal_data.export_all("me").items()) == [("format", 1), ("a", {"x": "me"}), ("b", {"y": "me"})]
    assert personal_data.declared_fields() == {"a.m.x", "b.m.y"}
    assert [(provider.key, cat.key) for provider, cat in personal_data.categories()] == [("a", "x"), ("b", "y")]


@pytest.mark.django_db
def test_erase_all_runs_the_upper_apps_first_in_one_transaction(blank_registry):
    calls = []

    def eraser(key):
        def erase(user, *, actor):
            calls.append((key, user, actor, transaction.get_connection().in_atomic_block))
            return {key: 1}

        return erase

    personal_data.register(personal_data.Provider("core", "Core", (), export=dict, erase=eraser("core"), order=0))
    personal_data.register(personal_data.Provider("upper", "Upper", (), export=dict, erase=eraser("upper"), order=9))

    report = personal_data.erase_all("me", actor="admin")

    assert report == {"upper": {"upper": 1}, "core": {"core": 1}}
    assert calls == [("upper", "me", "admin", True), ("core", "me", "admin", True)]


# What the apps register ---------------------------------------------------------------------


def in_order(keys, expected):
    """``expected`` are among ``keys``, in this order (other apps may register more)."""
    return [key for key in keys if key in expected] == expected


def test_every_app_registers_its_sections_panels_tiles_providers_and_personal_views():
    assert in_order([section.key for section in registry.sections()], ["incubators", "calls", "account"])
    assert registry.sections()[0].key == "incubators"
    assert registry.sections()[-1].key == "account"
    panels = [(panel.slot, panel.key) for panel in registry.panels("portfolio.startup_detail")]
    assert in_order(
        panels,
        [
            ("facts_after_incubators", "call_origin"),
            ("heading", "committee_badges"),
            ("facts_before_update", "committee_dates"),
            ("aside_after_phases", "committees"),
        ],
    )
    assert in_order([column.key for column in registry.columns("portfolio.startup_list")], ["next_committee"])
    assert in_order([tile.key for tile in registry.tiles()], ["products_by_phase", "overdue_committees", "open_calls"])
    providers = [provider.key for provider in personal_data.providers()]
    assert in_order(providers, ["incubator", "portfolio", "committees", "calls"])
    assert providers[0] == "incubator"
    assert registry.is_personal_view("committees:calendar_feed")


def test_every_declared_field_exists():
    for name in personal_data.declared_fields():
        app_label, model_name, field_name = name.split(".")
        model = apps.get_model(app_label, model_name)
        assert model._meta.get_field(field_name), name


# The survey: every model field that holds personal data is declared (issue 14 item 3) ----------

# A field is presumed personal when it is an email, a link to an account, or named like a name, a
# phone, an address, a message to someone or a free comment. Those that are not, with the reason:
NOT_PERSONAL = {
    # Names of things, not of people.
    "incubator.organisation.name": "an organisation's name",
    "portfolio.startup.name": "a product's name",
    "portfolio.indicator.name": "an impact indicator's name",
    "community.resourcecategory.name": "a category of the offer",
    "incubator.reminderrule.name": "a reminder rule's name, written by the network",
    "incubator.reminderrule.body_template": "a reminder's template, written by the network",
    "committees.committeedocument.original_name": "a committee document's file name",
    "auth.permission.name": "Django's permission names",
    "auth.group.name": "a group's name",
    "sites.site.name": "the site's name",
    "standards.standardsversion.name": "a version of the design standards",
    "socialaccount.socialapp.name": "the identity provider's name (ProConnect)",
    # Functional contacts published on public pages: a shared mailbox, the premises.
    "incubator.incubator.contact_email": "an incubator's published contact mailbox",
    "incubator.incubator.purchasing_email": "an incubator's purchasing mailbox",
    "incubator.incubator.address": "an incubator's premises",
    "portfolio.startup.contact_email": "a product's published contact mailbox",
    "community.resource.contact_name": "the published contact of an offer of the network",
    "community.resource.contact_email": "the published contact mailbox of an offer of the network",
    # The portal's own data.
    "incubator.outboxmessage.from_email": "the portal's sender address",
    "incubator.reminderdelivery.message": "a link to the outbox row (declared there)",
    "portfolio.phaseperiod.comment": "the reason of a product's phase change (about the product)",
}
PERSONAL_NAME = re.compile(
    r"(^|_)(name|first_name|last_name|email|phone|mobile|recipient|to|cc|reply_to|address|comment|"
    r"message|body|remarks|ip|birth)s?($|_)"
)


def presumed_personal(field):
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return (
        isinstance(field, models.EmailField | models.GenericIPAddressField)
        or (field.is_relation and field.related_model is user_model)
        or bool(PERSONAL_NAME.search(field.name))
    )


def undeclared_personal_fields():
    """``app.model.field`` of every presumed-personal field no provider declares. A historical
    table's copy of a field is covered by its model's declaration (the provider erases both);
    its ``history_user`` is declared by the core."""
    declared = personal_data.declared_fields()
    found = []
    for model in apps.get_models():
        base = getattr(model, "instance_type", None) if model.__name__.startswith("Historical") else None
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) and not field.many_to_many:
                continue
            if field.auto_created and not field.concrete:
                continue
            name = f"{model._meta.label_lower}.{field.name}"
            if not presumed_personal(field) or name in declared or name in NOT_PERSONAL:
                continue
            if base is not None and field.name != "history_user":
                base_name = f"{base._meta.label_lower}.{field.name}"
                if base_name in declared or base_name in NOT_PERSONAL:
                    continue
            found.append(name)
    return found


def test_every_personal_field_of_every_model_is_declared():
    assert undeclared_personal_fields() == []


def test_the_allow_list_names_real_fields_that_no_provider_declares():
    for name in NOT_PERSONAL:
        app_label, model_name, field_name = name.split(".")
        assert apps.get_model(app_label, model_name)._meta.get_field(field_name), name
    assert not set(NOT_PERSONAL) & personal_data.declared_fields()


def test_the_survey_catches_an_undeclared_field(monkeypatch):
    core = personal_data.get_provider("incubator")
    categories = tuple(
        personal_data.DataCategory(
            **{**category.__dict__, "fields": tuple(f for f in category.fields if f != "incubator.user.email")}
        )
        for category in core.categories
    )
    monkeypatch.setitem(
        personal_data._providers, "incubator", personal_data.Provider(**{**core.__dict__, "categories": categories})
    )

    assert "incubator.user.email" in undeclared_personal_fields()


# The core's provider ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_core_exports_the_account_its_roles_and_its_audit_events_and_nothing_of_others():
    incubator = IncubatorFactory(title="Fabrique A")
    user = UserFactory(email="moi@example.gouv.fr", first_name="Camille", last_name="Martin")
    MembershipFactory(user=user, incubator=incubator, role=Membership.Role.COACH)
    other = MembershipFactory(incubator=incubator, user=UserFactory(email="autre@example.gouv.fr")).user
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, actor_id=user.pk, object_type="incubator.user")
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, actor_id=other.pk, object_type="incubator.user")

    data = personal_data.get_provider("incubator").export(user)

    assert data["account"]["email"] == "moi@example.gouv.fr"
    assert (data["account"]["first_name"], data["account"]["last_name"]) == ("Camille", "Martin")
    assert data["account"]["email_addresses"] == [{"email": "moi@example.gouv.fr", "verified": True, "primary": True}]
    assert data["memberships"] == [{"incubator": "Fabrique A", "role": "coach"}]
    assert [event["action"] for event in data["audit_events"]] == ["login"]
    text = json.dumps(personal_data.export_all(user))
    assert "autre@example.gouv.fr" not in text
    assert other.last_name not in text


@pytest.mark.django_db
def test_the_core_erases_the_roles_and_leaves_a_pseudonym_that_cannot_sign_in():
    user = UserFactory(email="moi@example.gouv.fr", first_name="Camille", last_name="Martin")
    MembershipFactory(user=user, role=Membership.Role.COACH)

    report = personal_data.get_provider("incubator").erase(user, actor=user)

    user.refresh_from_db()
    assert report["memberships"] == 1
    assert report["email_addresses"] == 1
    assert (user.email, user.first_name, user.last_name) == (f"compte-supprime-{user.pk}@invalid", "", "")
    assert not user.is_active
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_the_whole_export_is_json():
    user = UserFactory()

    assert json.loads(json.dumps(personal_data.export_all(user)))["format"] == 1


# The core and the portfolio name no upper app (issue 10's must-show) ------------------------

ROOT = Path(settings.BASE_DIR)
UPPER = "committees|calls"
NAMING = [
    re.compile(rf"^\s*(from|import)\s+({UPPER})\b", re.MULTILINE),  # an import
    re.compile(rf"[\"']({UPPER}):"),  # a URL name
    re.compile(rf"get_model\(\s*[\"']({UPPER})[\"']"),  # a model by name
    re.compile(r"\.(committees|applications|calendar_feed|judged_calls|committee_set|application_set)\b"),
    re.compile(rf"perms\.({UPPER})\."),  # a permission in a template
]


def lower_floor_files():
    for folder in ("incubator", "portfolio"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" in relative or "/migrations/" in relative or relative in {"incubator/urls.py"}:
                continue
            yield path
    upper_templates = {"committees", "calls", "community", "emails"}
    for path in (ROOT / "templates").rglob("*.html"):
        if path.relative_to(ROOT / "templates").parts[0] not in upper_templates:
            yield path


def test_the_core_and_the_portfolio_name_no_upper_app():
    found = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}: {match.group(0)}"
        for path in lower_floor_files()
        for text in [path.read_text()]
        for pattern in NAMING
        for match in pattern.finditer(text)
    ]

    assert found == []


def test_the_personal_view_check_reads_the_registry(rf: RequestFactory):
    request = rf.get("/calendrier/abc.ics")
    request.resolver_match = resolve("/calendrier/abc.ics")

    assert is_personal(request, HttpResponse())
