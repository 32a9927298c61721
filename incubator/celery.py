"""The Celery application: `celery -A incubator worker` and `celery -A incubator beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")

app = Celery("incubator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
