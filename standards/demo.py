"""Demo data of the standards: the scorecards of a few active products of the demo incubator, in
every status, written through ``services.record_answers`` as the page does (``docs/architecture.md``,
"What each file holds"). Created once: nothing is written when a demo product already has answers."""

import datetime

from incubator.demo import DEMO_DOMAIN, DEMO_INCUBATOR
from incubator.models import User
from portfolio.models import Startup

from . import services
from .models import ProductStandard, Standard, Status

S = Status
# One row per demo product (in the products' name order): the statuses of the criteria, in order.
PATTERNS = [
    [S.DONE, S.DONE, S.IN_PROGRESS, S.DONE, S.NOT_APPLICABLE, S.NOT_STARTED, S.DONE, S.DONE, S.IN_PROGRESS, S.DONE],
    [S.IN_PROGRESS, S.DONE, S.NOT_STARTED, S.IN_PROGRESS, S.NOT_STARTED, S.NOT_STARTED, S.DONE, S.NOT_STARTED],
    [S.DONE] * 10,
    [S.NOT_STARTED, S.IN_PROGRESS, S.NOT_STARTED, S.NOT_STARTED, S.NOT_APPLICABLE, S.NOT_STARTED, S.IN_PROGRESS],
]
EVIDENCE = "https://beta.gouv.fr/startups/{slug}/#{key}"


def seed(sample):
    criteria = list(Standard.objects.current().order_by("order", "pk"))
    if not criteria:
        return ["Standards: no current version, no scorecard."]
    actor = User.objects.filter(email=f"portefeuille@{DEMO_DOMAIN}").first()
    demo_products = Startup.objects.active().filter(incubator__slug=DEMO_INCUBATOR).order_by("name", "pk")
    if ProductStandard.objects.filter(startup__in=demo_products).exists():
        return ["Standards: the demo scorecards are already there."]
    products = list(demo_products[: len(PATTERNS)])
    today = datetime.date.today()
    for startup, pattern in zip(products, PATTERNS, strict=False):
        answers = [
            services.Answer(
                standard=criterion,
                status=status,
                evidence_url=EVIDENCE.format(slug=startup.slug, key=criterion.key) if status == S.DONE else "",
                done_on=today - datetime.timedelta(days=30 * number) if status == S.DONE else None,
                review_due=today + datetime.timedelta(days=365 - 30 * number) if status == S.DONE else None,
            )
            for number, (criterion, status) in enumerate(zip(criteria, pattern, strict=False))
        ]
        services.record_answers(startup=startup, answers=answers, actor=actor)
    total = ProductStandard.objects.current().values("startup").distinct().count()
    return [f"Standards: {len(criteria)} criteria in the current version; {total} products with a scorecard."]
