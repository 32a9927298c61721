"""The jury's pages: the applications of the calls a juror judges, votes, conflicts, scores.

Everything starts from ``Application.objects.for_jury(user)``: submitted (or later)
applications of the calls the user judges, minus those they declared a conflict on. When the
call hides identities, no page here shows the applicant's name or email, nor their files (a
file, or its name, may name them: see ``views/files.py``).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from .. import services
from ..forms import ConflictForm, ScoreForm
from ..models import Application, Call, JuryScore, PreselectionVote


def jury_applications(user):
    """The applications a juror may see, with their own tick as ``voted``."""
    mine = PreselectionVote.objects.filter(application=OuterRef("pk"), juror=user)
    return Application.objects.for_jury(user).select_related("call", "applicant").annotate(voted=Exists(mine))


class JuryCallListView(ListView):
    template_name = "calls/jury/call_list.html"
    context_object_name = "calls"

    def get_queryset(self):
        return Call.objects.judged_by(self.request.user).for_list()


class JuryApplicationListView(ListView):
    template_name = "calls/jury/application_list.html"
    context_object_name = "applications"
    paginate_by = 50

    def get_queryset(self):
        self.call = get_object_or_404(Call.objects.judged_by(self.request.user), slug=self.kwargs["slug"])
        return jury_applications(self.request.user).filter(call=self.call).order_by("pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.call, **kwargs)


class JuryApplicationView(DetailView):
    template_name = "calls/jury/application_detail.html"
    context_object_name = "application"

    def get_queryset(self):
        user = self.request.user
        return jury_applications(user).prefetch_related(
            "scores", Prefetch("scores", queryset=JuryScore.objects.filter(juror=user), to_attr="my_scores")
        )

    def get_context_data(self, **kwargs):
        application = self.object
        initial = {score.criterion: score.score for score in application.my_scores}
        answers = [(q, application.answers.get(str(q.pk))) for q in application.call.questions.all()]
        summary, overall = services.score_summary(application.scores.all())
        # The jury's averages and spread, shown once the juror has given their own scores.
        averages = [(label, *summary[code]) for code, label in JuryScore.Criterion.choices if code in summary]
        return super().get_context_data(
            score_form=ScoreForm(initial=initial),
            conflict_form=ConflictForm(),
            answers=answers,
            averages=averages if application.my_scores else [],
            overall=overall,
            **kwargs,
        )


@require_POST
def vote(request, pk):
    application = get_object_or_404(Application.objects.for_jury(request.user), pk=pk)
    try:
        ticked = services.toggle_vote(application=application, juror=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("You want to hear this applicant.") if ticked else _("Your tick is removed."))
    return redirect("calls:jury_applications", slug=application.call.slug)


@require_POST
def conflict(request, pk):
    application = get_object_or_404(Application.objects.for_jury(request.user), pk=pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        services.declare_conflict(application=application, juror=request.user, comment=form.cleaned_data["comment"])
        messages.success(request, _("Your conflict of interest is recorded: this application is hidden from you."))
    return redirect("calls:jury_applications", slug=application.call.slug)


@require_POST
def score(request, pk):
    application = get_object_or_404(Application.objects.for_jury(request.user), pk=pk)
    form = ScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give each criterion a score from 0 to 5."))
        return redirect("calls:jury_application", pk=pk)
    try:
        services.record_scores(application=application, juror=request.user, scores=form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your scores are recorded."))
    return redirect("calls:jury_application", pk=pk)
