from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from incubator import retention
from incubator.dates import DateInput, DateTimeLocalInput
from incubator.models import Membership, Organisation, User
from incubator.text import unique_slug
from incubator.uploads import PDF, TEXT_DOCUMENTS, check_upload, random_name
from portfolio.models import Theme

from .models import COMMITMENT_MAX_BYTES, GUIDE_MAX_BYTES, Application, Call, JuryScore, Question

# The network's model application form, in its sections.
SECTIONS = [
    (_("You"), ["administration", "service", "role"]),
    (_("The problem"), ["problem", "population"]),
    (_("The solution and its users"), ["solution", "first_users", "potential_sponsor"]),
    (_("Practical matters"), ["manager_agreement", "callback_requested", "remarks"]),
]
CONSENTS = ["consent_guide", "consent_sharing"]
REQUIRED_TO_SUBMIT = ["administration", "service", "role", "problem", "solution", "first_users", "population"]
TEXTAREAS = ["problem", "solution", "first_users", "population", "remarks"]


class ApplicationForm(forms.ModelForm):
    """The application, with the call's own questions as ``q_<id>`` fields.

    ``strict=False`` (saving a draft): nothing is required; whatever was typed and is valid is
    kept (``values``), what is refused (a NUL character, a refused file) is listed by ``rejected``.
    ``strict=True`` (submitting): the model form's fields, the required questions and both
    consents are required (a file question already answered by a kept file counts as answered).
    Either way, those fields carry ``required_to_submit``: the template marks them, so a draft
    shows what the submission will ask for. ``talent_pool`` is never required and unticked unless
    the applicant gave the consent: ``values()`` records it with its date (``talent_pool_consent_at``).
    """

    talent_pool = forms.BooleanField(
        label=_("I agree that my application stays in the network's talent pool if this call does not keep it"),
        required=False,
    )

    class Meta:
        model = Application
        fields = [name for _title, names in SECTIONS for name in names] + CONSENTS
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in TEXTAREAS}
        help_texts = {
            "problem": _("About ten lines: who meets the problem, how often, how many people, what it costs."),
            "population": _("Who is concerned, and how many people."),
            "potential_sponsor": _("The administration or the director who could sponsor the product."),
        }

    def __init__(self, *args, questions=(), strict=False, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.strict = strict
        self.questions = list(questions)
        self.extensions = {}  # q_<id> -> the detected extension of an accepted upload
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = question_field(question, self.instance.answers.get(str(question.pk)))
        for name, field in self.fields.items():
            field.required_to_submit = name in REQUIRED_TO_SUBMIT or name in CONSENTS or self.is_required_question(name)
            field.required = strict and field.required_to_submit
        if call is not None or self.instance.call_id:
            self.describe_guide(call or self.instance.call)
        self.fields["talent_pool"].initial = self.instance.in_talent_pool
        self.fields["talent_pool"].help_text = _(
            "Optional. The incubators of the network may then contact you for another call: your application "
            "is kept %(pool)s after the call closes instead of %(usual)s. You can withdraw this consent at any "
            "time on your application's page."
        ) % {
            "pool": retention.days_text(retention.talent_pool_days()),
            "usual": retention.days_text(retention.application_days()),
        }

    def describe_guide(self, call):
        """The guide consent links to the call's guide; a call without a guide asks for its page instead."""
        field = self.fields["consent_guide"]
        guide = call.guide_link
        if guide is None:
            field.label = _("I have read the call's presentation and who can apply")
            field.help_text = format_html(
                '{} <a href="{}">{}</a>',
                _("This call has no applicant's guide."),
                call.get_absolute_url(),
                _("Read the call's page"),
            )
        elif guide["detail"]:
            field.help_text = format_html(
                '<a class="fr-link fr-link--download" href="{}" download>{} '
                '<span class="fr-link__detail">{}</span></a>',
                guide["href"],
                _("Download the applicant's guide"),
                guide["detail"],
            )
        else:
            field.help_text = format_html('<a href="{}">{}</a>', guide["href"], _("Read the applicant's guide"))

    def is_required_question(self, name):
        return any(
            name == f"q_{q.pk}" and q.required and q.kind != Question.Kind.YES_NO and not self.kept_file(q)
            for q in self.questions
        )

    def kept_file(self, question):
        """The file already kept for a file question (``{"name", "path"}``), else None."""
        answer = self.instance.answers.get(str(question.pk))
        if question.kind == Question.Kind.FILE and isinstance(answer, dict) and answer.get("path"):
            return answer
        return None

    def file_field_names(self):
        """The names of the file questions, comma-separated (the autosave leaves them out)."""
        return ",".join(f"q_{q.pk}" for q in self.questions if q.kind == Question.Kind.FILE)

    def rejected(self):
        """[(label, [messages])] of the fields whose value was refused (not kept in a draft)."""
        return [
            (self.fields[name].label if name in self.fields else name, list(errors))
            for name, errors in self.errors.items()
            if name != NON_FIELD_ERRORS
        ]

    def section_fields(self):
        """(title, [bound fields]) for the template: the sections, the call's questions, the consents."""
        sections = [(title, [self[name] for name in names]) for title, names in SECTIONS]
        if self.questions:
            sections.append((_("The call's questions"), [self[f"q_{q.pk}"] for q in self.questions]))
        sections.append((_("Consents"), [*(self[name] for name in CONSENTS), self["talent_pool"]]))
        return sections

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = f"q_{question.pk}"
            upload = cleaned.get(name)
            if question.kind == Question.Kind.FILE and upload:
                try:
                    self.extensions[name] = check_upload(upload, allowed=TEXT_DOCUMENTS, max_bytes=COMMITMENT_MAX_BYTES)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def values(self, *, with_files=True):
        """The valid typed values as model field values (``answers`` merged with the saved ones).

        Usable on an invalid form too (a draft): a refused field is left out, its saved value
        stays. Files are stored only ``with_files`` (not by the autosave, which never carries
        them), under a random name with the extension of their detected type; the client's
        name is kept in the answer for display only.
        """
        values = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
        answers = dict(self.instance.answers)
        for question in self.questions:
            name = f"q_{question.pk}"
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if question.kind != Question.Kind.FILE:
                answers[str(question.pk)] = value
            elif value and with_files and name in self.extensions:
                stored = random_name(self.extensions[name])
                path = default_storage.save(f"calls/answers/{self.instance.call_id}/{stored}", value)
                answers[str(question.pk)] = {"name": value.name[-255:], "path": path}
        values["answers"] = answers
        if "talent_pool" in self.cleaned_data:  # the date of the consent is the first time it was ticked
            given = self.cleaned_data["talent_pool"]
            values["talent_pool_consent_at"] = (
                (self.instance.talent_pool_consent_at or timezone.now()) if given else None
            )
        return values


PENDING_MAX_BYTES = 64 * 1024


def pending_values(call, data):
    """What an anonymous POST of the application form may leave in a session (``data``: its POST).

    Only the form's own fields (the model form's and the ``q_<id>`` of this call, files left
    out), each value cut to its field's maximum length, at most PENDING_MAX_BYTES in all.
    """
    form = ApplicationForm(instance=Application(call=call), questions=call.questions.all())
    kept, budget = {}, PENDING_MAX_BYTES
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField) or name not in data:
            continue
        value = str(data.get(name, ""))
        if getattr(field, "max_length", None):
            value = value[: field.max_length]
        encoded = value.encode()[:budget]
        value = encoded.decode(errors="ignore")
        kept[name] = value
        budget -= len(encoded) + len(name)
        if budget <= 0:
            break
    return kept


def question_field(question, initial):
    common = {"label": question.label, "help_text": question.help_text, "initial": initial}
    if question.kind == Question.Kind.SHORT_TEXT:
        return forms.CharField(max_length=300, **common)
    if question.kind == Question.Kind.CHOICE:
        choices = [(choice, choice) for choice in question.choice_list]
        return forms.ChoiceField(choices=[("", "---------"), *choices], **common)
    if question.kind == Question.Kind.YES_NO:
        return forms.BooleanField(**common)
    if question.kind == Question.Kind.FILE:
        return forms.FileField(**{**common, "initial": None})
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)


# What 0, 3 and 5 mean on each criterion: the same yardstick for every juror.
RUBRICS = {
    JuryScore.Criterion.PROBLEM: {
        0: _("No problem is shown, or it concerns almost no one."),
        3: _("A real problem, but its intensity or its volume is not measured."),
        5: _("A frequent, costly problem met by many people, and quantified."),
    },
    JuryScore.Criterion.STRATEGY: {
        0: _("No plan for the first six months."),
        3: _("First steps are named, but the first users or the milestones remain vague."),
        5: _("A realistic plan: first users, milestones and the means to reach them."),
    },
    JuryScore.Criterion.LEGITIMACY: {
        0: _("The State has no role here, or an existing service already meets the need."),
        3: _("A role for the State is plausible but not argued."),
        5: _("Clearly a public mission, which no existing service fulfils."),
    },
    JuryScore.Criterion.PERSON: {
        0: _("Neither the motivation nor the time to commit is shown."),
        3: _("Motivated, but the knowledge of the field or the time available is uncertain."),
        5: _("Motivated, knows the field and its users, and has secured the time to commit."),
    },
}


def rubric(criterion):
    """The rubric of a criterion as hint lines (HTML built here, the texts escaped)."""
    return format_html_join(mark_safe("<br>"), "{} \N{EN DASH} {}", RUBRICS[criterion].items())


class ScoreForm(forms.Form):
    """A juror's scores of a pitch, 0 to 5 on each of the jury's criteria (``JuryScore.Criterion``), with
    each criterion's rubric."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion, label in JuryScore.Criterion.choices:
            self.fields[criterion] = forms.TypedChoiceField(
                label=label,
                choices=[(n, str(n)) for n in range(6)],
                coerce=int,
                widget=forms.RadioSelect,
                help_text=rubric(criterion),
            )


class ConflictForm(forms.Form):
    comment = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=300,
        help_text=_("For example: you know the applicant, or you work in the same service."),
    )


# Manager forms ------------------------------------------------------------------------------


class CallForm(forms.ModelForm):
    """A call as its manager writes it. The status is not here: it moves with one-click actions."""

    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    # The guide's file is not the model field itself: the current one is shown through its view
    # (files are never served from MEDIA_URL), and a new one is checked on its content.
    guide_upload = forms.FileField(
        label=_("Applicant's guide (PDF)"),
        required=False,
        help_text=_("A PDF file of at most %(limit)s MB; it is offered instead of the address when both are given.")
        % {"limit": GUIDE_MAX_BYTES // 1024 // 1024},
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
    )
    remove_guide = forms.BooleanField(label=_("Remove the current guide file"), required=False)

    class Meta:
        model = Call
        fields = [
            "incubator",
            "title",
            "slug",
            "description",
            "eligibility",
            "themes",
            "opens_at",
            "closes_at",
            "preselection_on",
            "selection_on",
            "investigation_starts_on",
            "investigations_planned",
            "budget",
            "guide_url",
            "hide_identity",
            "pitch_minutes",
            "questions_minutes",
        ]
        widgets = {
            "opens_at": DateTimeLocalInput(),
            "closes_at": DateTimeLocalInput(),
            "preselection_on": DateInput(),
            "selection_on": DateInput(),
            "investigation_starts_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 8}),
            "eligibility": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"slug": _("The end of the call's address. Left empty, it is made from the title.")}

    def __init__(self, *args, incubators, network_wide=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incubator"].queryset = incubators
        self.fields["incubator"].required = not network_wide
        self.fields["slug"].required = False
        for name in ("pitch_minutes", "questions_minutes", "investigations_planned"):
            self.fields[name].min_value = 1
            self.fields[name].widget.attrs["min"] = 1
        self.fields["guide_url"].help_text = _("The address of the applicant's guide, if it is published elsewhere.")
        guide = self.instance.guide_link if self.instance.pk and self.instance.guide_file else None
        if guide and guide["detail"]:
            self.fields["guide_upload"].help_text = format_html(
                '{} <a href="{}" download>{} ({})</a>',
                self.fields["guide_upload"].help_text,
                guide["href"],
                _("current file"),
                guide["detail"],
            )
        else:
            del self.fields["remove_guide"]

    def clean_guide_upload(self):
        upload = self.cleaned_data.get("guide_upload")
        if isinstance(upload, UploadedFile):
            upload.name = random_name(check_upload(upload, allowed=PDF, max_bytes=GUIDE_MAX_BYTES))
        return upload

    def save(self, commit=True):
        call = super().save(commit=False)
        if self.cleaned_data.get("guide_upload"):
            call.guide_file = self.cleaned_data["guide_upload"]
        elif self.cleaned_data.get("remove_guide"):
            call.guide_file = ""
        if commit:
            call.save()
            self.save_m2m()
        return call

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("title") and not self.instance.pk:
            cleaned["slug"] = unique_call_slug(cleaned["title"])
        elif not cleaned.get("slug") and "slug" not in self.errors:
            cleaned["slug"] = self.instance.slug or unique_call_slug(cleaned.get("title") or "appel")
        dates = [cleaned.get(name) for name in ("opens_at", "closes_at")]
        if all(dates) and dates[0] >= dates[1]:
            self.add_error("closes_at", _("The call must close after it opens."))
        steps = ["preselection_on", "selection_on", "investigation_starts_on"]
        closes = cleaned.get("closes_at")
        previous = timezone.localtime(closes).date() if closes else None
        for name in steps:
            day = cleaned.get(name)
            if day and previous and day < previous:
                self.add_error(name, _("This date comes before the previous step of the call."))
            previous = day or previous
        return cleaned


def unique_call_slug(title):
    return unique_slug(title, queryset=Call.objects.all(), fallback="appel")


QuestionFormSet = forms.inlineformset_factory(
    Call,
    Question,
    fields=["label", "help_text", "kind", "choices", "required", "order"],
    widgets={"choices": forms.Textarea(attrs={"rows": 3})},
    extra=2,
    can_delete=True,
)


class JurorsForm(forms.Form):
    """The call's jurors: the incubator's jury members first (boxes), then anyone by email."""

    jurors = forms.ModelMultipleChoiceField(
        label=_("Jurors"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    emails = forms.CharField(
        label=_("Add jurors by email"),
        help_text=_("One email address per line. The person must already have an account on the portal."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        jury = Membership.objects.filter(incubator=call.incubator_id, role=Membership.Role.JURY).values("user")
        candidates = User.objects.filter(Q(pk__in=jury) | Q(judged_calls=call)).distinct()
        self.fields["jurors"].queryset = candidates.annotate(in_jury=Exists(jury.filter(user=OuterRef("pk")))).order_by(
            "-in_jury", "last_name", "first_name", "email"
        )
        self.fields["jurors"].label_from_instance = juror_label
        self.fields["jurors"].initial = list(call.jurors.values_list("pk", flat=True))

    def clean_emails(self):
        emails = {line.strip().lower() for line in self.cleaned_data["emails"].splitlines() if line.strip()}
        users = list(User.objects.filter(email__in=emails))
        unknown = sorted(emails - {user.email.lower() for user in users})
        if unknown:
            raise ValidationError(
                _("No account has these addresses: %(emails)s.") % {"emails": ", ".join(unknown)}, code="unknown"
            )
        return users

    def selected(self):
        return {*self.cleaned_data["jurors"], *self.cleaned_data["emails"]}


def juror_label(user):
    name = user.get_full_name() or user.email
    suffix = _("jury member of the incubator") if getattr(user, "in_jury", False) else user.email
    return f"{name} ({suffix})"


class CallStatusForm(forms.Form):
    """The confirmation of a move of the call's status: a reason, required to close before the deadline."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        help_text=_("Kept in the call's history."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, early=False, **kwargs):
        super().__init__(*args, **kwargs)
        if early:
            field = self.fields["reason"]
            field.required = True
            field.label = _("Why close the call before its deadline?")
            field.help_text = _("Required. Kept in the call's history, with your name and the date.")


class BulkPreselectionForm(forms.Form):
    """A pre-selection result for the ticked rows of the ranking, or for all the filtered ones."""

    CHECKED, ALL = "checked", "all"

    to = forms.ChoiceField(
        label=_("Result to apply"),
        choices=[
            ("", _("Choose a result")),
            (Application.Status.SHORTLISTED.value, _("Shortlist")),
            (Application.Status.NOT_SHORTLISTED.value, _("Not shortlisted")),
            (Application.Status.INELIGIBLE.value, _("Ineligible")),
        ],
    )
    scope = forms.ChoiceField(
        label=_("Apply it to"), widget=forms.RadioSelect, initial=CHECKED, choices=[(CHECKED, ""), (ALL, "")]
    )
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, applications, count=None, **kwargs):
        """``applications``: those that may be ticked (the call's ranked ones); ``count``: how many are filtered."""
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications
        everyone = (
            ngettext(
                "The %(count)s filtered application, on every page",
                "All the %(count)s filtered applications, on every page",
                count,
            )
            % {"count": count}
            if count is not None
            else _("All the filtered applications, on every page")
        )
        self.fields["scope"].choices = [(self.CHECKED, _("The ticked applications")), (self.ALL, everyone)]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("scope") == self.CHECKED
            and not cleaned.get("applications")
            and "applications" not in self.errors
        ):
            raise ValidationError(
                _("Tick at least one application, or choose all the filtered applications."), code="empty"
            )
        return cleaned


class DecisionForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (Application.Status.LAUREATE.value, _("Laureate")),
            (Application.Status.NOT_SELECTED.value, _("Not selected")),
        ]
    )


class OnboardForm(forms.Form):
    name = forms.CharField(label=_("Name of the product"), max_length=100)
    sponsors = forms.ModelMultipleChoiceField(
        label=_("Sponsor organisations"),
        queryset=Organisation.objects.order_by("acronym"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


def product_name_from(problem, words=5):
    """A first name for the product: the problem's first words."""
    first = (problem.strip().splitlines() or [""])[0]
    return " ".join(first.split()[:words]).rstrip(".,;:") or _("New product")


class CommitmentForm(forms.Form):
    """The laureate's signed commitment form: a PDF, checked on its content, at most COMMITMENT_MAX_BYTES."""

    commitment_form = forms.FileField(
        label=_("Signed commitment form (PDF)"),
        help_text=_("The form signed by your sponsor, as a PDF file of at most %(limit)s MB.")
        % {"limit": COMMITMENT_MAX_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_commitment_form(self):
        upload = self.cleaned_data["commitment_form"]
        upload.name = random_name(check_upload(upload, allowed=PDF, max_bytes=COMMITMENT_MAX_BYTES))
        return upload
