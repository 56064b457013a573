"""Writing many rows at once (imports). On PostgreSQL one INSERT … SELECT FROM unnest(arrays)
per batch: the values go to the server as one array per column, so the cost per row is a few
attribute reads instead of Django compiling a placeholder for every value (bulk_create spends
most of an import's write time there). Elsewhere (SQLite in development) bulk_create.
`copy_rows` goes further for rows given as plain tuples: PostgreSQL's COPY, no statement per
batch to plan at all.

Only for models whose fields hold plain values (numbers, text, dates, times, foreign-key ids,
UUIDs): nothing is converted on the way, so the objects must already hold what is stored —
which is what a full_clean'ed instance holds."""

import datetime
import decimal
import io
import uuid

from django.db import connection, models
from django.utils import timezone


def insert_many(objects: list[models.Model]) -> list[models.Model]:
    """Insert the unsaved objects and set their primary keys."""
    if not objects:
        return objects
    model = type(objects[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objects)
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    ids = insert_columns(model, [field.name for field in fields],
                         [[getattr(obj, field.attname) for obj in objects] for field in fields])
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def insert_columns(model, field_names: list[str], columns: list[list]) -> list:
    """Insert rows given column by column (one list of values per field, stored values as they
    are); returns the new primary keys in order. PostgreSQL only."""
    if not columns or not columns[0]:
        return []
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    # Names from the model, values as parameters.
    sql = (f"INSERT INTO {quote(meta.db_table)} ({names}) "  # noqa: S608
           f"SELECT {names} FROM unnest({arrays}) WITH ORDINALITY AS rows ({names}, position) ORDER BY position "
           f"RETURNING {quote(meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        return [row[0] for row in cursor.fetchall()]


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, int | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # datetimes too: ISO 8601 with the offset
        return value.isoformat()
    raise TypeError(f"no COPY text for {type(value).__name__}")


def copy_rows(model, field_names: list[str], rows: list[tuple], *, returning: bool = True) -> list[int]:
    """Insert rows given as tuples of stored values (in `field_names`' order; a foreign key as
    its id) with COPY. With `returning`, the new primary keys in the rows' order: they are drawn
    from the table's sequence first (one query), so rows that point at these can follow.
    PostgreSQL only."""
    if not rows:
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in field_names]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, len(rows)])
            ids = sorted(row[0] for row in cursor.fetchall())
            columns.insert(0, meta.pk.column)
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        text = _copy_stream(rows, [meta.get_field(name) for name in ([meta.pk.name] if returning else [])
                                   + field_names])
        # Names from the model, values in the COPY stream.
        sql = f"COPY {quote(meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, io.StringIO(text))
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(text)
    return ids


def _copy_stream(rows: list[tuple], fields: list) -> str:
    """The rows as COPY text. A column's values repeat (dates, codes, ids): each distinct value is
    converted once — except unique keys, and decimals and floats, whose equal values may be written
    differently."""
    memos = [None if field.primary_key or isinstance(field, models.DecimalField | models.FloatField) else {}
             for field in fields]
    lines = []
    for row in rows:
        cells = []
        for memo, value in zip(memos, row, strict=True):
            if memo is None:
                cells.append(_copy_text(value))
                continue
            text = memo.get(value)
            if text is None:
                text = memo[value] = _copy_text(value)
            cells.append(text)
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"
