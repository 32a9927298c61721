"""The second step of a sign-in in a browser journey: managers and network admins have a second
factor (the factories enrol them with ``TEST_TOTP_SECRET``); the code page asks for its code."""

import time
from urllib.parse import urlsplit

from django.urls import reverse

from incubator.tests.mfa import TEST_TOTP_SECRET, totp_code

# The least time left in a code's window for the browser to type it and the server to check it.
SAFE_SECONDS = 8


def enter_code_if_asked(page, secret=TEST_TOTP_SECRET):
    """After the password: on the code page, type the authenticator app's code and sign in."""
    page.wait_for_url(lambda url: urlsplit(url).path != reverse("account_login"))
    if urlsplit(page.url).path == reverse("mfa_authenticate"):
        form = page.locator("form:has(input[name='code'])")
        # A code is good for its 30-second window only: too near the window's end, the server
        # could check it in the next one and refuse it. Wait for a fresh window then.
        left = 30 - time.time() % 30
        if left < SAFE_SECONDS:
            time.sleep(left + 0.2)
        form.locator("input[name='code']").fill(totp_code(secret))
        form.locator("button[type='submit']:not([form])").click()
