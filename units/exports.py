"""CSV and XLSX downloads of a table — one function for every table in the product.
Every download is written to the audit log.

Cells are inert: free text such as a complaint can start with `=`, `+`, `-`, `@`, a tab or a
carriage return, which a spreadsheet would otherwise run as a formula (CSV injection). CSV
cells are written by defusedcsv, which prefixes such text with `'`; XLSX string cells are
typed as strings, so openpyxl never stores them as formulas. Numbers stay numbers."""

import io
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from numbers import Number

from defusedcsv import csv as defusedcsv
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django_scopes import scope
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .services import audit_log

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# defusedcsv covers = + - @ | %; a leading tab or carriage return also starts a formula in
# some spreadsheets once the cell is trimmed.
_CSV_LEADING_WHITESPACE = ("\t", "\r")


# CSV dialects. "semicolon" is what Swedish and Danish Excel open as columns: semicolons and
# decimal commas; the browser's downloads use it. "comma" (`?dialect=comma`) is for programs:
# commas and decimal points, as the management commands print.
DIALECTS = {"semicolon": {"delimiter": ";", "decimal": ","}, "comma": {"delimiter": ",", "decimal": "."}}
DEFAULT_DIALECT = "semicolon"


def csv_writer(stream, *, dialect: str = "comma", **options):
    """A csv.writer whose string cells can never become formulas; the one way to write CSV."""
    spec = DIALECTS[dialect]
    return _InertCsvWriter(defusedcsv.writer(stream, delimiter=spec["delimiter"], **options), spec["decimal"])


class _InertCsvWriter:
    def __init__(self, writer, decimal: str):
        self._writer = writer
        self._decimal = decimal

    def writerow(self, row):
        return self._writer.writerow([_csv_cell(value, self._decimal) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def _csv_cell(value, decimal: str = "."):
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return str(value).replace(".", decimal)
    if isinstance(value, Number):
        return value
    text = str(value)
    return "'" + text if text.startswith(_CSV_LEADING_WHITESPACE) else text


def csv_chunks(*, headers: list[str], rows: Iterable[list], dialect: str = DEFAULT_DIALECT,
               chunk_rows: int = 500) -> Iterator[bytes]:
    """The CSV file in pieces of `chunk_rows` rows, for a streamed download."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM so that Excel opens å, ä, ö and ø correctly.
    writer = csv_writer(buffer, dialect=dialect)
    writer.writerow(headers)
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % chunk_rows == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_write(stream, *, headers: list[str], rows: Callable[[str], Iterable[list]], sheet: str = "") -> int:
    """The XLSX file into `stream` with openpyxl's write-only mode (memory does not grow with the
    rows): bold header, frozen under the header, columns as wide as their widest cell (8–60).
    `rows(kind)` gives the rows afresh for each of two passes ("measure", then "write"), as the
    widths must be set before the first row. Returns the number of rows written."""
    widths = {}
    for row in _with_headers(headers, rows("measure")):
        for column, value in enumerate(row, start=1):
            widths[column] = max(widths.get(column, 0), _shown_width(value))
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_sheet_title(sheet or "Data"))
    for column, width in widths.items():
        worksheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    worksheet.freeze_panes = "A2"  # the header stays in sight while scrolling
    bold = Font(bold=True)
    header_cells = [_xlsx_cell(worksheet, value) for value in headers]
    for cell in header_cells:
        cell.font = bold
    worksheet.append(header_cells)
    written = 0
    for row in rows("write"):
        worksheet.append([_xlsx_cell(worksheet, value) for value in row])
        written += 1
    workbook.save(stream)
    return written


def _with_headers(headers, rows):
    yield headers
    yield from rows


def table_bytes(*, headers: list[str], rows: list[list], fmt: str, dialect: str = DEFAULT_DIALECT,
                sheet: str = "") -> bytes:
    if fmt == "csv":
        return b"".join(csv_chunks(headers=headers, rows=rows, dialect=dialect))
    if fmt == "xlsx":
        buffer = io.BytesIO()
        xlsx_write(buffer, headers=headers, rows=lambda _kind: rows, sheet=sheet)
        return buffer.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")


def _sheet_title(name: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", "-", str(name))[:31] or "Data"


def _shown_width(value) -> int:
    if value is None:
        return 0
    if hasattr(value, "isoformat"):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def streamed_csv_response(request, *, unit, filename: str, headers: list[str], rows: Iterable[list],
                          action: str = "export") -> StreamingHttpResponse:
    """A CSV download written while it is sent (rows read lazily, in `unit`'s scope, after the
    view has returned): no request waits for the whole file, whatever its size. `unit` is required:
    scope(unit=None) would mean every unit."""
    if unit is None:
        raise ImproperlyConfigured("streamed_csv_response needs the unit whose rows it reads.")
    dialect = request.GET.get("dialect", DEFAULT_DIALECT)
    dialect = dialect if dialect in DIALECTS else DEFAULT_DIALECT
    language = translation.get_language()

    def content():
        # Read after the view has returned, outside the middleware's scope and language.
        with scope(unit=unit), translation.override(language):
            yield from csv_chunks(headers=headers, rows=rows, dialect=dialect)

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    audit_log(user=request.user, unit=unit, action=f"{action}.csv", object_type="table", object_id=filename[:40])
    return response


def table_response(request, *, filename: str, headers: list[str], rows: list[list], fmt: str,
                   action: str = "export", dialect: str | None = None) -> HttpResponse:
    """`filename` without extension; `fmt` is "csv" or "xlsx". CSV in `dialect`, else the one
    `?dialect=` asks for (semicolon, the default, or comma); an XLSX sheet is named after the file."""
    dialect = dialect or request.GET.get("dialect", DEFAULT_DIALECT)
    content = table_bytes(headers=headers, rows=rows, fmt=fmt, sheet=filename,
                          dialect=dialect if dialect in DIALECTS else DEFAULT_DIALECT)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    audit_log(user=request.user, unit=getattr(request, "unit", None), action=f"{action}.{fmt}",
              object_type="table", object_id=filename[:40])
    return response


def _xlsx_cell(worksheet, value) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(worksheet)
    # Decimals stay exact in the sheet as numbers with their own precision; dates stay dates.
    if isinstance(value, int | float | Decimal) or hasattr(value, "isoformat"):
        return WriteOnlyCell(worksheet, value=value)
    # Control characters other than tab and line breaks are not allowed in XLSX and would
    # make openpyxl raise; a carriage return becomes the line break every XML reader makes
    # of it anyway. The text is otherwise kept as typed.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(worksheet, value=text.replace("\r\n", "\n").replace("\r", "\n"))
    # openpyxl turns a string starting with "=" into a formula; typed as a string it is text.
    cell.data_type = "s"
    return cell
