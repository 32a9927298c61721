"""Every UI string is in the French catalogue; the English one exists."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from incubator.tests.services import require

ROOT = Path(__file__).resolve().parents[2]


def extract_catalogue(tmp_path, language):
    """Run makemessages on a copy of the code, so the repository's catalogues are left untouched
    (makemessages writes into every ``locale/`` folder above the files it reads)."""
    require(shutil.which("xgettext") is not None, "gettext is not installed (apt-get install gettext)")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "staticfiles", "test-artifacts", "media", "*.sqlite3", "__pycache__"
        ),
    )
    env = {**os.environ, "LOCALE_DIR": str(copy / "locale")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", language, "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))


def test_french_catalogue_translates_every_ui_string(tmp_path):
    catalogue = extract_catalogue(tmp_path, "fr")

    missing = [entry.msgid for entry in catalogue if not entry.translated()]

    assert len(catalogue) > 100
    assert missing == [], f"{len(missing)} strings without a French translation: {missing[:20]}"


def test_english_catalogue_is_present_and_compiled():
    catalogue = polib.pofile(str(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"))

    assert len(catalogue) > 100


@pytest.mark.django_db
def test_home_page_speaks_french_by_default_and_english_on_request(client):
    french = client.get("/")
    english = client.get("/", headers={"accept-language": "en"})

    assert "Portail des incubateurs" in french.text
    assert "Incubator portal" in english.text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_compiled_catalogue_matches_its_source(language):
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.pofile(str(folder / "django.po")).translated_entries()
    }
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr for entry in polib.mofile(str(folder / "django.mo")) if entry.msgid
    }

    assert compiled == source, "run `make messages` to compile the catalogue"
