"""axe-core results, reduced to what blocks a page: serious and critical violations."""

import re

BLOCKING_IMPACTS = {"serious", "critical"}


def blocking_violations(results):
    """The serious and critical violations of an axe-core run (``Axe().run(page)``)."""
    return [violation for violation in results.response["violations"] if violation["impact"] in BLOCKING_IMPACTS]


def format_violations(violations):
    """One line per violation, then one per offending node: its CSS target and HTML."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}" for node in violation["nodes"])
    return "\n".join(lines)


# Chromium also reports styles set by scripts through the style attribute (axe-core's own checks
# do, intermittently). The markup itself is checked on the raw HTML instead (see inline_code).
SCRIPT_STYLE_NOISE = "Applying inline style violates"


def console_collector(page):
    """Collect the console errors of a page, without the script-set style noise."""
    errors = []

    def collect(message):
        if message.type == "error" and SCRIPT_STYLE_NOISE not in message.text:
            errors.append((page.url, message.text))

    page.on("console", collect)
    page.on("pageerror", lambda error: errors.append((page.url, str(error))))
    return errors


def inline_code(html):
    """Inline scripts and style attributes or elements in a page's markup (the CSP refuses them).
    A JSON data block (``type="application/json"``, allauth's) is data that no browser runs: not code."""
    found = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", html)
    found += re.findall(r"<[a-z][^>]*\sstyle=\"[^\"]*\"", html)
    found += re.findall(r"<style\b", html)
    return found


def assert_no_blocking_violations(blocking, pages):
    """axe-core found no serious or critical violation on any page of a journey: ``blocking`` maps
    each page's name to its violations, ``pages`` are the names the journey had to check."""
    found = {name: [violation["id"] for violation in violations] for name, violations in blocking.items()}
    assert found == {name: [] for name in pages}, "\n".join(
        f"{name}:\n{format_violations(violations)}" for name, violations in blocking.items() if violations
    )
