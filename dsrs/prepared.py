"""The API's hottest queries compiled once per connection and run as prepared statements (issue 12).

Every request of the API reads its caller (the token's user with partner client and staff profile) and
a detail request reads the household with its members. The ORM compiled each of these queries again
for every request: building the SQL cost more CPU than PostgreSQL spent answering it. A `Prepared`
query is a queryset of a fixed shape, compiled by the ORM once per database connection (and thread:
Django's connections are per thread); each call sends the same SQL with new parameter values, with
psycopg 3's `prepare=True` (a server-side prepared statement of that connection: PostgreSQL parses
and plans it once). The rows become model instances exactly as the ORM's own iterator makes them
(the compiler's converters, `from_db`, the select_related populators), so the answers do not change.

Only on PostgreSQL (psycopg 3) and while `DATABASE_PREPARED_STATEMENTS` is on; otherwise, and on
every other database, the same queryset runs through the ORM as before. Behind a pgbouncer in
transaction mode, prepared statements need pgbouncer 1.21+ with `max_prepared_statements` set (it
then maps them onto its server connections); with an older pgbouncer set
`DATABASE_PREPARED_STATEMENTS=false`: the SQL is still compiled once, only sent unprepared.
Queries run here are logged in `connection.queries` like the ORM's (tests count them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import psycopg
from django.conf import settings
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.db.models import QuerySet, signals
from django.db.models import sql as orm_sql
from django.db.models.query import get_related_populators
from django.dispatch import receiver
from psycopg.adapt import Loader
from psycopg.pq import Format

NEVER = 2**62  # psycopg's prepare_threshold that no query reaches


class Prepared:
    """A query of a fixed shape: `build(*placeholders)` returns the queryset; `run(*values)` its instances.

    `params` names, for each argument, how its value becomes a query parameter (a function of the value;
    it must do what the ORM's lookup would do to it: the field's get_prep_value and get_db_prep_value).
    """

    def __init__(self, name: str, build: Callable[..., QuerySet], placeholders: Sequence, params: Sequence[Callable]):
        self.name, self.build, self.placeholders, self.params = name, build, tuple(placeholders), tuple(params)

    def run(self, *values, using: str = "default") -> list:
        connection = connections[using]
        if not enabled(connection):
            return list(self.build(*values).using(using))
        compiled = _compiled(connection).get(self.name)
        if compiled is None:
            compiled = _compiled(connection)[self.name] = _Compiled(self.build(*self.placeholders).using(using),
                                                                     self.placeholders, connection)
        return compiled.run(connection, [param(value) for param, value in zip(self.params, values)])


def enabled(connection) -> bool:
    """Whether queries of fixed shapes are compiled once on this connection (else: the ORM as usual)."""
    return connection.vendor == "postgresql" and settings.DATABASE_COMPILED_QUERIES


def _compiled(connection) -> dict:
    """The shapes compiled on this connection (DatabaseWrapper: one per thread)."""
    cache = getattr(connection, "_dsrs_prepared", None)
    if cache is None:
        cache = connection._dsrs_prepared = {}
    return cache


class _Compiled:
    def __init__(self, queryset: QuerySet, placeholders: tuple, connection):
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        # Where each placeholder went among the parameters; every other parameter is a constant of the shape.
        self.slots = []
        for position, param in enumerate(params):
            matches = [i for i, placeholder in enumerate(placeholders) if _same(param, placeholder)]
            if len(matches) > 1:
                raise ValueError(f"ambiguous placeholder in {sql}")
            if matches:
                self.slots.append((position, matches[0]))
        if sorted(i for _, i in self.slots) != list(range(len(placeholders))):
            raise ValueError(f"each placeholder must be used exactly once: {sql} {params}")
        self.sql, self.constants, self.compiler, self.db = sql, list(params), compiler, queryset.db
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.start, self.end = start, end
        self.init_list = [f[0].target.attname for f in select[start:end]]
        self.related_populators = get_related_populators(klass_info, select, self.db)
        self.annotation_col_map = compiler.annotation_col_map
        if queryset._known_related_objects or queryset._prefetch_related_lookups or queryset.query.combinator:
            raise ValueError("a prepared query has no known related objects, prefetches or combinators")

    def run(self, connection, values: list) -> list:
        params = list(self.constants)
        for position, index in self.slots:
            params[position] = values[index]
        rows = execute(connection, self.sql, params, fetch=psycopg.Cursor.fetchall)
        objects = []
        for row in self.compiler.results_iter([rows]):
            obj = self.model.from_db(self.db, self.init_list, row[self.start:self.end])
            for populator in self.related_populators:
                populator.populate(row, obj)
            for attr_name, col_pos in (self.annotation_col_map or {}).items():
                setattr(obj, attr_name, row[col_pos])
            objects.append(obj)
        return objects


def execute(connection, sql: str, params: list, *, fetch: Callable):
    """Run `sql` on Django's `connection` (its transaction, its error wrapping) through a server-binding
    psycopg cursor, prepared while DATABASE_PREPARED_STATEMENTS is on, logged in `connection.queries`
    as Django logs its queries; return `fetch(cursor)`."""
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    prepare = bool(settings.DATABASE_PREPARED_STATEMENTS)
    pg_connection = connection.connection
    if prepare and pg_connection.prepare_threshold is None:
        # Django opens its connections with prepare_threshold None, under which psycopg prepares
        # nothing, not even with prepare=True. A threshold no query reaches lets prepare=True prepare
        # these queries and still no other (Django's own queries are never prepared).
        pg_connection.prepare_threshold = NEVER
    started = time.monotonic()
    with connection.wrap_database_errors:
        # Server-side binding: Django's cursors bind on the client (psycopg's ClientCursor quotes every
        # value in Python), and such a query cannot be prepared.
        with psycopg.Cursor(pg_connection) as cursor:
            cursor.execute(sql, params, prepare=prepare)
            result = fetch(cursor)
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- prepared, params {params!r}",
                                       "time": f"{time.monotonic() - started:.3f}"})
    return result


def _same(param, placeholder) -> bool:
    return type(param) is type(placeholder) and param == placeholder if not isinstance(placeholder, list) else (
        isinstance(param, list) and param == placeholder)


def insert(obj, *, using: str = "default"):
    """Save a new `obj` (INSERT ... RETURNING its id) with the INSERT's SQL built once per connection:
    what `Model.objects.create` sends, the values prepared by the fields as it prepares them (pre_save:
    auto_now_add; get_db_prep_save), sent as the compiled queries are (`execute`: bound and prepared
    on the server). A model with parents or save signals, or another database, is saved
    by the ORM."""
    connection = connections[using]
    model = type(obj)
    meta = model._meta
    if (not enabled(connection) or obj.pk is not None or meta.parents or signals.pre_save.has_listeners(model)
            or signals.post_save.has_listeners(model)):
        obj.save(force_insert=True, using=using)
        return obj
    key = ("insert", meta.label)
    compiled = _compiled(connection).get(key)
    if compiled is None:
        fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        query = orm_sql.InsertQuery(model)
        query.insert_values(fields, [model()])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = meta.db_returning_fields
        (statement, _), = compiler.as_sql()
        converters = compiler.get_converters([f.get_col(meta.db_table) for f in meta.db_returning_fields])
        compiled = _compiled(connection)[key] = (statement, fields, compiler, converters)
    statement, fields, compiler, converters = compiled
    params = [compiler.prepare_value(field, compiler.pre_save_val(field, obj)) for field in fields]
    with transaction.mark_for_rollback_on_error(using):
        rows = [execute(connection, statement, params, fetch=psycopg.Cursor.fetchone)]
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    for value, field in zip(rows[0], meta.db_returning_fields):
        setattr(obj, field.attname, value)
    obj._state.adding, obj._state.db = False, using
    return obj


# --- timestamptz read by psycopg's C loader -------------------------------------------------------
# Django registers its own loader of timestamptz on every psycopg 3 connection (psycopg_any.BaseTzLoader:
# the value in the connection's time zone, its tzinfo replaced by Django's `connection.timezone`). It
# subclasses psycopg's pure-Python TimestamptzLoader, so every datetime read (three or more per row of a
# household or member) was parsed in Python: about a tenth of a page of 50's CPU. The loader below does
# the same replace on the result of the loader psycopg itself would use (its C one with psycopg-binary
# or psycopg-c), the same datetime (tests/api/test_lean_request.py compares them), about three times
# faster. A connection opened before this module is imported keeps Django's loader (slower, the same values).
_TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
_FAST_TIMESTAMPTZ = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


class FastTzLoader(Loader):
    timezone = None  # as Django's BaseTzLoader: set by the subclass registered on a connection

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._load = _FAST_TIMESTAMPTZ(oid, context).load

    def load(self, data):
        return self._load(data).replace(tzinfo=self.timezone)


@receiver(connection_created, dispatch_uid="dsrs.prepared.fast_timestamptz")
def _fast_timestamptz(sender, connection, **kwargs):
    """On a new psycopg 3 connection whose timestamptz loader is Django's, register FastTzLoader with
    its time zone (Django's create_cursor compares `timezone` and registers its own if they differ)."""
    if connection.vendor != "postgresql" or not hasattr(connection.connection, "adapters"):
        return
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    adapters = connection.connection.adapters
    django_loader = adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)
    if django_loader is None or not issubclass(django_loader, BaseTzLoader) or _FAST_TIMESTAMPTZ is django_loader:
        return
    adapters.register_loader("timestamptz", type("DjangoFastTzLoader", (FastTzLoader,),
                                                 {"timezone": django_loader.timezone}))
