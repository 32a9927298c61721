"""Production settings, checked on the real settings file in a separate process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from incubator.tests.services import require_postgres

ROOT = Path(__file__).resolve().parents[2]

HEADERS_SCRIPT = """
import json, django
from django.conf import settings
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
call_command("migrate", verbosity=0)
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    client = Client()
    plain = client.get("/", headers={"host": "incubateurs.example.gouv.fr"})
    home = client.get("/", secure=True, headers={"host": "incubateurs.example.gouv.fr"})
    cookies = {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]), "path": c["path"],
                      "domain": c["domain"]} for name, c in home.cookies.items()}
print(json.dumps({"plain": [plain.status_code, plain.headers.get("Location")], "status": home.status_code,
                  "headers": dict(home.headers), "cookies": cookies,
                  "session": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
                  "names": [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME]}))
"""


def production_env(**overrides):
    """The documented production environment (.env.example), on top of a clean environment."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "incubator.settings"
    env.update(overrides)
    return env


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_the_documented_production_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = production_env()
    del env[missing]

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert f"{missing} must be set in the environment when DEBUG is off." in result.stderr


def test_check_deploy_warns_about_console_email_in_production():
    env = production_env()
    del env["EMAIL_URL"]

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode != 0
    assert "incubator.W003" in result.stderr


def test_production_home_page_security_headers(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}", REDIS_URL="")

    result = run(["-c", HEADERS_SCRIPT], env)

    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout.strip().splitlines()[-1])
    headers = page["headers"]
    assert page["plain"] == [301, "https://incubateurs.example.gouv.fr/"]
    assert page["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]
    # "__Host-" cookies: Secure, Path=/, no Domain (the browser refuses them otherwise).
    assert page["names"] == ["__Host-sessionid", "__Host-csrftoken"]
    assert page["cookies"]["__Host-csrftoken"] == {"secure": True, "httponly": True, "path": "/", "domain": ""}
    assert page["session"] == [True, True]


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_postgresql_connections_run_without_the_jit_compiler():
    """Its compile time outweighs a web page's short queries (bench/README.md, the steering pages)."""
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
