"""HTML → PDF with WeasyPrint: one way for every document (statements, notices, reports)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(*, template: str, context: dict, language: str) -> bytes:
    """Render `template` in `language` and return the PDF bytes. Static files (CSS, fonts)
    are read from the project's static folder; nothing is fetched from the network."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf(
        pdf_variant="pdf/ua-1", url_fetcher=_local_only
    )


def _local_only(url: str, timeout: int = 10, ssl_context=None):
    from weasyprint import default_url_fetcher

    if not url.startswith(("file:", "data:")):
        raise ValueError(f"refusing to fetch {url} while rendering a PDF")
    return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
