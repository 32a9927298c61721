"""What the standards hold about a person (registered by ``StandardsConfig.ready``;
``incubator.personal_data``): who last updated a product's answer to a criterion."""

from django.utils.translation import gettext_lazy as _

from incubator import personal_data
from incubator.personal_data import DataCategory, LegalBasis, iso

from .models import ProductStandard


def export(user):
    return {
        "answers_updated": [
            {
                "product": answer.startup.name,
                "standard": answer.standard.label,
                "status": answer.status,
                "at": iso(answer.updated_at),
            }
            for answer in ProductStandard.objects.filter(updated_by=user)
            .select_related("startup", "standard")
            .order_by("pk")
        ]
    }


def erase(user, *, actor):
    """The answers stay with the product, without who last updated them."""
    return {"answers_updated": ProductStandard.objects.filter(updated_by=user).update(updated_by=None)}


def register_provider():
    personal_data.register(
        personal_data.Provider(
            key="standards",
            label=_("Standards"),
            order=50,
            categories=(
                DataCategory(
                    key="answers",
                    label=_("The products' answers to the standards that you last updated."),
                    fields=("standards.productstandard.updated_by",),
                    purpose=_("Knowing who answered for the product, for the committee that reviews it."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the product is followed; then kept without who updated them."),
                ),
            ),
            export=export,
            erase=erase,
        )
    )
