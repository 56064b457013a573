from django.db import models

from .models import AuditEvent, Unit


def audit_log(*, user, unit: Unit | None, action: str, obj: models.Model | None = None,
              object_type: str = "", object_id: str = "") -> AuditEvent:
    """One row per change, download or export. Type and id only: never personal data."""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        unit=unit,
        action=action,
        object_type=object_type,
        object_id=object_id,
    )
