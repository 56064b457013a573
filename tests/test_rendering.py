"""What issue 17 made cheaper renders the same: widgets through Jinja2 (units.widgets) and
choice labels looked up once per language (units.labels)."""

import re
from html.parser import HTMLParser

import pytest
from django.db.models import Model
from django.forms import renderers
from django.template import Context, Template
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


def _tags(html: str) -> list:
    """The page as a browser builds it: each tag with its attributes (in any order) and the text."""
    parsed = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            parsed.append((tag, sorted(attrs)))

        def handle_endtag(self, tag):
            parsed.append(("/" + tag,))

        def handle_data(self, data):
            if data.strip():
                parsed.append(data.strip())

    Tags().feed(html)
    return parsed


def test_toggle_buttons_are_the_inputs_and_labels_djangos_widgets_write(in_unit_a, alice):
    form = SessionForm({"format": "couple", "status": "held", "counsellors": [str(alice.pk)]},
                       unit=in_unit_a, user=alice)
    form.is_valid()
    by_widget = Template('{% for choice in field %}{{ choice.tag }}<label class="btn btn-outline-dark" '
                         'for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label>{% endfor %}')
    ours = Template("{% load familjestod %}{{ field|toggle_options }}")
    toggles = [name for name in ("format", "status", "fee", "counsellors") if name in form.fields]
    assert {"format", "status", "counsellors"} <= set(toggles)
    for name in toggles:
        expected = by_widget.render(Context({"field": form[name]}))
        assert _tags(ours.render(Context({"field": form[name]}))) == _tags(expected), name
        assert "checked" in expected or name == "fee"
