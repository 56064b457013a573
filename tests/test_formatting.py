from decimal import Decimal

import pytest
from django.utils import translation

from units.templatetags.familjestod import decimal2, integer, money


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("1234.5"), "1\u00a0234,50\u00a0kr"),
    (Decimal("0"), "0,00\u00a0kr"),
    (Decimal("-1567.005"), "−1\u00a0567,01\u00a0kr"),
    (Decimal("1234567.891"), "1\u00a0234\u00a0567,89\u00a0kr"),
])
def test_money_is_written_the_swedish_way(value, expected):
    with translation.override("sv"):
        assert money(value) == expected


def test_hours_and_counts():
    with translation.override("da"):
        assert decimal2(Decimal("2590")) == "2\u00a0590,00"
        assert integer(111000) == "111\u00a0000"
        assert decimal2(None) == "–"


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_date_inputs_carry_iso_values_in_every_language(language):
    import datetime

    from units.widgets import DateInput

    with translation.override(language):
        html = DateInput().render("date", datetime.date(2025, 3, 31))
    assert 'type="date"' in html and 'value="2025-03-31"' in html


def test_one_format_per_kind_of_figure():
    # Issue 18: "Median 7,0 | 7", "73,60 %" beside "94,3 %" — one format per kind of figure.
    from reporting.templatetags.reporting import cell
    from units.templatetags.familjestod import percent

    with translation.override("sv"):
        assert cell(7.0) == "7" and cell(7) == "7"  # a whole median reads as the count beside it
        assert cell(7.5) == "7,5"
        assert percent(Decimal("73.60")) == percent(73.6) == "73,6\u00a0%"
        assert cell("0.943", percent=True) == "94,3\u00a0%"
        assert percent(None) == "–"


def test_a_plural_message_prints_its_count_as_an_integer_with_a_thousands_space():
    # Issue 18: "counts as integers" — the import result says "12 345 rader", not "12345".
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load i18n familjestod %}{% blocktranslate with count=n|integer count counter=n %}"
                        "{{ count }} row was imported.{% plural %}{{ count }} rows were imported."
                        "{% endblocktranslate %}")
    with translation.override("sv"):
        assert template.render(Context({"n": 12345})) == "12\u00a0345 rader importerades."
    with translation.override("da"):
        assert template.render(Context({"n": 1})).startswith("1 ")
