"""Dates people type stay in a sane window: forms refuse, the database refuses, nothing breaks.

Before: a call saved with ``opens_at`` 0001-01-01 broke the managers' call list, the call
dashboard, publishing and the admin's changelist on PostgreSQL (``DataError``), and planning a
committee at 9999-12-31T23:59 answered 500 (``ValueError: year 10001``).
"""

import datetime

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse

from calls.models import Call
from calls.tests.factories import CallFactory
from calls.tests.test_manage import call_data
from committees.models import Committee
from committees.tests.test_pages import plan_data, plan_url
from incubator.dates import EARLIEST, LATEST, DateInput, validate_in_window
from incubator.models import Membership
from incubator.tests.factories import MembershipFactory
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ["incubator", "portfolio", "committees", "calls", "community", "standards"]
# Set by Django itself, never typed: the login stamps of AbstractUser.
NOT_TYPED = {("User", "last_login"), ("User", "date_joined")}


def typed_date_fields():
    """Every date or date-time column a person or an import can write (not the automatic stamps)."""
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.concrete_fields:
                if (model.__name__, field.name) in NOT_TYPED:
                    continue
                if isinstance(field, models.DateField) and not (
                    getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                ):
                    yield model, field


def test_every_typed_date_field_is_bounded_in_the_model_and_in_the_database():
    fields = list(typed_date_fields())
    unbounded = [f"{m.__name__}.{f.name}" for m, f in fields if validate_in_window not in f.validators]
    constrained = {
        (model, name)
        for model, _f in fields
        for constraint in model._meta.constraints
        for name in [f.name for f in model._meta.concrete_fields]
        if isinstance(constraint, models.CheckConstraint) and f"'{name}__gte'" in repr(constraint.condition)
    }
    unchecked = [f"{m.__name__}.{f.name}" for m, f in fields if (m, f.name) not in constrained]

    assert len(fields) > 10
    assert unbounded == []
    assert unchecked == []


def test_the_date_widgets_carry_the_window():
    html = DateInput().render("day", None)

    assert f'min="{EARLIEST.isoformat()}"' in html
    assert f'max="{LATEST.isoformat()}"' in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("opens_at", "0001-01-01T00:00"), ("closes_at", "9999-12-31T23:59"), ("selection_on", "9999-12-31")],
)
def test_a_call_with_an_extreme_date_is_refused_with_a_french_message(sign_in, member_a, incubator_a, field, value):
    response = sign_in(member_a).post(reverse("calls:manage_call_create"), call_data(incubator_a, **{field: value}))

    assert response.status_code == 200
    assert response.context["form"].has_error(field, code="date_window")
    assert "Saisissez une date comprise entre le 1er janvier 2000 et le 31 décembre 2099." in response.text
    assert f'value="{value}"' in response.text  # what was typed is kept
    assert not Call.objects.exists()


@pytest.fixture
def planner(sign_in, incubator_a):
    manager = MembershipFactory(incubator=incubator_a, role=Membership.Role.MANAGER).user
    return sign_in(manager)


def test_a_committee_planned_at_the_end_of_time_is_refused_not_a_500(planner, incubator_a):
    startup = StartupFactory(incubator=incubator_a)

    response = planner.post(plan_url(startup), plan_data("9999-12-31T23:59"))

    assert response.status_code == 200
    assert response.context["form"].has_error("scheduled_at", code="date_window")
    assert not Committee.objects.exists()


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31"])
def test_a_phase_change_to_an_extreme_date_is_refused(planner, incubator_a, start):
    startup = StartupFactory(incubator=incubator_a)

    response = planner.post(
        reverse("portfolio:phase_change", kwargs={"slug": startup.slug}),
        {"phase": "acceleration", "start": start, "reason": "test"},
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("start", code="date_window")
    startup.refresh_from_db()
    assert startup.phase != "acceleration"


def test_the_database_refuses_an_extreme_date_whatever_writes_it(incubator_a):
    call = CallFactory(incubator=incubator_a)
    far_past = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)

    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(opens_at=far_past)

    call.refresh_from_db()
    assert call.opens_at.year >= 2000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DataError was PostgreSQL's")
def test_the_managers_pages_answer_with_every_date_at_the_edges_of_the_window(sign_in, member_a, incubator_a):
    edge = datetime.datetime.combine(EARLIEST, datetime.time.min, tzinfo=datetime.UTC)
    call = CallFactory(incubator=incubator_a, opens_at=edge, closes_at=edge + datetime.timedelta(days=1))
    client = sign_in(member_a)

    pages = [reverse("calls:manage_call_list"), reverse("calls:manage_call", args=[call.slug])]

    assert [client.get(page).status_code for page in pages] == [200, 200]
