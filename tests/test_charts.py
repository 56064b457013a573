import xml.etree.ElementTree as ET

from units.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_valid_labelled_svg_with_one_bar_per_value():
    svg = bar_chart(title="Ansökningar <per månad>", labels=["jan", "feb", "mar"],
                    series=[("Inkomna", [3, 0, 7]), ("Erbjudna", [2, 1, None])])
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Ansökningar <per månad>"
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 5 + 2  # five bars (a missing value draws none, never a zero bar), two legend keys
    assert not any("Erbjudna mar" in bar.find(f"{SVG}title").text for bar in bars[:5])
    tallest = max(bars[:5], key=lambda bar: float(bar.get("height")))
    assert "Inkomna mar: 7" in tallest.find(f"{SVG}title").text
    assert "style=" not in svg and "<script" not in svg


def test_line_chart_draws_the_reference_line_and_skips_missing_points():
    svg = line_chart(title="ORS", labels=["1", "2", "3"], series=[("Förälder 1", [18, None, 27])],
                     reference=(25, "Klinisk gräns 25"), maximum=40)
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}circle")) == 2
    assert any(text.text == "Klinisk gräns 25" for text in root.iter(f"{SVG}text"))


def _texts(svg, css_class=None):
    return [text.text for text in ET.fromstring(svg).iter(f"{SVG}text")
            if css_class is None or text.get("class") == css_class]


def test_a_hidden_count_is_drawn_hatched_with_its_mark_never_as_an_empty_bar():
    # Issue 18: "a hidden queue of 4 looks like an empty queue".
    svg = bar_chart(title="Kö", labels=["jan", "feb"], series=[("Väntande", [12, "<5"])])
    root = ET.fromstring(svg)
    hidden = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart-hidden"]
    assert len(hidden) == 1
    assert float(hidden[0].get("height")) > 0
    assert hidden[0].get("fill").startswith("url(#") and root.find(f"{SVG}defs/{SVG}pattern") is not None
    assert "<5" in _texts(svg)
    assert "hidden: a small count" in _texts(svg)  # the legend says what hatching means


def test_no_legend_key_for_hatching_when_nothing_is_hidden():
    svg = bar_chart(title="Kö", labels=["jan", "feb"], series=[("A", [1, 2]), ("B", [3, 4])])
    assert "hidden: a small count" not in _texts(svg)
    assert ET.fromstring(svg).find(f"{SVG}defs") is None


def test_long_month_labels_are_thinned_so_they_never_run_together():
    months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
              "oktober", "november", "december"]
    svg = bar_chart(title="Per månad", labels=months, series=[("A", list(range(12)))])
    shown = _texts(svg, "chart-label")
    assert 2 <= len(shown) < 12
    assert shown[0] == "januari"


def test_nine_ors_dates_do_not_overlap():
    dates = [f"2025-0{month}-15" for month in range(1, 10)]
    svg = line_chart(title="ORS", labels=dates, series=[("ORS", [20] * 9)], maximum=40)
    shown = _texts(svg, "chart-label")
    assert len(shown) < 9
    step = (640 - 48 - 12) / 9
    every = dates.index(shown[1])
    assert every * step >= len("2025-01-15") * 6.6  # room for a whole label between two printed ones


def test_count_axes_have_whole_ticks():
    svg = bar_chart(title="Antal", labels=["a", "b"], series=[("A", [50, 3])])
    ticks = [text for text in _texts(svg) if text not in ("a", "b")]
    assert ticks and all(tick.isdigit() for tick in ticks), ticks
    svg = bar_chart(title="Antal", labels=["a"], series=[("A", [1])])
    ticks = [text for text in _texts(svg) if text != "a"]
    assert all(tick.isdigit() for tick in ticks), ticks


def test_decimal_ticks_use_the_locale_decimal_sign():
    from django.utils import translation

    with translation.override("sv"):
        svg = line_chart(title="Andel", labels=["a", "b"], series=[("A", ["0.4", "0.9"])])
    ticks = [text for text in _texts(svg) if text not in ("a", "b")]
    assert any("," in tick for tick in ticks) and not any("." in tick for tick in ticks), ticks


def test_a_chart_without_any_value_says_no_data_instead_of_axes():
    for svg in (bar_chart(title="Tom", labels=["a", "b"], series=[("A", [None, None])]),
                line_chart(title="Tom", labels=[], series=[("ORS", [])])):
        texts = _texts(svg)
        assert texts == ["No data to show"]


def test_a_few_long_category_labels_are_each_shortened_to_their_room_not_skipped():
    labels = ["Genomförda samtal", "Påbörjade ärenden (första samtalet genomfört)"]
    shown = _texts(bar_chart(title="Nyckeltal", labels=labels, series=[("2025", [449, 128])]), "chart-label")
    assert len(shown) == 2 and shown[0] == "Genomförda samtal"
    assert shown[1].endswith("…") and len(shown[1]) * 6.6 <= (640 - 48 - 12) / 2
