"""Forms of the community pages: a request, its answer, a comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MESSAGE_MAX_LENGTH, ResourceRequest

STARTUP_PREFIX, INCUBATOR_PREFIX = "produit:", "incubateur:"


class RequestForm(forms.Form):
    """For whom (one of the user's products, or an incubator the user runs) and why.

    The status is no field: a forged ``status`` in the POST is ignored."""

    target = forms.ChoiceField(label=_("For"), help_text=_("One of your products, or an incubator you run."))
    message = forms.CharField(
        label=_("Your request"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you need, for when, and anything the handler should know."),
    )

    def __init__(self, *args, startups, incubators, **kwargs):
        super().__init__(*args, **kwargs)
        self.startups = {startup.slug: startup for startup in startups}
        self.incubators = {incubator.slug: incubator for incubator in incubators}
        choices = []
        if self.startups:
            products = [(f"{STARTUP_PREFIX}{slug}", startup.name) for slug, startup in self.startups.items()]
            choices.append((_("Products"), products))
        if self.incubators:
            own = [(f"{INCUBATOR_PREFIX}{slug}", incubator.title) for slug, incubator in self.incubators.items()]
            choices.append((_("Incubators"), own))
        self.fields["target"].choices = [("", _("Choose")), *choices]

    def clean_target(self):
        value = self.cleaned_data["target"]
        if value.startswith(STARTUP_PREFIX) and value.removeprefix(STARTUP_PREFIX) in self.startups:
            return {"startup": self.startups[value.removeprefix(STARTUP_PREFIX)]}
        if value.startswith(INCUBATOR_PREFIX) and value.removeprefix(INCUBATOR_PREFIX) in self.incubators:
            return {"incubator": self.incubators[value.removeprefix(INCUBATOR_PREFIX)]}
        raise forms.ValidationError(_("Choose one of your products or incubators."), code="invalid_choice")


class TransitionForm(forms.Form):
    """The handler's answer: the next status (only those the map allows from the current one) and a comment."""

    to = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the requester with the new status. Required to refuse."),
    )

    def __init__(self, *args, resource_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(status.value, status.label) for status in resource_request.next_statuses]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") == ResourceRequest.Status.REFUSED and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why the request is refused: the team reads it."))
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
