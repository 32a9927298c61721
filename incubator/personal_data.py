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

- ``files(user)`` (optional) lists the files the person uploaded, as ``(name, storage name)``: the
  "Mes données" ZIP.
- ``purge(now, *, dry_run)`` (optional) applies the app's retention periods
  (``incubator.retention``): it erases or anonymises what is past its period and returns
  ``{what: count}``; a dry run counts without changing anything; a second run changes nothing.

``export_all(user)`` and ``erase_all(user, *, actor)`` run every provider: export in order, erase in
reverse order (the upper apps first: they find the person by the email the core pseudonymises
last). The caller records the audit event (``AuditEvent.Action.DATA_EXPORTED``/``DATA_ERASED``).
``purge_all(now, dry_run=...)`` runs every provider's purge (the beat task and the
``purge_personal_data`` command).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import retention
from .models import AuditEvent, Membership, Organisation, OutboxMessage, ReminderDelivery

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
    purge: Callable[..., dict] | None = None  # purge(now, *, dry_run) -> {what: count}
    files: Callable[[Any], list] | None = None  # files(user) -> [(name in the ZIP, storage name)]


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


def files_all(user) -> list[tuple[str, str]]:
    """The files ``user`` uploaded, from every provider: ``(provider/name, storage name)``."""
    return [
        (f"{provider.key}/{name}", stored)
        for provider in providers()
        if provider.files is not None
        for name, stored in provider.files(user)
    ]


def purge_all(now=None, *, dry_run=False) -> dict:
    """Apply every provider's retention periods at ``now``, in one transaction (a dry run only counts)."""
    now = now or timezone.now()
    with transaction.atomic():
        return {
            provider.key: provider.purge(now, dry_run=dry_run) for provider in providers() if provider.purge is not None
        }


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
            "network_coordinator": user.is_network_coordinator,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "second_factors": [
                {"type": factor.type, "created_at": iso(factor.created_at)}
                for factor in Authenticator.objects.filter(user=user).order_by("pk")
            ],
            "linked_accounts": [
                {
                    "provider": account.provider,
                    "uid": account.uid,
                    "date_joined": iso(account.date_joined),
                    "claims": account.extra_data,  # what ProConnect sent about the person
                }
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
        "admin_log": [
            {
                "at": iso(entry.action_time),
                "object_type": entry.content_type.model if entry.content_type_id else "",
                "object_id": entry.object_id,  # not its name: another person's, for an account
                "change": entry.change_message,
            }
            for entry in LogEntry.objects.filter(user=user).select_related("content_type").order_by("pk")
        ],
        "emails": [
            {
                "subject": message.subject,
                "status": message.status,
                "created_at": iso(message.created_at),
                "sent_at": iso(message.sent_at),
                "body": message.body_text,
            }
            for message in emails_to(user)
        ],
        "reminders_received": [
            {"rule": delivery.rule_id, "occurrence": delivery.occurrence, "created_at": iso(delivery.created_at)}
            for delivery in ReminderDelivery.objects.filter(recipient__iexact=user.email).order_by("pk")
        ],
        "sponsor_contact_of": [
            {"organisation": acronym, "contact_name": name, "contact_email": email}
            for acronym, name, email in Organisation.objects.filter(contact_email__iexact=user.email)
            .order_by("pk")
            .values_list("acronym", "contact_name", "contact_email")
        ],
    }


ADDRESS_FIELDS = ("to", "cc", "reply_to")
SCRUBBED = {"to": [], "cc": [], "reply_to": [], "subject": "", "body_text": "", "body_html": "", "attachments": []}
# The email telling a person their account is deleted: its recipient goes as soon as it is sent.
ERASURE_EMAIL_KEY = "account-erased-"


def addressed_to(message, email):
    email = email.lower()
    return any(
        email == str(address).lower().rsplit("<", 1)[-1].rstrip(">").strip()
        for field in ADDRESS_FIELDS
        for address in getattr(message, field) or []
    )


def emails_to(user):
    """The outbox rows naming ``user``'s address among their recipients (a text match narrows them
    in the database, the exact address is checked here)."""
    if not user.email:
        return []
    rough = Q()
    for field in ADDRESS_FIELDS:
        rough |= Q(**{f"{field}__icontains": user.email})
    return [
        message for message in OutboxMessage.objects.filter(rough).order_by("pk") if addressed_to(message, user.email)
    ]


def erase_account(user, *, actor) -> dict:
    """The roles go; the account stays as a pseudonym that cannot sign in (the records that point
    to it keep pointing to someone), signed out everywhere (its sessions go); the admin's log names
    it by its number; the audit log keeps its rows (no personal payload beyond the id) until their
    retention ends."""
    memberships = Membership.objects.filter(user=user)
    erased = {"memberships": memberships.count()}
    memberships.delete()
    erased["email_addresses"] = EmailAddress.objects.filter(user=user).delete()[0]
    erased["second_factors"] = Authenticator.objects.filter(user=user).delete()[0]
    erased["linked_accounts"] = SocialAccount.objects.filter(user=user).delete()[0]
    erased["emails"] = erase_emails(user)
    erased["reminders_received"] = ReminderDelivery.objects.filter(recipient__iexact=user.email).delete()[0]
    erased["sponsor_contact_of"] = Organisation.objects.filter(contact_email__iexact=user.email).update(
        contact_name="", contact_email=""
    )
    erased["admin_log_names"] = erase_admin_log_names(user)
    erased["sessions"] = erase_sessions(user)
    erased["network_coordinator"] = int(user.is_network_coordinator)  # a role: it goes with the others
    user.email = f"compte-supprime-{user.pk}@invalid"
    user.first_name = user.last_name = ""
    user.is_active = user.is_network_coordinator = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "is_active", "is_network_coordinator", "password"])
    erased["account"] = 1
    erased["audit_events_kept"] = AuditEvent.objects.filter(actor_id=user.pk).count()
    return erased


def session_store():
    """The session engine's store, and its model when the sessions are rows (None for a cache)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store, (store.get_model_class() if hasattr(store, "get_model_class") else None)


def erase_sessions(user):
    """The person's sessions in every browser go: their data holds the address they signed in with
    (allauth's ``account_authentication_methods``). Sessions are not indexed by user: each row is
    decoded (an erasure is rare). A cache-only session engine keeps them until they expire."""
    store, model = session_store()
    if model is None:
        return 0
    decoder = store()
    keys = [
        session.session_key
        for session in model.objects.only("session_key", "session_data").iterator()
        if str(decoder.decode(session.session_data).get("_auth_user_id")) == str(user.pk)
    ]
    return model.objects.filter(session_key__in=keys).delete()[0]


def erase_admin_log_names(user):
    """The Django admin's log names each changed object by its ``str()`` at the time (``object_repr``):
    the entries about the account, and any other whose name holds the person's email or full name,
    keep the object's number only."""
    names = Q(content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk))
    for trace in (user.email, user.get_full_name().strip()):
        if trace:
            names |= Q(object_repr__icontains=trace)
    return LogEntry.objects.filter(names).update(object_repr=Concat(Value("#"), "object_id"))


def erase_emails(user):
    """An email to ``user`` alone loses its recipients, subject and bodies; one to several people
    loses ``user``'s address only."""
    changed = []
    for message in emails_to(user):
        for field in ADDRESS_FIELDS:
            setattr(message, field, [a for a in getattr(message, field) if not addressed_to_one(a, user.email)])
        if not message.to and not message.cc:
            for field, value in SCRUBBED.items():
                setattr(message, field, value)
        changed.append(message)
    OutboxMessage.objects.bulk_update(changed, [*SCRUBBED])
    return len(changed)


def addressed_to_one(address, email):
    return str(address).lower().rsplit("<", 1)[-1].rstrip(">").strip() == email.lower()


def purge_core(now, *, dry_run=False) -> dict:
    """Sent and failed emails past ``retention.outbox_days()`` lose their recipients and bodies (the
    row stays: it was sent), and so does an account-deletion email once sent; reminder deliveries
    past the same period go; audit rows past ``retention.audit_days()`` go; expired sessions go."""
    done = Q(status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED])
    old = OutboxMessage.objects.filter(done).filter(
        Q(created_at__lt=retention.cutoff(now, retention.outbox_days()))
        | Q(idempotency_key__startswith=ERASURE_EMAIL_KEY)
    )
    emails = old.exclude(subject="", body_text="", body_html="")
    deliveries = ReminderDelivery.objects.filter(created_at__lt=retention.cutoff(now, retention.outbox_days()))
    audit = AuditEvent.objects.expired(now)
    store, model = session_store()
    sessions = model.objects.filter(expire_date__lt=now) if model is not None else None
    report = {
        "emails": emails.count(),
        "reminder_deliveries": deliveries.count(),
        "audit_events": audit.count(),
        "sessions": sessions.count() if sessions is not None else 0,
    }
    if dry_run:
        return report
    emails.update(**SCRUBBED)
    deliveries.delete()
    AuditEvent.purge(now)
    if sessions is not None:
        sessions.delete()
    else:
        store.clear_expired()
    return report


def history_authorship_fields():
    """Every historical table's ``history_user`` (who made each change): it keeps pointing to the
    pseudonymised account once the account is deleted."""
    return tuple(
        f"{model._meta.label_lower}.history_user"
        for model in apps.get_models()
        if any(field.name == "history_user" for field in model._meta.concrete_fields)
    )


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
                        "account.emailaddress.user",
                        "account.emailconfirmation.email_address",
                        "mfa.authenticator.data",
                        "mfa.authenticator.user",
                        "socialaccount.socialaccount.uid",
                        "socialaccount.socialaccount.extra_data",
                        "socialaccount.socialaccount.user",
                    ),
                    purpose=_("Signing in to the portal and being reached by the incubators."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the account is used."),
                ),
                DataCategory(
                    key="memberships",
                    label=_(
                        "Your roles in the incubators you belong to, and the network coordinator right if you hold it."
                    ),
                    fields=(
                        "incubator.membership.user",
                        "incubator.membership.role",
                        "incubator.user.is_network_coordinator",
                    ),
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
                    fields=(
                        "incubator.auditevent.actor_id",
                        "admin.logentry.user",
                        "admin.logentry.change_message",
                        "admin.logentry.object_repr",
                    ),
                    purpose=_("Security of the portal: tracing sign-ins and sensitive actions."),
                    legal_basis=LegalBasis.LEGAL_OBLIGATION,
                    retention=retention.describe(retention.audit_days, _("%(period)s, then purged.")),
                ),
                DataCategory(
                    key="emails",
                    label=_(
                        "The emails the portal sends you (recipients, subject, text) and the reminders it sent you."
                    ),
                    fields=(
                        *(f"incubator.outboxmessage.{field}" for field in [*SCRUBBED, "headers"]),
                        "incubator.reminderdelivery.recipient",
                    ),
                    purpose=_(
                        "Proving an email was sent and sending it again if it fails; not sending a reminder twice."
                    ),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=retention.describe(
                        retention.outbox_days,
                        _("%(period)s after sending, then the recipients and the text are erased."),
                    ),
                ),
                DataCategory(
                    key="sponsor_contact",
                    label=_("Your name and email as the contact an organisation sends to its products' committees."),
                    fields=("incubator.organisation.contact_name", "incubator.organisation.contact_email"),
                    purpose=_("Inviting the sponsoring organisation to the committees of its products."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("Until the organisation names another contact or your account is deleted."),
                ),
                DataCategory(
                    key="history_authorship",
                    label=_("Who made each change in the records' history (your account number)."),
                    fields=history_authorship_fields(),
                    purpose=_("Being able to account for each change of a product, a committee or a call."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("With the record; under a pseudonym once your account is deleted."),
                ),
            ),
            export=export_account,
            erase=erase_account,
            purge=purge_core,
        )
    )
