"""Choice labels as a list page shows them, looked up once per field and language.

Django's `get_FOO_display()` rebuilds a dict of the field's choices on every call, and each
of the lazy labels is translated to hash it: on a page of 50 sessions with five labelled
columns that was 2 000 translations (issue 17). A model that lists many rows mixes in
`ChoiceLabels`; the labels are the same strings, translated in the active language."""

import functools

from django.utils.translation import get_language


@functools.cache
def _labels(field, language: str | None) -> dict:
    return {value: str(label) for value, label in field.flatchoices}


def choice_label(field, value):
    """The label of `value` among the model field's choices (the value itself when it has none)."""
    try:
        return _labels(field, get_language()).get(value, value)
    except TypeError:  # an unhashable value: no choice has it
        return value


class ChoiceLabels:
    """Mixin for a model: `get_FOO_display()` through `choice_label`."""

    def _get_FIELD_display(self, field):
        return choice_label(field, getattr(self, field.attname))
