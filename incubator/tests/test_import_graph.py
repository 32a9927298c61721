"""The core's modules import one another without a circle, and the task module is the leaf.

Read from the source (every import, inline ones included, as an inline import is how a circle
hides), not from ``sys.modules``: a circle that happens to load in one order is still a circle.
"""

import ast
from pathlib import Path

import incubator

PACKAGE = Path(incubator.__file__).parent


def core_modules():
    """{dotted name: (path, is a package)} of the core's modules, tests and migrations aside."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if "tests" in parts or "migrations" in parts:
            continue
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def imported_names(module, is_package, node):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level:
        base = base[: len(base) - node.level + 1]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


def import_graph():
    """{module: {core modules it imports}}; an import of the package itself (its Celery app) aside."""
    modules = core_modules()
    graph = {}
    for module, (path, is_package) in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in imported_names(module, is_package, node):
                    while name and name not in modules:  # `from .models import User` -> incubator.models
                        name = name.rpartition(".")[0]
                    if name not in ("", module, "incubator"):
                        edges.add(name)
        graph[module] = edges
    return graph


def circles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = set()
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.add(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_import_graph_of_the_core_has_no_circle():
    assert circles(import_graph()) == []


def test_import_graph_the_task_module_is_the_leaf_of_the_outbox():
    graph = import_graph()

    assert graph["incubator.outbox"] == {"incubator.models"}  # the rows: no Celery, no SMTP
    assert graph["incubator.mail"] == {"incubator.outbox"}
    assert "incubator.tasks" not in graph["incubator.reminders"]
    assert {"incubator.outbox", "incubator.reminders"} <= graph["incubator.tasks"]
    # Only the app's ready() imports the tasks (it connects the outbox's transport).
    assert sorted(module for module, imports in graph.items() if "incubator.tasks" in imports) == ["incubator.apps"]


def test_import_graph_finds_a_circle_made_by_an_inline_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert circles(graph) == [["a", "b", "c"]]
