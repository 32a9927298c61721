"""What each app holds about a person, and how to export and erase it: the personal-data registry.

Each app registers one ``Provider`` from ``<app>/personal_data.py`` (called by its
``AppConfig.ready()``): the categories of data it holds (``DataCategory``: what, which fields, why,
on which legal basis, for how long), ``export(user)`` and ``erase(user, *, actor)``. The privacy
page, the "Mes données" download and the account deletion read this registry; the core names no
app. ``docs/architecture.md`` tells where a provider goes.

- ``export(user)`` returns JSON-serialisable data (strings, numbers, booleans, lists, dicts; dates
  as ISO strings) about ``user`` only: never another person's name or email (a vote names the
  application by its number, not by its applicant).
- ``erase(user, *, actor)`` erases or pseudonymises what the app holds about ``user`` and returns
  what it did, as ``{what: count}``. What stays as a public record (a product's history, a
  committee's decision, a jury's scores) keeps a pseudonym. It runs inside the caller's transaction.

``export_all(user)`` and ``erase_all(user, *, actor)`` run every provider: export in order, erase in
reverse order (the upper apps first: they find the person by the email the core pseudonymises
last). The caller records the audit event (``AuditEvent.Action.DATA_EXPORTED``/``DATA_ERASED``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Membership

_providers: dict[str, Provider] = {}

FORMAT_VERSION = 1


class LegalBasis(models.TextChoices):
    """The legal bases of the RGPD's article 6 the portal relies on."""

    PUBLIC_TASK = "public_task", _("Public service mission (GDPR art. 6-1-e)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (GDPR art. 6-1-c)")
    CONSENT = "consent", _("Consent (GDPR art. 6-1-a)")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (GDPR art. 6-1-f)")


@dataclass(frozen=True)
class DataCategory:
    """One kind of personal data, as the data registry and the privacy page describe it.

    ``fields`` are the model fields it covers, as ``"app_label.model.field"`` (lower case).
    """

    key: str
    label: str
    fields: tuple[str, ...]
    purpose: str
    legal_basis: LegalBasis
    retention: str


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    categories: tuple[DataCategory, ...]
    export: Callable[[Any], dict]
    erase: Callable[..., dict]  # erase(user, *, actor) -> {what: count}
    order: int = 50


def register(provider: Provider) -> None:
    """Add (or replace, by key) an app's provider."""
    _providers[provider.key] = provider


def providers() -> list[Provider]:
    return sorted(_providers.values(), key=lambda provider: (provider.order, provider.key))


def get_provider(key: str) -> Provider:
    return _providers[key]


def categories() -> list[tuple[Provider, DataCategory]]:
    """Every declared category, with its provider, in the providers' order."""
    return [(provider, category) for provider in providers() for category in provider.categories]


def declared_fields() -> set[str]:
    """Every ``"app_label.model.field"`` a category declares."""
    return {name for _provider, category in categories() for name in category.fields}


def export_all(user) -> dict:
    """Everything the portal holds about ``user``, by provider: JSON-serialisable."""
    return {"format": FORMAT_VERSION, **{provider.key: provider.export(user) for provider in providers()}}


def erase_all(user, *, actor) -> dict:
    """Erase or pseudonymise ``user``'s data in every app (upper apps first), in one transaction."""
    with transaction.atomic():
        return {provider.key: provider.erase(user, actor=actor) for provider in reversed(providers())}


def iso(value):
    """A date or datetime as ISO 8601 text (None stays None)."""
    return value.isoformat() if value is not None else None


# The core's own data: the account, the roles, the audit log ---------------------------------


def export_account(user) -> dict:
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "second_factors": [
                {"type": factor.type, "created_at": iso(factor.created_at)}
                for factor in Authenticator.objects.filter(user=user).order_by("pk")
            ],
            "linked_accounts": [
                {"provider": account.provider, "uid": account.uid, "date_joined": iso(account.date_joined)}
                for account in SocialAccount.objects.filter(user=user).order_by("pk")
            ],
        },
        "memberships": [
            {"incubator": membership.incubator.title, "role": membership.role}
            for membership in Membership.objects.filter(user=user).select_related("incubator").order_by("pk")
        ],
        "audit_events": [
            {
                "created_at": iso(event.created_at),
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
            }
            for event in AuditEvent.objects.filter(actor_id=user.pk).order_by("created_at", "pk")
        ],
    }


def erase_account(user, *, actor) -> dict:
    """The roles go; the account stays as a pseudonym that cannot sign in (the records that point
    to it keep pointing to someone); the audit log keeps its rows (no personal payload beyond the
    id) until their retention ends."""
    memberships = Membership.objects.filter(user=user)
    erased = {"memberships": memberships.count()}
    memberships.delete()
    erased["email_addresses"] = EmailAddress.objects.filter(user=user).delete()[0]
    erased["second_factors"] = Authenticator.objects.filter(user=user).delete()[0]
    erased["linked_accounts"] = SocialAccount.objects.filter(user=user).delete()[0]
    user.email = f"compte-supprime-{user.pk}@invalid"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
    erased["account"] = 1
    erased["audit_events_kept"] = AuditEvent.objects.filter(actor_id=user.pk).count()
    return erased


def register_core_provider():
    """The core app's provider (``IncubatorConfig.ready``)."""
    register(
        Provider(
            key="incubator",
            label=_("Account"),
            order=0,
            categories=(
                DataCategory(
                    key="account",
                    label=_(
                        "Your account: email addresses, first and last name, password (hashed), second factors, "
                        "linked ProConnect account, dates of sign-up and last sign-in."
                    ),
                    fields=(
                        "incubator.user.email",
                        "incubator.user.first_name",
                        "incubator.user.last_name",
                        "incubator.user.password",
                        "incubator.user.date_joined",
                        "incubator.user.last_login",
                        "account.emailaddress.email",
                        "mfa.authenticator.data",
                        "socialaccount.socialaccount.uid",
                        "socialaccount.socialaccount.extra_data",
                    ),
                    purpose=_("Signing in to the portal and being reached by the incubators."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the account is used."),
                ),
                DataCategory(
                    key="memberships",
                    label=_("Your roles in the incubators you belong to."),
                    fields=("incubator.membership.user", "incubator.membership.role"),
                    purpose=_("Giving each person the rights of their roles."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the role lasts."),
                ),
                DataCategory(
                    key="audit_events",
                    label=_(
                        "The security log of your sign-ins and sensitive actions (your account number, the "
                        "action, its time)."
                    ),
                    fields=("incubator.auditevent.actor_id",),
                    purpose=_("Security of the portal: tracing sign-ins and sensitive actions."),
                    legal_basis=LegalBasis.LEGAL_OBLIGATION,
                    retention=_("One year, then purged."),
                ),
            ),
            export=export_account,
            erase=erase_account,
        )
    )
