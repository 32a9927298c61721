"""How long the portal keeps personal data: the periods, read by both the personal-data registry
(the privacy page's "for how long") and the purge that applies them, so the page says what really
happens (``docs/architecture.md``, personal data; issue 14 item 5).

Each period is a number of days from settings (an environment variable overrides the default);
``describe_days(days)`` is the text the registry shows for it. The purge runs daily in Celery beat
(``incubator.purge_expired_personal_data``) and by hand with ``manage.py purge_personal_data``
(a dry run unless ``--apply``).
"""

from datetime import timedelta

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import ngettext


def outbox_days():
    """Sent or failed emails keep their recipients and bodies this long (the privacy page's year)."""
    return getattr(settings, "OUTBOX_RETENTION_DAYS", 365)


def application_days():
    """A not shortlisted, not selected, ineligible or withdrawn application is anonymised this long
    after its call closes (three months: the CNIL's guidance for recruitment files)."""
    return getattr(settings, "APPLICATION_RETENTION_DAYS", 90)


def talent_pool_days():
    """The same application, when its applicant agreed to the talent pool (a recorded consent, which
    they may withdraw): kept this long after its call closes (two years), never less than
    ``application_days()``."""
    return max(getattr(settings, "TALENT_POOL_RETENTION_DAYS", 730), application_days())


def audit_days():
    """The audit log's rows (a year: the CNIL's recommendation for access logs)."""
    return settings.AUDIT_RETENTION_DAYS


def cutoff(now, days):
    return now - timedelta(days=days)


def _days_text(days):
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


days_text = lazy(_days_text, str)


def _after(period, text):
    return text % {"period": _days_text(period())}


def describe(period, text):
    """A lazy text naming ``period()`` (a function of this module) as ``%(period)s`` in ``text``
    (a gettext_lazy string): read when shown, so it always says the period the purge applies."""
    return lazy(_after, str)(period, text)
