"""Sending an email from the portal: compose it, write it to the outbox.

Every email is first an ``OutboxMessage`` row, written in the caller's transaction
(``incubator.outbox``); a Celery task delivers it after commit (``incubator.tasks``). Two doors
lead in (``docs/decisions/0001-outbox-is-the-email-backend.md``):

* ``send_templated()`` for the portal's own emails, with an explicit idempotency key;
* ``OutboxEmailBackend``, Django's ``EMAIL_BACKEND``, so that mail sent through
  ``django.core.mail`` (allauth's included) lands in the outbox too. A message may carry its
  key in the ``X-Outbox-Key`` header (``incubator.outbox.KEY_HEADER``).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from .outbox import enqueue, html_from_text


def absolute_url(path):
    """A link for an email: the portal's address (SITE_URL) and ``path``."""
    return f"{settings.SITE_URL}{path}"


def render_text(template_name, context):
    """Render a plain-text template without HTML escaping: in a text email "L'équipe & co"
    must not become "L&#x27;équipe &amp; co". HTML templates keep Django's autoescaping."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def send_templated(*, to, template, context, key, reply_to=(), attachments=(), hold=False):
    """Render ``templates/emails/<template>_{subject,body}.txt`` (and ``_body.html`` if there is one) and queue it.

    ``attachments`` are (filename, content, mimetype) triples. ``hold``: the row waits for
    ``incubator.outbox.release()`` (a person reviews it first).
    """
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_text(f"emails/{template}_subject.txt", context).split())
    text = render_text(f"emails/{template}_body.txt", context)
    try:
        html = render_to_string(f"emails/{template}_body.html", {**context, "subject": subject})
    except TemplateDoesNotExist:  # a plain email: its text in the portal's layout
        html = html_from_text(subject, text)
    message = EmailMultiAlternatives(subject=subject, body=text, to=list(to), reply_to=list(reply_to))
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    row, _created = enqueue(message, key=key, hold=hold)
    return row


class OutboxEmailBackend(BaseEmailBackend):
    """Django email backend writing to the outbox instead of sending."""

    def send_messages(self, email_messages):
        for message in email_messages:
            enqueue(message)
        return len(email_messages)
