"""What issue 17 made cheaper renders the same: widgets through Jinja2 (units.widgets) and
choice labels looked up once per language (units.labels)."""

import re

import pytest
from django.db.models import Model
from django.forms import renderers
from django.utils import translation

from sessions.forms import SessionFilterForm, SessionForm
from sessions.models import Session
from units.widgets import WidgetRenderer


def _spaced(html: str) -> str:
    """Whitespace as a browser reads it: runs are one space, none between tags (Jinja2 trims the
    blank lines Django's templates leave between a radio button's label and its wrapper)."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))


@pytest.mark.parametrize("language", ["sv", "da"])
def test_the_session_forms_render_the_same_html_through_jinja2_as_through_djangos_engine(in_unit_a, alice,
                                                                                         language):
    with translation.override(language):
        for form in (SessionForm(unit=in_unit_a, user=alice),
                     SessionForm({"minutes": "0", "format": "nonsense"}, unit=in_unit_a, user=alice),
                     SessionFilterForm({"status": "held"}, unit=in_unit_a)):
            form.is_bound and form.is_valid()
            rendered = {}
            for renderer in (renderers.DjangoTemplates(), WidgetRenderer()):
                form.renderer = renderer
                rendered[type(renderer)] = [str(form[name]) for name in form.fields]
            django_html, jinja_html = rendered.values()
            assert [_spaced(part) for part in jinja_html] == [_spaced(part) for part in django_html]
            assert all(django_html)


def test_a_widget_template_only_djangos_engine_has_is_rendered_by_it():
    template = WidgetRenderer().get_template("admin/widgets/related_widget_wrapper.html")
    assert "related-widget-wrapper" in template.render({"widget": {"attrs": {}}, "model_name": "unit"})


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_choice_labels_are_djangos_labels_in_the_active_language(language):
    session = Session(format="couple", status="no_show", location="phone", fee="exempt")
    with translation.override(language):
        for field in ("format", "status", "location", "fee"):
            ours = getattr(session, f"get_{field}_display")()
            theirs = Model._get_FIELD_display(session, Session._meta.get_field(field))
            assert ours == theirs and ours != getattr(session, field), field


def test_a_value_outside_the_choices_shows_as_itself():
    assert Session(format="retired-format").get_format_display() == "retired-format"
