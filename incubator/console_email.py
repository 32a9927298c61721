"""The development console backend: emails printed the way a person reads them.

Django's console backend prints the raw MIME message: encoded headers
(``=?utf-8?q?Comit=C3=A9...``), quoted-printable or base64 bodies, the HTML part and every
attachment in full. This one prints the decoded headers (subject, from, recipients, date), the
plain-text body and the names of the attachments. ``settings.py`` uses it for ``consolemail://``
(the default ``EMAIL_URL``).
"""

from email.mime.base import MIMEBase

from django.core.mail.backends.console import EmailBackend
from django.template.defaultfilters import filesizeformat

RULE = "-" * 79


class ConsoleEmailBackend(EmailBackend):
    def write_message(self, message):
        self.stream.write(render(message))
        self.stream.write(f"\n{RULE}\n")


def render(message):
    """An EmailMessage as readable text: headers, plain-text body, attachments."""
    headers = [
        ("Subject", message.subject),
        ("From", message.from_email),
        ("To", ", ".join(message.to)),
        ("Cc", ", ".join(message.cc)),
        ("Reply-To", ", ".join(message.reply_to)),
        ("Date", message.message()["Date"]),
    ]
    lines = [f"{name}: {value}" for name, value in headers if value]
    alternatives = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
    if message.content_subtype == "html" or "text/html" in alternatives:
        lines.append("(an HTML version is sent too)")
    lines += ["", message.body.rstrip()]
    attachments = [describe(attachment) for attachment in message.attachments]
    if attachments:
        lines += ["", "Attachments:", *(f"  - {line}" for line in attachments)]
    return "\n".join(lines)


def describe(attachment):
    if isinstance(attachment, MIMEBase):
        filename, content, mimetype = (
            attachment.get_filename(),
            attachment.get_payload(decode=True) or b"",
            attachment.get_content_type(),
        )
    else:
        filename, content, mimetype = attachment
    return f"{filename or '(no name)'} ({mimetype}, {filesizeformat(len(content))})"
