from django.contrib import admin

from .models import Agreement, AuditEvent, Membership, Municipality, OrgAccess, Organisation, Unit


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organisation", "record_mode", "period_kind", "language"]
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "municipality"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["unit", "municipality", "kind", "valid_from", "valid_to", "hour_cap"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "unit", "action", "object_type", "object_id"]
    list_filter = ["action", "unit"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Municipality)
admin.site.register(OrgAccess)
