"""Fixtures of the browser journeys: Debian's Chromium driven by Playwright, checked by axe-core.

Playwright cannot download its own browser here, so it launches the system Chromium
(``CHROMIUM_PATH`` or ``/usr/bin/chromium``); without it the tests skip, or fail when
``REQUIRE_SERVICES=1``.
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from incubator.tests.services import require_chromium

from .accessibility import blocking_violations, inline_code

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module.

    Playwright's sync API keeps an asyncio event loop running in the test thread while it is
    started, and Django's async-safety guard would then refuse the ORM calls of the test body
    and of transactional_db's flush: DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that span.
    Module scope (not session) keeps both the loop and the switch away from the other tests.
    """
    executable = require_chromium()
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) in French, as most visitors browse."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir(request):
    """``test-artifacts/`` at the repository root (gitignored): screenshots for debugging."""
    path = Path(request.config.rootpath) / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def axe_check(page, artifacts_dir, request):
    """axe_check("name", on=other_page): screenshot the current page (of the test's ``page`` by
    default), run axe-core on it, and return its serious and critical violations (the test
    asserts on them after the whole journey, so one run reports every page)."""
    axe = Axe()

    def check(name, on=None):
        target = on or page
        target.screenshot(path=artifacts_dir / f"{request.node.name}-{name}.png", full_page=True)
        markup = target.request.get(target.url).text()
        assert inline_code(markup) == [], f"inline script or style in the markup of {name}"
        return blocking_violations(axe.run(target))

    return check
