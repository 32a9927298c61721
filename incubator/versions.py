"""Versions of the data a cached page or document shows: a token in Django's cache, replaced
whenever a row it depends on is saved or deleted, so that whatever was built from the old rows is
rebuilt at its next request (its cache key holds the version).

- ``DataVersion(name)``: ``current()`` (created on first use), ``bump()`` (a new token; a cache
  outage is logged, never raised into the write that changed the data);
- ``watch(*models)``: ``post_save`` and ``post_delete`` of each model bump the version right away
  and again once the transaction commits (a build in between may have read the old rows);
  ``watch_links(*throughs)`` does the same for many-to-many links (``m2m_changed``);
- ``changed()``: for the writes that send no signal (``QuerySet.update()``, ``bulk_create``), the
  service that makes them calls it;
- ``kept(key, compute, timeout)``: ``compute()`` kept in the cache under ``key``. A cache outage
  costs the speed, never the page: the value is computed and not kept.

``WRITES`` is the version of everything: every INSERT, UPDATE or DELETE the portal sends to its
database replaces it (``track_writes``, an execute wrapper on each connection: ``update()``,
``bulk_create``, the admin and the tasks included), but for the tables no page shows
(``UNTRACKED``: the sessions). The pages' kept fragments hold it in their key
(``incubator.templatetags.kept``).

``STEERING`` is the version of the dashboards' figures (``registry.Tile``: the incubator
dashboard, the network cockpit): each app's tiles module watches the models its figures read.
``bump_all()`` replaces every version (the seeding commands, which write in bulk). The open data
has its own (``portfolio.opendata``).
"""

import hashlib
import logging
import re
import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)


_versions = []
_MISSING = object()


class DataVersion:
    def __init__(self, name):
        self.name = name
        self.key = f"{name}:version"
        _versions.append(self)

    def current(self):
        """The version (None while the cache is out: nothing kept can be read then)."""
        try:
            version = cache.get(self.key)
            if version is None:
                cache.add(self.key, secrets.token_hex(8), timeout=None)
                version = cache.get(self.key)
        except Exception:
            logger.warning("The cache is out: the %s version is unknown", self.name, exc_info=True)
            return None
        return version

    def bump(self):
        """A new version: everything built on the old one is rebuilt at its next request."""
        try:
            cache.set(self.key, secrets.token_hex(8), timeout=None)
        except Exception:  # a cache outage must not fail the write that changed the data
            logger.exception("Could not bump the %s version", self.name)

    def changed(self, sender=None, action=None, **kwargs):
        """A signal receiver (post_save, post_delete, and m2m_changed once the links changed), or
        a call after a write that sends no signal."""
        if action is None or action.startswith("post_"):
            self.bump()
            transaction.on_commit(self.bump)

    def watch(self, *models):
        for model in models:
            uid = f"{self.name}:{model._meta.label}"
            post_save.connect(self.changed, sender=model, dispatch_uid=uid, weak=False)
            post_delete.connect(self.changed, sender=model, dispatch_uid=uid, weak=False)

    def watch_links(self, *throughs):
        for through in throughs:
            m2m_changed.connect(
                self.changed, sender=through, dispatch_uid=f"{self.name}:{through._meta.label}", weak=False
            )


def kept(key, compute, timeout):
    """``compute()``, kept in the cache under ``key`` for ``timeout`` seconds."""
    try:
        value = cache.get(key, _MISSING)
    except Exception:
        logger.warning("The cache is out: %s computed, not kept", key, exc_info=True)
        return compute()
    if value is _MISSING:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("The cache is out: %s not kept", key, exc_info=True)
    return value


def bump_all():
    for version in _versions:
        version.bump()


STEERING = DataVersion("steering")


WRITES = DataVersion("writes")

# The tables whose writes change no page: a request's session, saved at each request.
UNTRACKED = frozenset({"django_session"})
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


_writes_noted = 0  # the writes this process has sent: a version read before the last one is stale


def writes_noted():
    return _writes_noted


def _bump_writes():
    WRITES.bump()


def _note_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    written = _WRITE.match(sql) if isinstance(sql, str) else None
    if written and written.group(1) not in UNTRACKED:
        global _writes_noted
        _writes_noted += 1
        # Now (the pages this connection draws next read its new rows), and, in a transaction, once
        # more when it commits (what other connections drew meanwhile read the old rows).
        WRITES.bump()
        connection = context["connection"]
        if connection.in_atomic_block and not any(
            callback is _bump_writes for _sids, callback, _robust in connection.run_on_commit
        ):
            connection.on_commit(_bump_writes)
    return result


def _wrap_connection(sender, connection, **kwargs):
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


def track_writes():
    """Every connection of the portal notes its writes in ``WRITES`` (called once, at start)."""
    connection_created.connect(_wrap_connection, dispatch_uid="incubator.versions.track_writes", weak=False)


def writes_version(request):
    """``WRITES``, read once a request for its kept pieces, again after a write of this process."""
    noted = writes_noted()
    read = request.__dict__.get("_kept_writes_version")
    if read is None or read[0] != noted:
        read = request._kept_writes_version = (noted, WRITES.current())
    return read[1]


def page_key(request, *values, person=True):
    """The key of what a GET of this page keeps (``{% kept %}``, a list's page of ids): ``WRITES``,
    the hour, the language, the address with its query, the person (unless ``person`` is false)
    and ``values``. None when nothing may be kept: not a GET, or the cache is out."""
    if request.method not in ("GET", "HEAD"):
        return None
    version = writes_version(request)
    if version is None:
        return None
    parts = [
        version,
        f"{timezone.localtime():%Y%m%d%H}",
        get_language() or "",
        request.get_full_path(),
        str(getattr(getattr(request, "user", None), "pk", None)) if person else "",
        *values,
    ]
    return "kept:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
