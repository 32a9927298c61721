"""What the calls ask of a person today ("Mon espace", ``incubator.registry.TodoSource``), in two
queries whatever the number of calls and applications.

- A juror: the applications of a call to tick before its pre-selection date, as long as they have
  ticked none (the fact the ``calls.votes_missing`` reminder chases), and the pitches to score
  (all four criteria) before the selection day.
- A manager of the call's incubator (``incubator.rules``; a network-wide call: the network
  admins): the next step of each call along ``Call.TRANSITIONS``: publish a draft opening within
  ``PUBLISH_DAYS`` or already due to open (its deadline not past), close it once its deadline has
  passed, the jurors who still owe votes, the pre-selection to record, then to mark done, the
  pitch order to draw, the selection day's decisions, then to mark done; the result emails
  prepared and held for review (``services.prepare_results``), to send; and the laureates'
  commitment forms still missing, and the laureates to onboard.
- An applicant: the next step of each application and its date (the draft to submit before the
  deadline, the pre-selection, the pitch, the commitment form, the start of the investigation).

An archived call asks nothing, a draft only its publication. The jurors who owe votes and the
commitment forms missing are the reminders' facts (``calls.reminders``): the form is due as many
days after the laureate's decision as the ``calls.commitment_missing`` rule waits.
"""

import datetime

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from incubator.dates import local_day
from incubator.models import OutboxMessage
from incubator.registry import TodoItem
from incubator.reminders import day_bounds
from incubator.rules import managed_incubator_ids

from .models import Application, Call, JuryScore
from .reminders import commitment_missing, commitment_offset, jurors_owing_votes
from .services import deadline_label

# The calls that still ask something of someone.
LIVE_STATUSES = (
    Call.Status.PUBLISHED,
    Call.Status.CLOSED,
    Call.Status.PRESELECTION_DONE,
    Call.Status.SELECTION_DONE,
)
# The applications whose applicant has a next step.
APPLICANT_STATUSES = (
    Application.Status.DRAFT,
    Application.Status.SUBMITTED,
    Application.Status.SHORTLISTED,
    Application.Status.PITCHED,
    Application.Status.LAUREATE,
    Application.Status.COMMITMENT_SIGNED,
)
PUBLISH_DAYS = 7  # a draft call opening this soon (or already due to open) is to publish


class RowCount(Func):
    """COUNT(*) over a subquery's rows, with no GROUP BY (not an aggregate to Django)."""

    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()


def count_of(queryset):
    """The number of rows of ``queryset`` (filtered on an ``OuterRef``), as a subquery of the outer row."""
    return Coalesce(Subquery(queryset.order_by().annotate(n=RowCount()).values("n")[:1]), 0)


def held_result():
    """The application's result email prepared and held for review (its key is the one
    ``services.prepare_results`` gives it), as a subquery of an application row."""
    key = Concat(Value("application:"), Cast(OuterRef("pk"), CharField()), Value(":result"))
    return OutboxMessage.objects.filter(idempotency_key=key, status=OutboxMessage.Status.HELD)


def calls_for(user, today):
    """The live calls ``user`` judges or manages, and the drafts they manage that open within
    ``PUBLISH_DAYS``, with what each asks of them (one query)."""
    judged = Call.jurors.through.objects.filter(user=user).values("call")
    managed = Q(incubator__in=managed_incubator_ids(user))
    if user.is_network_admin:
        managed |= Q(incubator__isnull=True)
    start, horizon = day_bounds(today, today + datetime.timedelta(days=PUBLISH_DAYS))
    drafts = Q(status=Call.Status.DRAFT, opens_at__lt=horizon, closes_at__gte=start)
    applications = Application.objects.filter(call=OuterRef("pk"))
    jury = Application.objects.for_jury(user).filter(call=OuterRef("pk"))
    my_scores = JuryScore.objects.filter(application=OuterRef("pk"), juror=user)
    laureates = commitment_missing().filter(call=OuterRef("pk"))
    owing = jurors_owing_votes().filter(call=OuterRef("pk"))
    return (
        Call.objects.filter((Q(pk__in=judged) | managed) & Q(status__in=LIVE_STATUSES) | managed & drafts)
        .annotate(
            is_juror=Exists(Call.jurors.through.objects.filter(call=OuterRef("pk"), user=user)),
            is_manager=ExpressionWrapper(managed, output_field=BooleanField()),
            owes_votes=Exists(owing.filter(user=user)),
            to_tick=count_of(jury.filter(status=Application.Status.SUBMITTED)),
            to_score=count_of(
                jury.filter(status__in=Application.ON_STAGE_STATUSES)
                .annotate(scored=count_of(my_scores))
                .filter(scored__lt=len(JuryScore.Criterion))
            ),
            submitted=count_of(applications.filter(status=Application.Status.SUBMITTED)),
            shortlisted=count_of(applications.filter(status=Application.Status.SHORTLISTED)),
            on_stage=count_of(applications.filter(status__in=Application.ON_STAGE_STATUSES)),
            laureates=count_of(laureates),
            first_laureate_at=Subquery(laureates.order_by("status_changed_at").values("status_changed_at")[:1]),
            to_onboard=count_of(applications.filter(status=Application.Status.COMMITMENT_SIGNED)),
            votes_missing=count_of(owing),
            results_held=count_of(applications.filter(Exists(held_result()))),
            commitment_days=commitment_offset(),
        )
        .order_by("pk")
    )


def _item(date, kind, text, url, today, *, may_be_late=True):
    return TodoItem(date, kind, text, url, may_be_late and date < today)


def juror_items(call, today):
    kind = _("Jury")
    url = reverse("calls:jury_applications", kwargs={"slug": call.slug})
    if call.owes_votes and call.to_tick:
        text = ngettext(
            "%(call)s: tick the applications you want to hear (%(count)s submitted)",
            "%(call)s: tick the applications you want to hear (%(count)s submitted)",
            call.to_tick,
        ) % {"call": call.title, "count": call.to_tick}
        yield _item(call.preselection_on, kind, text, url, today)
    if call.status == Call.Status.PRESELECTION_DONE and call.to_score:
        text = ngettext("%(call)s: score %(count)s pitch", "%(call)s: score %(count)s pitches", call.to_score) % {
            "call": call.title,
            "count": call.to_score,
        }
        yield _item(call.selection_on, kind, text, url, today)


# What a manager is told of a count of ``calls_for``: its annotation's name, the text.
COUNTED_STEPS = {
    "votes_missing": ngettext_lazy(
        "%(call)s: %(count)s juror has not voted yet", "%(call)s: %(count)s jurors have not voted yet", "count"
    ),
    "submitted": ngettext_lazy(
        "%(call)s: record the pre-selection of %(count)s application",
        "%(call)s: record the pre-selection of %(count)s applications",
        "count",
    ),
    "on_stage": ngettext_lazy(
        "%(call)s: record the decision on %(count)s pitch",
        "%(call)s: record the decisions on %(count)s pitches",
        "count",
    ),
    "results_held": ngettext_lazy(
        "%(call)s: send the result email held for review",
        "%(call)s: send the %(count)s result emails held for review",
        "count",
    ),
    "laureates": ngettext_lazy(
        "%(call)s: %(count)s laureate has not sent the commitment form",
        "%(call)s: %(count)s laureates have not sent their commitment form",
        "count",
    ),
    "to_onboard": ngettext_lazy(
        "%(call)s: onboard %(count)s laureate", "%(call)s: onboard %(count)s laureates", "count"
    ),
}


def manager_items(call, today, now):
    kind = _("Call")
    values = {"call": call.title}

    def url(name, **query):
        address = reverse(f"calls:{name}", kwargs={"slug": call.slug})
        return f"{address}?{urlencode(query)}" if query else address

    def status_url(to):
        return reverse("calls:manage_call_status", kwargs={"slug": call.slug, "to": to})

    def step(date, text, link, **options):
        return _item(date, kind, text % values, link, today, **options)

    def counted(date, count, link, **options):
        text = COUNTED_STEPS[count] % {**values, "count": getattr(call, count)}
        return _item(date, kind, text, link, today, **options)

    if call.status == Call.Status.DRAFT:
        opens = formats.date_format(timezone.localtime(call.opens_at), "DATE_FORMAT")
        text = _("%(call)s: publish the call, still a draft, which opens on %(date)s") % {**values, "date": opens}
        yield _item(local_day(call.opens_at), kind, text, status_url(Call.Status.PUBLISHED), today)
        return
    deadline_passed = call.closes_at <= now
    if call.status == Call.Status.PUBLISHED and deadline_passed:
        text = _("%(call)s: the deadline has passed, close the call")
        yield step(local_day(call.closes_at), text, status_url(Call.Status.CLOSED))
    if call.votes_missing:
        yield counted(call.preselection_on, "votes_missing", url("manage_jurors"))
    # The pre-selection, once the call takes no more applications (``check_preselection_allowed``).
    may_preselect = call.status == Call.Status.CLOSED or (call.status == Call.Status.PUBLISHED and deadline_passed)
    if may_preselect and call.submitted:
        yield counted(call.preselection_on, "submitted", url("manage_ranking", status=Application.Status.SUBMITTED))
    elif call.status == Call.Status.CLOSED:
        text = _("%(call)s: mark the pre-selection done")
        yield step(call.preselection_on, text, status_url(Call.Status.PRESELECTION_DONE))
    if call.status == Call.Status.PRESELECTION_DONE:
        if call.shortlisted and call.drawn_at is None:
            yield step(call.selection_on, _("%(call)s: draw the pitch order"), url("manage_selection"))
        if call.selection_on <= today and call.on_stage:
            yield counted(call.selection_on, "on_stage", url("manage_selection"))
        elif call.selection_on <= today:
            text = _("%(call)s: mark the selection done")
            yield step(call.selection_on, text, status_url(Call.Status.SELECTION_DONE))
    if call.results_held:
        yield counted(call.selection_on, "results_held", url("manage_send_results"), may_be_late=False)
    if call.laureates:
        due = local_day(call.first_laureate_at) + datetime.timedelta(days=call.commitment_days)
        yield counted(due, "laureates", url("manage_ranking", status=Application.Status.LAUREATE))
    if call.to_onboard:
        link = url("manage_ranking", status=Application.Status.COMMITMENT_SIGNED)
        yield counted(call.investigation_starts_on, "to_onboard", link)


def my_applications(user):
    """The person's applications that have a next step, with their call and pitch (one query)."""
    return (
        Application.objects.of(user)
        .filter(status__in=APPLICANT_STATUSES, call__status__in=LIVE_STATUSES)
        .select_related("call", "pitch")
        .annotate(commitment_days=commitment_offset())
        .order_by("pk")
    )


def applicant_item(application, today, now):
    """The next step of one application, or None (a draft whose call no longer takes it)."""
    call = application.call
    values = {"call": call.title}
    url = application.get_absolute_url()
    kind = _("Application")
    status = application.status
    if status == Application.Status.DRAFT:
        if not call.is_open(now):
            return None
        text = _("%(call)s: submit your application before the deadline (%(deadline)s)") % {
            **values,
            "deadline": deadline_label(call),
        }
        return TodoItem(local_day(call.closes_at), kind, text, reverse("calls:apply", kwargs={"slug": call.slug}))
    if status == Application.Status.SUBMITTED:
        text = _("%(call)s: the pre-selection of your application (its result comes by email)") % values
        return TodoItem(call.preselection_on, kind, text, url)
    if status == Application.Status.SHORTLISTED:
        pitch = getattr(application, "pitch", None)
        if pitch is None:
            text = _("%(call)s: the selection day, where you pitch your project") % values
            return TodoItem(call.selection_on, kind, text, url)
        starts = timezone.localtime(pitch.starts_at)
        text = _("%(call)s: your pitch on the selection day, at %(time)s") % {
            **values,
            "time": formats.time_format(starts, "TIME_FORMAT"),
        }
        return TodoItem(starts.date(), kind, text, url)
    if status == Application.Status.PITCHED:
        text = _("%(call)s: the decision of the selection day (it comes by email)") % values
        return TodoItem(call.selection_on, kind, text, url)
    if status == Application.Status.LAUREATE:
        due = local_day(application.status_changed_at) + datetime.timedelta(days=application.commitment_days)
        text = _("%(call)s: send your signed commitment form") % values
        return _item(due, kind, text, url, today)
    text = _("%(call)s: your investigation starts") % values
    return TodoItem(call.investigation_starts_on, kind, text, url)


def todo_items(user, today):
    """What the calls ask of ``user`` on ``today``: as a juror, a manager, an applicant (two queries)."""
    if not user.is_authenticated:
        return []
    now = timezone.now()
    items = []
    for call in calls_for(user, today):
        if call.is_juror:
            items.extend(juror_items(call, today))
        if call.is_manager:
            items.extend(manager_items(call, today, now))
    for application in my_applications(user):
        item = applicant_item(application, today, now)
        if item is not None:
            items.append(item)
    return items
