import os

from celery import Celery
from dsrs.observability import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsrs.settings")

configure_tracing()
app = Celery("dsrs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
import dsrs.celery_probes  # noqa: E402,F401  (the worker's and beat's probes, by Celery's signals)


@app.task(name="dsrs.celery.prune_broker", ignore_result=True)
def prune_broker() -> int:
    """Delete the messages kombu's SQLAlchemy transport (the embedded broker) has handed out.

    It keeps each one, marked invisible, forever; an unacknowledged one lives on in its worker's
    memory and goes back as a new row if that worker stops, so none is lost. Nothing to do elsewhere.
    """
    url = app.conf.broker_url or ""
    if not url.startswith(("sqla+", "sqlalchemy+")):
        return 0
    from sqlalchemy import create_engine, text

    engine = create_engine(url.split("+", 1)[1], **app.conf.broker_transport_options)
    try:
        with engine.begin() as connection:
            return connection.execute(text("DELETE FROM kombu_message WHERE visible = 0")).rowcount
    finally:
        engine.dispose()
