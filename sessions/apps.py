from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounsellingConfig(AppConfig):
    # The label must not be "sessions": django.contrib.sessions owns it.
    name = "sessions"
    label = "counselling"
    verbose_name = _("Sessions and case work")
