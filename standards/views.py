"""The scorecard's edit page: the team and the managers answer every criterion of the current
version at once (one form per criterion). The product comes from the user's visible ones (another
incubator's is a 404), then ``standards.change_scorecard`` decides (``docs/architecture.md``,
"Permissions")."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portfolio.models import Startup

from . import services
from .forms import AnswerFormSet
from .models import Standard


class ScorecardEditView(TemplateView):
    template_name = "standards/scorecard_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.startup = get_object_or_404(Startup.objects.visible_to(request.user), slug=kwargs["slug"])
        if not request.user.has_perm("standards.change_scorecard", self.startup):
            raise PermissionDenied
        # Every criterion with the product's answer: one query, whatever their number.
        self.standards = list(Standard.objects.current().with_answer_of(self.startup))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, formset=None, **kwargs):
        formset = formset or AnswerFormSet(standards=self.standards, prefix="criteria")
        return super().get_context_data(
            startup=self.startup,
            formset=formset,
            rows=list(zip(self.standards, formset.forms, strict=True)),
            breadcrumb=[
                (_("Portfolio"), reverse("portfolio:startup_list")),
                (self.startup.name, self.startup.get_absolute_url()),
            ],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        formset = AnswerFormSet(request.POST, standards=self.standards, prefix="criteria")
        if not formset.is_valid():
            messages.error(request, _("The scorecard was not saved: correct the criteria marked below."))
            return self.render_to_response(self.get_context_data(formset=formset), status=400)
        answers = [services.Answer(standard=form.standard, **form.cleaned_data) for form in formset.forms]
        changed = services.record_answers(startup=self.startup, answers=answers, actor=request.user)
        messages.success(request, _("Scorecard saved (%(count)s criteria changed).") % {"count": changed})
        return redirect(reverse("portfolio:startup_detail", kwargs={"slug": self.startup.slug}) + "#standards")
