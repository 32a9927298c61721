"""What the calls ask of a person today ("Mon espace"'s to-do source ``calls``): for a juror, a
manager of the call's incubator and an applicant, each item for its persona only, with its link and
its date, gone once resolved; two queries whatever the number of calls and applications."""

import datetime
import functools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls import services
from calls.models import Application, Call, JuryScore, PreselectionVote
from calls.tests.factories import ApplicationFactory, CallFactory
from incubator import registry
from incubator.demo import DEMO_DOMAIN
from incubator.models import Membership, OutboxMessage, ReminderDelivery, ReminderRule, User
from incubator.reminders import plan
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from tests.todo import PARIS, TODAY, on_the_day, paris, source_items

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reminder_rules")]
CRITERIA = JuryScore.Criterion.values
calls_todo = functools.partial(source_items, "calls")


@pytest.fixture(autouse=True)
def _on_today(time_machine):
    yield from on_the_day(time_machine)


def a_call(incubator, **fields):
    """A call of ``incubator`` closed on 1 June, pre-selection on 10 June, selection day on 20 June."""
    values = {
        "incubator": incubator,
        "title": "Appel de printemps",
        "opens_at": paris(2026, 5, 1, 9),
        "closes_at": paris(2026, 6, 1, 12),
        "preselection_on": datetime.date(2026, 6, 10),
        "selection_on": datetime.date(2026, 6, 20),
        "investigation_starts_on": datetime.date(2026, 7, 1),
        "status": Call.Status.CLOSED,
    }
    return CallFactory(**{**values, **fields})


def manager_of(incubator, role=Membership.Role.MANAGER):
    return MembershipFactory(incubator=incubator, role=role, mfa=False).user


def ranking(call, status):
    return reverse("calls:manage_ranking", kwargs={"slug": call.slug}) + f"?status={status}"


@pytest.fixture
def world():
    """Incubator A's call with two jurors, a manager and a portfolio manager of A, a manager of B,
    a juror of B's call, a network admin."""
    incubator_a, incubator_b = IncubatorFactory(), IncubatorFactory()
    call = a_call(incubator_a)
    other_call = a_call(incubator_b, title="Appel de B", closes_at=paris(2026, 6, 30, 12), status="published")
    juror, other_juror, juror_of_b = UserFactory(), UserFactory(), UserFactory()
    call.jurors.add(juror, other_juror)
    other_call.jurors.add(juror_of_b)
    return {
        "call": call,
        "other_call": other_call,
        "juror": juror,
        "other_juror": other_juror,
        "juror_of_b": juror_of_b,
        "manager": manager_of(incubator_a),
        "portfolio_manager": manager_of(incubator_a, Membership.Role.PORTFOLIO_MANAGER),
        "manager_b": manager_of(incubator_b),
        "admin": UserFactory(is_staff=True, is_superuser=True, mfa=False),
    }


# Juror ----------------------------------------------------------------------------------------


def test_a_juror_is_asked_to_tick_until_they_vote_and_is_late_past_the_preselection_date(world):
    call = world["call"]
    first, second = ApplicationFactory.create_batch(2, call=call, status=Application.Status.SUBMITTED)
    ApplicationFactory(call=call, status=Application.Status.DRAFT)
    url = reverse("calls:jury_applications", kwargs={"slug": call.slug})
    tick = registry.TodoItem(
        datetime.date(2026, 6, 10),
        "Jury",
        "Appel de printemps: tick the applications you want to hear (2 submitted)",
        url,
        False,
    )

    assert calls_todo(world["juror"]) == [tick]
    assert calls_todo(world["other_juror"]) == [tick]
    for persona in ("juror_of_b", "manager_b", "admin"):
        assert [item for item in calls_todo(world[persona]) if item.kind == "Jury"] == []

    services.toggle_vote(application=first, juror=world["juror"])

    assert calls_todo(world["juror"]) == []
    assert calls_todo(world["other_juror"], datetime.date(2026, 6, 11)) == [
        tick._replace(late=True)
    ]  # past the pre-selection date
    services.declare_conflict(application=second, juror=world["other_juror"])
    assert calls_todo(world["other_juror"])[0].text.endswith("(1 submitted)")


def test_a_juror_scores_the_pitches_they_have_no_conflict_on_until_every_criterion_is_given(world):
    call = world["call"]
    call.status = Call.Status.PRESELECTION_DONE
    call.save(update_fields=["status"])
    heard, conflicted = ApplicationFactory.create_batch(2, call=call, status=Application.Status.SHORTLISTED)
    ApplicationFactory(call=call, status=Application.Status.NOT_SHORTLISTED)
    services.declare_conflict(application=conflicted, juror=world["juror"])
    url = reverse("calls:jury_applications", kwargs={"slug": call.slug})

    assert calls_todo(world["juror"]) == [
        registry.TodoItem(datetime.date(2026, 6, 20), "Jury", "Appel de printemps: score 1 pitch", url, False)
    ]
    assert calls_todo(world["other_juror"])[0].text == "Appel de printemps: score 2 pitches"
    assert calls_todo(world["juror_of_b"]) == []

    services.record_scores(application=heard, juror=world["juror"], scores=dict.fromkeys(CRITERIA[:3], 4))
    assert len(calls_todo(world["juror"])) == 1  # three criteria of four
    services.record_scores(application=heard, juror=world["juror"], scores={CRITERIA[3]: 2})

    assert calls_todo(world["juror"]) == []
    assert calls_todo(world["other_juror"], datetime.date(2026, 6, 21))[0].late


# Manager --------------------------------------------------------------------------------------


def test_the_managers_of_the_calls_incubator_see_the_jurors_who_owe_votes_and_the_preselection_to_record(world):
    call = world["call"]
    first, _second = ApplicationFactory.create_batch(2, call=call, status=Application.Status.SUBMITTED)
    services.toggle_vote(application=first, juror=world["juror"])
    expected = [
        registry.TodoItem(
            datetime.date(2026, 6, 10),
            "Call",
            "Appel de printemps: 1 juror has not voted yet",
            reverse("calls:manage_jurors", kwargs={"slug": call.slug}),
            False,
        ),
        registry.TodoItem(
            datetime.date(2026, 6, 10),
            "Call",
            "Appel de printemps: record the pre-selection of 2 applications",
            ranking(call, "submitted"),
            False,
        ),
    ]

    assert calls_todo(world["manager"]) == expected
    assert calls_todo(world["portfolio_manager"]) == expected
    for persona in ("manager_b", "admin", "juror_of_b"):
        assert calls_todo(world[persona]) == []

    services.toggle_vote(application=first, juror=world["other_juror"])
    assert calls_todo(world["manager"]) == expected[1:]

    services.preselect(
        applications=call.applications.filter(status="submitted"), to="shortlisted", actor=world["manager"]
    )
    assert calls_todo(world["manager"]) == [
        registry.TodoItem(
            datetime.date(2026, 6, 10),
            "Call",
            "Appel de printemps: mark the pre-selection done",
            reverse("calls:manage_call_status", kwargs={"slug": call.slug, "to": "preselection_done"}),
            False,
        )
    ]
    services.transition_call(call=call, to=Call.Status.PRESELECTION_DONE, actor=world["manager"])
    assert [item.text for item in calls_todo(world["manager"])] == ["Appel de printemps: draw the pitch order"]


def test_the_jurors_counted_are_those_the_votes_missing_reminder_chases(world, time_machine):
    call = world["call"]
    voted = ApplicationFactory(call=call, status=Application.Status.SUBMITTED)
    services.toggle_vote(application=voted, juror=world["juror"])
    late_juror = UserFactory()
    call.jurors.add(late_juror)
    time_machine.move_to(paris(2026, 6, 8, 9), tick=False)  # D-2 before the pre-selection, the rule's day
    plan()

    chased = ReminderDelivery.objects.filter(rule__kind="calls.votes_missing").values_list("recipient", flat=True)
    assert sorted(chased) == sorted([world["other_juror"].email, late_juror.email])
    owing = [item.text for item in calls_todo(world["manager"], datetime.date(2026, 6, 8)) if "voted" in item.text]
    assert owing == ["Appel de printemps: 2 jurors have not voted yet"]
    assert [item.kind for item in calls_todo(late_juror, datetime.date(2026, 6, 8))] == ["Jury"]
    assert calls_todo(world["juror"], datetime.date(2026, 6, 8)) == []


def test_a_draft_call_opening_within_a_week_is_to_publish_for_its_incubators_managers(world, time_machine):
    incubator = world["call"].incubator
    soon = a_call(
        incubator,
        title="Appel d'automne",
        status=Call.Status.DRAFT,
        opens_at=paris(2026, 6, 12, 9),
        closes_at=paris(2026, 7, 10, 12),
    )
    soon.jurors.add(world["juror"])
    text = "Appel d'automne: publish the call, still a draft, which opens on June 12, 2026"
    link = reverse("calls:manage_call_status", args=[soon.slug, "published"])
    publish = registry.TodoItem(datetime.date(2026, 6, 12), "Call", text, link, False)
    a_call(
        incubator,
        title="Appel d'hiver",
        status="draft",
        opens_at=paris(2026, 6, 13, 9),  # 8 days away
        closes_at=paris(2026, 7, 10, 12),
    )
    a_call(incubator, title="Appel oublié", status="draft", opens_at=paris(2026, 5, 1, 9))  # deadline past
    a_call(
        None, title="Appel du réseau", status="draft", opens_at=paris(2026, 6, 1, 9), closes_at=paris(2026, 7, 1, 12)
    )

    def to_publish(persona, today=TODAY):
        return [item for item in calls_todo(world[persona], today) if "publish" in item.text]

    assert to_publish("manager") == to_publish("portfolio_manager") == [publish]
    for persona in ("manager_b", "juror", "juror_of_b"):
        assert calls_todo(world[persona]) == []
    assert [item.text for item in calls_todo(world["admin"])] == [
        "Appel du réseau: publish the call, still a draft, which opens on June 1, 2026"
    ]
    assert calls_todo(world["admin"])[0].late  # it should have opened already

    time_machine.move_to(paris(2026, 6, 13, 10), tick=False)
    winter = "Appel d'hiver: publish the call, still a draft, which opens on June 13, 2026"
    assert [(item.text, item.late) for item in to_publish("manager", datetime.date(2026, 6, 13))] == [
        (publish.text, True),  # it should have opened yesterday
        (winter, False),  # a week away now
    ]
    services.transition_call(call=soon, to=Call.Status.PUBLISHED, actor=world["manager"])
    assert [item.text for item in to_publish("manager", datetime.date(2026, 6, 13))] == [winter]


def test_the_result_emails_held_for_review_are_to_send_until_sent(world):
    call = world["call"]
    call.status = Call.Status.SELECTION_DONE
    call.save(update_fields=["status"])
    ApplicationFactory.create_batch(2, call=call, status=Application.Status.NOT_SELECTED)
    ApplicationFactory(call=call, status=Application.Status.COMMITMENT_SIGNED)
    other = world["other_call"]
    other.status = Call.Status.SELECTION_DONE
    other.save(update_fields=["status"])
    ApplicationFactory(call=other, status=Application.Status.NOT_SELECTED)
    services.prepare_results(call=other, actor=world["manager_b"])
    send = registry.TodoItem(
        datetime.date(2026, 6, 20),
        "Call",
        "Appel de printemps: send the 2 result emails held for review",
        reverse("calls:manage_send_results", kwargs={"slug": call.slug}),
        False,
    )

    assert [item.text for item in calls_todo(world["manager"])] == ["Appel de printemps: onboard 1 laureate"]
    services.prepare_results(call=call, actor=world["manager"])
    assert send in calls_todo(world["manager"])
    assert send in calls_todo(world["portfolio_manager"])
    assert calls_todo(world["manager_b"])[0].text == "Appel de B: send the result email held for review"
    assert not [item for item in calls_todo(world["admin"]) + calls_todo(world["juror"]) if "result" in item.text]

    services.send_results(call=call, actor=world["manager"])
    assert OutboxMessage.objects.filter(status="held").count() == 1  # B's
    assert [item.text for item in calls_todo(world["manager"])] == ["Appel de printemps: onboard 1 laureate"]


def test_a_published_call_past_its_deadline_is_to_close_and_a_network_wide_call_is_the_network_admins(world):
    call = CallFactory(
        incubator=None,
        title="Appel du réseau",
        opens_at=paris(2026, 5, 1, 9),
        closes_at=paris(2026, 6, 3, 12),
        preselection_on=datetime.date(2026, 6, 10),
        status=Call.Status.PUBLISHED,
    )
    close = registry.TodoItem(
        datetime.date(2026, 6, 3),
        "Call",
        "Appel du réseau: the deadline has passed, close the call",
        reverse("calls:manage_call_status", kwargs={"slug": call.slug, "to": "closed"}),
        True,
    )

    assert calls_todo(world["admin"]) == [close]
    assert not [item for item in calls_todo(world["manager"]) if "Appel du réseau" in item.text]

    services.transition_call(call=call, to=Call.Status.CLOSED, actor=world["admin"])
    assert [item.text for item in calls_todo(world["admin"])] == ["Appel du réseau: mark the pre-selection done"]


def test_the_selection_day_asks_for_the_draw_then_the_decisions_then_to_mark_it_done(world, time_machine):
    call = world["call"]
    call.status = Call.Status.PRESELECTION_DONE
    call.save(update_fields=["status"])
    pitched = ApplicationFactory.create_batch(2, call=call, status=Application.Status.SHORTLISTED)
    selection = reverse("calls:manage_selection", kwargs={"slug": call.slug})

    assert calls_todo(world["manager"]) == [
        registry.TodoItem(
            datetime.date(2026, 6, 20), "Call", "Appel de printemps: draw the pitch order", selection, False
        )
    ]
    services.draw_pitches(call=call, actor=world["manager"], seed="graine")
    assert calls_todo(world["manager"]) == []  # nothing to do before the selection day

    time_machine.move_to(paris(2026, 6, 20, 18), tick=False)
    day = datetime.date(2026, 6, 20)
    decide = registry.TodoItem(day, "Call", "Appel de printemps: record the decisions on 2 pitches", selection, False)
    assert calls_todo(world["manager"], day) == [decide]
    assert calls_todo(world["manager_b"], day) == []
    services.decide(application=pitched[0], to=Application.Status.NOT_SELECTED, actor=world["manager"])
    services.decide(application=pitched[1], to=Application.Status.NOT_SELECTED, actor=world["manager"])

    assert calls_todo(world["manager"], datetime.date(2026, 6, 22)) == [
        registry.TodoItem(
            day,
            "Call",
            "Appel de printemps: mark the selection done",
            reverse("calls:manage_call_status", kwargs={"slug": call.slug, "to": "selection_done"}),
            True,
        )
    ]


def test_a_laureates_commitment_form_is_due_a_week_after_the_decision_for_them_and_their_managers(world):
    call = world["call"]
    call.status = Call.Status.SELECTION_DONE
    call.save(update_fields=["status"])
    laureate = ApplicationFactory(call=call, status=Application.Status.PITCHED)
    services.decide(application=laureate, to=Application.Status.LAUREATE, actor=world["manager"])
    due = datetime.date(2026, 6, 12)

    assert calls_todo(laureate.applicant) == [
        registry.TodoItem(
            due,
            "Application",
            "Appel de printemps: send your signed commitment form",
            f"/candidatures/{laureate.pk}/",
        )
    ]
    assert calls_todo(world["manager"]) == [
        registry.TodoItem(
            due,
            "Call",
            "Appel de printemps: 1 laureate has not sent the commitment form",
            ranking(call, "laureate"),
            False,
        )
    ]
    assert calls_todo(world["manager_b"]) == calls_todo(world["juror"]) == []
    assert calls_todo(laureate.applicant, datetime.date(2026, 6, 13))[0].late

    services.transition_application(
        application=laureate,
        to=Application.Status.COMMITMENT_SIGNED,
        actor=laureate.applicant,
        fields={"commitment_form": SimpleUploadedFile("fiche.pdf", b"%PDF-1.4 fiche", "application/pdf")},
    )

    assert calls_todo(laureate.applicant) == [
        registry.TodoItem(
            datetime.date(2026, 7, 1),
            "Application",
            "Appel de printemps: your investigation starts",
            f"/candidatures/{laureate.pk}/",
        )
    ]
    assert calls_todo(world["manager"]) == [
        registry.TodoItem(
            datetime.date(2026, 7, 1),
            "Call",
            "Appel de printemps: onboard 1 laureate",
            ranking(call, "commitment_signed"),
            False,
        )
    ]


def test_the_commitment_form_is_due_when_the_reminder_rule_says(world):
    ReminderRule.objects.filter(kind="calls.commitment_missing").update(offset_days=3)
    laureate = ApplicationFactory(call=world["call"], status=Application.Status.LAUREATE)

    assert calls_todo(laureate.applicant)[0].date == datetime.date(2026, 6, 8)


# Applicant ------------------------------------------------------------------------------------


def test_an_applicants_draft_is_to_submit_before_the_deadline_then_the_preselection_is_its_next_step(
    world, time_machine
):
    call = a_call(world["call"].incubator, title="Appel d'été", closes_at=paris(2026, 6, 15, 12), status="published")
    draft = ApplicationFactory(call=call)
    applicant = draft.applicant

    assert calls_todo(applicant) == [
        registry.TodoItem(
            datetime.date(2026, 6, 15),
            "Application",
            f"Appel d'été: submit your application before the deadline ({services.deadline_label(call)})",
            reverse("calls:apply", kwargs={"slug": call.slug}),
        )
    ]
    for persona in ("manager", "manager_b", "juror"):
        assert not [item for item in calls_todo(world[persona]) if "Appel d'été" in item.text]

    services.submit(application=draft, actor=applicant)
    assert calls_todo(applicant) == [
        registry.TodoItem(
            datetime.date(2026, 6, 10),
            "Application",
            "Appel d'été: the pre-selection of your application (its result comes by email)",
            f"/candidatures/{draft.pk}/",
        )
    ]

    time_machine.move_to(paris(2026, 6, 15, 12, 1), tick=False)
    assert calls_todo(ApplicationFactory(call=call).applicant, datetime.date(2026, 6, 15)) == []  # too late


def test_a_shortlisted_applicant_sees_their_pitch_time_once_drawn(world):
    call = world["call"]
    call.status = Call.Status.PRESELECTION_DONE
    call.save(update_fields=["status"])
    shortlisted = ApplicationFactory(call=call, status=Application.Status.SHORTLISTED)

    assert [(item.date, item.text) for item in calls_todo(shortlisted.applicant)] == [
        (datetime.date(2026, 6, 20), "Appel de printemps: the selection day, where you pitch your project")
    ]
    services.draw_pitches(call=call, actor=world["manager"], seed="graine")

    assert [(item.date, item.text) for item in calls_todo(shortlisted.applicant)] == [
        (datetime.date(2026, 6, 20), "Appel de printemps: your pitch on the selection day, at 9:30 a.m.")
    ]
    for status in (Application.Status.NOT_SELECTED, Application.Status.WITHDRAWN):
        assert calls_todo(ApplicationFactory(call=call, status=status).applicant) == []


# Queries --------------------------------------------------------------------------------------


def build_rows(count, juror, applicant):
    """``count`` calls of one incubator, each at another stage, judged by ``juror``, with an
    application of ``applicant`` in each (the results of those past the selection day prepared),
    and ``count`` drafts about to open."""
    incubator = IncubatorFactory()
    stages = [
        (Call.Status.CLOSED, Application.Status.SUBMITTED),
        (Call.Status.PRESELECTION_DONE, Application.Status.SHORTLISTED),
        (Call.Status.SELECTION_DONE, Application.Status.LAUREATE),
    ]
    for n in range(count):
        call_status, status = stages[n % len(stages)]
        call = a_call(incubator, status=call_status)
        call.jurors.add(juror)
        ApplicationFactory(call=call, applicant=applicant, status=status)
        ApplicationFactory(call=call, status=Application.Status.COMMITMENT_SIGNED)
        if call_status == Call.Status.SELECTION_DONE:
            services.prepare_results(call=call, actor=None)
        a_call(incubator, status=Call.Status.DRAFT, opens_at=paris(2026, 6, 8, 9), closes_at=paris(2026, 7, 1, 12))
    return manager_of(incubator)


@pytest.mark.parametrize("count", [1, 30])
def test_the_calls_source_costs_two_queries_whatever_the_number_of_calls(count):
    juror, applicant = UserFactory(), UserFactory()
    manager = build_rows(count, juror, applicant)
    manager.judged_calls.add(*Call.objects.all())  # a manager who is also a juror

    for user in (manager, juror, applicant):
        with CaptureQueriesContext(connection) as queries:
            items = calls_todo(user)
        assert len(queries) == 2, user
        assert items

    texts = [item.text for item in calls_todo(manager)]
    assert len([text for text in texts if "publish the call" in text]) == count
    assert len([text for text in texts if "held for review" in text]) == len(range(2, count, 3))


# The demo ---------------------------------------------------------------------------------------


@pytest.fixture
def demo(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(paris(2026, 12, 1, 9, 30), tick=False)
    call_command("seed_demo")
    return datetime.date(2026, 12, 1)


def test_the_demo_jurors_list_is_what_their_votes_imply(demo):
    juror = User.objects.get(email=f"jury@{DEMO_DOMAIN}")

    def expected():
        rows = []
        for call in Call.objects.filter(jurors=juror, status__in=["published", "closed"]).order_by("pk"):
            submitted = Application.objects.for_jury(juror).filter(call=call, status="submitted").count()
            if submitted and not PreselectionVote.objects.filter(juror=juror, application__call=call).exists():
                rows.append((call.preselection_on, reverse("calls:jury_applications", args=[call.slug]), submitted))
        assert not Call.objects.filter(jurors=juror, status="preselection_done").exists()  # no pitch to score
        return rows

    def listed():
        return [(item.date, item.url, int(item.text.split("(")[1].split()[0])) for item in calls_todo(juror, demo)]

    assert listed() == expected() == []  # the demo juror ticked the open call's applications
    open_call = Call.objects.get(jurors=juror, status="published")
    PreselectionVote.objects.filter(juror=juror, application__call=open_call).delete()

    assert listed() == expected() != []
    assert all(item in registry.todo_items(juror, demo) for item in calls_todo(juror, demo))


def test_the_demo_applicants_lists_are_what_their_applications_imply(demo):
    agent = User.objects.get(email=f"agent@{DEMO_DOMAIN}")
    draft = Application.objects.get(applicant=agent)
    assert calls_todo(agent, demo) == [
        registry.TodoItem(
            draft.call.closes_at.astimezone(PARIS).date(),
            "Application",
            f"{draft.call.title}: submit your application before the deadline ({services.deadline_label(draft.call)})",
            reverse("calls:apply", kwargs={"slug": draft.call.slug}),
        )
    ]
    laureate = Application.objects.get(applicant__email__endswith=DEMO_DOMAIN, status="laureate")
    assert calls_todo(laureate.applicant, demo) == [
        registry.TodoItem(
            laureate.status_changed_at.astimezone(PARIS).date() + datetime.timedelta(days=7),
            "Application",
            f"{laureate.call.title}: send your signed commitment form",
            laureate.get_absolute_url(),
        )
    ]
    # Every demo applicant: one item per application still moving, none for the others.
    for applicant in User.objects.filter(applications__isnull=False).distinct():
        moving = Application.objects.filter(
            applicant=applicant,
            status__in=["submitted", "shortlisted", "pitched", "laureate", "commitment_signed"],
            call__status__in=["published", "closed", "preselection_done", "selection_done"],
        )
        drafts = Application.objects.filter(
            applicant=applicant, status="draft", call__status="published", call__closes_at__gt=demo_now()
        )
        assert sorted(item.url for item in calls_todo(applicant, demo)) == sorted(
            [a.get_absolute_url() for a in moving] + [reverse("calls:apply", args=[a.call.slug]) for a in drafts]
        ), applicant
    manager = User.objects.get(email=f"responsable@{DEMO_DOMAIN}")
    past = laureate.call
    assert calls_todo(manager, demo) == [
        registry.TodoItem(
            laureate.status_changed_at.astimezone(PARIS).date() + datetime.timedelta(days=7),
            "Call",
            f"{past.title}: 1 laureate has not sent the commitment form",
            ranking(past, "laureate"),
            False,
        ),
        registry.TodoItem(
            past.investigation_starts_on,
            "Call",
            f"{past.title}: onboard 1 laureate",
            ranking(past, "commitment_signed"),
            True,
        ),
    ]


def demo_now():
    return paris(2026, 12, 1, 9, 30)


def test_an_anonymous_visitor_is_asked_nothing(django_assert_num_queries):
    a_call(IncubatorFactory()).jurors.add(UserFactory())
    with django_assert_num_queries(0):
        assert calls_todo(AnonymousUser()) == []
