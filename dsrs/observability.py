"""Correlation ids that follow a request or an event through logs and the events it causes."""

import contextvars
import logging
import re
import uuid

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("dsrs_correlation_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
CORRELATION_HEADER = "X-Correlation-ID"


def get_correlation_id() -> str | None:
    return _correlation_id.get()


def bind_correlation_id(value: str | None) -> contextvars.Token:
    return _correlation_id.set(value)


def reset_correlation_id(token: contextvars.Token) -> None:
    _correlation_id.reset(token)


class CorrelationIdMiddleware:
    """Takes the caller's correlation id when it is well formed, makes one otherwise, and echoes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(CORRELATION_HEADER, "")
        correlation_id = offered if _VALID_ID.match(offered) else str(uuid.uuid4())
        token = bind_correlation_id(correlation_id)
        try:
            response = self.get_response(request)
        finally:
            reset_correlation_id(token)
        response[CORRELATION_HEADER] = correlation_id
        return response


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = get_correlation_id() or "-"
        return True
