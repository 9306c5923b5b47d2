"""gunicorn's own settings (it reads ./gunicorn.conf.py from its working directory, /app in the image).

Only its logging: the master's and workers' own lines (start, workers booted, a worker timed out) in the
same format as DSRS's (LOG_FORMAT: json in production), each with its `correlation_id` field ("-": no
request). Its access log stays off: DSRS logs every request itself, once, with its id (dsrs.request).
"""

import logging
import os

from gunicorn.glogging import Logger

from dsrs.observability import LOG_FORMATTERS

_production = os.environ.get("DSRS_PROFILE") == "production"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "dsrs.observability.CorrelationIdFilter"}},
    "formatters": LOG_FORMATTERS,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "filters": ["correlation"],
                             "formatter": os.environ.get("LOG_FORMAT", "json" if _production else "plain")}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
                "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False}},
    "root": {"handlers": ["console"], "level": "INFO"},
}


class QuietAccessLogger(Logger):
    """gunicorn's logger, whose access log is off when the `gunicorn.access` logger writes nothing at INFO
    (as logconfig_dict below has it). gunicorn counts any logconfig_dict as an access log and built each
    request's access-log atoms (headers, times, the request line) only for the logger to drop them:
    about 2% of a household detail's CPU (issue 12)."""

    def setup(self, cfg):
        super().setup(cfg)
        self._access_log_enabled = self._access_log_enabled and self.access_log.isEnabledFor(logging.INFO)


logger_class = QuietAccessLogger


def post_worker_init(worker):
    """Once a worker has loaded DSRS: import its URLconf (every view and serializer) now rather than in the
    first request, then move everything loaded so far into the garbage collector's permanent generation
    (gc.freeze). Those objects are never garbage, and the collector no longer walks them on every full
    collection: a page of 50 households allocates enough to trigger several (issue 12: about a quarter
    of a page's CPU in one process)."""
    from django.urls import get_resolver

    from dsrs.startup import freeze_loaded_objects

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    freeze_loaded_objects()
