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
    assert len(bars) == 6 + 2  # six bars, two legend keys
    tallest = max(bars[:6], key=lambda bar: float(bar.get("height")))
    assert "Inkomna mar: 7" in tallest.find(f"{SVG}title").text
    assert "style=" not in svg and "<script" not in svg


def test_line_chart_draws_the_reference_line_and_skips_missing_points():
    svg = line_chart(title="ORS", labels=["1", "2", "3"], series=[("Förälder 1", [18, None, 27])],
                     reference=(25, "Klinisk gräns 25"), maximum=40)
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}circle")) == 2
    assert any(text.text == "Klinisk gräns 25" for text in root.iter(f"{SVG}text"))
