from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import Unit


def unit_staff(unit: Unit) -> QuerySet:
    """The unit's counsellors and chiefs, by user name: the people its records may name."""
    return get_user_model().objects.filter(memberships__unit=unit).order_by("username")
