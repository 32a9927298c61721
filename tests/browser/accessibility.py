"""axe-core results, reduced to what blocks a page: serious and critical violations."""

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
