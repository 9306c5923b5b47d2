import os

from celery import Celery
from dsrs.observability import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsrs.settings")

configure_tracing()
app = Celery("dsrs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
