"""Second factors in tests: enrol a user in TOTP, compute the code an authenticator app shows.

The code is computed here with the standard library (RFC 6238: HMAC-SHA1 of the 30-second
counter, dynamic truncation, 6 digits), not with allauth's functions: the test checks allauth.
"""

import base64
import hashlib
import hmac
import struct
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

# One secret per test user is enough: a fixed one keeps codes reproducible in a failing test's output.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret, at=None, *, step=30, digits=6):
    """The code an authenticator app shows for ``secret`` (base32) at ``at`` (epoch seconds)."""
    counter = int((time.time() if at is None else at) // step)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def enrol_totp(user, secret=TEST_TOTP_SECRET):
    """The user has an authenticator app (and recovery codes), as after the activation page."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    return secret
