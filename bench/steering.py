"""Profile of the steering pages in-process: the incubator dashboard, the network cockpit, the
portfolio as of a day and the data-quality list, page by page and tile by tile.

    python bench/steering.py [--scale 1] [--repeat 10] [--explain 5]
    python bench/steering.py --no-jit                      # PostgreSQL's JIT compiler off
    python bench/steering.py --scale 0.1 --snapshot DIR   # the pages' HTML on 1 December 2026

Seeds ``seed_volume --scale N`` in a throwaway PostgreSQL database (``bench_steering_<name>`` of
DATABASE_URL, created and dropped as Django's tests do; ``VACUUM ANALYZE`` once seeded), signs in
the volume's manager and network admin with Django's test client (their second factor passed, as
``bench/pages.py`` does), then prints, the median of ``--repeat`` requests after a warm-up:

- each page: its queries and milliseconds through the whole middleware stack (the median and,
  steadier on a busy machine, the best request);
- each tile: the milliseconds of its ``compute`` on the dashboard's incubator and on the network,
  of its ``per_incubator`` over every incubator (the cockpit's comparison), of its chart's SVG;
- ``--explain N``: ``EXPLAIN ANALYZE`` of the N slowest queries of the cockpit and the dashboard.

``--snapshot DIR`` writes each page's HTML, the clock frozen on 1 December 2026 at 10:00 (Paris)
while seeding and rendering, with the per-request tokens (CSRF, CSP nonce) blanked: run it before
and after a change and ``diff -r`` the two directories.
"""

import argparse
import os
import re
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECRET_KEY", "bench-steering-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
django.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_databases, teardown_databases  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.pages import sign_in_everyone  # noqa: E402
from incubator import registry, volume  # noqa: E402
from incubator.models import Incubator  # noqa: E402

FROZEN = "2026-12-01 10:00:00+01:00"
TOKENS = (
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
)


def pages():
    """(key, persona, URL) of the steering pages, on the volume's first incubator (the call's)."""
    slug = volume.incubators()[0].slug
    return [
        ("dashboard", "manager", reverse("portfolio:dashboard", args=[slug])),
        ("cockpit", "admin", reverse("portfolio:cockpit")),
        ("as-of", "admin", reverse("portfolio:as_of") + "?date=2024-01-01"),
        ("data-quality", "admin", reverse("portfolio:data_quality")),
    ]


def timings_ms(function, repeat):
    function()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def median_ms(function, repeat):
    return statistics.median(timings_ms(function, repeat))


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def seed(scale):
    call_command("seed_volume", scale=scale, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    cache.clear()


def timed_query(queries, execute, sql, params, many, context):
    """An ``execute_wrapper``: each query's SQL, parameters and seconds into ``queries``."""
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        queries.append({"time": time.perf_counter() - started, "sql": sql, "params": params})


def profile_pages(clients, repeat):
    print(f"| page | queries | ms, median of {repeat} | ms, best |")
    print("|---|---:|---:|---:|")
    captured = {}
    for key, persona, url in pages():
        client = clients[persona]
        get(client, url)
        queries = []
        with connection.execute_wrapper(partial(timed_query, queries)):
            get(client, url)
        captured[key] = queries
        times = timings_ms(lambda client=client, url=url: get(client, url), repeat)
        print(f"| {key} | {len(queries)} | {statistics.median(times):,.1f} | {min(times):,.1f} |")
    return captured


def profile_tiles(repeat):
    from incubator.volume import manager, network_admin

    incubator = volume.incubators()[0]
    incubators = list(Incubator.objects.order_by("title"))
    print()
    print(f"| tile (median of {repeat}, ms) | dashboard compute | network compute | per incubator | chart SVG |")
    print("|---|---:|---:|---:|---:|")
    mine, network = registry.Scope(incubator), registry.Scope()
    for tile in registry.tiles():
        cells = [
            median_ms(lambda tile=tile, scope=mine: tile.compute(manager(), scope), repeat),
            median_ms(lambda tile=tile, scope=network: tile.compute(network_admin(), scope), repeat),
        ]
        if tile.per_incubator:
            cells.append(median_ms(lambda tile=tile: tile.per_incubator(network_admin(), network, incubators), repeat))
        else:
            cells.append(None)
        if tile.chart:
            value = tile.compute(network_admin(), network)
            cells.append(median_ms(lambda tile=tile, value=value: str(tile.chart(value, network).svg), repeat))
        else:
            cells.append(None)
        shown = " | ".join("—" if cell is None else f"{cell:,.1f}" for cell in cells)
        print(f"| {tile.key} | {shown} |")


def explain(captured, count):
    queries = sorted(
        (
            (query["time"], key, query["sql"], query["params"])
            for key in ("cockpit", "dashboard")
            for query in captured[key]
        ),
        key=lambda query: query[0],
        reverse=True,
    )
    for seconds, key, sql, params in queries[:count]:
        print()
        print(f"--- {key}: {seconds * 1000:,.1f} ms")
        print(sql[:600] + (" ..." if len(sql) > 600 else ""))
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            for (line,) in cursor.fetchall():
                print("    " + line)


def snapshot(clients, directory):
    directory.mkdir(parents=True, exist_ok=True)
    for key, persona, url in pages():
        html = get(clients[persona], url).content.decode()
        for pattern, blank in TOKENS:
            html = pattern.sub(blank, html)
        (directory / f"{key}.html").write_text(html)
        print(f"{directory / f'{key}.html'}: {len(html):,} characters")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seed_volume's scale (default 1)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest queries")
    parser.add_argument(
        "--no-jit", action="store_true", help="connect with PostgreSQL's JIT compiler off (options=-c jit=off)"
    )
    parser.add_argument("--snapshot", type=Path, help="write the pages' HTML (frozen clock) there, and stop")
    args = parser.parse_args()

    # The static files' names as collected (no manifest needed: nothing is collected here).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    override_settings(STORAGES=storages).enable()
    if connection.vendor != "postgresql":
        sys.exit("bench/steering.py needs PostgreSQL: set DATABASE_URL.")
    connection.settings_dict["TEST"]["NAME"] = f"bench_steering_{connection.settings_dict['NAME']}"
    if args.no_jit:
        connection.settings_dict["OPTIONS"]["options"] = "-c jit=off"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        if args.snapshot:
            with time_machine.travel(FROZEN, tick=False):
                seed(args.scale)
                snapshot(sign_in_everyone(), args.snapshot)
            return
        seed(args.scale)
        clients = sign_in_everyone()
        jit = "off" if args.no_jit else "as configured"
        print(f"seed_volume --scale {args.scale:g}; JIT {jit}; load average {os.getloadavg()[0]:.2f}")
        print()
        captured = profile_pages(clients, args.repeat)
        profile_tiles(args.repeat)
        explain(captured, args.explain)
        print()
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
