"""One form per criterion of the scorecard, in a formset (``docs/architecture.md``, "Dates": the
dates through ``incubator.dates``)."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from incubator import dates

from .models import Status


class AnswerForm(forms.Form):
    """A product's answer to one criterion (``standard`` is given by the view, never posted)."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    evidence_url = forms.URLField(
        label=_("Evidence link"),
        required=False,
        assume_scheme="https",
        max_length=200,
        validators=[
            URLValidator(schemes=["https"], message=_("Enter a secure address, starting with https://."), code="https")
        ],
        help_text=_("The page that shows it: the accessibility statement, the repository, the decision..."),
    )
    done_on = dates.DateField(label=_("Date"), required=False, help_text=_("When it was reached."))
    review_due = dates.DateField(label=_("Review due"), required=False)

    def __init__(self, *args, standard=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == Status.DONE
            and not cleaned.get("evidence_url")
            and not self.has_error("evidence_url")
        ):
            self.add_error("evidence_url", _("A criterion marked done needs its evidence link."))
        done_on, review_due = cleaned.get("done_on"), cleaned.get("review_due")
        if done_on and review_due and review_due < done_on:
            self.add_error("review_due", _("The review comes after the date it was reached."))
        return cleaned


class BaseAnswerFormSet(forms.BaseFormSet):
    def __init__(self, *args, standards=(), **kwargs):
        self.standards = list(standards)
        kwargs.setdefault(
            "initial",
            [
                {
                    "status": standard.answer_status or Status.NOT_STARTED,
                    "evidence_url": standard.answer_evidence_url or "",
                    "done_on": standard.answer_done_on,
                    "review_due": standard.answer_review_due,
                }
                for standard in self.standards
            ],
        )
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "standard": self.standards[index]}

    def total_form_count(self):
        return len(self.standards)  # one form per criterion, whatever the management form says


AnswerFormSet = forms.formset_factory(AnswerForm, formset=BaseAnswerFormSet, extra=0, max_num=200)
