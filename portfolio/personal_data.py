"""What the portfolio holds about a person (registered by ``PortfolioConfig.ready``; ``incubator.personal_data``):
their places in products' teams, and the phase changes and measurements they recorded."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator import personal_data
from incubator.personal_data import DataCategory, LegalBasis, iso

from .models import Measurement, PhasePeriod, TeamMembership


def export(user):
    return {
        "team_memberships": [
            {
                "product": membership.startup.name,
                "role": membership.role,
                "start": iso(membership.start),
                "end": iso(membership.end),
                "name": membership.name,
                "email": membership.email,
            }
            for membership in TeamMembership.objects.filter(user=user).select_related("startup").order_by("pk")
        ],
        "phase_changes_recorded": [
            {"product": period.startup.name, "phase": period.phase, "start": iso(period.start)}
            for period in PhasePeriod.objects.filter(decided_by=user).select_related("startup").order_by("pk")
        ],
        "measurements_recorded": [
            {"product": m.indicator.startup.name, "indicator": m.indicator.name, "date": iso(m.date)}
            for m in Measurement.objects.filter(recorded_by=user).select_related("indicator__startup").order_by("pk")
        ],
    }


def erase(user, *, actor):
    """A team's history stays (who held which role, when) under a pseudonym, in its history rows too;
    the phase changes and measurements keep their facts and lose their author."""
    pseudonym = gettext("Former team member")
    fields = {"user": None, "name": pseudonym, "email": ""}
    erased = {"team_memberships": TeamMembership.objects.filter(user=user).update(**fields)}
    TeamMembership.history.filter(user_id=user.pk).update(**fields)
    erased["phase_changes_recorded"] = PhasePeriod.objects.filter(decided_by=user).update(decided_by=None)
    erased["measurements_recorded"] = Measurement.objects.filter(recorded_by=user).update(recorded_by=None)
    return erased


def register_provider():
    personal_data.register(
        personal_data.Provider(
            key="portfolio",
            label=_("Products"),
            order=10,
            categories=(
                DataCategory(
                    key="team_memberships",
                    label=_("Your places in the teams of products: role, dates, name and email."),
                    fields=(
                        "portfolio.teammembership.user",
                        "portfolio.teammembership.name",
                        "portfolio.teammembership.email",
                        "portfolio.teammembership.role",
                        "portfolio.teammembership.start",
                        "portfolio.teammembership.end",
                    ),
                    purpose=_("Showing who makes each product and letting its team edit its sheet."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the product is followed; then kept under a pseudonym in its history."),
                ),
                DataCategory(
                    key="recorded_by",
                    label=_("The phase changes and impact measurements you recorded."),
                    fields=("portfolio.phaseperiod.decided_by", "portfolio.measurement.recorded_by"),
                    purpose=_("Knowing who recorded a product's phases and figures."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the account exists."),
                ),
            ),
            export=export,
            erase=erase,
        )
    )
