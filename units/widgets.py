import functools

from django import forms
from django.forms import renderers
from django.template import TemplateDoesNotExist


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO (`2025-03-31`) whatever the language:
    Danish formats would render `31.03.2025`, which a date input shows as empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class WidgetRenderer(renderers.Jinja2):
    """Django's own widget templates (django/forms/jinja2) rendered by Jinja2: the same HTML at a
    fraction of the Django engine's cost per option (issue 17: the session form renders about 60
    widgets and options — 12.6 → 10.7 ms of CPU). A widget whose template exists only for
    Django's engine — the admin's — is rendered by it, whole. Not covered: a Jinja2 widget
    template that includes a Django-only template for its options (no widget here or in the
    installed apps has one; tests/test_rendering.py renders the forms both ways)."""

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return _django_renderer().get_template(template_name)


@functools.cache
def _django_renderer():
    return renderers.DjangoTemplates()
