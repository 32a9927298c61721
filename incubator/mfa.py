"""Two-factor authentication (django-allauth's MFA), mandatory for privileged accounts.

Network admins and managers (``incubator.security.is_privileged``) must enrol an authenticator
app (TOTP) or a security key. Until they do, ``MFARequiredMiddleware`` lets them reach only the
enrolment pages (and logout, the language switch); once enrolled, allauth asks for a code at every
login, the admin's included (its login is the accounts' one). They cannot remove their last
authenticator.

Whether a session must enrol is decided at login and kept in the session (``MFA_PENDING``), so
the middleware costs no query per request; while pending it is asked again at each request, so
enrolling lifts it at once. A role granted during a session counts from the next login.
"""

import io

import qrcode
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from qrcode.image.svg import SvgPathFillImage

from .security import is_privileged

# Session key: True while a privileged user has no second factor.
MFA_PENDING = "_portal_mfa_pending"

# The second factors that count as enrolled (recovery codes are a fallback, not a factor).
FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]

# Where a privileged user without a second factor may go: enrolment, what enrolment may need
# (reauthentication, a verified address), and the way out.
ENROLMENT_VIEWS = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_generate_recovery_codes",
    "account_logout",
    "account_reauthenticate",
    "account_email",
    "account_confirm_email",
    "account_email_verification_sent",
    "set_language",
}


def must_enrol(user):
    """A privileged user without a second factor."""
    return is_privileged(user) and not is_mfa_enabled(user, FACTORS)


def note_at_login(sender, request, user, **kwargs):
    """``user_logged_in``: does this session have to enrol before anything else?"""
    if request is not None and hasattr(request, "session"):
        request.session[MFA_PENDING] = must_enrol(user)


class MFAAdapter(DefaultMFAAdapter):
    def build_totp_svg(self, url):
        """The QR code on a white background: readable by a phone in the dark theme too."""
        buffer = io.BytesIO()
        qrcode.make(url, image_factory=SvgPathFillImage).save(buffer)
        return buffer.getvalue().decode()

    def can_delete_authenticator(self, authenticator):
        """A privileged user keeps a second factor: the last one cannot be removed."""
        if authenticator.type not in FACTORS or not is_privileged(authenticator.user):
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=FACTORS)
        return others.exclude(pk=authenticator.pk).exists()
