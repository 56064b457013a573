"""The reading layer shared by `import_csv` and the import page: every file shape Swedish and
Danish Excel save is read, every file that cannot be imported is refused with a clear message
and nothing written. The files are made here, byte by byte."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scope
from openpyxl import Workbook

from intake.models import Application
from sessions.models import Session
from tests import factories
from tests.sessions_helpers import case
from units.imports import MAX_LISTED_ERRORS, import_file, parse_date, parse_time, parse_whole_number

HEADER = ["date", "start", "minutes", "format", "participants", "status", "case_code", "counsellor", "location", "fee"]
ROWS = [
    ["2025-03-04", "09:00", "60", "couple", "", "held", "P-2025-0001", "alice", "office", "paid"],
    ["2025-03-05", "13:30", "120", "group", "6", "held", "", "anna", "office", "exempt"],
]


@pytest.fixture
def prepared(in_unit_a, alice, anna):
    return case(in_unit_a, "P-2025-0001")


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", newline="\n", header=HEADER) -> bytes:
    def cell(value):
        text = str(value)
        return f'"{text}"' if delimiter in text or "\n" in text or '"' in text else text

    text = newline.join(delimiter.join(cell(value) for value in row) for row in [header, *rows]) + newline
    return text.encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(unit, data: bytes, *, kind="sessions", write=True):
    return import_file(kind=kind, unit=unit, source=io.BytesIO(data), size=len(data), write=write)


def sessions(unit):
    return list(Session.objects.filter(unit=unit).order_by("date", "start_time"))


def assert_refused(unit, data, text, *, kind="sessions"):
    with translation.override("en"):
        result = run(unit, data, kind=kind)
    assert not result.ok and result.written == 0
    assert text in (result.refused or " ".join(message for _line, message in result.errors)), result.as_json()
    assert not Session.objects.filter(unit=unit).exists() and not Application.objects.filter(unit=unit).exists()
    return result


# --- accepted shapes -------------------------------------------------------------------------

@pytest.mark.parametrize(("delimiter", "encoding", "newline"), [
    (",", "utf-8", "\n"),
    (";", "utf-8", "\r\n"),
    (";", "utf-8-sig", "\r\n"),
    (",", "utf-8-sig", "\n"),
    (";", "cp1252", "\r\n"),
    ("\t", "utf-16", "\r\n"),
])
def test_csv_as_excel_saves_it_is_read(prepared, in_unit_a, delimiter, encoding, newline):
    result = run(in_unit_a, csv_bytes(ROWS, delimiter=delimiter, encoding=encoding, newline=newline))
    assert result.ok and result.written == 2, result.as_json()
    assert result.delimiter == delimiter
    assert [(s.date.day, s.start_time, s.minutes, s.format) for s in sessions(in_unit_a)] == [
        (4, datetime.time(9, 0), 60, "couple"), (5, datetime.time(13, 30), 120, "group")]


def test_windows_1252_bytes_with_swedish_headers_and_values(prepared, in_unit_a):
    header = "Datum;Start;Minuter;Form;Deltagare;Status;Ärende;Rådgivare;Plats;Besöksavgift"
    row = "2025-03-04;9.00;60;Par;;Genomfört;P-2025-0001;alice;Mottagningen;Betald"
    data = f"{header}\r\n{row}\r\n".encode("cp1252")
    assert b"\xc4rende" in data and b"R\xe5dgivare" in data  # Ä and å as one byte each
    with translation.override("sv"):
        result = run(in_unit_a, data)
    assert result.ok, result.as_json()
    assert result.encoding == "windows-1252" and result.delimiter == ";"
    [session] = sessions(in_unit_a)
    assert (session.start_time, session.format, session.status, session.location, session.fee) == (
        datetime.time(9, 0), "couple", "held", "office", "paid")


def test_danish_headers_and_day_first_dates_in_a_danish_unit(db):
    unit = factories.unit("kbh", country="DK", language="da", funders=("København",))
    factories.user("dina", unit=unit, role="counsellor")
    header = "Dato;Start;Minutter;Form;Deltagere;Status;Forløb;Rådgiver;Sted;Besøgsgebyr"
    rows = ["08-01-2025;9:00;45;individual;;held;;dina;;", "09.01.2025;09:00;45;individual;;held;;dina;;"]
    with scope(unit=unit):
        result = run(unit, ("\r\n".join([header, *rows]) + "\r\n").encode("cp1252"))
        assert result.ok, result.as_json()
        assert [s.date for s in sessions(unit)] == [datetime.date(2025, 1, 8), datetime.date(2025, 1, 9)]


def test_day_first_dates_are_not_read_in_a_swedish_unit(prepared, in_unit_a):
    result = run(in_unit_a, csv_bytes([["08-01-2025", *ROWS[0][1:]]]))
    assert [(error.line, error.column) for error in result.errors] == [(2, "date")]


@pytest.mark.parametrize("start", ["9:00", "09:00", "9.00", "09:00:00"])
def test_times_as_people_write_them(prepared, in_unit_a, start):
    assert run(in_unit_a, csv_bytes([[ROWS[0][0], start, *ROWS[0][2:]]])).ok
    assert sessions(in_unit_a)[0].start_time == datetime.time(9, 0)


def test_decimal_commas_and_points_of_whole_numbers(prepared, in_unit_a):
    rows = [[ROWS[0][0], "", "60,0", *ROWS[0][3:]], [ROWS[1][0], "", "120.0", "group", "6,0", *ROWS[1][5:]]]
    assert run(in_unit_a, csv_bytes(rows, delimiter=";")).ok
    assert [(s.minutes, s.participants) for s in sessions(in_unit_a)] == [(60, 2), (120, 6)]
    result = run(in_unit_a, csv_bytes([[ROWS[0][0], "", "60,5", *ROWS[0][3:]]], delimiter=";"))
    assert [(error.line, error.column) for error in result.errors] == [(2, "minutes")]


def test_header_names_ignore_case_spaces_and_underscores(prepared, in_unit_a):
    header = [" Date", "START ", "Minutes", "FORMAT", "participants", "Status", "Case Code", "counsellor ",
              "Location", "Visit fee"]
    result = run(in_unit_a, csv_bytes(ROWS, header=header))
    assert result.ok, result.as_json()
    assert dict(result.mapping)["Case Code"] == "case_code" and dict(result.mapping)["Visit fee"] == "fee"


def test_trailing_empty_rows_and_columns_are_ignored(prepared, in_unit_a):
    text = ";".join(HEADER) + ";;;\r\n" + "".join(";".join(row) + ";;;\r\n" for row in ROWS)
    text += ";;;;;;;;;;;;\r\n\r\n\r\n"
    result = run(in_unit_a, text.encode("utf-8"))
    assert result.ok and result.written == 2, result.as_json()


def test_xlsx_with_real_date_time_and_number_cells(prepared, in_unit_a):
    rows = [[datetime.date(2025, 3, 4), datetime.time(9, 0), 60, "couple", None, "held", "P-2025-0001", "alice",
             "office", "paid"],
            [datetime.datetime(2025, 3, 5), "13.30", 120.0, "Grupp", 6, "held", None, "anna", None, None],
            [None] * 10]
    with translation.override("sv"):
        result = run(in_unit_a, xlsx_bytes(rows))
    assert result.ok and result.format == "xlsx", result.as_json()
    assert [(s.date.day, s.start_time, s.minutes, s.format, s.participants) for s in sessions(in_unit_a)] == [
        (4, datetime.time(9, 0), 60, "couple", 2), (5, datetime.time(13, 30), 120, "group", 6)]


def test_the_command_reads_semicolon_windows_1252_and_xlsx(tmp_path, unit_a, alice, anna):
    with scope(unit=unit_a):
        case(unit_a, "P-2025-0001")
    semicolon = tmp_path / "excel.csv"
    semicolon.write_bytes(csv_bytes(ROWS, delimiter=";", encoding="cp1252", newline="\r\n"))
    call_command("import_csv", "--unit", unit_a.slug, "--kind", "sessions", str(semicolon), stdout=io.StringIO())
    workbook = tmp_path / "sessions.xlsx"
    workbook.write_bytes(xlsx_bytes([["2025-03-06", "10:00", 45, "individual", None, "held", None, None, None,
                                      None]]))
    call_command("import_csv", "--unit", unit_a.slug, "--kind", "sessions", str(workbook), stdout=io.StringIO())
    with scope(unit=unit_a):
        assert Session.objects.filter(unit=unit_a).count() == 3


def test_applications_from_xlsx_with_swedish_headers_and_date_cells(unit_a):
    header = ["ärendekod", "inkommen", "hemkommun", "prioritet", "tid erbjuden", "avslutad", "kontaktväg",
              "den sökandes ålder", "relationsform", "antal barn"]
    rows = [["P-2024-0007", datetime.date(2024, 3, 4), "Linköping", "acute", datetime.date(2024, 3, 6), None,
             "family_centre", "25-34", "married", 2]]
    with scope(unit=unit_a):
        result = run(unit_a, xlsx_bytes(rows, header=header), kind="applications")
        assert result.ok, result.as_json()
        application = Application.objects.get(unit=unit_a)
        assert (application.received_on, application.offered_on, application.children_count) == (
            datetime.date(2024, 3, 4), datetime.date(2024, 3, 6), 2)


# --- line numbers and the error list ------------------------------------------------------------

def test_line_numbers_follow_the_file_across_a_quoted_line_break(prepared, in_unit_a):
    # Row 2 holds a cell with a line break (an extra column would be refused, so the break is in a
    # case code's place of a bad row): the rows after it start one line later.
    text = ",".join(HEADER) + "\n" + ",".join(ROWS[0]) + "\n" + \
        '2025-03-05,,60,couple,,held,"P-2025-\n0001",,office,paid\n' + \
        "2025-03-06,,sixty,couple,,held,,,office,paid\n"
    result = run(in_unit_a, text.encode())
    assert [(error.line, error.column) for error in result.errors] == [(3, "case_code"), (5, "minutes")]


def test_every_error_names_line_and_column_and_the_first_100_are_listed(prepared, in_unit_a):
    rows = [["2025-03-04", "", "sixty", "couple", "", "held", "", "", "office", "paid"]] * 150
    with translation.override("en"):
        result = run(in_unit_a, csv_bytes(rows))
    assert len(result.errors) == MAX_LISTED_ERRORS and result.more_errors == 50
    assert [error.line for error in result.errors] == list(range(2, 102))
    assert {error.column for error in result.errors} == {"minutes"}
    assert result.errors[0].message == "minutes: not a whole number: sixty"
    assert not Session.objects.filter(unit=in_unit_a).exists()


def test_a_bad_row_late_in_a_large_file_rolls_back_the_batches_written_before_it(prepared, in_unit_a):
    rows = [ROWS[1]] * 4_500 + [["2025-03-04", "", "0", "couple", "", "held", "", "", "office", "paid"]]
    result = run(in_unit_a, csv_bytes(rows))
    assert [(error.line, error.column) for error in result.errors] == [(4_502, "minutes")]
    assert result.written == 0 and not Session.objects.filter(unit=in_unit_a).exists()


# --- refused files ------------------------------------------------------------------------------

def test_an_empty_file_is_refused(in_unit_a):
    assert_refused(in_unit_a, b"", "The file is empty.")
    assert_refused(in_unit_a, b"\r\n\r\n  \r\n", "The file is empty.")


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00\x01\x02\x03\x04",
    bytes(range(256)) * 40,
])
def test_a_binary_file_is_refused(in_unit_a, data):
    assert_refused(in_unit_a, data, "binary")


def test_an_old_xls_and_a_broken_xlsx_are_refused(in_unit_a):
    assert_refused(in_unit_a, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel file (.xls)")
    assert_refused(in_unit_a, b"PK\x03\x04" + b"\x00" * 600, "not a readable Excel workbook")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(in_unit_a, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    data = csv_bytes(ROWS * 20_000)
    assert len(data) > 1024 * 1024
    result = assert_refused(in_unit_a, data, "the limit is 1 MB")
    assert "The file is 2.3 MB;" in result.refused  # rounded up: never the limit itself
    assert result.rows == 0
    # A stream whose size was not told is refused once the limit is passed.
    with translation.override("en"):
        result = import_file(kind="sessions", unit=in_unit_a, source=io.BytesIO(data), size=None)
    assert "over the limit of 1 MB" in result.refused


def test_a_header_only_file_is_refused(in_unit_a):
    assert_refused(in_unit_a, csv_bytes([]), "header but no rows")
    assert_refused(in_unit_a, csv_bytes([[""] * 10], delimiter=";"), "header but no rows")
    assert_refused(in_unit_a, xlsx_bytes([]), "header but no rows")


def test_a_duplicated_header_is_refused(in_unit_a):
    result = assert_refused(in_unit_a, csv_bytes(ROWS, header=[*HEADER[:-1], "date"]), "both mean date")
    assert result.errors[0].line == 1
    assert_refused(in_unit_a, csv_bytes([[*row, "x"] for row in ROWS], header=[*HEADER, "Datum"]), "both mean date")


def test_unknown_and_missing_columns_are_refused(in_unit_a):
    assert_refused(in_unit_a, csv_bytes([[*row, "x"] for row in ROWS], header=[*HEADER, "minuts"]),
                   "unknown columns: “minuts”")
    assert_refused(in_unit_a, b"date;minutes\n2025-03-04;60\n", "missing columns: start, format")


def test_a_header_of_10000_columns_is_refused(in_unit_a):
    assert_refused(in_unit_a, (",".join(f"c{n}" for n in range(10_000)) + "\n1\n").encode(),
                   "The header has 10,000 columns; at most 50 are read.")


def test_a_row_of_10000_columns_is_an_error_on_its_line(prepared, in_unit_a):
    wide = ",".join(ROWS[0]) + ",x" * 10_000
    result = run(in_unit_a, (",".join(HEADER) + "\n" + ",".join(ROWS[1]) + "\n" + wide + "\n").encode())
    assert [error.line for error in result.errors] == [3]
    assert "column 11 has a value but no header" in result.errors[0].message
    assert not Session.objects.filter(unit=in_unit_a).exists()


def test_a_huge_field_is_refused_without_reading_it_whole(in_unit_a):
    long_line = ",".join(HEADER) + "\n" + "2025-03-04,," + "9" * 5_000_000 + ",couple,,held,,,office,paid\n"
    result = assert_refused(in_unit_a, long_line.encode(), "Line 2 is longer than")
    assert result.errors[0].line == 2
    quoted = ",".join(HEADER) + "\n" + '2025-03-04,,"' + "9\n" * 200_000 + '",couple,,held,,,office,paid\n'
    assert_refused(in_unit_a, quoted.encode(), "Line 2: a cell is longer than the limit")


def test_a_cell_over_the_length_limit_is_an_error_that_does_not_repeat_it(prepared, in_unit_a):
    result = run(in_unit_a, csv_bytes([[*ROWS[0][:6], "P" * 2_000, *ROWS[0][7:]]]))
    assert [(error.line, error.column) for error in result.errors] == [(2, "case_code")]
    assert "P" * 100 not in result.errors[0].message


def test_a_file_whose_encoding_changes_is_refused_at_the_line(prepared, in_unit_a):
    # UTF-8 in the header (Ä as two bytes), Windows-1252 far below (ö as one byte).
    header = "Datum,Start,Minuter,Form,Deltagare,Status,Ärende,Rådgivare,Plats,Besöksavgift\n".encode()
    body = ("\n".join(",".join(ROWS[1]) for _n in range(10_000)) + "\n").encode()
    result = assert_refused(in_unit_a, header + body + "2025-03-04,,60,couple,,held,,,Kök,paid\n".encode("cp1252"),
                            "Line 10002 is not text in UTF-8 or Windows-1252")
    assert result.errors[0].line == 10_002


def test_refusals_are_translated(in_unit_a):
    with translation.override("sv"):
        assert run(in_unit_a, b"").refused == "Filen är tom."
    with translation.override("da"):
        assert run(in_unit_a, b"").refused == "Filen er tom."


# --- the value readers ---------------------------------------------------------------------------

def test_value_readers():
    assert parse_date("2025-01-08") == datetime.date(2025, 1, 8)
    assert parse_date("08.01.2025", day_first=True) == datetime.date(2025, 1, 8)
    with pytest.raises(ValueError):
        parse_date("08.01.2025")
    with pytest.raises(ValueError):
        parse_date("31-02-2025", day_first=True)
    assert parse_time("9.05") == datetime.time(9, 5)
    with pytest.raises(ValueError):
        parse_time("25:00")
    assert parse_whole_number(" 1 234 ") == 1234 and parse_whole_number("7,00") == 7
    with pytest.raises(ValueError):
        parse_whole_number("7,5")


def test_command_lists_the_first_100_errors_and_counts_the_rest(tmp_path, unit_a, alice):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["2025-03-04", "", "sixty", "couple", "", "held", "", "", "office", "paid"]] * 130))
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_csv", "--unit", unit_a.slug, "--kind", "sessions", str(bad))
    text = str(raised.value)
    assert "line 101: minutes: not a whole number: sixty" in text and "line 102:" not in text
    assert "… and 30 more errors." in text


def test_a_row_reports_every_bad_cell_and_a_refused_code_is_not_shown(prepared, in_unit_a):
    row = ["2025-03-04", "9", "sixty", "triad", "", "held", "Anna Svensson", "nobody", "office", "paid"]
    with translation.override("en"):
        result = run(in_unit_a, csv_bytes([row]))
    assert [(error.line, error.column) for error in result.errors] == [
        (2, "start"), (2, "minutes"), (2, "case_code"), (2, "counsellor"), (2, "format")]
    assert "Anna Svensson" not in str(result.as_json())
    assert result.preview[0][1][6] == "(hidden: looks like personal data)"


def test_an_identity_number_in_any_column_is_not_repeated(prepared, in_unit_a):
    row = ["811218-9876", *ROWS[0][1:]]
    with translation.override("en"):
        result = run(in_unit_a, csv_bytes([row]))
    assert [(error.line, error.column) for error in result.errors] == [(2, "date")]
    assert "811218-9876" not in str(result.as_json())
