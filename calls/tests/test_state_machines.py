"""The two state machines of calls: one map on each model, one function that moves each status.

``Application.TRANSITIONS`` and ``Call.TRANSITIONS`` are the maps; ``transition_application``
and ``transition_call`` (calls/services.py) are the only writers of the statuses; the pages ask
the models' ``is_*``/``can_*`` properties, the templates never compare status strings.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from calls import services
from calls.models import Application, Call
from calls.tests.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db
S = Application.Status
CALLS = Path(settings.BASE_DIR) / "calls"
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "calls"
WRITERS = {"transition_application", "transition_call"}


@pytest.mark.parametrize("status", S.values)
def test_the_applications_properties_follow_its_map(status):
    application = Application(status=status)
    allowed = Application.TRANSITIONS[S(status)]

    assert application.can_withdraw is (S.WITHDRAWN in allowed)
    assert application.can_sign_commitment is (S.COMMITMENT_SIGNED in allowed)
    assert application.can_be_onboarded is (S.ONBOARDED in allowed)
    assert application.can_edit is (status in (S.DRAFT, S.SUBMITTED))
    assert application.can_be_voted is (status == S.SUBMITTED)
    assert application.can_be_scored is application.can_be_decided is (status in (S.SHORTLISTED, S.PITCHED))
    assert [application.may_become(to) for to in S.values] == [to in allowed for to in S.values]


def test_a_call_moves_along_its_map_the_way_back_last():
    assert Call(status=Call.Status.PUBLISHED).next_statuses() == [Call.Status.CLOSED, Call.Status.DRAFT]
    assert Call(status=Call.Status.ARCHIVED).next_statuses() == []
    assert Call(status=Call.Status.DRAFT).may_become(Call.Status.PUBLISHED)
    assert not Call(status=Call.Status.DRAFT).may_become("forged")
    assert Call(status=Call.Status.DRAFT).is_draft
    assert not Call(status=Call.Status.CLOSED).is_draft


def test_a_decision_on_a_shortlisted_application_marks_it_pitched_first(member_a):
    application = ApplicationFactory(status=S.SHORTLISTED)

    services.decide(application=application, to=S.LAUREATE, actor=member_a)

    moves = list(application.history.order_by("history_date", "history_id").values_list("status", "history_user"))
    assert moves[-2:] == [(S.PITCHED, member_a.pk), (S.LAUREATE, member_a.pk)]
    assert application.status == S.LAUREATE == Application.objects.get(pk=application.pk).status


@pytest.mark.parametrize("to", [S.WITHDRAWN, S.PITCHED, "forged"])
def test_a_decision_other_than_laureate_or_not_selected_is_refused_and_changes_nothing(member_a, to):
    application = ApplicationFactory(status=S.SHORTLISTED)

    with pytest.raises(ValidationError) as error:
        services.decide(application=application, to=to, actor=member_a)

    assert error.value.code == "decision"
    assert Application.objects.get(pk=application.pk).status == S.SHORTLISTED


def test_a_decision_on_a_decided_application_is_refused(member_a):
    application = ApplicationFactory(status=S.NOT_SELECTED)

    with pytest.raises(ValidationError) as error:
        services.decide(application=application, to=S.LAUREATE, actor=member_a)

    assert error.value.code == "transition"
    assert Application.objects.get(pk=application.pk).status == S.NOT_SELECTED


def test_onboarding_is_a_move_of_the_map_by_its_author(member_a):
    application = ApplicationFactory(status=S.COMMITMENT_SIGNED)

    startup = services.onboard(application=application, actor=member_a, name="Suivi des dossiers")

    last = application.history.latest()
    assert (last.status, last.history_user, last.startup_id) == (S.ONBOARDED, member_a, startup.pk)
    assert (application.status, application.startup) == (S.ONBOARDED, startup)


def test_the_pitch_draw_is_in_the_calls_history_by_its_author(member_a):
    call = CallFactory()
    ApplicationFactory(call=call, status=S.SHORTLISTED)

    services.draw_pitches(call=call, actor=member_a, seed="graine")

    assert (call.history.latest().draw_seed, call.history.latest().history_user) == ("graine", member_a)


def test_statuses_are_read_only_in_the_admin(client, network_admin):
    client.force_login(network_admin)
    application = ApplicationFactory(status=S.SUBMITTED)

    for obj in (application.call, application):
        url = reverse(f"admin:calls_{obj._meta.model_name}_change", args=[obj.pk])
        form = client.get(url).context["adminform"].form
        assert "status" not in form.fields


def status_writes(path):
    """(function, line) of each assignment to ``<x>.status`` and each ``.update(status=...)``."""
    writes = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            targets = []
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    targets += target.elts if isinstance(target, ast.Tuple) else [target]
            elif isinstance(child, ast.AugAssign | ast.AnnAssign):
                targets = [child.target]
            if any(isinstance(target, ast.Attribute) and target.attr == "status" for target in targets):
                writes.append((name, child.lineno))
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "update"
                and any(keyword.arg == "status" for keyword in child.keywords)
            ):
                writes.append((name, child.lineno))
            visit(child, name)

    visit(ast.parse(path.read_text()), None)
    return writes


def test_only_the_transition_functions_write_a_status():
    sources = [path for path in CALLS.rglob("*.py") if "tests" not in path.parts and "migrations" not in path.parts]

    writes = {str(path.relative_to(CALLS)): status_writes(path) for path in sources}

    outside = {path: [w for w in found if w[0] not in WRITERS] for path, found in writes.items()}
    assert {path: found for path, found in outside.items() if found} == {}
    assert {function for function, _line in writes["services.py"]} == WRITERS


def test_the_calls_templates_never_compare_status_strings():
    names = "|".join({*S.values, *Call.Status.values})
    comparison = re.compile(rf"{{%\s*(if|elif)\b[^%]*\bstatus\s*(==|!=|in\b)|(==|!=)\s*[\"']({names})[\"']")

    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if comparison.search(line)
    ]

    assert found == []
