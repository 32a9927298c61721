import filetype
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from .models import COMMITMENT_MAX_BYTES, Application, Question

# The network's model form, in sections (DESIGN 4.4).
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

    ``strict=False`` (saving a draft): nothing is required, whatever was typed is kept.
    ``strict=True`` (submitting): the model form's fields, the required questions and both
    consents are required.
    """

    class Meta:
        model = Application
        fields = [name for _title, names in SECTIONS for name in names] + CONSENTS
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in TEXTAREAS}
        help_texts = {
            "problem": _("About ten lines: who meets the problem, how often, how many people, what it costs."),
            "population": _("Who is concerned, and how many people."),
            "potential_sponsor": _("The administration or the director who could sponsor the product."),
        }

    def __init__(self, *args, questions=(), strict=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.strict = strict
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = question_field(question, self.instance.answers.get(str(question.pk)))
        for name, field in self.fields.items():
            field.required = strict and (
                name in REQUIRED_TO_SUBMIT or name in CONSENTS or self.is_required_question(name)
            )

    def is_required_question(self, name):
        return any(name == f"q_{q.pk}" and q.required and q.kind != Question.Kind.YES_NO for q in self.questions)

    def section_fields(self):
        """(title, [bound fields]) for the template: the sections, the call's questions, the consents."""
        sections = [(title, [self[name] for name in names]) for title, names in SECTIONS]
        if self.questions:
            sections.append((_("The call's questions"), [self[f"q_{q.pk}"] for q in self.questions]))
        sections.append((_("Consents"), [self[name] for name in CONSENTS]))
        return sections

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = f"q_{question.pk}"
            upload = cleaned.get(name)
            if question.kind == Question.Kind.FILE and upload:
                try:
                    check_upload(upload)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def values(self, *, with_files=True):
        """The typed values as model field values (``answers`` merged with the saved ones).

        Files are stored only ``with_files`` (not by the autosave, which never carries them).
        """
        values = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
        answers = dict(self.instance.answers)
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.pk}")
            if question.kind != Question.Kind.FILE:
                answers[str(question.pk)] = value
            elif value and with_files:
                path = default_storage.save(f"calls/answers/{self.instance.call_id}/{value.name}", value)
                answers[str(question.pk)] = {"name": value.name, "path": path}
        values["answers"] = answers
        return values


ANSWER_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
}


def check_upload(upload, max_bytes=COMMITMENT_MAX_BYTES):
    """Refuse a file whose content is not an allowed type, or that is too big (a clear French reason)."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too big (%(size)s MB): the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": max_bytes // 1024 // 1024},
            code="size",
        )
    kind = filetype.guess(upload.read(65536))
    upload.seek(0)
    if kind is None or kind.mime not in ANSWER_TYPES:
        raise ValidationError(
            _("This file is not a PDF, ODT or DOCX document (its content was checked, not only its name)."),
            code="type",
        )


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


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(label=_("I confirm that I withdraw my application"))
