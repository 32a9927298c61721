"""Benchmark of the open data in-process: the old view, a rebuild, a cached 200 and a 304.

    python bench/opendata.py [--scale 1] [--repeat 20]

Seeds ``seed_volume --scale N`` in a throwaway database (in memory on SQLite, ``bench_<name>`` on
PostgreSQL with DATABASE_URL) and times each way of answering ``/api/startups.json`` to a client
that accepts gzip, the view function alone (no middleware, no HTTP server): the view as it was
before it was cached (kept here only, as ``bench/markdown.py`` keeps the old renderer), a miss
(the document rebuilt and stored), a hit (read from the cache) and a 304 (``If-None-Match``).
Prints the queries, the body's KiB and the median milliseconds. The cache is the configured one
(``REDIS_URL``; per process without it).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECRET_KEY", "bench-opendata-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("RATE_LIMIT_OPEN_DATA", "")
django.setup()

from django.core.cache import cache, caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.urls import reverse  # noqa: E402

from portfolio import opendata  # noqa: E402
from portfolio.models import Startup  # noqa: E402
from portfolio.presenters import startup_json  # noqa: E402


def old_view(request):
    """``/api/startups.json`` before issue 15: every product rebuilt at each request."""
    startups = Startup.objects.published().for_list().prefetch_related("periods", "other_incubators")
    return JsonResponse({"startups": [startup_json(startup, request) for startup in startups]})


def timed(function, repeat):
    function()
    with CaptureQueriesContext(connection) as queries:
        response = function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return response, len(queries), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seed_volume's scale (default 1)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("seed_volume", scale=args.scale, verbosity=0)
        cache.clear()
        url = reverse("portfolio:startups_json")
        factory = RequestFactory(HTTP_ACCEPT_ENCODING="gzip")

        def miss():
            opendata.bump_version()
            return opendata.startups_json(factory.get(url))

        etag = opendata.startups_json(factory.get(url))["ETag"]
        cases = [
            ("before: the view rebuilding every product", lambda: old_view(factory.get(url))),
            ("a miss: rebuilt, stored, sent", miss),
            ("a hit: read from the cache", lambda: opendata.startups_json(factory.get(url))),
            ("a 304 (If-None-Match)", lambda: opendata.startups_json(factory.get(url, HTTP_IF_NONE_MATCH=etag))),
        ]
        published = Startup.objects.published().count()
        print(f"Database: {connection.vendor}; seed_volume --scale {args.scale:g}: {published} published products")
        print(f"Cache: {caches['default'].__class__.__name__}; median of {args.repeat} requests")
        print()
        print("| answer | queries | KiB | ms |")
        print("|---|---:|---:|---:|")
        for label, function in cases:
            response, queries, ms = timed(function, args.repeat)
            print(f"| {label} | {queries} | {len(response.content) / 1024:,.1f} | {ms:,.1f} |")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
