from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    # Not "calendar": that name is Python's standard library module.
    name = "bookings"
    verbose_name = _("Calendar")
