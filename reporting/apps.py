from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Statistics and reports")

    def ready(self):
        from units.retention import register_need

        register_need(indicator_retention_need)


def indicator_retention_need(unit):
    """Östermalm's indicator (003_eba17951e60b4a73.txt) counts the cases closed 12–24 months
    before a period ends and whether they were current again within 12 months of closing: their
    details must stay 24 + 12 months."""
    from .profiles import profile_for

    if "not_current_again" not in profile_for(unit).figure_keys:
        return None
    return 36, _("the indicator “children not current again 12 months after the intervention ended” reads cases "
                 "closed up to 24 months before a period ends, and whether they were current again within 12 months "
                 "of closing")
