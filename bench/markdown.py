"""Benchmark of the Markdown renderer on pathological input: the old filter against the new one.

    python bench/markdown.py [--sizes 5,20,100] [--timeout 30] [--repeat 3] [--shapes brackets,...]

For each shape and size (in KB of Markdown source) it times:

* old: the filter the portal had before (Python-Markdown with ``sane_lists``, headings shifted,
  nh3), kept only here. Each old case runs in a subprocess killed after ``--timeout`` seconds,
  printed as "> 30 s"; once a shape is over the limit its bigger sizes are not run (also "> 30 s":
  the cost only grows with the size). Python-Markdown is no longer a dependency of the portal:
  without it (``pip install Markdown==3.11.3``) the old column says "not installed".
* new: ``incubator.markdown.render_markdown`` (markdown-it-py in CommonMark mode, then nh3), in
  this process, the best of ``--repeat`` runs.

Prints a table (shape, size, old ms, new ms). Wall times on a shared machine are indicative.
"""

import argparse
import importlib.util
import itertools
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on the path, and this file is named markdown:
# put the project there instead, so that `import markdown` finds Python-Markdown, not the bench.
sys.path = [str(BASE_DIR), *(p for p in sys.path if Path(p or ".").resolve() != BASE_DIR / "bench")]

from incubator.markdown import render_markdown  # noqa: E402  (no Django set-up needed)


def repeated(unit, size):
    """``unit`` repeated up to exactly ``size`` characters."""
    return (unit * (size // len(unit) + 1))[:size]


def growing_backticks(size):
    return "".join(itertools.islice(itertools.cycle("`" * k + "a" for k in range(1, 60)), size))[:size]


def nested_lists(size):
    return repeated("".join("  " * depth + "- a\n" for depth in range(40)), size)


def references(size):
    definitions = "".join(f"[r{n}]: /u{n}\n" for n in range(size // 20))
    return (definitions + repeated("[r1][", size))[:size]


SHAPES = {
    "brackets": ("`[` repeated", lambda size: "[" * size),
    "nested": ("`[[[...]]]` nested", lambda size: "[" * (size // 2) + "]" * (size - size // 2)),
    "open-links": ("`[a](` unclosed links", lambda size: repeated("[a](", size)),
    "images": ("`![[` repeated", lambda size: repeated("![[", size)),
    "stars": ("`*a` emphasis runs", lambda size: repeated("*a", size)),
    "underscores": ("`_a_ ` runs", lambda size: repeated("_a_ ", size)),
    "html": ("`<a &` runs", lambda size: repeated("<a &", size)),
    "backticks": ("backtick runs of growing length", growing_backticks),
    "blockquotes": ("`> ` nested blockquotes", lambda size: repeated("> ", size)),
    "lists": ("nested lists (depth 0-39)", nested_lists),
    "references": ("reference definitions, then `[r1][`", references),
}


def old_render(text):
    """The portal's filter before markdown-it-py (portfolio/templatetags/portfolio.py)."""
    import markdown as markdown_lib
    import nh3

    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    for level in (4, 3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    tags = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "h5", "blockquote", "code", "pre"}
    return nh3.clean(html, tags=tags, attributes={"a": {"href", "title"}}, link_rel="noopener")


def elapsed_ms(render, text):
    started = time.perf_counter()
    render(text)
    return (time.perf_counter() - started) * 1000


def old_case(shape, size, timeout):
    """Milliseconds of the old filter, in a subprocess; None past the timeout."""
    command = [sys.executable, __file__, "--old-case", shape, str(size)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5,20,100", help="sizes in KB, comma-separated (default 5,20,100)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds allowed to one old case (default 30)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each new case, the best kept (default 3)")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="shapes, comma-separated (default all)")
    parser.add_argument("--old-case", nargs=2, metavar=("SHAPE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.old_case:  # the child process of old_case()
        shape, size = args.old_case[0], int(args.old_case[1])
        old_render("*warm-up*: Python-Markdown's first call sets up its extensions")
        print(elapsed_ms(old_render, SHAPES[shape][1](size)))
        return

    sizes = [int(kb) * 1000 for kb in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    has_old = importlib.util.find_spec("markdown") is not None
    if not has_old:
        print("Python-Markdown is not installed (pip install Markdown==3.11.3): the old column is skipped.\n")
    limit = f"> {args.timeout:g} s"

    print(f"| {'shape':<38} | {'size':>6} | {'old ms':>13} | {'new ms':>7} |")
    print(f"|{'-' * 40}|{'-' * 7}:|{'-' * 14}:|{'-' * 8}:|")
    for shape in shapes:
        label, build = SHAPES[shape]
        over_limit = False
        for size in sizes:
            text = build(size)
            if not has_old:
                old = "not installed"
            elif over_limit:
                old = limit
            else:
                old_ms = old_case(shape, size, args.timeout)
                over_limit = old_ms is None
                old = limit if over_limit else f"{old_ms:,.0f}"
            new_ms = min(elapsed_ms(render_markdown, text) for _ in range(args.repeat))
            print(f"| {label:<38} | {size // 1000:>3} KB | {old:>13} | {new_ms:>7,.0f} |", flush=True)


if __name__ == "__main__":
    main()
