import io
from decimal import Decimal

from openpyxl import load_workbook

from units.exports import table_bytes


def test_csv_keeps_decimals_exact_and_swedish_letters():
    content = table_bytes(headers=["kommun", "timmar"], rows=[["Söderköping", Decimal("1.25")]], fmt="csv")
    assert content.decode("utf-8-sig").splitlines() == ["kommun,timmar", "Söderköping,1.25"]


def test_xlsx_has_a_bold_header_and_numbers_as_numbers():
    content = table_bytes(headers=["kommun", "samtal"], rows=[["Finspång", 12], ["Norrköping", None]], fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet[1]] == ["kommun", "samtal"]
    assert sheet[1][0].font.bold
    assert sheet["B2"].value == 12
    assert sheet["B3"].value is None
