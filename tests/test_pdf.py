import io

from pypdf import PdfReader

from units.pdf import render_pdf


def test_a_pdf_is_rendered_in_the_given_language_and_reads_back_as_text(tmp_path, settings):
    template = tmp_path / "doc.html"
    template.write_text('{% extends "pdf/base.html" %}{% load i18n %}{% block content %}'
                        "<h1>Familjerådgivningen {{ year }}</h1><p>{% translate 'Log out' %}</p>{% endblock %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    pdf = render_pdf(template="doc.html", context={"year": 2025}, language="da")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Familjerådgivningen 2025" in text
    assert "Log ud" in text
