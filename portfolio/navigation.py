"""The portfolio's header entries (registered by ``PortfolioConfig.ready``): the public directory
and the network's statistics, the team member's products, the portfolio of the incubators' staff
and of the network's admins and coordinators (whence the steering pages, through "Mon espace")."""

from django.db.models import Exists
from django.utils.translation import gettext_lazy as _

from incubator import navigation
from incubator.models import Membership

from .models import Startup, TeamMembership

# The incubator roles whose work is the portfolio (a juror only judges calls: the Jury entry).
PORTFOLIO_ROLES = (*Membership.MANAGER_ROLES, Membership.Role.COACH, Membership.Role.VIEWER)


def team_products(user):
    """The products whose current team the user is in, for the header (one query)."""
    startups = Startup.objects.filter(pk__in=TeamMembership.objects.current().filter(user=user).values("startup"))
    return [(name, Startup(slug=slug).get_absolute_url()) for name, slug in startups.values_list("name", "slug")]


def register_entries():
    navigation.register_fact(
        "reads_portfolio", lambda user: Exists(Membership.objects.filter(user=user, role__in=PORTFOLIO_ROLES))
    )
    navigation.register_fact("in_team", lambda user: Exists(TeamMembership.objects.current().filter(user=user)))
    navigation.register(navigation.Entry("directory", _("Products"), "portfolio:directory", order=10))
    navigation.register(navigation.Entry("statistics", _("Statistics"), "portfolio:statistics", order=12))
    navigation.register(
        navigation.Entry(
            "my_products",
            _("My products"),
            order=30,
            visible=lambda user, facts: facts.in_team,
            links=team_products,
        )
    )
    navigation.register(
        navigation.Entry(
            "portfolio",
            _("Portfolio"),
            "portfolio:startup_list",
            order=40,
            visible=lambda user, facts: navigation.reads_network(user, facts) or facts.reads_portfolio,
        )
    )
