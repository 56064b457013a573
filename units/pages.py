"""Pages of a list — the one way every list in the product is cut into pages.

A page costs the same whatever the list's length: one query for its rows (size + 1, to know
whether there is a next page), one COUNT, and whatever the rows' own select/prefetch add. The
page after (or before) a row is found by its sort key — keyset, "rows after (date, start, id)" —
never by OFFSET, which reads and throws away every row before the page.

Links: `?page=N&after=<cursor>` (or `before=`) — the cursor names the last (first) row shown,
signed so it cannot be forged into another query; `page` is only the number shown. A bare
`?page=N` (a link from before the cursors) is still served by OFFSET for the first
BARE_PAGE_LIMIT pages; deeper bare numbers answer 404.
"""

import datetime
import decimal
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.http import Http404, QueryDict

PAGE_SIZE = 50
BARE_PAGE_LIMIT = 10
_SALT = "units.pages"
# Parameters that belong to the page, not to the list's filter.
PAGE_PARAMETERS = ("page", "after", "before", "export")


@dataclass(frozen=True)
class Key:
    """One column of a list's order. `nullable` keys sort their NULLs explicitly (last, or first),
    so PostgreSQL and SQLite order alike and the keyset condition knows where they are."""

    field: str
    descending: bool = False
    nullable: bool = False
    nulls_last: bool = True

    def ordering(self):
        expression = F(self.field)
        if not self.nullable:
            return expression.desc() if self.descending else expression.asc()
        nulls = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return expression.desc(**nulls) if self.descending else expression.asc(**nulls)

    def reversed(self) -> "Key":
        return Key(self.field, not self.descending, self.nullable, not self.nulls_last)

    def beyond(self, value) -> Q:
        """Rows that sort strictly after `value` in this key's order."""
        if value is None:
            # NULLs last: nothing is beyond them; NULLs first: every value is.
            return Q(pk__in=[]) if self.nulls_last else Q(**{f"{self.field}__isnull": False})
        beyond = Q(**{f"{self.field}__{'lt' if self.descending else 'gt'}": value})
        if self.nullable and self.nulls_last:
            beyond |= Q(**{f"{self.field}__isnull": True})
        return beyond

    def at(self, value) -> Q:
        return Q(**{f"{self.field}__isnull": True}) if value is None else Q(**{self.field: value})


def ordered(rows: QuerySet, keys: tuple[Key, ...]) -> QuerySet:
    """The list in its page order (the export reads it in the same order)."""
    return rows.order_by(*(key.ordering() for key in keys))


def after(keys: tuple[Key, ...], values: list) -> Q:
    """Rows after the row whose key values are `values`: (k1 beyond) or (k1 at and k2 beyond) …"""
    condition, same = Q(pk__in=[]), Q()
    for key, value in zip(keys, values, strict=True):
        condition |= same & key.beyond(value)
        same &= key.at(value)
    first, value = keys[0], values[0]
    if not first.nullable and value is not None:
        # The same condition, with a plain range on the first key an index can start from.
        condition &= Q(**{f"{first.field}__{'lte' if first.descending else 'gte'}": value})
    return condition


def walk(rows: QuerySet, keys: tuple[Key, ...], *, size: int = 2_000):
    """Every row of `rows` in `keys` order, read `size` at a time by keyset (one query and its
    prefetches per chunk): memory stays flat and no server-side cursor is held."""
    listed, values = ordered(rows, keys), None
    while True:
        chunk = list((listed if values is None else listed.filter(after(keys, values)))[:size])
        yield from chunk
        if len(chunk) < size:
            return
        values = [_value(chunk[-1], key.field) for key in keys]


def _value(row, field: str):
    for part in field.split("__"):
        row = getattr(row, part)
    return row


def _cursor(row, keys) -> str:
    values = []
    for key in keys:
        value = _value(row, key.field)
        if isinstance(value, datetime.date | datetime.time):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal):
            value = str(value)
        values.append(value)
    return signing.dumps(values, salt=_SALT, compress=False)


def _read_cursor(text: str, keys) -> list | None:
    try:
        values = signing.loads(text, salt=_SALT)
    except signing.BadSignature:
        return None
    return values if isinstance(values, list) and len(values) == len(keys) else None


@dataclass
class Page:
    """What a template needs, with the names of Django's Paginator page (object_list, number,
    has_next, paginator.count …), so a list reads the same either way."""

    object_list: list
    number: int
    count: int
    size: int
    next_query: str | None
    previous_query: str | None

    @property
    def paginator(self) -> "Page":
        return self

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    def has_next(self) -> bool:
        return self.next_query is not None

    def has_previous(self) -> bool:
        return self.previous_query is not None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def _number(raw) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def page(request, rows: QuerySet, *, keys: tuple[Key, ...], size: int = PAGE_SIZE,
         count: QuerySet | None = None) -> Page:
    """The page of `rows` (in `keys` order, the last key unique) the request asks for.
    `count`: a plainer queryset of the same rows to count (without the rows' annotations)."""
    params = request.GET
    number = _number(params.get("page"))
    cursor, backwards = (params.get("after"), False) if params.get("after") else (params.get("before"), True)
    values = _read_cursor(cursor, keys) if cursor else None
    listed = ordered(rows, keys)
    found = None
    if values is not None and number > 1:
        try:
            if backwards:
                found = list(ordered(rows.filter(after(tuple(k.reversed() for k in keys), values)),
                                     tuple(k.reversed() for k in keys))[:size])[::-1]
                more = True
            else:
                found = list(listed.filter(after(keys, values))[:size + 1])
                more = len(found) > size
        except (ValidationError, ValueError, TypeError):
            found = None
    if found is None:
        if number > BARE_PAGE_LIMIT:
            raise Http404("a page that deep is reached by its links")
        start = (number - 1) * size
        found = list(listed[start:start + size + 1])
        more = len(found) > size
        if not found and number > 1:
            raise Http404("no such page")
    shown = found[:size]
    base = params.copy()
    for name in PAGE_PARAMETERS:
        base.pop(name, None)
    return Page(
        object_list=shown, number=number, count=(count if count is not None else rows).count(), size=size,
        next_query=_link(base, number + 1, "after", _cursor(shown[-1], keys)) if more and shown else None,
        previous_query=(_link(base, number - 1, "before", _cursor(shown[0], keys)) if number > 2 else base.urlencode())
        if number > 1 and shown else None,
    )


def _link(base: QueryDict, number: int, direction: str, cursor: str) -> str:
    query = base.copy()
    query["page"] = str(number)
    query[direction] = cursor
    return query.urlencode()
