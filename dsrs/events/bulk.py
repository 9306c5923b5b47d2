"""Bulk inserts of the hottest writes: the kernel's own rows (outbox, inbox) and bulk registrations.

On PostgreSQL they use COPY, about ten times cheaper per row than an INSERT built by the ORM (whose
parameters psycopg quotes in Python); elsewhere, bulk_create.
"""

import contextlib
import json
import re
from operator import attrgetter
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Model
from django.utils import timezone
from psycopg.adapt import Dumper
from psycopg.pq import Format

# Fields whose preparation for PostgreSQL hands back a value of these types unchanged: such a value
# is written as it is, which saves the layers of calls per value that dominate a large COPY.
_UNCHANGED_TYPES = {
    models.CharField: (str,), models.TextField: (str,), models.BooleanField: (bool,), models.UUIDField: (uuid.UUID,),
    models.DecimalField: (Decimal,), models.DateField: (date,), models.DateTimeField: (datetime,),
    **{integer: (int,) for integer in (models.IntegerField, models.SmallIntegerField, models.BigIntegerField,
                                       models.PositiveIntegerField, models.PositiveSmallIntegerField,
                                       models.PositiveBigIntegerField, models.AutoField, models.BigAutoField)},
}
# pre_save of these reads the attribute, unless the field sets itself (auto_now, auto_now_add).
_PLAIN_PRE_SAVE = (models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save)


class UuidText(Dumper):
    """A UUID, or its text, in COPY's binary format (16 bytes)."""

    format = Format.BINARY
    oid = 2950

    def dump(self, obj):
        if not isinstance(obj, str):
            return obj.bytes
        try:
            raw = bytes.fromhex(obj.replace("-", ""))
        except ValueError:
            raw = b""
        return raw if len(raw) == 16 else uuid.UUID(obj).bytes  # braces, a urn: the long way


class JsonbText(Dumper):
    """JSON text already made, in jsonb's binary format (version 1, then the text): no second encoding."""

    format = Format.BINARY
    oid = 3802

    def dump(self, obj):
        return b"\x01" + obj.encode()


@contextlib.contextmanager
def binary_copy(cursor, sql: str, types):
    """A binary `COPY ... FROM STDIN` on a psycopg cursor, its columns of the PostgreSQL `types`;
    uuid columns take UUIDs or their text, jsonb columns JSON text."""
    cursor.adapters.register_dumper(None, UuidText)  # this cursor only, by type: COPY's columns
    cursor.adapters.register_dumper(None, JsonbText)
    with cursor.copy(f"{sql} (FORMAT BINARY)") as copy:
        copy.set_types(list(types))
        yield copy


class JSONText(str):
    """A JSON column's value already serialised (by a caller that makes the same JSON for many rows from
    parts made once): `insert_rows` writes it as it is, instead of serialising the value again."""


def _decoded(value):
    return json.loads(value) if type(value) is JSONText else value


def insert_rows(model: type[Model], columns: tuple[str, ...], rows: list[tuple], *, binary: bool = False) -> None:
    """Insert `rows`, tuples of values for the model's `columns` (field names), in that order. A JSON
    column's value may be a `JSONText`.

    `binary` sends COPY's binary format (several times cheaper for both ends than text): then each
    value must be of its column's Python type (str, int, bool, Decimal, date, aware datetime, UUID or
    its text, JSON-able for a JSONField), as the caller's rows are when it builds them itself."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**{name: _decoded(value) for name, value in zip(columns, row)})
                                   for row in rows], batch_size=1000)
        return
    fields = [model._meta.get_field(name) for name in columns]
    json_columns = [i for i, field in enumerate(fields) if field.get_internal_type() == "JSONField"]
    sql = f'COPY {model._meta.db_table} ({", ".join(f.column for f in fields)}) FROM STDIN'
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if binary:
            types = [re.sub(r"\(.*\)", "", field.db_type(connection)).strip() for field in fields]
            copying = binary_copy(cursor.cursor, sql, types)
        else:
            copying = cursor.cursor.copy(sql)
        with copying as copy:
            for row in rows:
                if json_columns:
                    row = list(row)
                    for i in json_columns:
                        if type(row[i]) is not JSONText:
                            row[i] = json.dumps(row[i], separators=(",", ":"))
                copy.write_row(row)


@dataclass(frozen=True)
class History:
    """The django-simple-history rows to write with inserted objects: one each, as its signals would."""

    model: type[Model]  # the historical model, `Model.history.model`
    when: datetime
    user: Model | None
    reason: str
    kind: str = "+"

    def instance(self, obj: Model) -> Model:
        return self.model(history_date=self.when, history_user=self.user, history_change_reason=self.reason,
                          history_type=self.kind,
                          **{f.attname: getattr(obj, f.attname) for f in self.model.tracked_fields})

    COLUMNS = ("history_date", "history_user", "history_change_reason", "history_type")

    def constants(self) -> tuple:
        return self.when, self.user.pk if self.user is not None else None, self.reason, self.kind


def insert_objects(objects: list[Model], *, history: History | None = None) -> None:
    """Insert unsaved instances of one model as `bulk_create` would (defaults, auto timestamps,
    encrypted fields), by COPY on PostgreSQL, with their history rows if `history` is given. No
    signals are sent, as with `bulk_create`. A history row reuses its object's prepared values: an
    encrypted number is encrypted once for both."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=1000)
        if history is not None:
            history.model.objects.bulk_create([history.instance(obj) for obj in objects], batch_size=1000)
        return
    fields = [field for field in model._meta.concrete_fields
              if not (field.primary_key and getattr(objects[0], field.attname) is None)]  # a serial key fills itself
    moment = timezone.now()  # one time for the whole batch's auto_now fields, as one statement would
    make = _row_maker(fields, connections[DEFAULT_DB_ALIAS], moment)
    rows = [make(obj) for obj in objects]
    insert_rows(model, tuple(field.name for field in fields), rows)
    if history is not None:
        position = {field.attname: i for i, field in enumerate(fields)}
        tracked = history.model.tracked_fields
        picks, constants = [position[field.attname] for field in tracked], history.constants()
        insert_rows(history.model, (*(field.name for field in tracked), *History.COLUMNS),
                    [(*(row[i] for i in picks), *constants) for row in rows])


def insert_history(objects: list[Model], history: History) -> None:
    """The history rows of objects already saved (e.g. updated by `update_objects`), one each, as
    simple-history's `bulk_history_create` writes them; by COPY on PostgreSQL."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        history.model.objects.bulk_create([history.instance(obj) for obj in objects], batch_size=1000)
        return
    tracked = history.model.tracked_fields
    make, constants = _row_maker(tracked, connections[DEFAULT_DB_ALIAS], timezone.now()), history.constants()
    insert_rows(history.model, (*(field.name for field in tracked), *History.COLUMNS),
                [(*make(obj), *constants) for obj in objects])


@dataclass(frozen=True)
class _Plain:
    """A column whose value is written as the attribute holds it, if it is of one of `types`."""

    attname: str
    types: tuple
    aware: bool  # a datetime must carry its time zone to be written as it is
    prepared: object  # obj -> value, the long way, for a value of another type


def _column_value(field, database, moment: datetime):
    """How to get the value COPY writes for `field` from an object: what bulk_create would send."""
    if field.get_internal_type() == "JSONField":
        return lambda obj: field.pre_save(obj, True)
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        attname = field.attname

        def stamped(obj):
            setattr(obj, attname, moment)
            return moment

        return stamped

    def prepared(obj):
        return field.get_db_prep_save(field.pre_save(obj, True), database)

    own = field.target_field if isinstance(field, models.ForeignKey) else field
    unchanged = _UNCHANGED_TYPES.get(type(own))
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if unchanged is None or automatic or type(field).pre_save not in _PLAIN_PRE_SAVE:
        return prepared
    return _Plain(field.attname, unchanged, isinstance(field, models.DateTimeField), prepared)


def _row_maker(fields, database, moment: datetime):
    """obj -> the tuple COPY writes. Plain columns are read in one attrgetter call and checked in one
    loop: a function call per value was the largest cost of a bulk registration's COPY."""
    columns = [_column_value(field, database, moment) for field in fields]
    plain = [(i, column) for i, column in enumerate(columns) if isinstance(column, _Plain)]
    special = [(i, column) for i, column in enumerate(columns) if not isinstance(column, _Plain)]
    read = attrgetter(*(column.attname for _, column in plain), "pk")  # "pk" keeps the answer a tuple
    width = len(columns)

    def make(obj) -> tuple:
        row = [None] * width
        for (i, column), value in zip(plain, read(obj)):
            if value is not None and (type(value) not in column.types or (column.aware and value.tzinfo is None)):
                value = column.prepared(obj)  # an unusual type: converted as Django would
            row[i] = value
        for i, value_of in special:
            row[i] = value_of(obj)
        return tuple(row)

    return make


def update_objects(objects: list[Model], fields: list[str] | tuple[str, ...]) -> None:
    """`bulk_update(objects, fields)` in one statement on PostgreSQL: UPDATE ... FROM unnest(one array per
    column). Django's bulk_update builds a CASE WHEN per field and row, whose expressions cost it
    milliseconds per row to resolve before PostgreSQL sees the query. The values are the attributes, as
    bulk_update takes them (no pre_save). Elsewhere, bulk_update itself."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objects, fields)
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    arrays = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objects] for field in columns]
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(f"{quote(field.column)} = given.{quote(field.column)}" for field in columns[1:])
    unnest = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    pk = quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(meta.db_table)} AS target SET {assignments} "
                       f"FROM unnest({unnest}) AS given({names}) WHERE target.{pk} = given.{pk}", arrays)


def pg_array(values, *, text: bool = False) -> str:
    """A PostgreSQL array literal of `values`, to pass as one parameter cast to its type (`%s::uuid[]`):
    psycopg then quotes one string instead of each of ten thousand values. `text`: each element
    quoted and escaped (any string); otherwise the values' str() must need no quoting (numbers, uuids)."""
    if not text:
        return "{" + ",".join(map(str, values)) + "}"
    quoted: dict = {}
    parts = []
    for value in values:
        part = quoted.get(value)
        if part is None:
            part = quoted[value] = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(part)
    return "{" + ",".join(parts) + "}"
