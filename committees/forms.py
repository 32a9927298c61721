"""Forms of the committee pages: planning (with the attendees), documents, decision, follow-ups, due date."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator.dates import DateField, DateTimeLocalInput
from incubator.models import User
from incubator.uploads import PRESENTATIONS, check_upload, random_name
from incubator.validators import https_by_default
from portfolio.models import Phase

from .models import DECK_MAX_BYTES, MAX_GRANTED_MONTHS, Attendee, Committee, CommitteeDocument, Decision

# What a committee document may be, read from its content (extension -> MIME type).
ALLOWED_DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


class CommitteeForm(forms.ModelForm):
    """The committee itself and the product's request."""

    class Meta:
        model = Committee
        formfield_callback = https_by_default  # in Meta: Django 5 ignores it on the form class
        fields = [
            "kind",
            "scheduled_at",
            "duration_minutes",
            "place",
            "video_link",
            "requested_budget",
            "requested_months",
            "requested_team",
            "objectives",
            "success_criteria",
        ]
        widgets = {
            "scheduled_at": DateTimeLocalInput(),
            "requested_team": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "success_criteria": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "scheduled_at": _("Paris time."),
            "place": _("An address or a room. Give a place, a video link, or both."),
            "requested_team": _("Roles and time, for example: one intrapreneur full time, two developers."),
            "objectives": _("What the product will have achieved in six months."),
            "success_criteria": _("How the next committee will know the objectives are met."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_budget"].validators.append(MinValueValidator(0))
        self.fields["duration_minutes"].validators += [MinValueValidator(15), MaxValueValidator(600)]

    def clean_scheduled_at(self):
        scheduled_at = self.cleaned_data["scheduled_at"]
        if scheduled_at <= timezone.now():
            raise ValidationError(_("A committee cannot be planned in the past: choose a later date."), code="past")
        return scheduled_at

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("place") and not cleaned.get("video_link") and "video_link" not in self.errors:
            self.add_error("place", _("Give a place or a video link."))
        return cleaned


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        error_messages={"required": _("Give the attendee's email: the invitation is sent to it.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=Attendee.Role.choices, initial=Attendee.Role.OTHER)
    mandatory = forms.BooleanField(label=_("Attendance required"), required=False)


class BaseAttendeeFormSet(forms.BaseFormSet):
    """The attendees: pre-filled rows (a box removes one) and blank rows to add people."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Do not invite")

    def kept_forms(self):
        """The filled rows not marked "do not invite" (a blank extra row has no cleaned data)."""
        return [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]

    def clean(self):
        if any(self.errors):
            return
        emails = [form.cleaned_data["email"].lower() for form in self.kept_forms()]
        if not emails:
            raise ValidationError(_("Invite at least one person."), code="empty")
        if len(emails) != len(set(emails)):
            raise ValidationError(_("The same email appears twice in the attendees."), code="duplicate")

    def attendees(self):
        """The attendees as ``plan_committee`` takes them, linked to an account when one has the email."""
        forms_ = self.kept_forms()
        emails = [form.cleaned_data["email"].lower() for form in forms_]
        users = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
        return [
            {
                "user": users.get(form.cleaned_data["email"].lower()),
                "name": form.cleaned_data["name"],
                "email": form.cleaned_data["email"],
                "role": form.cleaned_data["role"],
                "mandatory": form.cleaned_data["mandatory"],
            }
            for form in forms_
        ]


AttendeeFormSet = forms.formset_factory(
    AttendeeForm, formset=BaseAttendeeFormSet, extra=3, can_delete=True, can_delete_extra=False
)


class DocumentForm(forms.ModelForm):
    """A committee document; its type is checked on the content and it is stored under a random name."""

    contents = forms.MultipleChoiceField(
        label=_("What the document covers"),
        choices=CommitteeDocument.Content.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The network's checklist for a committee deck."),
    )

    class Meta:
        model = CommitteeDocument
        fields = ["kind", "file", "contents"]
        widgets = {
            "file": forms.FileInput(attrs={"accept": ".pdf,.pptx,.odp," + ",".join(ALLOWED_DOCUMENT_TYPES.values())})
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, PowerPoint (.pptx) or OpenDocument presentation (.odp), %(limit)s at most."
        ) % {"limit": filesizeformat(DECK_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = check_upload(upload, allowed=PRESENTATIONS, max_bytes=DECK_MAX_BYTES)
        self.instance.original_name = upload.name[-255:]
        upload.name = random_name(extension)
        return upload


def beyond_rule_reason_field():
    return forms.CharField(
        label=_("Reason for going beyond the 6-month rule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required past 6 months after the last committee (12 in consolidation or opéré): the product "
            "is then marked as beyond the rule."
        ),
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    next_phase = forms.ChoiceField(
        label=_("New phase"), required=False, help_text=_("Only for a decision to move to the next phase.")
    )
    decided_on = DateField(label=_("Date of the decision"), initial=timezone.localdate)
    granted_amount = forms.DecimalField(
        label=_("Granted amount (EUR)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    granted_months = forms.IntegerField(
        label=_("Granted period (months)"),
        min_value=1,
        max_value=MAX_GRANTED_MONTHS,
        initial=6,
        help_text=_(
            "Six months usually; one or two for a provisional decision; up to twelve in consolidation or "
            "opéré. The next committee is due then."
        ),
        error_messages={"max_value": _("At most %(limit_value)s months between two committees.")},
    )
    beyond_rule_reason = beyond_rule_reason_field()
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    next_objectives = forms.CharField(
        label=_("Objectives until the next committee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the next committee will check: its page shows them back."),
    )
    team_size = forms.IntegerField(
        label=_("Team size (people)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("The team the decision funds, coaches aside."),
    )
    hypotheses = forms.CharField(
        label=_("Hypotheses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the product bets on until the next committee, to confirm or refute."),
    )

    def __init__(self, *args, phases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_phase"].choices = [("", _("Choose the phase"))] + [
            (phase.value, Phase(phase).label) for phase in phases
        ]

    def clean_decided_on(self):
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise ValidationError(_("A decision cannot be dated in the future."), code="future")
        return decided_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Decision.Outcome.NEXT_PHASE:
            if not cleaned.get("next_phase") and "next_phase" not in self.errors:
                self.add_error("next_phase", _("Choose the phase the product moves to."))
        else:
            cleaned["next_phase"] = ""
        return cleaned


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["purchasing_told", "deck_published", "sheet_updated"]


class DueDateForm(forms.Form):
    due = DateField(label=_("Next committee due on"))
    reason = forms.CharField(
        label=_("Reason"), max_length=100, help_text=_("Kept in the product's history (100 characters at most).")
    )
    beyond_rule_reason = beyond_rule_reason_field()

    def clean_due(self):
        due = self.cleaned_data["due"]
        if due < timezone.localdate():
            raise ValidationError(_("The due date cannot be in the past."), code="past")
        return due
