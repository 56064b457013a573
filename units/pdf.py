"""HTML → PDF with WeasyPrint: one way for every document (statements, notices, reports)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(*, template: str, context: dict, language: str) -> bytes:
    """Render `template` in `language` and return the PDF bytes. Static files (CSS, fonts)
    are read from the project's static folder; nothing is ever fetched from the network."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override(language):
        html = render_to_string(template, context)
    local_only = URLFetcher(allowed_protocols={"file", "data"})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=local_only)
    return document.write_pdf(pdf_variant="pdf/ua-1")
