"""Issue 18: "A committee reads one page: open with a summary of the unit's key figures against
the year before and against its goals … with one chart … the tables follow as an appendix."""

import io
from decimal import Decimal

from django_scopes import scope
from pypdf import PdfReader

from reporting import profiles
from reporting.services import report_build, report_request
from tests.stats_builders import core_fixture


def _pages(document):
    return [page.extract_text() for page in PdfReader(io.BytesIO(document.file.open("rb").read())).pages]


def test_change_from_the_year_before_is_a_one_decimal_percentage():
    assert profiles.change_percent(110, 100) == Decimal("10.0")
    assert profiles.change_percent(2, 3) == Decimal("-33.3")
    assert profiles.change_percent(5, 0) is None  # a change from nothing is not a percentage
    assert profiles.change_percent("<5", 7) is None and profiles.change_percent(7, "..") is None
    assert profiles.change_percent("6.33", "5.00") == Decimal("26.6")


def test_the_yearly_report_opens_with_the_year_in_brief_and_ends_with_the_tables(unit_a, anna):
    with scope(unit=unit_a):
        core_fixture(unit_a)
        document = report_request(unit=unit_a, period="2025", acting_user=anna, enqueue=False)
        document = report_build(unit=unit_a, document_id=document.pk)
        pages = _pages(document)
    brief = next(index for index, text in enumerate(pages) if "Året i korthet" in text and "Förändring" in text)
    appendix = next(index for index, text in enumerate(pages) if "Bilaga: året i siffror" in text
                    and "Innehåll" not in text)
    tables = next(index for index, text in enumerate(pages) if "Väntetid till erbjuden besökstid" in text)
    assert brief <= 2 < appendix <= tables  # after the cover and the contents; the tables come last
    assert "Genomförda samtal" in pages[brief] and "jämfört med 2024" in pages[brief]
    assert "<svg" not in pages[brief]  # the chart is drawn, not printed as text
