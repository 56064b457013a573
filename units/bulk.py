"""Writing many rows at once (imports). On PostgreSQL one INSERT … SELECT FROM unnest(arrays)
per batch: the values go to the server as one array per column, so the cost per row is a few
attribute reads instead of Django compiling a placeholder for every value (bulk_create spends
most of an import's write time there). Elsewhere (SQLite in development) bulk_create.

Only for models whose fields hold plain values (numbers, text, dates, times, foreign-key ids,
UUIDs): nothing is converted on the way, so the objects must already hold what is stored —
which is what a full_clean'ed instance holds."""

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
