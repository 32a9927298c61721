"""The portal's settings for the page benchmark (``bench/pages.py``): the project's own, read from
the environment as in production, plus a bare view (``bench.urls``) and the collected static
files outside the repository."""

import tempfile
from pathlib import Path

from incubator.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = Path(tempfile.gettempdir()) / "incubator-bench-static"
