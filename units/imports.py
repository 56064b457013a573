"""All-or-nothing imports: one reading layer for `import_csv` and the import page.

A file is read once, as a stream, with bounded memory: CSV (semicolon, comma or tab, detected
from the header line; UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252; LF or
CRLF) or XLSX (openpyxl in read-only mode, the first sheet; dates and times as real cells).
Header names are matched case- and whitespace-insensitively against each column's documented
name and its English, Swedish and Danish labels. What makes the whole file unreadable — empty,
binary, over the size limit, a header that is unknown, duplicated or too wide, no rows — is a
`FileRefused`; a bad row is collected with its line and column, and the first
`MAX_LISTED_ERRORS` are kept together with the count of the rest.

Line numbers are the file's own: the header is line 1, a cell holding a line break makes its
row span two lines and the next row starts on the line after; in an XLSX file they are the
sheet's row numbers.

Each kind (applications, sessions) supplies an importer: its columns, a `check` of one row
with the same rules as the form, and a bulk `write` of checked rows. `import_file` checks every
row and, when asked to write, writes them in batches inside one transaction that is rolled
back as soon as the file turns out to hold a bad row.
"""

import codecs
import contextlib
import csv
import datetime
import importlib
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# kind → "module.Class"; each importer class is built with (*, unit, acting_user, **options) and has
# `columns`, `check(line, row, errors)` and `write(items)` (and optionally `finish()`).
IMPORTERS = {
    "applications": "intake.imports.ApplicationImporter",
    "sessions": "sessions.imports.SessionImporter",
    "budget": "reporting.budget.BudgetOutcomeImporter",
}

MAX_LISTED_ERRORS = 100
MAX_COLUMNS = 50               # the widest import has 13 columns
MAX_CELL_CHARS = 1_000         # the longest stored text is 100 characters
MAX_LINE_CHARS = 64 * 1024     # one physical line of a CSV file
XLSX_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # a zip bomb is refused before it is unpacked
PREVIEW_ROWS = 10
WRITE_BATCH = 2_000
_CHUNK = 256 * 1024
_LANGUAGES = ("en", "sv", "da")


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 50 * 1024 * 1024)


# --- errors --------------------------------------------------------------------------------

class RowError(tuple):
    """(line, message); `column` is the column's documented name ("" for the whole row)."""

    def __new__(cls, line: int, message: str, column: str = ""):
        error = super().__new__(cls, (line, message))
        error.column = column
        return error

    @property
    def line(self) -> int:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]


@dataclass
class RowErrors(Exception):
    errors: list = field(default_factory=list)
    more: int = 0

    def __str__(self):
        lines = [_("line %(line)s: %(message)s") % {"line": line, "message": message} for line, message in self.errors]
        if self.more:
            lines.append(ngettext("… and %(count)s more error.", "… and %(count)s more errors.", self.more)
                         % {"count": number_format(self.more, force_grouping=True)})
        return "\n".join(lines)


class FileRefused(RowErrors):
    """The file as a whole cannot be read; nothing of it is checked further."""

    def __init__(self, message: str, line: int = 1):
        super().__init__([RowError(line, message)])
        self.message = message


class ErrorList:
    """Every row error counted; the first MAX_LISTED_ERRORS kept."""

    def __init__(self):
        self.listed: list[RowError] = []
        self.count = 0

    def add(self, line: int, column: str, message: str, *, prefix: bool = True) -> None:
        """`prefix`: the message starts with the column's name (`minutes: …`)."""
        self.count += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append(RowError(line, f"{column}: {message}" if column and prefix else message, column))

    def __bool__(self):
        return self.count > 0

    @property
    def more(self) -> int:
        return self.count - len(self.listed)

    def exception(self) -> RowErrors:
        return RowErrors(self.listed, self.more)


# --- columns -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """`key` is the documented name (`case_code`); `labels` are English source strings whose
    translations a header may also use (the export's and the template's headers)."""

    key: str
    labels: tuple = ()
    required: bool = True


def normalise_header(text) -> str:
    return " ".join(str(text or "").replace("_", " ").split()).casefold()


def header_names(columns: list[Column]) -> dict[str, str]:
    """Normalised header → column key, from the key and every label in every language."""
    names: dict[str, str] = {}
    for column in columns:
        names[normalise_header(column.key)] = column.key
        for label in column.labels:
            for language in _LANGUAGES:
                with translation.override(language):
                    names.setdefault(normalise_header(_(label)), column.key)
    return names


def choice_values(choices) -> dict[str, str]:
    """Normalised stored value or label (in English, Swedish or Danish) → stored value, so that
    `couple`, `Couple` and `Par` all mean couple."""
    values: dict[str, str] = {}
    for value, label in choices.choices:
        values[normalise_header(value)] = value
        for language in _LANGUAGES:
            with translation.override(language):
                values.setdefault(normalise_header(str(label)), value)
    return values


# --- cell values ---------------------------------------------------------------------------

_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_DAY_FIRST = re.compile(r"(\d{1,2})([-.])(\d{1,2})\2(\d{4})")
_ISO_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?")


def parse_date(text: str, *, day_first: bool = False) -> datetime.date:
    """`2025-01-08`; with `day_first` (Danish units) also `08-01-2025` and `08.01.2025`.
    Raises ValueError."""
    text = text.strip()
    if match := _ISO_DATETIME.fullmatch(text):  # a date cell of a spreadsheet
        text = match.group(1)
    if len(text) == 10 and text[4] == "-":
        return datetime.date.fromisoformat(text)
    if day_first and (match := _DAY_FIRST.fullmatch(text)):
        day, _separator, month, year = match.groups()
        return datetime.date(int(year), int(month), int(day))
    raise ValueError(text)


def parse_time(text: str) -> datetime.time:
    """`9:00`, `09:00`, `9.00`, `09:00:00`. Raises ValueError."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute, second = match.groups()
    return datetime.time(int(hour), int(minute), int(second or 0))


def parse_whole_number(text: str) -> int:
    """`60`, `60,0` or `60.0` (a spreadsheet's number); `60,5` is not whole. Raises ValueError."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text.isdigit():
        return int(text)
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(text)
    return int(number)


def _cell_text(value) -> str:  # noqa: PLR0911 - one return per cell type
    """An XLSX cell as the text a CSV file would hold (ISO dates, HH:MM times, plain numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.date() in (datetime.date(1899, 12, 30), datetime.date(1899, 12, 31)):
            return value.time().isoformat("minutes" if not value.second else "seconds")
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(" ", "minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat("minutes" if not value.second else "seconds")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


# --- reading -------------------------------------------------------------------------------

@dataclass
class Table:
    """A file being read: its shape, its header mapping, and its rows (one pass)."""

    format: str
    columns: list[Column]
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)
    preview: list[tuple[int, list[str]]] = field(default_factory=list)
    rows_read: int = 0
    _records: Iterator | None = None
    _fraction: Callable[[], float] = lambda: 0.0

    @property
    def mapping(self) -> list[tuple[str, str | None]]:
        return list(zip(self.headers, self.keys, strict=True))

    def fraction_read(self) -> float:
        return self._fraction()

    def rows(self, errors: ErrorList) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, {column: text}) for every row that is not empty; a row with a cell outside the
        header or over the length limit is an error and not yielded."""
        width = len(self.headers)
        for line, raw in self._records:
            if not any(cell.strip() for cell in raw):
                continue  # empty rows, trailing ones included
            self.rows_read += 1
            cells = [cell.strip() for cell in raw]
            if len(self.preview) < PREVIEW_ROWS:
                self.preview.append((line, cells[:width] + [""] * (width - len(cells))))
            outside = next((index for index in range(width, len(cells)) if cells[index]), None)
            if outside is not None:
                errors.add(line, "", _("column %(number)s has a value but no header (the header has %(width)s "
                                       "columns).") % {"number": outside + 1, "width": width})
                continue
            long = [index for index, cell in enumerate(cells[:width]) if len(cell) > MAX_CELL_CHARS]
            if long:
                for index in long:
                    errors.add(line, self.keys[index] or self.headers[index],
                               _("the cell is longer than %(limit)s characters.")
                               % {"limit": number_format(MAX_CELL_CHARS, force_grouping=True)})
                continue
            cells += [""] * (width - len(cells))
            yield line, {key: cells[index] for index, key in enumerate(self.keys) if key}


def size_text(size: int, *, up: bool = False) -> str:
    """Megabytes as a person reads them: 50, 0,5; `up` rounds up, so a file just over the
    limit never reads as the limit itself."""
    tenths = size * 10 / (1024 * 1024)
    megabytes = (math.ceil(tenths) if up else round(tenths)) / 10
    return number_format(int(megabytes) if megabytes == int(megabytes) else megabytes)


def read_table(source, *, columns: list[Column], size: int | None = None) -> Table:
    """Open a CSV or XLSX file (a binary file object) and read its header; FileRefused when
    the file cannot be imported at all."""
    limit = max_bytes()
    if size is not None and size > limit:
        raise FileRefused(_("The file is %(size)s MB; the limit is %(limit)s MB.")
                          % {"size": size_text(size, up=True), "limit": size_text(limit)})
    start = source.read(8)
    if not start:
        raise FileRefused(_("The file is empty."))
    if start.startswith(b"PK\x03\x04"):
        source.seek(0)
        table = _xlsx_table(source, columns)
    elif start.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("This is an old Excel file (.xls). Save it as Excel workbook (.xlsx) or CSV and "
                            "upload that."))
    else:
        table = _csv_table(source, start, columns, size)
    _read_header(table, columns)
    return table


def _read_header(table: Table, columns: list[Column]) -> None:
    first = next(((line, cells) for line, cells in table._records if any(cell.strip() for cell in cells)), None)
    if first is None:
        raise FileRefused(_("The file is empty."))
    line, cells = first
    if line != 1:
        raise FileRefused(_("The header must be on line 1 (the first line is empty)."))
    while cells and not cells[-1].strip():
        cells = cells[:-1]  # trailing empty columns
    if len(cells) > MAX_COLUMNS:
        raise FileRefused(_("The header has %(count)s columns; at most %(limit)s are read.")
                          % {"count": number_format(len(cells), force_grouping=True), "limit": MAX_COLUMNS})
    names = header_names(columns)
    headers = [cell.strip() for cell in cells]
    keys = [names.get(normalise_header(header)) for header in headers]
    problems = []
    empty = [str(index + 1) for index, header in enumerate(headers) if not header]
    if empty:
        problems.append(_("column %(numbers)s has no header.") % {"numbers": ", ".join(empty)})
    unknown = [header for header, key in zip(headers, keys, strict=True) if header and key is None]
    if unknown:
        problems.append(_("unknown columns: %(unknown)s. The columns are: %(known)s.") % {
            "unknown": ", ".join(_quoted(header) for header in unknown),
            "known": ", ".join(column.key for column in columns)})
    seen: dict[str, str] = {}
    for header, key in zip(headers, keys, strict=True):
        if key is None:
            continue
        if key in seen:
            problems.append(_("the columns %(first)s and %(second)s both mean %(column)s.") % {
                "first": _quoted(seen[key]), "second": _quoted(header), "column": key})
        seen.setdefault(key, header)
    missing = [column.key for column in columns if column.required and column.key not in seen]
    if missing:
        problems.append(_("missing columns: %s") % ", ".join(missing))
    if problems:
        raise FileRefused(" ".join(problems[:1] + [problem[:1].upper() + problem[1:] for problem in problems[1:]]))
    table.headers, table.keys = headers, keys


def _quoted(text: str) -> str:
    text = text if len(text) <= 40 else text[:40] + "…"
    return f"“{text}”"


# CSV

def _binary(text: str) -> bool:
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\r\n")
    return "\x00" in text or controls > max(2, len(text) // 100)


def _text_chunks(source, start: bytes, limit: int, table: Table) -> Iterator[str]:
    """The file decoded chunk by chunk. The encoding is decided at the first byte that is not
    ASCII: UTF-8 if it reads as UTF-8, else Windows-1252 (what Swedish and Danish Excel save)."""
    data = start + source.read(_CHUNK - len(start))
    read = len(data)
    decoder = None
    if data.startswith(codecs.BOM_UTF8):
        decoder, table.encoding, data = codecs.getincrementaldecoder("utf-8")(), "utf-8-sig", data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoder, table.encoding = codecs.getincrementaldecoder("utf-16")(), "utf-16"
    first = True
    while data:
        if decoder is None and data.isascii():
            text = data.decode("ascii")
        else:
            if decoder is None:
                decoder, table.encoding = codecs.getincrementaldecoder("utf-8")(), "utf-8"
                try:
                    text = decoder.decode(data)
                except UnicodeDecodeError:
                    decoder, table.encoding = codecs.getincrementaldecoder("cp1252")(), "windows-1252"
                    text = None
            else:
                text = None
            if text is None:
                try:
                    text = decoder.decode(data)
                except UnicodeDecodeError:
                    if first:
                        raise FileRefused(_("This is not a CSV or XLSX file: it holds binary data.")) from None
                    # The text before the bad byte, so that the refusal names its line.
                    readable = data.decode(table.encoding.replace("windows-", "cp"), errors="replace")
                    yield readable[:readable.find("\ufffd")]
                    raise _NotText from None
        if first and _binary(text[:4096]) or "\x00" in text:
            raise FileRefused(_("This is not a CSV or XLSX file: it holds binary data."))
        first = False
        yield text
        data = source.read(_CHUNK)
        read += len(data)
        if read > limit:
            raise FileRefused(_("The file is over the limit of %(limit)s MB.") % {"limit": size_text(limit)})
    if decoder is not None:
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _NotText from None
        if tail:
            yield tail
    if not table.encoding:
        table.encoding = "ascii"


class _NotText(Exception):
    pass


class _Lines:
    """Physical lines with their endings, for the csv module; counts lines and bytes read."""

    def __init__(self, chunks: Iterator[str]):
        self.chunks = chunks
        self.number = 0

    def __iter__(self):
        pending = ""
        try:
            for chunk in self.chunks:
                pending += chunk
                lines = pending.split("\n")
                pending = lines.pop()
                for line in lines:
                    self.number += 1
                    if len(line) > MAX_LINE_CHARS:
                        self._too_long()
                    yield line + "\n"
                if len(pending) > MAX_LINE_CHARS:
                    self.number += 1
                    self._too_long()
        except _NotText:
            raise FileRefused(_("Line %(line)s is not text in UTF-8 or Windows-1252 (the encoding changes within the "
                                "file, or it is not a text file).") % {"line": self.number + 1},
                              line=self.number + 1) from None
        if pending:
            self.number += 1
            yield pending

    def _too_long(self):
        raise FileRefused(_("Line %(line)s is longer than %(limit)s characters.") % {
            "line": self.number, "limit": number_format(MAX_LINE_CHARS, force_grouping=True)}, line=self.number)


def _delimiter(header_line: str) -> str:
    counts = {delimiter: 0 for delimiter in ",;\t"}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda delimiter: (counts[delimiter], delimiter == ","))
    return best if counts[best] else ","


def _csv_table(source, start: bytes, columns, size) -> Table:
    table = Table(format="csv", columns=columns)
    limit = max_bytes()
    chunks = _text_chunks(source, start, limit, table)
    lines = _Lines(chunks)
    line_iterator = iter(lines)
    first = next(line_iterator, "")
    table.delimiter = _delimiter(first)

    def replay():
        if first:
            yield first
        yield from line_iterator

    reader = csv.reader(replay(), delimiter=table.delimiter)

    def records():
        previous = 0
        try:
            for cells in reader:
                start_line = previous + 1
                previous = reader.line_num
                yield start_line, cells
        except csv.Error as error:
            line = previous + 1
            reason = str(error)
            if "field larger than field limit" in reason:
                message = _("Line %(line)s: a cell is longer than the limit (an unclosed quote?).")
            else:
                message = _("Line %(line)s cannot be read as CSV (an unclosed quote?).")
            raise FileRefused(message % {"line": line}, line=line) from None

    table._records = records()
    if size:
        table._fraction = lambda: min(1.0, source.tell() / size)
    return table


# XLSX

def _xlsx_table(source, columns) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    table = Table(format="xlsx", columns=columns)
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        source.seek(0)
        if unpacked > XLSX_MAX_UNPACKED_BYTES:
            raise FileRefused(_("The workbook unpacks to more than %(limit)s MB.")
                              % {"limit": size_text(XLSX_MAX_UNPACKED_BYTES)})
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise FileRefused(_("This file is not a readable Excel workbook (.xlsx).")) from None
    if not workbook.worksheets:
        raise FileRefused(_("The workbook has no sheet."))
    sheet = workbook.worksheets[0]
    total_rows = sheet.max_row or 0
    sheet.reset_dimensions()  # no padding of every row to the widest one
    position = [0]

    def records():
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                position[0] = number
                yield number, [_cell_text(value) for value in values]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
            raise FileRefused(_("Row %(line)s of the workbook cannot be read.") % {"line": position[0] + 1},
                              line=position[0] + 1) from error
        finally:
            workbook.close()

    table._records = records()
    table._fraction = lambda: min(1.0, position[0] / total_rows) if total_rows else 0.0
    return table


# --- importing -----------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What a check (preview) or an import found; `written` is 0 unless rows were written."""

    kind: str
    format: str = ""
    encoding: str = ""
    delimiter: str = ""
    mapping: list = field(default_factory=list)
    preview: list = field(default_factory=list)
    rows: int = 0
    written: int = 0
    errors: list = field(default_factory=list)
    more_errors: int = 0
    refused: str = ""

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    @property
    def ok(self) -> bool:
        return not self.error_count and not self.refused

    def as_json(self) -> dict:
        return {
            "kind": self.kind, "format": self.format, "encoding": self.encoding, "delimiter": self.delimiter,
            "mapping": [list(pair) for pair in self.mapping],
            "preview": [[line, cells] for line, cells in self.preview],
            "rows": self.rows, "written": self.written, "refused": self.refused, "more_errors": self.more_errors,
            "errors": [[error[0], getattr(error, "column", ""), error[1]] for error in self.errors],
        }


class _Rollback(Exception):
    pass


def importer_class(kind: str):
    module_name, class_name = IMPORTERS[kind].rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)


def import_file(*, kind: str, unit, source, size: int | None = None, acting_user=None, write: bool = True,
                progress: Callable[[float], None] | None = None, options: dict | None = None) -> ImportResult:
    """Check every row of the file and, with `write`, import all of them or none. Never raises
    for a bad file: the result says what was refused. `options` go to the importer (the budget
    page's year)."""
    result = ImportResult(kind=kind)
    importer = importer_class(kind)(unit=unit, acting_user=acting_user, **(options or {}))
    try:
        table = read_table(source, columns=importer.columns, size=size)
    except FileRefused as refused:
        result.refused, result.errors = refused.message, refused.errors
        return result
    result.format, result.encoding, result.delimiter = table.format, table.encoding, table.delimiter
    result.mapping = table.mapping
    errors = ErrorList()
    try:
        with transaction.atomic() if write else contextlib.nullcontext():
            batch = []
            for index, (line, row) in enumerate(table.rows(errors)):
                item = importer.check(line, row, errors)
                if write and item is not None and not errors:
                    batch.append(item)
                    if len(batch) >= WRITE_BATCH:
                        importer.write(batch)
                        result.written += len(batch)
                        batch = []
                if progress is not None and index % 500 == 0:
                    progress(table.fraction_read())
            if not table.rows_read:
                raise FileRefused(_("The file has a header but no rows after it."))
            if errors:
                raise _Rollback
            if write:
                importer.write(batch)
                result.written += len(batch)
                if hasattr(importer, "finish"):
                    importer.finish()
    except FileRefused as refused:
        result.refused, result.errors, result.written = refused.message, refused.errors, 0
    except _Rollback:
        result.written = 0
        result.errors, result.more_errors = errors.listed, errors.more
    result.rows, result.preview = table.rows_read, table.preview
    _scrub(result, unit, private=getattr(importer, "private_columns", ()))
    return result


def _scrub(result: ImportResult, unit, *, private=()) -> None:
    """What is shown of the file — the first rows, the messages that quote a cell — never
    repeats text shaped like personal data (an identity number typed into the wrong column),
    nor a cell of a `private` column that was refused (a name where a case code belongs)."""
    from .pii import pii_kind

    hidden = _("(hidden: looks like personal data)")
    refused = {(error.line, getattr(error, "column", "")) for error in result.errors}
    keys = [key for _header, key in result.mapping]

    def shown(line, index, cell):
        key = keys[index] if index < len(keys) else None
        if cell and (pii_kind(cell, unit=unit) or (key in private and (line, key) in refused)):
            return hidden
        return cell

    result.preview = [(line, [shown(line, index, cell) for index, cell in enumerate(cells)])
                      for line, cells in result.preview]
    scrubbed = []
    for error in result.errors:
        message = error.message
        if pii_kind(message, unit=unit):
            message = f"{error.column}: {hidden}" if error.column else hidden
        scrubbed.append(RowError(error.line, message, getattr(error, "column", "")))
    result.errors = scrubbed


def import_or_raise(*, kind: str, unit, source, size=None, acting_user=None) -> int:
    result = import_file(kind=kind, unit=unit, source=source, size=size, acting_user=acting_user)
    if not result.ok:
        raise RowErrors(result.errors, result.more_errors)
    return result.written


def run_import(*, kind: str, unit, text: str, acting_user=None) -> int:
    """Text already read (tests, scripts): imported as UTF-8."""
    data = text.encode("utf-8")
    return import_or_raise(kind=kind, unit=unit, source=io.BytesIO(data), size=len(data), acting_user=acting_user)
