from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import AuditEvent, OpeningHours, Unit
from .opening_hours import overlap_message


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


def audit_changes(*, user, unit: Unit, action: str, obj: models.Model, fields: list[str]) -> None:
    """One audit row per changed setting, named `<model>.<field>` (never the values), in one write."""
    actor = user if user is not None and user.is_authenticated else None
    AuditEvent.objects.bulk_create([
        AuditEvent(user=actor, unit=unit, action=action, object_type=f"{obj._meta.model_name}.{name}",
                   object_id=str(obj.pk))
        for name in fields
    ])


@transaction.atomic
def unit_settings_change(*, unit: Unit, values: dict, acting_user) -> list[str]:
    """Change the unit's settings; returns the names of the fields that changed. The model's
    validation runs first (the organisation's small-count minimum, retention's own rule), and
    every figure computed afterwards reads the new values."""
    locked = Unit.objects.select_for_update().select_related("organisation").get(pk=unit.pk)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, values[name])
    locked.full_clean()
    locked.save(update_fields=changed)
    for name in changed:
        setattr(unit, name, values[name])
    audit_changes(user=acting_user, unit=unit, action="unit.settings_change", obj=locked, fields=changed)
    return changed


@transaction.atomic
def opening_hours_set(*, unit: Unit, kind: str, stretches: list[tuple], acting_user) -> bool:
    """Replace the unit's opening (or drop-in) hours with `stretches` [(weekday, start, end)];
    False when nothing changed. Overlapping stretches of one weekday are refused."""
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    current = OpeningHours.objects.filter(unit=unit, kind=kind)
    wanted = sorted(set(stretches))
    if sorted((row.weekday, row.start, row.end) for row in current) == wanted:
        return False
    message = overlap_message(wanted)
    if message:
        raise ValidationError(message)
    rows = [OpeningHours(unit=unit, kind=kind, weekday=weekday, start=start, end=end)
            for weekday, start, end in wanted]
    for row in rows:
        row.full_clean()
    current.delete()
    OpeningHours.objects.bulk_create(rows)
    audit_log(user=acting_user, unit=unit, action="unit.opening_hours_change",
              object_type=f"units.openinghours.{kind}", object_id=str(unit.pk))
    return True


def audit_log_many(*, user, unit: Unit | None, action: str, objects: list[models.Model]) -> None:
    """One row per object, written in one statement (an import, a bulk change)."""
    if not objects:
        return
    user = user if user is not None and user.is_authenticated else None
    from .bulk import insert_many

    for start in range(0, len(objects), 2000):
        insert_many([AuditEvent(user=user, unit=unit, action=action, object_type=obj._meta.label_lower,
                                object_id=str(obj.pk)) for obj in objects[start:start + 2000]])
