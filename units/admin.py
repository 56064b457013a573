from django.contrib import admin

from .models import (
    Agreement,
    AuditEvent,
    Invitation,
    Membership,
    Municipality,
    OrgAccess,
    Organisation,
    StaffGroup,
    Unit,
)


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


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "unit", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]
    readonly_fields = ["created_by", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return False  # invitations are sent from the staff and people pages, which mail the link


admin.site.register(StaffGroup)
