from .models import Role
from .navigation import unit_nav


def tenant(request):
    role = getattr(request, "unit_role", None)
    return {
        "unit": getattr(request, "unit", None),
        "unit_role": role,
        "unit_role_label": Role(role).label if role else "",
        "organisation": getattr(request, "organisation", None),
        "unit_nav": unit_nav(request),
    }
