import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator.dates import DateField, DateInput
from incubator.models import Incubator, Organisation, User
from incubator.validators import https_by_default

from .models import (
    ALLOWED_MOVES,
    Indicator,
    Measurement,
    Phase,
    ProductEvent,
    Startup,
    TeamMembership,
    Theme,
    UserType,
)


class StartupForm(forms.ModelForm):
    """The product sheet, as its team and its managers edit it."""

    user_types = forms.MultipleChoiceField(
        label=_("User types"), choices=UserType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    sponsors = forms.ModelMultipleChoiceField(
        label=_("Sponsors"), queryset=Organisation.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Startup
        fields = [
            "name",
            "pitch",
            "description",
            "contact_email",
            "website",
            "repository",
            "stats_url",
            "budget_url",
            "impact_url",
            "roadmap_url",
            "accessibility_status",
            "dsfr_status",
            "user_types",
            "themes",
            "sponsors",
            "is_published",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 10})}
        formfield_callback = https_by_default


class StartupCreateForm(StartupForm):
    """A new product: its sheet, its principal incubator and the phase it starts in."""

    incubator = forms.ModelChoiceField(label=_("Principal incubator"), queryset=Incubator.objects.none())
    phase = forms.ChoiceField(label=_("Current phase"), choices=Phase.choices, initial=Phase.INVESTIGATION)
    phase_start = DateField(label=_("In this phase since"), initial=timezone.localdate)

    class Meta(StartupForm.Meta):
        fields = ["name", "slug", *StartupForm.Meta.fields[1:], "incubator"]

    def __init__(self, *args, incubators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incubator"].queryset = incubators
        self.fields["slug"].help_text = _(
            "Used in the address of the product's page: lowercase letters, digits and dashes."
        )
        self.order_fields(["name", "slug", "incubator", "phase", "phase_start"])

    def clean_phase_start(self):
        start = self.cleaned_data["phase_start"]
        if start > timezone.localdate():
            raise ValidationError(_("A phase cannot start in the future."))
        return start


class PhaseChangeForm(forms.Form):
    """A manager's phase change. No phase is chosen in advance: an unchanged submit moves nothing.

    The moves of the usual path come first; the others are grouped apart, need a reason, and the
    view asks to confirm them.
    """

    phase = forms.ChoiceField(
        label=_("New phase"), error_messages={"required": _("Choose the new phase of the product.")}
    )
    start = DateField(label=_("Start date"), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a move outside the usual path (a step back, a skipped phase)."),
    )

    def __init__(self, *args, startup, **kwargs):
        super().__init__(*args, **kwargs)
        self.startup = startup
        usual = ALLOWED_MOVES.get(startup.phase, set())
        others = [(value, label) for value, label in Phase.choices if value != startup.phase]
        groups = [
            (_("In the usual path"), [(value, label) for value, label in others if value in usual]),
            (_("Outside the usual path (reason required)"), [(v, label) for v, label in others if v not in usual]),
        ]
        self.fields["phase"].choices = [("", _("Choose the new phase")), *[group for group in groups if group[1]]]

    @property
    def new_phase_label(self):
        return Phase(self.cleaned_data["phase"]).label


class TeamMembershipForm(forms.ModelForm):
    """A team member: an account found by email, or a name and an email for someone without one."""

    class Meta:
        model = TeamMembership
        fields = ["email", "name", "role", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}
        help_texts = {"name": _("Only needed for someone who has no account on the portal.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        if self.instance.user_id:
            self.initial["email"] = self.instance.user.email

    def clean(self):
        cleaned = super().clean()
        email = (cleaned.get("email") or "").lower()
        self.instance.user = User.objects.filter(email=email).first() if email else None
        if self.instance.user is None and email and not cleaned.get("name"):
            self.add_error("name", _("Nobody has an account with this email: give the person's name."))
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end must come after the start."))
        return cleaned

    def save(self, commit=True):
        if self.instance.user_id:
            self.instance.email = ""
        return super().save(commit)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["kind", "name", "unit", "target", "allows_negative"]


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["date", "value"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("A measurement cannot be dated in the future."))
        return date

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value < 0 and not self.instance.indicator.allows_negative:
            raise ValidationError(_("This indicator cannot be negative."))
        return value

    def validate_unique(self):
        exclude = self._get_validation_exclusions()
        exclude.discard("indicator")
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class ProductEventForm(forms.ModelForm):
    """An event of the product: its kind and the facts that kind needs (the model's ``clean``
    asks for them and empties the others); the product comes from the page."""

    class Meta:
        model = ProductEvent
        fields = ["kind", "date", "fast_promotion", "amount_eur", "label_year", "note", "is_public"]
        widgets = {"date": DateInput()}
        help_texts = {
            "fast_promotion": _("For a FAST funding: the number of the promotion."),
            "amount_eur": _("For a FAST funding, when known."),
            "label_year": _("For a national impact label."),
        }

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate() + datetime.timedelta(days=366):
            raise ValidationError(_("An event is at most a year ahead."))
        return date

    def _get_validation_exclusions(self):
        # The product is set by the page, not typed: check the constraints that name it too
        # (one FAST per promotion, one label per year).
        exclude = super()._get_validation_exclusions()
        exclude.discard("startup")
        return exclude


class AsOfForm(forms.Form):
    """The day of the network cockpit's "portfolio as of": inside the dates' window, not after today."""

    date = DateField(
        label=_("Portfolio as of"),
        help_text=_("The phases in force on that day, from the products' phase history."),
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise ValidationError(_("Choose a day in the past or today: the phases of a future day are not known."))
        return day
