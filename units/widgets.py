from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO (`2025-03-31`) whatever the language:
    Danish formats would render `31.03.2025`, which a date input shows as empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
