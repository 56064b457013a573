from django import forms
from django.utils.translation import gettext_lazy as _

from units.imports import max_bytes, size_text

from .models import ImportJob


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices,
                             widget=forms.RadioSelect, initial=ImportJob.Kind.SESSIONS)
    file = forms.FileField(label=_("File (CSV or XLSX)"), widget=forms.ClearableFileInput(
        attrs={"accept": ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(_("The file is larger than %(limit)s MB; split it and upload the parts.")
                                        % {"limit": size_text(limit)})
        return upload
