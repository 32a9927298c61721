"""XSS survey: classic payloads in every user-written text field, read back everywhere they land.

One object graph holds a row of every model of the surveyed apps. The text fields are discovered
from the models (char, text, email, URL, slug and JSON fields), so a new field is surveyed unless
``NOT_USER_TEXT`` says why it holds no user text. Each payload is written into each field that
accepts it: a field's value packs as many payloads as its length allows, and the survey runs in
rounds until every field has held every payload it accepts. A payload the field's own validation
refuses (``javascript:alert(1)`` in a URL field, anything in a slug) cannot be typed in; a test
checks that the validation refuses it.

After each round the survey GETs the pages that show these fields, as the persona who can see
them, and renders the emails that include them (the outbox rows' HTML bodies, the reminders' HTML
parts). Each document is read with the standard library's HTML parser, and what it finds
suspicious (scripts, event handlers, htmx attributes, javascript:/data: URLs, meta refresh,
frames, objects, base, svg, style, forms sent elsewhere) is compared with the same document
rendered from harmless values: our own templates' scripts and icons are in both, a payload's
element only in the survey's.

Before the payloads, each field holds a marker of its own: every field must show in some page or
email (so the list of pages misses none), and a round re-reads only the documents that show a
field whose value changed.
"""

import collections
import datetime
import importlib
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.template import Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from calls import services as call_services
from calls.models import Application, ConflictOfInterest, JuryScore, Pitch, PreselectionVote, Question
from calls.tests.factories import ApplicationFactory, CallFactory, QuestionFactory
from committees import services as committee_services
from committees.models import CalendarFeed, Committee, DueDateChange
from committees.tests.factories import AttendeeFactory, CommitteeDocumentFactory, CommitteeFactory, DecisionFactory
from community import services as community_services
from community.models import Registration, Resource, ResourceRequest
from community.tests.factories import EventFactory, ResourceCategoryFactory, ResourceFactory
from incubator import mail, reminders
from incubator.models import Membership, OutboxMessage, ReminderRule
from incubator.templatetags.portal_htmx import HTMX_CONFIG
from incubator.tests.dsfr_html import attrs, classes, elements, text
from incubator.tests.factories import IncubatorFactory, MembershipFactory, OrganisationFactory, UserFactory
from portfolio.models import TeamMembership
from portfolio.tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProductEventFactory,
    StartupFactory,
    TeamMembershipFactory,
)
from standards.models import StandardsVersion
from standards.tests.factories import ProductStandardFactory, StandardFactory, StandardsVersionFactory
from tests.reminder_rules import seed_reminder_rules

pytestmark = pytest.mark.django_db

PAYLOADS = [
    # Script and event handlers
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    # javascript: and data: links in HTML (plain, entity- and tab-obfuscated) and as a bare URL
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "javascript:alert(1)",
    # ... and in Markdown: inline link, image, data: link, reference-style link, autolink; SVG link
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    # htmx: a request made as the reader (the finding: an email added to their account), inline code
    '<div hx-get="/compte/email/" hx-trigger="load">x</div>',
    '<div hx-post="/compte/email/" hx-trigger="load">x</div>',
    '<button hx-on:click="alert(1)">x</button>',
    '<div data-hx-post="/compte/email/" data-hx-trigger="load">x</div>',
    # Elements that navigate, embed, retarget or restyle the page
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><button>x</button></form>',
    "<style>body{display:none}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    # Breaking out of an attribute or of the element
    '"><script>alert(1)</script>',
    "'onmouseover='alert(1)",
    '"onmouseover="alert(1)',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # Template injection: comes out as typed, never evaluated
    "{{ request.user.password }}{% debug %}",
]

SURVEYED_APPS = ["incubator", "portfolio", "committees", "calls", "community", "standards"]

# Text fields that hold no text a person writes, with the reason (a model label: all its fields).
# Not listed because found out by themselves: fields with choices, and fields no form edits
# (``editable=False``, such as the rendered HTML of a Markdown field, surveyed through its source).
NOT_USER_TEXT = {
    "incubator.User.password": "a password hash",
    "incubator.OutboxMessage": "the emails the portal built: the survey reads their HTML bodies",
    "incubator.ReminderRule": "the reminders' templates, written by network admins in the Django admin",
    "incubator.ReminderDelivery": "the reminder engine's bookkeeping",
    "calls.Call.draw_seed": "the seed the portal draws",
    "committees.CalendarFeed.token": "a random token the portal draws",
    "portfolio.Startup.user_types": "codes of a fixed vocabulary (CodeListValidator)",
    "portfolio.Startup.themes": "codes of a fixed vocabulary (CodeListValidator)",
    "calls.Call.themes": "codes of a fixed vocabulary (CodeListValidator)",
    "committees.CommitteeDocument.contents": "codes of the deck checklist (a form's choices)",
    "community.Resource.phases": "codes of a fixed vocabulary (CodeListValidator)",
    "community.Resource.organisation_types": "codes of a fixed vocabulary (CodeListValidator)",
}
# A JSON field the survey fills as the application form does: one answer per question.
ANSWERS = "calls.Application.answers"

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset"}
URL_ATTRIBUTES |= {"cite", "longdesc", "ping", "manifest", "codebase", "dynsrc", "lowsrc", "icon"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "style", "frame", "frameset", "applet", "noscript", "svg"}
MARKER = re.compile(r"mk\d+z")


def label_of(model, field_name=None):
    return f"{model._meta.label}.{field_name}" if field_name else model._meta.label


def surveyed_fields():
    """(model, field) of every text field of the surveyed apps that a person may write."""
    for app in SURVEYED_APPS:
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, HistoricalChanges):
                continue  # simple_history's copies: the pages that show the history are surveyed
            for model_field in model._meta.concrete_fields:
                text = isinstance(model_field, models.CharField | models.TextField | models.JSONField)
                listed = label_of(model) in NOT_USER_TEXT or label_of(model, model_field.name) in NOT_USER_TEXT
                if text and model_field.editable and not model_field.choices and not listed:
                    yield model, model_field


SURVEYED = set(surveyed_fields())


def text_fields_of(instance):
    return [f for f in type(instance)._meta.concrete_fields if (type(instance), f) in SURVEYED]


# Values -----------------------------------------------------------------------------------------


def build_value(model_field, parts, n):
    """A value holding ``parts`` that a person could type in the field (``n`` keeps it unique)."""
    if isinstance(model_field, models.EmailField):
        return f'"{"".join(parts)}"@n{n}.example.fr'
    if isinstance(model_field, models.URLField):
        return f"https://n{n}.evil.example/?{''.join(parts)}"
    return ("\n\n" if isinstance(model_field, models.TextField) else " ").join(parts)


def accepts(field_, value, instance=None):
    try:
        field_.clean(value, instance) if isinstance(field_, models.Field) else field_.clean(value)
    except ValidationError:
        return False
    return True


def pack(field_, instance=None, n=0):
    """([values], [refused payloads]): the payloads packed into as few values as the field allows."""
    chunks, refused = [], []
    for payload in PAYLOADS:
        if chunks and accepts(field_, build_value(field_, [*chunks[-1], payload], n), instance):
            chunks[-1].append(payload)
        elif accepts(field_, build_value(field_, [payload], n), instance):
            chunks.append([payload])
        else:
            refused.append(payload)
    return [build_value(field_, chunk, n) for chunk in chunks], refused


# The object graph -------------------------------------------------------------------------------


@dataclass
class Graph:
    objects: list
    clients: dict
    questions: dict
    call: object
    application: object
    laureate: object
    startup: object
    indicator: object
    team_member: object
    planned: Committee
    past: Committee
    held: Committee
    decision: object
    manager: object
    wings: dict  # the community's and the standards' rows, by name (build_wings)


def build_graph():
    today = timezone.localdate()
    owner, sponsor = OrganisationFactory(ministerial_area="Intérieur"), OrganisationFactory(ministerial_area="Santé")
    incubator = IncubatorFactory(
        owner=owner,
        website="https://fabrique.example.fr",
        address="1 rue de l'Exemple",
        short_description="Une fabrique",
        description="Une fabrique numérique.",
        purchasing_email="achats@example.gouv.fr",
    )
    partner = IncubatorFactory(owner=sponsor)
    manager = MembershipFactory(incubator=incubator, role=Membership.Role.MANAGER).user
    juror = MembershipFactory(incubator=incubator, role=Membership.Role.JURY).user
    other_juror, applicant, laureate_user, member = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    network_admin = UserFactory(is_staff=True, is_superuser=True)

    startup = StartupFactory(
        incubator=incubator,
        sponsors=[sponsor],
        description="Un produit.",
        contact_email="equipe@example.gouv.fr",
        website="https://produit.example.fr",
        repository="https://code.example.fr",
        stats_url="https://stats.example.fr",
        budget_url="https://budget.example.fr",
        impact_url="https://impact.example.fr",
        roadmap_url="https://feuille.example.fr",
        next_committee_due=today - datetime.timedelta(days=3),
    )
    startup.other_incubators.set([partner])
    period = startup.periods.get()
    period.comment = "Début."
    period.save()
    team_member = TeamMembershipFactory(startup=startup, user=member, role=TeamMembership.Role.INTRAPRENEUR)
    guest = TeamMembershipFactory(startup=startup, user=None, name="Invitée", email="invitee@example.gouv.fr")
    indicator = IndicatorFactory(startup=startup)
    measurement = MeasurementFactory(indicator=indicator)
    event = ProductEventFactory(startup=startup, is_public=True)

    # A committee ahead (invitations), one past without a decision (the decision form), one held.
    planned = CommitteeFactory(startup=startup, video_link="https://visio.example.fr", requested_team="Deux devs")
    planned_attendees = [
        AttendeeFactory(committee=planned, user=manager, mandatory=True),
        AttendeeFactory(committee=planned),
    ]
    document = CommitteeDocumentFactory(committee=planned, uploaded_by=member)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    past = CommitteeFactory(startup=startup, scheduled_at=yesterday, success_criteria="Mille usagers")
    held = CommitteeFactory(startup=startup, scheduled_at=yesterday, status=Committee.Status.HELD)
    held_attendee = AttendeeFactory(committee=held)
    decision = DecisionFactory(
        committee=held,
        minutes="Compte rendu.",
        granted_months=9,
        beyond_rule=True,  # its reason shows on the committee and product pages
        beyond_rule_reason="Marché à passer.",
        next_objectives="Trois régions.",
        hypotheses="Adoption sans formation.",
    )
    # The due date in force set by hand beyond the rule: its reasons show on the product page.
    due_change = DueDateChange.objects.create(
        startup=startup, due=startup.next_committee_due, reason="Budget", beyond_rule=True, beyond_rule_reason="Hors."
    )
    feed = CalendarFeed.objects.create(user=manager, token="survey-token")

    call = CallFactory(incubator=incubator, eligibility="Agents publics.")
    call.jurors.set([juror, other_juror])
    questions = {
        kind: QuestionFactory(call=call, kind=kind, help_text="Aide", choices="Oui\nNon") for kind in Question.Kind
    }
    application = ApplicationFactory(
        call=call,
        applicant=applicant,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        first_users="Les agents",
        population="40 000 usagers",
        potential_sponsor="La directrice",
        remarks="Rien.",
    )
    laureate = ApplicationFactory(call=call, applicant=laureate_user, status=Application.Status.LAUREATE)
    jury_work = [
        PreselectionVote.objects.create(application=application, juror=juror),
        ConflictOfInterest.objects.create(application=laureate, juror=other_juror, comment="Je la connais."),
        Pitch.objects.create(application=application, order=1, starts_at=timezone.now() + datetime.timedelta(days=40)),
        JuryScore.objects.create(application=application, juror=juror, criterion="problem", score=4),
    ]
    wings = build_wings(startup=startup, manager=manager, member=member)
    seed_reminder_rules()
    seed_wing_reminder_rules()

    users = [manager, juror, other_juror, applicant, laureate_user, member, network_admin]
    objects = [*users, owner, sponsor, incubator, partner, *Membership.objects.all(), startup, period, team_member]
    objects += [guest, indicator, measurement, event, planned, *planned_attendees, document, past, held, held_attendee]
    objects += [decision, due_change, feed, call, *questions.values(), application, laureate, *jury_work]
    objects += list(wings.values())
    personas = {"anonymous": None, "manager": manager, "juror": juror, "applicant": applicant}
    personas |= {"laureate": laureate_user, "team": member, "admin": network_admin}
    clients = {}
    for name, user in personas.items():
        clients[name] = Client()
        if user is not None:
            clients[name].force_login(user)
    return Graph(
        objects=objects,
        clients=clients,
        questions=questions,
        call=call,
        application=application,
        laureate=laureate,
        startup=startup,
        indicator=indicator,
        team_member=team_member,
        planned=planned,
        past=past,
        held=held,
        decision=decision,
        manager=manager,
        wings=wings,
    )


# The wings: the community (the offer, a request, an event) and the standards (a scorecard) -----------


# The wings' reminder rules, as their data migrations seed them (``tests.reminder_rules`` seeds the others').
WING_RULE_MIGRATIONS = [
    "community.migrations.0002_reminder_rules",
    "community.migrations.0004_suggestion_reminder_rule",
    "standards.migrations.0003_reminder_rule",
]


def seed_wing_reminder_rules():
    for name in WING_RULE_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)


def build_wings(*, startup, manager, member):
    """An on-request resource the manager answers and an open one; the team member's request for the
    product, with the manager's comment; a public event the manager organises, where the team member
    has a seat; a criterion of the current standards with the product's answer."""
    category = ResourceCategoryFactory(description="Une famille de l'offre.")
    details = {
        "description": "Un appui du réseau.",
        "link": "https://ressource.example.fr",
        "indicative_value": "10 000 euros",
        "contact_name": "Camille Martin",
        "contact_email": "offre@example.gouv.fr",
    }
    on_request = ResourceFactory(category=category, handlers=[manager], **details)
    open_link = ResourceFactory(category=category, access_mode=Resource.AccessMode.OPEN, **details)
    resource_request = community_services.request_resource(
        resource=on_request, actor=member, message="Nous en avons besoin.", startup=startup
    )
    comment = community_services.comment_request(resource_request=resource_request, actor=manager, body="Bien reçu.")
    event = EventFactory(
        organiser=manager, is_public=True, description="Un forum.", video_link="https://visio-forum.example.fr"
    )
    registration = community_services.register(event=event, actor=member)
    version = StandardsVersion.objects.current().first() or StandardsVersionFactory(is_current=True)
    standard = StandardFactory(version=version, help="Une aide.")
    answer = ProductStandardFactory(startup=startup, standard=standard, evidence_url="https://preuve.example.fr")
    return {
        "category": category,
        "on_request": on_request,
        "open_link": open_link,
        "request": resource_request,
        "comment": comment,
        "event": event,
        "registration": registration,
        "version": version,
        "standard": standard,
        "answer": answer,
    }


def wing_pages(graph):
    """(persona, path) of the community's and the standards' pages that show the graph's text."""
    wings = graph.wings
    for name in ("on_request", "open_link", "event"):
        wings[name].refresh_from_db()  # their slugs may hold a marker
    resource, event = wings["on_request"], wings["event"]
    slug = {"slug": graph.startup.slug}
    request_page = reverse("community:request_detail", kwargs={"pk": wings["request"].pk})
    public = [
        reverse("community:resource_list"),
        reverse("community:resource_detail", kwargs={"slug": wings["open_link"].slug}),
        reverse("community:event_list"),
        reverse("community:event_detail", kwargs={"slug": event.slug}),
    ]
    manager = [
        reverse("community:resource_list"),
        reverse("community:resource_detail", kwargs={"slug": resource.slug}),
        reverse("community:request_create", kwargs={"slug": resource.slug}),
        reverse("community:for_startup", kwargs=slug),
        reverse("community:queue"),
        request_page,
        reverse("community:event_detail", kwargs={"slug": event.slug}),
        reverse("community:attendance", kwargs={"slug": event.slug}),
        reverse("standards:scorecard_edit", kwargs=slug),
    ]
    team = [
        reverse("community:for_startup", kwargs=slug),
        reverse("community:my_requests"),
        request_page,
        reverse("community:event_list"),
        reverse("community:event_detail", kwargs={"slug": event.slug}),
    ]
    for persona, paths in [("anonymous", public), ("manager", manager), ("team", team)]:
        yield from ((persona, path) for path in paths)


def wing_emails(graph):
    """The community's emails about the graph, queued as its services queue them: the handlers' new
    request, the requester's side's answer and comment, the seat's confirmation and promotion."""
    wings = graph.wings
    resource_request = ResourceRequest.objects.for_list().get(pk=wings["request"].pk)
    comment = wings["comment"]
    community_services.notify_handlers(resource_request)
    answers = {
        "community_request_status": {"step": comment, "actor": graph.manager, "when": timezone.localtime()},
        "community_request_comment": {"comment": comment, "actor": graph.manager},
    }
    for template, extra in answers.items():
        for email in community_services.requester_emails(resource_request):
            mail.send_templated(
                to=[email],
                template=template,
                context=community_services.request_context(resource_request, **extra),
                key=f"survey:{template}:{email}",
            )
    registration = Registration.objects.select_related("event", "user").get(pk=wings["registration"].pk)
    community_services.notify_registration(registration)
    community_services.notify_registration(registration, promoted=True)


# Writing the values -----------------------------------------------------------------------------


def fields_to_write(graph):
    """(object, field, its index among the objects of its model) of every surveyed field of the graph."""
    seen = collections.Counter()
    for instance in graph.objects:
        rank = seen[type(instance)]
        seen[type(instance)] += 1
        for model_field in text_fields_of(instance):
            if label_of(type(instance), model_field.name) != ANSWERS:
                yield instance, model_field, rank


def save_all(instances):
    for instance in dict.fromkeys(instances):
        instance.save()


def set_answers(graph, answer_of):
    """The applications' answers, one per question: ``answer_of(kind)`` for the questions typed in."""
    answers = {}
    for kind, question in graph.questions.items():
        if kind == Question.Kind.CHOICE:
            answers[str(question.pk)] = question.choice_list[0]  # one of the choices the question offers
        elif kind == Question.Kind.YES_NO:
            answers[str(question.pk)] = True
        elif kind == Question.Kind.FILE:
            answers[str(question.pk)] = {"name": answer_of(kind), "path": "calls/answers/survey.pdf"}
        else:
            answers[str(question.pk)] = answer_of(kind)
    for application in (graph.application, graph.laureate):
        application.answers = answers
        application.save(update_fields=["answers"])


def write_markers(graph):
    """Each field gets a marker of its own; returns {marker: field label}."""
    markers, changed = {}, []
    for n, (instance, model_field, _rank) in enumerate(fields_to_write(graph)):
        marker = f"mk{n}z"
        value = {models.EmailField: f"{marker}@n{n}.example.fr", models.URLField: f"https://{marker}.example.fr/"}
        value = value.get(type(model_field), marker)
        if accepts(model_field, value, instance):
            setattr(instance, model_field.attname, value)
            markers[marker] = label_of(type(instance), model_field.name)
            changed.append(instance)
    save_all(changed)
    answer_markers = {kind: f"mk{len(markers) + n}z" for n, kind in enumerate(graph.questions)}
    set_answers(graph, answer_markers.get)
    typed = (Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT, Question.Kind.FILE)
    markers |= {answer_markers[kind]: f"{ANSWERS}[{kind}]" for kind in typed}
    return markers


@dataclass
class Plan:
    """The successive values of each field of the graph; the payloads each field refuses."""

    values: list  # (object, field, label, [values], rank)
    answers: dict  # question kind -> [values]
    refused: dict  # field label -> {payloads}

    @property
    def rounds(self):
        return max(len(values) for values in [*(row[3] for row in self.values), *self.answers.values()])


def plan_payloads(graph):
    rows, refused = [], collections.defaultdict(set)
    for n, (instance, model_field, rank) in enumerate(fields_to_write(graph)):
        values, rejected = pack(model_field, instance, n)
        label = label_of(type(instance), model_field.name)
        rows.append((instance, model_field, label, values, rank))
        refused[label].update(rejected)
    answers = {
        kind: pack(forms.CharField(max_length=300))[0] for kind in (Question.Kind.SHORT_TEXT, Question.Kind.FILE)
    }
    answers[Question.Kind.LONG_TEXT] = ["\n\n".join(PAYLOADS)]
    return Plan(values=rows, answers=answers, refused=refused)


def write_round(graph, plan, round_number):
    """Give each field its value of this round; returns the labels of the fields that changed.

    A field holds its values in turn, then keeps its last one. The ``rank``-th object of a model
    starts ``rank`` values further: two objects never hold the same value (unique fields), nor
    takes one the value the next one, saved after it, still holds from the round before.
    """
    changed, labels = [], set()
    for instance, model_field, label, values, rank in plan.values:
        if values and round_number < len(values):
            setattr(instance, model_field.attname, values[(round_number - rank) % len(values)])
            changed.append(instance)
            labels.add(label)
    save_all(changed)
    set_answers(graph, lambda kind: plan.answers[kind][min(round_number, len(plan.answers[kind]) - 1)])
    labels |= {f"{ANSWERS}[{kind}]" for kind, values in plan.answers.items() if round_number < len(values)}
    return labels


# What the survey reads --------------------------------------------------------------------------


def pages(graph):
    """(persona, path) of every page that shows the graph's text."""
    for instance in (graph.call, graph.startup, graph.startup.incubator):
        instance.refresh_from_db()  # their slugs may hold a marker
    call, application, laureate = graph.call, graph.application, graph.laureate
    slug = {"slug": graph.startup.slug}
    committees = (graph.planned, graph.past, graph.held)
    public = [
        reverse("incubator:home"),
        reverse("incubator:incubator_detail", kwargs={"slug": graph.startup.incubator.slug}),
        reverse("portfolio:directory"),
        reverse("portfolio:public_detail", kwargs=slug),
        reverse("calls:call_list"),
        reverse("calls:call_detail", kwargs={"slug": call.slug}),
    ]
    manager = [
        reverse("incubator:my_space"),
        reverse("portfolio:startup_list"),
        *[
            reverse(f"portfolio:{name}", kwargs=slug)
            for name in ("startup_detail", "startup_update", "phase_change", "team_add", "indicator_add")
        ],
        reverse("portfolio:team_edit", kwargs={**slug, "pk": graph.team_member.pk}),
        reverse("portfolio:measurement_add", kwargs={**slug, "pk": graph.indicator.pk}),
        reverse("committees:committee_list"),
        reverse("committees:my_calendar"),
        reverse("committees:committee_plan", kwargs=slug),
        reverse("committees:due_date", kwargs=slug),
        *[reverse("committees:committee_detail", kwargs={"pk": committee.pk}) for committee in committees],
        reverse("committees:document_add", kwargs={"pk": graph.planned.pk}),
        reverse("committees:committee_cancel", kwargs={"pk": graph.planned.pk}),
        reverse("committees:decision", kwargs={"pk": graph.past.pk}),
        reverse("calls:manage_call_list"),
        reverse("calls:manage_application_list"),
        *[
            reverse(f"calls:{name}", kwargs={"slug": call.slug})
            for name in ("manage_call", "manage_call_update", "manage_jurors", "manage_ranking", "manage_selection")
        ],
        *[reverse("calls:manage_application", kwargs={"pk": a.pk}) for a in (application, laureate)],
        reverse("calls:manage_onboard", kwargs={"pk": laureate.pk}),
        reverse("portfolio:dashboard", kwargs={"slug": graph.startup.incubator.slug}),
    ]
    team = [
        reverse("incubator:my_space"),
        *[reverse(f"portfolio:{n}", kwargs=slug) for n in ("startup_detail", "startup_update")],
    ]
    jury = [
        reverse("calls:jury_calls"),
        reverse("calls:jury_applications", kwargs={"slug": call.slug}),
        reverse("calls:jury_application", kwargs={"pk": application.pk}),
    ]
    own = [
        reverse("calls:apply", kwargs={"slug": call.slug}),
        reverse("calls:my_applications"),
        reverse("calls:application_detail", kwargs={"pk": application.pk}),
    ]
    changelists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model._meta.app_label in SURVEYED_APPS
    ]
    for persona, paths in [("anonymous", public), ("manager", manager), ("team", team), ("juror", jury)]:
        yield from ((persona, path) for path in paths)
    yield from (("applicant", path) for path in own)
    yield ("laureate", reverse("calls:application_detail", kwargs={"pk": laureate.pk}))
    yield from (("admin", path) for path in changelists)
    steering = [reverse("portfolio:cockpit"), reverse("portfolio:data_quality"), reverse("portfolio:as_of")]
    yield from (("admin", path) for path in steering)
    yield ("admin", reverse("portfolio:as_of") + f"?date={timezone.localdate().isoformat()}")
    yield from wing_pages(graph)


def emails(graph):
    """{key: (what, HTML)} of every email that includes the graph's text, written as the portal does."""
    OutboxMessage.objects.all().delete()
    committee_services.invite(graph.planned)
    committee_services.announce_decision(graph.decision)
    for application in (graph.application, graph.laureate):
        application.refresh_from_db()
        for template in ("submitted", "shortlisted", "not_shortlisted", "ineligible", "laureate", "not_selected"):
            call_services.notify_applicant(application, f"application_{template}", template)
    call_services.convoke(call=graph.call, actor=graph.manager)
    call_services.prepare_results(call=graph.call, actor=graph.manager)  # the selection page shows them
    wing_emails(graph)
    found = {
        f"email {n}": (f"email {row.subject[:60]!r}", row.body_html)
        for n, row in enumerate(OutboxMessage.objects.order_by("pk"))
    }
    # The reminders the rules would send about the graph, rendered as the engine does (not queued).
    today = timezone.localdate()
    window = {"anchors_from": today - datetime.timedelta(days=60), "anchors_to": today + datetime.timedelta(days=60)}
    for rule in ReminderRule.objects.filter(is_active=True).order_by("pk"):
        subject, body = Template(rule.subject_template), Template(rule.body_template)
        for due in reminders.get_kind(rule.kind).due(rule, **window):
            for recipient in due.recipients:
                message = reminders._message(rule, due, recipient, subject, body)
                found[f"reminder {len(found)}"] = (f"reminder {rule.kind}", message.body_html)
    return found


def documents(graph, page_keys=None):
    """{key: (what, HTML)} of the emails and of the pages (those of ``page_keys`` if given)."""
    found = emails(graph)
    for persona, path in pages(graph):
        key = f"{persona} GET {path}"
        if page_keys is None or key in page_keys:
            response = graph.clients[persona].get(path)
            assert response.status_code == 200, f"{key}: {response.status_code}"
            found[key] = (key, response.content.decode())
    return found


# Reading the HTML -------------------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag with its attributes (names lowercased, entities decoded), scripts' text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.script_text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        if self.cdata_elem == "script" and data.strip():
            self.script_text.append(data)


def dangerous_url(value):
    return re.sub(r"[\x00-\x20]", "", value or "").lower().startswith(("javascript:", "vbscript:", "data:"))


def suspicious(html):
    """What in ``html`` could run code, send a request or change the page: a Counter of findings."""
    parser = Tags()
    parser.feed(html)
    parser.close()
    found = collections.Counter()
    for tag, attr_list in parser.tags:
        attrs = dict(attr_list)
        if tag in FORBIDDEN_TAGS:
            found[f"<{tag}> element"] += 1
        if tag == "meta" and "http-equiv" in attrs:
            found["<meta http-equiv>"] += 1
        if tag == "script" and not (attrs.get("src") or "").startswith(settings.STATIC_URL):
            found[f"<script> not from {settings.STATIC_URL}: src={attrs.get('src')!r}"] += 1
        if tag == "link" and not (attrs.get("href") or "").startswith(settings.STATIC_URL):
            found[f"<link> to {attrs.get('href')!r}"] += 1
        for name, value in attr_list:
            if name in ("action", "formaction") and value and not re.match(r"^(/(?!/)|\?)", value):
                found[f"<{tag}> sent to {value!r}"] += 1
            if name.startswith(("hx-", "data-hx-")):
                found[f"<{tag}> {name}={value!r}"] += 1
            if name.startswith("on"):
                found[f"<{tag}> event handler {name}"] += 1
            if name in URL_ATTRIBUTES and dangerous_url(value):
                found[f"<{tag}> {name}={value!r}"] += 1
            if name == "style":
                found[f"<{tag}> style={value!r}"] += 1
    found.update(f"inline script {text[:40]!r}" for text in parser.script_text)
    found.update(f"payload as markup: {p!r}" for p in PAYLOADS if "<" in p and p in html)
    if "md5$" in html:  # the test hasher's prefix: a template evaluated {{ request.user.password }}
        found["a password hash"] += 1
    return found


# The tests --------------------------------------------------------------------------------------


@pytest.fixture
def graph(db):
    return build_graph()


def test_survey_every_text_field_of_the_surveyed_models_has_a_row_in_the_graph(graph):
    present = {type(instance) for instance in graph.objects}

    missing = sorted(label_of(model, f.name) for model, f in SURVEYED if model not in present)

    assert missing == [], "add a row of these models to build_graph(), or the field to NOT_USER_TEXT"


def test_survey_fields_refuse_only_what_their_validation_refuses(graph):
    plan = plan_payloads(graph)

    for label in ("incubator.Incubator.slug", "calls.Call.slug", "portfolio.Startup.slug"):
        assert plan.refused[label] == set(PAYLOADS), label
    for label in ("calls.Question.help_text", "portfolio.Startup.description", "committees.Decision.minutes"):
        assert plan.refused[label] == set(), label
    for model, name in [("portfolio.Startup", "website"), ("committees.Committee", "video_link")]:
        url_field = apps.get_model(model)._meta.get_field(name)
        for url in ("javascript:alert(1)", "data:text/html,x", "jav\tascript:alert(1)", "JavaScript:alert(1)"):
            assert not accepts(url_field, url), (model, name, url)


def test_survey_question_help_text_renders_escaped_on_the_application_page(graph):
    """The finding: an htmx element in a help text made a CSRF-valid POST as the applicant."""
    question = graph.questions[Question.Kind.LONG_TEXT]
    question.help_text = '<div hx-post="/compte/email/" hx-trigger="load">x</div>'
    question.save()

    response = graph.clients["applicant"].get(reverse("calls:apply", kwargs={"slug": graph.call.slug}))

    parser = Tags()
    parser.feed(response.content.decode())
    assert [tag for tag, attrs in parser.tags if "hx-trigger" in dict(attrs) and tag != "form"] == []
    assert "&lt;div hx-post=&quot;/compte/email/&quot; hx-trigger=&quot;load&quot;&gt;x&lt;/div&gt;" in response.text


def test_survey_application_page_configures_htmx_strictly_and_disables_it_around_user_text(graph):
    response = graph.clients["applicant"].get(reverse("calls:apply", kwargs={"slug": graph.call.slug}))

    parser = Tags()
    parser.feed(response.content.decode())
    [config] = [dict(attrs)["content"] for tag, attrs in parser.tags if dict(attrs).get("name") == "htmx-config"]
    assert json.loads(config) == HTMX_CONFIG
    found = elements(response.content.decode())
    under_disable = {id(e) for d in found if "hx-disable" in attrs(d) for e in elements(d)}
    user_text = [e for e in found if e.name in ("label", "legend") or "fr-hint-text" in classes(e)]
    assert len(user_text) > 2 * len(graph.questions)
    assert [text(e) for e in user_text if id(e) not in under_disable] == []
    assert "hx-disable" in attrs(next(e for e in found if e.name == "h1"))  # the call's title


def test_survey_plain_email_html_escapes_its_text():
    """The text part is rendered without autoescaping and comes out marked safe: the HTML layout
    of a plain email escapes it all the same."""
    text = mail.render_text("emails/application_submitted_body.txt", {"applicant": None, "call": {"title": "<b>x</b>"}})

    html = mail.html_from_text("Sujet", text)

    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>" not in html


def test_survey_no_payload_survives_on_any_page_or_email(graph):
    markers = write_markers(graph)
    baseline, shown_in = {}, collections.defaultdict(set)  # field label -> keys of the documents showing it
    for key, (_what, html) in documents(graph).items():
        baseline[key] = suspicious(html)
        for marker in set(MARKER.findall(html)) & markers.keys():
            shown_in[markers[marker]].add(key)
    never_shown = sorted(set(markers.values()) - shown_in.keys())  # before the rounds read shown_in
    plan = plan_payloads(graph)

    problems = []
    for round_number in range(plan.rounds):
        changed = write_round(graph, plan, round_number)
        page_keys = None if round_number == 0 else set().union(*(shown_in[label] for label in changed))
        for key, (what, html) in documents(graph, page_keys).items():
            extra = suspicious(html) - baseline[key]
            problems += [f"round {round_number}, {what}: {finding}" for finding in extra]

    assert never_shown == [], "no page nor email shows these fields"
    assert problems == [], f"{len(problems)} findings:\n" + "\n".join(problems[:40])
