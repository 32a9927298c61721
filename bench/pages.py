"""Benchmark of the portal's pages at the network's volume, served as in production.

    python bench/pages.py                       # scale 1, 3 rounds of 10 s per page: about 13 minutes
    python bench/pages.py --scales 0.1,1,5      # how each page's cost grows with the data
    python bench/pages.py --only ranking,admin-applications --rounds 1

For each scale: a PostgreSQL database of its own (``incubator_bench``, dropped and created from a
freshly migrated template), ``seed_volume --scale N`` and ``VACUUM ANALYZE``; gunicorn (2 sync
workers) with the production settings (``DEBUG=False``, a random ``SECRET_KEY``,
``ALLOWED_HOSTS=127.0.0.1``, ``CONN_MAX_AGE=60``, Redis as the cache) plus a bare Django view
(``bench/urls.py``: ``/bare/`` answers "ok" through the whole middleware stack) on a loopback
port. The manager (of every volume incubator) and the network admin are signed in by creating
their sessions in the database; each session has passed the second factor when the portal
requires one. Then ``wrk -t1 -c4 -d10s`` (Debian's ``wrk``) after a warm-up, each page between two
runs of the bare view, over 3 rounds, and a table: queries (counted once per page by Django's
test client in this process), KiB of the body, requests per second, p50 and p99 latencies, and the
page's share of the bare view (its rate over the bare view's rate in the runs around it; the
medians over the rounds). Every request sends ``Accept-Encoding: gzip`` as browsers do.

Only 127.0.0.1 is ever contacted. Needs PostgreSQL (a user allowed to create databases),
``wrk`` (``apt-get install wrk``) and, for the cache, Redis (``--redis-url ''``: per-process cache).
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

WORKERS = 2
ACCEPT_ENCODING = "gzip"
# One key for the server and this process: the sessions written here are signed with it.
SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50)


@dataclass
class Page:
    key: str
    label: str
    persona: str  # "anonymous", "manager" or "admin"
    url: str = ""
    conditional: bool = False  # sent with the ETag the server gave: the 304 is measured
    headers: dict = field(default_factory=dict)
    queries: int = 0
    kib: float = 0.0
    runs: list = field(default_factory=list)  # one dict per round: rps, p50, p99, share, errors


def page_list(only):
    """The pages of issue 15's table (and the admin searches), their URLs resolved once seeded."""
    pages = [
        Page("home", "home (anonymous)", "anonymous"),
        Page("application", "application detail (manager)", "manager"),
        Page("jurors", "jurors of a call", "manager"),
        Page("directory", "public directory", "anonymous"),
        Page("product", "product page (manager)", "manager"),
        Page("portfolio", "portfolio list", "manager"),
        Page("calendar", "committee calendar", "manager"),
        Page("admin-startups", "admin Startup changelist", "admin"),
        Page("ranking", "call ranking", "manager"),
        Page("admin-applications", "admin Application changelist", "admin"),
        Page("api-startups", "/api/startups.json", "anonymous"),
        Page("api-startups-304", "/api/startups.json, 304", "anonymous", conditional=True),
        Page("dashboard", "incubator dashboard (manager)", "manager"),
        Page("cockpit", "network cockpit (admin)", "admin"),
    ]
    extra = [
        Page("admin-startups-search", "admin Startup search", "admin"),
        Page("admin-applications-search", "admin Application search", "admin"),
        Page("admin-committees", "admin Committee changelist", "admin"),
        Page("admin-calls", "admin Call changelist", "admin"),
    ]
    if not only:
        return pages
    chosen = [page for page in pages + extra if page.key in only]
    unknown = set(only) - {page.key for page in chosen}
    if unknown:
        sys.exit(f"Unknown pages: {', '.join(sorted(unknown))}. Known: {', '.join(p.key for p in pages + extra)}")
    return chosen


def resolve_urls(pages):
    """The URLs of the volume's objects: the call, an application and a product in the middle."""
    from django.urls import reverse

    from calls.models import Application
    from calls.volume import SLUG
    from incubator.volume import incubators
    from portfolio.models import Startup

    application = Application.objects.filter(call__slug=SLUG, status="submitted").order_by("pk")
    application = application[application.count() // 2]
    startups = Startup.objects.filter(slug__startswith="volume-produit-", is_published=True).order_by("slug")
    startup = startups[startups.count() // 2]
    urls = {
        "home": reverse("incubator:home"),
        "application": reverse("calls:manage_application", args=[application.pk]),
        "jurors": reverse("calls:manage_jurors", args=[SLUG]),
        "directory": reverse("portfolio:directory"),
        "product": reverse("portfolio:startup_detail", args=[startup.slug]),
        "portfolio": reverse("portfolio:startup_list"),
        "calendar": reverse("committees:committee_list"),
        "admin-startups": reverse("admin:portfolio_startup_changelist"),
        "ranking": reverse("calls:manage_ranking", args=[SLUG]),
        "admin-applications": reverse("admin:calls_application_changelist"),
        "api-startups": reverse("portfolio:startups_json"),
        "api-startups-304": reverse("portfolio:startups_json"),
        "admin-startups-search": reverse("admin:portfolio_startup_changelist") + "?q=logement",
        "admin-applications-search": reverse("admin:calls_application_changelist") + "?q=convocations",
        "admin-committees": reverse("admin:committees_committee_changelist"),
        "admin-calls": reverse("admin:calls_call_changelist"),
        # The dashboard of the volume incubator with the call (the first), and the network's cockpit.
        "dashboard": reverse("portfolio:dashboard", args=[incubators()[0].slug]),
        "cockpit": reverse("portfolio:cockpit"),
    }
    for page in pages:
        page.url = urls[page.key]


# --- The database -------------------------------------------------------------------------


def admin_connection(database_url):
    """A connection to the server's maintenance database, outside any transaction."""
    import psycopg

    parts = urlsplit(database_url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def database_name(database_url):
    return urlsplit(database_url).path.lstrip("/")


def with_name(database_url, name):
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))


def recreate(database_url, name, template=None):
    with admin_connection(database_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop(database_url, name):
    with admin_connection(database_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def vacuum_analyze(database_url):
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def manage(env, *args, quiet=False):
    output = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{output.stdout}\n{output.stderr}")
    if not quiet:
        for line in output.stdout.splitlines():
            print(f"    {line}")


def production_env(database_url, redis_url, port):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "False",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        # The open data's limit per client would refuse wrk: kept (its cost is measured), never reached.
        "RATE_LIMIT_OPEN_DATA": "100000000/m",
        "PYTHONUNBUFFERED": "1",
    }


# --- Sessions and the query counts --------------------------------------------------------


def sign_in_everyone():
    """persona -> a signed-in test client (the session written in the database)."""
    from django.test import Client

    from incubator import volume

    clients = {"anonymous": Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING=ACCEPT_ENCODING)}
    for persona, user in (("manager", volume.manager()), ("admin", volume.network_admin())):
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING=ACCEPT_ENCODING)
        second_factor = enrol_second_factor(user)
        client.force_login(user)
        if second_factor:
            # What allauth's login flow records once the code is checked.
            session = client.session
            session["account_authentication_methods"] = [
                {"method": "password", "at": time.time(), "email": user.email},
                {"method": "mfa", "at": time.time(), "id": second_factor.pk, "type": second_factor.type},
            ]
            session.save()
        clients[persona] = client
    return clients


def enrol_second_factor(user):
    """When the portal has two-factor authentication (allauth.mfa): the account's authenticator
    app, created if needed, so that network admins and managers pass its checks (None without)."""
    from django.conf import settings

    if "allauth.mfa" not in settings.INSTALLED_APPS:
        return None
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, generate_totp_secret()).instance


def session_cookie(client):
    from django.conf import settings

    morsel = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return f"{settings.SESSION_COOKIE_NAME}={morsel.value}" if morsel else ""


def measure_in_process(pages, clients):
    """The queries and the size of each page (its second request: caches warm, as the server's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        client = clients[page.persona]
        first = client.get(page.url)
        headers = {"If-None-Match": first["ETag"]} if page.conditional else {}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url, headers=headers)
        if response.status_code != (304 if page.conditional else 200):
            sys.exit(f"{page.label}: {page.url} answered {response.status_code} to the {page.persona}.")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        page.queries = len(queries)
        page.kib = len(body) / 1024


# --- The server and the load ---------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the production settings on 127.0.0.1:port."""

    def __init__(self, env, port, log_path):
        self.port = port
        self.log_path = log_path
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "incubator.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--error-logfile",
            str(log_path),
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, env=env, cwd=BASE_DIR, start_new_session=True)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn stopped:\n{self.log_path.read_text()}")
            try:
                if get(self.port, "/bare/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        sys.exit(f"gunicorn did not answer within {timeout} s:\n{self.log_path.read_text()}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def get(port, url, cookie="", headers=None, with_headers=False):
    """(status, body) of one GET on the server, redirects not followed (and its headers)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Accept-Encoding": ACCEPT_ENCODING, **({"Cookie": cookie} if cookie else {}), **(headers or {})}
    try:
        connection.request("GET", url, headers=headers)
        response = connection.getresponse()
        answer = response.status, response.read()
        return (*answer, dict(response.getheaders())) if with_headers else answer
    finally:
        connection.close()


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(port, url, cookie, duration, headers=None):
    """One wrk run: requests per second, p50 and p99 in ms, and the non-2xx/3xx or failed requests."""
    command = ["wrk", "-t1", "-c4", f"-d{duration}s", "--latency", "--timeout", "60s"]
    command += ["-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{url}"], capture_output=True, text=True, check=True)
    text = output.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not rate:
        sys.exit(f"Unreadable wrk output:\n{text}\n{output.stderr}")
    latencies = {percent: float(value) * UNITS[unit] for percent, value, unit in LATENCY.findall(text)}
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", text))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    return {"rps": float(rate.group(1)), "p50": latencies.get("50"), "p99": latencies.get("99"), "errors": errors}


def load_average():
    return float(Path("/proc/loadavg").read_text().split()[0])


# --- One scale -----------------------------------------------------------------------------


def run_scale(args, scale, template):
    from django.db import connections

    port = free_port()
    database_url = args.database_url
    env = production_env(database_url, args.redis_url, port)
    print(f"\n== Scale {scale:g}: database {database_name(database_url)}, port {port}")
    connections.close_all()
    recreate(args.database_url, database_name(database_url), template=template)
    started = time.monotonic()
    manage(env, "seed_volume", "--scale", f"{scale:g}")
    vacuum_analyze(database_url)
    print(f"    seeded and analysed in {time.monotonic() - started:.0f} s")
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()

    pages = page_list(args.only)
    resolve_urls(pages)
    clients = sign_in_everyone()
    cookies = {persona: session_cookie(client) for persona, client in clients.items()}
    measure_in_process(pages, clients)
    connections.close_all()

    log_path = Path(tempfile.gettempdir()) / f"incubator-bench-gunicorn-{port}.log"
    server = Server(env, port, log_path)
    loads = []
    bare_runs = []
    try:
        server.wait_ready()
        for page in pages:
            if page.conditional:  # the server's own ETag (its URLs name its port)
                page.headers = {"If-None-Match": get(port, page.url, with_headers=True)[2]["ETag"]}
            status, _body = get(port, page.url, cookies[page.persona], page.headers)
            if status != (304 if page.conditional else 200):
                sys.exit(f"{page.label}: {page.url} answered {status} from gunicorn to the {page.persona}.")
        print(f"    warm-up: {args.warmup} s per page")
        wrk(port, "/bare/", "", args.warmup)
        for page in pages:
            wrk(port, page.url, cookies[page.persona], args.warmup, page.headers)
        for number in range(1, args.rounds + 1):
            loads.append(load_average())
            before = wrk(port, "/bare/", "", args.duration)
            bare_runs.append(before)
            for page in pages:
                loads.append(load_average())
                run = wrk(port, page.url, cookies[page.persona], args.duration, page.headers)
                loads.append(load_average())
                after = wrk(port, "/bare/", "", args.duration)
                bare_runs.append(after)
                bare = (before["rps"] + after["rps"]) / 2
                run["share"] = bare / run["rps"] if run["rps"] else float("inf")
                page.runs.append(run)
                before = after
                print(f"    round {number}: {page.label}: {run['rps']:.1f} req/s (bare {bare:.0f})", flush=True)
        loads.append(load_average())
    finally:
        server.stop()
    bare_rate = statistics.median(run["rps"] for run in bare_runs)
    return {"scale": scale, "pages": pages, "bare": bare_rate, "bare_runs": bare_runs, "loads": loads}


# --- Output --------------------------------------------------------------------------------


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def number(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def rate(value):
    return number(value, 1) if value < 100 else number(value)


def table(result):
    rows = [
        "| page | queries | KiB | req/s | p50 ms | p99 ms | share of the bare view |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page in result["pages"]:
        errors = sum(run["errors"] for run in page.runs)
        rows.append(
            f"| {page.label} | {page.queries} | {number(page.kib, 1)} | {rate(median(r['rps'] for r in page.runs))} "
            f"| {number(median(r['p50'] for r in page.runs), 1)} | {number(median(r['p99'] for r in page.runs), 1)} "
            f"| 1/{number(median(r['share'] for r in page.runs))}{f' ({errors} errors)' if errors else ''} |"
        )
    loads = result["loads"]
    bare = result["bare_runs"]
    rows.append("")
    rows.append(
        f"Scale {result['scale']:g}; bare view: {number(result['bare'])} req/s (median of {len(bare)} runs, "
        f"{number(min(r['rps'] for r in bare))} to {number(max(r['rps'] for r in bare))}); "
        f"load average (1 min) during the run: {min(loads):.2f} to {max(loads):.2f}, mean {statistics.mean(loads):.2f}."
    )
    return "\n".join(rows)


def growth_table(results):
    """Each page's time per request at each scale, relative to the first scale (req/s ratio)."""
    scales = [result["scale"] for result in results]
    rows = [
        "| page | " + " | ".join(f"req/s at {scale:g}" for scale in scales) + f" | time per request, {scales[-1]:g} vs "
        f"{scales[0]:g} |",
        "|---|" + "---:|" * (len(scales) + 1),
    ]
    for index, page in enumerate(results[0]["pages"]):
        rates = [median(run["rps"] for run in result["pages"][index].runs) for result in results]
        rows.append(
            f"| {page.label} | " + " | ".join(rate(value) for value in rates) + f" | x{rates[0] / rates[-1]:.1f} |"
        )
    rows.append(
        "| bare view | " + " | ".join(number(result["bare"]) for result in results) + " | "
        f"x{results[0]['bare'] / results[-1]['bare']:.1f} |"
    )
    return "\n".join(rows)


def versions(database_url):
    import django
    import gunicorn
    import psycopg

    with psycopg.connect(database_url) as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    return (
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, Django {django.get_version()}, "
        f"gunicorn {gunicorn.__version__} ({WORKERS} sync workers), PostgreSQL {server}, {wrk_version or 'wrk'}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1", help="comma-separated scales of seed_volume (default: 1)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (default: 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per page (default: 2)")
    parser.add_argument("--only", default="", help="comma-separated page keys (default: the issue's 11 pages)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/incubator_bench"),
        help="the bench's database, dropped and created (default: incubator_bench on 127.0.0.1)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10", help="the cache ('' for none); flushed")
    parser.add_argument("--keep", action="store_true", help="keep the last database (dropped by default)")
    args = parser.parse_args()
    args.only = [key.strip() for key in args.only.split(",") if key.strip()]
    scales = [float(scale) for scale in args.scales.split(",")]
    for host in {urlsplit(args.database_url).hostname, urlsplit(args.redis_url).hostname} - {None, ""}:
        if host not in ("127.0.0.1", "localhost", "::1"):
            sys.exit(f"The bench talks to this machine only, not {host}.")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    # This process signs the personas in and counts the queries, with the server's settings.
    os.environ.update(production_env(args.database_url, args.redis_url, 0))
    import django

    django.setup()
    name = database_name(args.database_url)
    template = f"{name}_template"
    print(f"Migrating a template database {template}...")
    recreate(args.database_url, template)
    template_url = with_name(args.database_url, template)
    manage(production_env(template_url, args.redis_url, 0), "migrate", "--noinput", quiet=True)
    print("Collecting the static files (production storage: hashed names)...")
    manage(production_env(template_url, args.redis_url, 0), "collectstatic", "--noinput", "--clear", quiet=True)
    print(versions(template_url))
    results = []
    try:
        for scale in scales:
            results.append(run_scale(args, scale, template))
            print()
            print(table(results[-1]))
    finally:
        from django.db import connections

        connections.close_all()
        drop(args.database_url, template)
        if not args.keep:
            drop(args.database_url, name)
    if len(results) > 1:
        print()
        for result in results:
            print(table(result))
            print()
        print(growth_table(results))


if __name__ == "__main__":
    main()
