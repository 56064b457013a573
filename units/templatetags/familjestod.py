"""Numbers as people in the unit write them: `1 234,50 kr`, dates ISO."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from units.periods import Period

register = template.Library()

NBSP = "\u00a0"


def format_decimal(value, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    quantum = Decimal(1).scaleb(-places)
    number = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    decimal_mark = "." if (get_language() or "en").startswith("en") else ","
    text = NBSP.join(groups)
    return f"{sign}{text}{decimal_mark}{fraction}" if places else f"{sign}{text}"


@register.filter
def decimal2(value):
    return format_decimal(value, 2)


@register.filter
def integer(value):
    return format_decimal(value, 0)


@register.filter
def money(value):
    text = format_decimal(value, 2)
    return text if text == "–" else f"{text}{NBSP}kr"


@register.filter
def percent(value):
    """A share already in per cent (`73.6`) as every page, PDF and export writes shares: `73,6 %`."""
    text = format_decimal(value, 1)
    return text if text == "–" else f"{text}{NBSP}%"


@register.filter
def period_name(value) -> str:
    """A period (or its label, `2025-Q1`) as people write it in the active language."""
    if isinstance(value, Period):
        return value.name
    try:
        return Period.parse(str(value)).name
    except ValueError:
        return str(value)


@register.filter
def field_group(field):
    """A form field as crispy-forms' Bootstrap 5 pack writes it — label, widget, errors, help text,
    the same classes, ids and aria attributes — built here instead of through crispy's dozen
    templates a field (issue 17: on the session form those were a fifth of the page's CPU)."""
    widget, auto_id = field.field.widget, field.auto_id
    required = field.field.required
    classes = [widget.__class__.__name__.lower(), "form-select" if isinstance(widget, forms.Select) else "form-control"]
    described = [f"{auto_id}_helptext"] if field.help_text else []
    if field.errors:
        classes.append("is-invalid")
        described.append(f"{auto_id}_error")
    attrs = {"class": " ".join([widget.attrs.get("class", ""), *classes]).strip()}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    label = format_html('<label for="{}" class="form-label{}">{}{}</label>', field.id_for_label,
                        " requiredField" if required else "", field.label,
                        mark_safe('<span class="asteriskField">*</span>') if required else "")  # noqa: S308
    errors = format_html('<div id="{}_error" class="invalid-feedback">{}</div>', auto_id, format_html_join(
        "", '<p id="error_{}_{}"><strong>{}</strong></p>',
        ((number, auto_id, error) for number, error in enumerate(field.errors, start=1)))) if field.errors else ""
    help_text = format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id,
                            field.help_text) if field.help_text else ""
    return format_html('<div id="div_{}" class="mb-3">{}{}{}{}</div>', auto_id, label,
                       field.as_widget(attrs=attrs), errors, help_text)


@register.filter
def toggle_options(field):
    """A radio or checkbox field's options as toggle buttons: each native input (the widget's own
    attributes, `checked` included) followed by its label — what `{{ choice.tag }}` and a label
    wrote, without a widget template rendered per option (issue 17)."""
    return format_html_join("", '<input type="{}" name="{}" value="{}"{}><label class="btn btn-outline-dark" '
                                'for="{}">{}</label>',
                            ((choice.data["type"], choice.data["name"], choice.data["value"],
                              flatatt(choice.data["attrs"]), choice.id_for_label, choice.choice_label)
                             for choice in field))
