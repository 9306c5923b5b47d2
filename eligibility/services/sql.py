"""PostgreSQL helpers of eligibility's bulk writes."""

import contextlib

import psycopg
from django.db import connection


@contextlib.contextmanager
def server_binding_cursor():
    """A psycopg cursor on Django's connection that sends parameters apart from the query.

    Django's cursors bind on the client, quoting every element of an array parameter in Python (most of
    the cost of a bulk upsert over unnest arrays); with server-side binding psycopg's C dumpers write
    them. Same connection, so the same transaction; errors wrapped as Django's."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor
