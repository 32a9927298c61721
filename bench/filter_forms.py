"""Benchmark of the list filter forms: ``{{ form|crispy }}`` against ``includes/_filter_form.html``.

    python bench/filter_forms.py [--scale 0.1] [--repeat 200]

Every list page redraws its filter form at each request (issue 15, item 4). This bench seeds
``seed_volume --scale N`` (40 organisations, 10 incubators whatever the scale) in a throwaway
database (in memory on SQLite, ``bench_<name>`` on PostgreSQL with DATABASE_URL), takes the
filter form of each list page from the page itself (Django's test client, as its persona),
checks that both paths draw the same HTML, then renders each form ``--repeat`` times each way,
alternated, and prints the milliseconds per render (best of 5 series) and the page's own time.

The choices of the model fields are read once before the timing: both paths would read them
again at each render (the same query, one per model field), and the template is what is timed.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
os.environ.setdefault("DEBUG", "False")  # the cached template loader and no debug toolbar, as served
os.environ.setdefault("SECRET_KEY", "bench-filter-forms-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")  # no TLS proxy in front of the test client
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.forms.renderers import get_default_renderer  # noqa: E402
from django.template import Context, Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.html import parse_html  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import reverse  # noqa: E402

from bench.pages import enrol_second_factor  # noqa: E402
from incubator import volume  # noqa: E402

CRISPY = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
LIGHT = Template('{% include "includes/_filter_form.html" %}')


def pages():
    from calls.volume import SLUG

    return [
        ("public directory", reverse("portfolio:directory"), "anonymous"),
        ("portfolio list", reverse("portfolio:startup_list"), "manager"),
        ("committee calendar", reverse("committees:committee_list"), "manager"),
        ("call ranking", reverse("calls:manage_ranking", args=[SLUG]), "manager"),
    ]


def clients():
    anonymous = Client(HTTP_HOST="testserver")
    manager = Client(HTTP_HOST="testserver")
    user = volume.manager()
    second_factor = enrol_second_factor(user)
    manager.force_login(user)
    if second_factor:
        session = manager.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "id": second_factor.pk, "type": second_factor.type},
        ]
        session.save()
    return {"anonymous": anonymous, "manager": manager}


def freeze_choices(form):
    """Read the model fields' choices once (the same query either way, not the template's time)."""
    for field in form.fields.values():
        if hasattr(field, "queryset"):
            field.widget.choices = list(field.choices)


def options(form):
    return sum(len(list(getattr(field.widget, "choices", []))) for field in form.fields.values())


def render(template, form, renderer, repeat):
    started = time.perf_counter()
    for _ in range(repeat):
        form.renderer = renderer  # the light path sets its own; crispy uses the form's
        template.render(Context({"form": form}))
    return (time.perf_counter() - started) / repeat * 1000


def page_time(client, url, repeat):
    client.get(url)
    started = time.perf_counter()
    for _ in range(repeat):
        client.get(url)
    return (time.perf_counter() - started) / repeat * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="seed_volume's scale (default 0.1)")
    parser.add_argument("--repeat", type=int, default=200, help="renders per series (default 200)")
    parser.add_argument("--series", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    # The pages' {% static %} without collected files (the hashed names are not what is timed).
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: nothing collected
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("seed_volume", scale=args.scale, verbosity=0)
        by_persona = clients()
        default, light_renderer = get_default_renderer(), None
        print(
            f"Database: {connection.vendor}; seed_volume --scale {args.scale:g}; {args.repeat} renders x {args.series}"
        )
        print()
        print("| list page | fields | options | crispy ms | light ms | ratio | page ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        totals = [0.0, 0.0]
        for label, url, persona in pages():
            response = by_persona[persona].get(url)
            assert response.status_code == 200, (url, response.status_code)
            form = response.context["filter"].form
            freeze_choices(form)
            form.renderer = default
            expected = CRISPY.render(Context({"form": form}))
            light_html = LIGHT.render(Context({"form": form}))
            light_renderer = form.renderer  # set by the light path
            assert parse_html(light_html) == parse_html(expected), f"{label}: the two paths differ"
            crispy_runs, light_runs = [], []
            for _ in range(args.series):
                crispy_runs.append(render(CRISPY, form, default, args.repeat))
                light_runs.append(render(LIGHT, form, light_renderer, args.repeat))
            crispy_ms, light_ms = min(crispy_runs), min(light_runs)
            totals[0] += crispy_ms
            totals[1] += light_ms
            page_ms = statistics.median(page_time(by_persona[persona], url, 20) for _ in range(3))
            print(
                f"| {label} | {len(form.fields)} | {options(form)} | {crispy_ms:.2f} | {light_ms:.2f} "
                f"| x{crispy_ms / light_ms:.1f} | {page_ms:.1f} |"
            )
        print(f"| all four | | | {totals[0]:.2f} | {totals[1]:.2f} | x{totals[0] / totals[1]:.1f} | |")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
