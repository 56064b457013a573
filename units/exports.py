"""CSV and XLSX downloads of a table — one function for every table in the product.
Every download is written to the audit log."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from .services import audit_log

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_bytes(*, headers: list[str], rows: list[list], fmt: str) -> bytes:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows([[_csv_cell(value) for value in row] for row in rows])
        # BOM so that Excel opens å, ä, ö and ø correctly.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append([str(header) for header in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")


def table_response(request, *, filename: str, headers: list[str], rows: list[list], fmt: str,
                   action: str = "export") -> HttpResponse:
    """`filename` without extension; `fmt` is "csv" or "xlsx"."""
    content = table_bytes(headers=headers, rows=rows, fmt=fmt)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    audit_log(user=request.user, unit=getattr(request, "unit", None), action=f"{action}.{fmt}",
              object_type="table", object_id=filename[:40])
    return response


def _csv_cell(value):
    if value is None:
        return ""
    return str(value)


def _xlsx_cell(value):
    # Decimals stay exact in the sheet as numbers with their own precision.
    if isinstance(value, Decimal):
        return value
    if value is None:
        return ""
    return value if isinstance(value, int | float | str) or hasattr(value, "isoformat") else str(value)
