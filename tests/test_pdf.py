import http.server
import io
import threading

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


def test_a_pdf_never_fetches_from_the_network(tmp_path, settings):
    requests = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        template = tmp_path / "remote.html"
        template.write_text('{% extends "pdf/base.html" %}{% block content %}'
                            f'<img src="http://127.0.0.1:{server.server_port}/tracker.png" alt="x">'
                            "<p>Hej</p>{% endblock %}")
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
        pdf = render_pdf(template="remote.html", context={}, language="sv")
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF")
    assert requests == []
