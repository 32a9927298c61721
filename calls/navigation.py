"""The calls' header entries (registered by ``CallsConfig.ready``): the open calls for everyone, their
management for those who run an incubator, the jury for jurors, the applications for applicants."""

from django.db.models import Exists
from django.utils.translation import gettext_lazy as _

from incubator import navigation

from .models import Application, Call


def register_entries():
    navigation.register_fact("judges", lambda user: Exists(Call.jurors.through.objects.filter(user=user)))
    navigation.register_fact("applies", lambda user: Exists(Application.objects.filter(applicant=user)))
    navigation.register(navigation.Entry("calls", _("Calls"), "calls:call_list", order=20))
    navigation.register(
        navigation.Entry(
            "manage_calls",
            _("Call management"),
            "calls:manage_call_list",
            order=60,
            visible=navigation.runs_an_incubator,
        )
    )
    navigation.register(
        navigation.Entry("jury", _("Jury"), "calls:jury_calls", order=70, visible=lambda user, facts: facts.judges)
    )
    navigation.register(
        navigation.Entry(
            "my_applications",
            _("My applications"),
            "calls:my_applications",
            order=80,
            visible=lambda user, facts: facts.applies,
        )
    )
