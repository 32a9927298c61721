"""The audit log: one append-only table (``AuditEvent``), written here only.

What is recorded, and where from:

- sign-ins, failed sign-ins and sign-outs: Django's auth signals (allauth's login sends them);
- second-factor events: allauth's MFA signals (added, removed, recovery codes regenerated, used,
  wrong code);
- object-permission denials: ``incubator.middleware.AuditDenialMiddleware``, one place for every
  app (a scoped queryset answers an outsider with a 404: the middleware records a 403 or 404 on a
  URL with an object argument, for a signed-in user);
- role and staff changes: ``Membership`` saved or deleted, ``User.is_staff``/``is_superuser``/
  ``is_network_coordinator`` changed (signals below, whoever makes the change: the admin, a
  command, a service);
- jury scores: a signal registered by the calls app; document uploads and downloads, data
  exports: one ``record()`` call in the views that do them.

A row holds the time (UTC), the actor's id, the action and the object's type and id: no name, no
email, no address, no free text. Rows are kept ``AUDIT_RETENTION_DAYS`` (a year, the CNIL's
recommendation for access logs), then purged by the ``incubator.purge_audit_events`` task or the
``purge_audit_events`` command.
"""

import logging

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.db.models import signals
from simple_history.models import HistoricalRecords

from .models import AuditEvent, Membership

logger = logging.getLogger(__name__)

Action = AuditEvent.Action


def current_user():
    """The signed-in user of the request being served, if any (simple_history's middleware keeps it)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record(action, obj=None, *, actor=None, object_type="", object_id=""):
    """One row: ``action`` by ``actor`` (a user, an id, or the current request's user) on ``obj``
    (a model instance) or on ``object_type``/``object_id``."""
    if actor is None:
        actor = current_user()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk or getattr(obj, "_audit_pk", "")
    return AuditEvent.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", actor),
        object_type=object_type,
        object_id="" if object_id is None else str(object_id)[:100],
    )


# Sign-in, sign-out -------------------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    record(Action.LOGIN, user, actor=user)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, user, actor=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    """The account tried, when the login names one (its id only); the attempt alone otherwise."""
    login = credentials.get("email") or credentials.get("username") or ""
    account_id = get_user_model().objects.filter(email__iexact=login).values_list("pk", flat=True).first()
    object_type = "incubator.user" if account_id else ""
    record(Action.LOGIN_FAILED, actor=account_id, object_type=object_type, object_id=account_id)


# Second factor ---------------------------------------------------------------------------------


def remember_pk(sender, instance, **kwargs):
    """``pre_delete``: allauth signals a removed authenticator after deleting it (its pk gone)."""
    instance._audit_pk = instance.pk


def mfa_receiver(action):
    def receiver(sender, user, authenticator=None, **kwargs):
        record(action, authenticator, actor=user)

    return receiver


# Roles and rights ------------------------------------------------------------------------------

RIGHTS = {
    "is_staff": (Action.STAFF_GRANTED, Action.STAFF_REVOKED),
    "is_superuser": (Action.SUPERUSER_GRANTED, Action.SUPERUSER_REVOKED),
    "is_network_coordinator": (Action.COORDINATOR_GRANTED, Action.COORDINATOR_REVOKED),
}


def remember_user_rights(sender, instance, **kwargs):
    """``post_init``: the rights as loaded, to tell a change at save (no query: deferred fields are
    left out)."""
    instance._audit_rights = {field: instance.__dict__[field] for field in RIGHTS if field in instance.__dict__}


def on_user_saved(sender, instance, created, update_fields=None, **kwargs):
    before = getattr(instance, "_audit_rights", {})
    for field, (granted, revoked) in RIGHTS.items():
        if update_fields is not None and field not in update_fields:
            continue
        now = instance.__dict__.get(field)
        if (created and now) or (not created and field in before and before[field] != now):
            record(granted if now else revoked, instance)
    remember_user_rights(sender, instance)


def remember_role(sender, instance, **kwargs):
    instance._audit_role = instance.__dict__.get("role")


def on_membership_saved(sender, instance, created, **kwargs):
    if created:
        record(Action.ROLE_GRANTED, instance)
    elif getattr(instance, "_audit_role", None) not in (None, instance.role):
        record(Action.ROLE_CHANGED, instance)
    remember_role(sender, instance)


def on_membership_deleted(sender, instance, **kwargs):
    record(Action.ROLE_REVOKED, instance)


def recorder(action):
    """A ``post_save`` receiver recording ``action`` on the saved row (the apps connect it)."""

    def receiver(sender, instance, **kwargs):
        record(action, instance)

    return receiver


def connect():
    """Wire the receivers (``IncubatorConfig.ready``)."""
    user_model = get_user_model()
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="audit.login")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="audit.logout")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    for signal, action in [
        (mfa_signals.authenticator_added, Action.MFA_ADDED),
        (mfa_signals.authenticator_removed, Action.MFA_REMOVED),
        (mfa_signals.authenticator_reset, Action.MFA_RESET),
        (mfa_signals.authenticator_used, Action.MFA_USED),
        (mfa_signals.authentication_failed, Action.MFA_FAILED),
    ]:
        signal.connect(mfa_receiver(action), weak=False, dispatch_uid=f"audit.{action}")
    signals.pre_delete.connect(remember_pk, sender=Authenticator, dispatch_uid="audit.authenticator_pk")
    signals.post_init.connect(remember_user_rights, sender=user_model, dispatch_uid="audit.user_init")
    signals.post_save.connect(on_user_saved, sender=user_model, dispatch_uid="audit.user_saved")
    signals.post_init.connect(remember_role, sender=Membership, dispatch_uid="audit.membership_init")
    signals.post_save.connect(on_membership_saved, sender=Membership, dispatch_uid="audit.membership_saved")
    signals.post_delete.connect(on_membership_deleted, sender=Membership, dispatch_uid="audit.membership_deleted")
