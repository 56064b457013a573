from django.contrib import admin

from .models import CallOff, FeeYear, MonthClose, RateYear


@admin.register(RateYear)
class RateYearAdmin(admin.ModelAdmin):
    list_display = ["agreement", "year", "rate"]
    list_filter = ["unit", "year"]


@admin.register(FeeYear)
class FeeYearAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "municipality", "fee", "first_visit_free", "fee_on_no_show"]
    list_filter = ["unit", "year"]


@admin.register(CallOff)
class CallOffAdmin(admin.ModelAdmin):
    list_display = ["agreement", "year", "hours", "date", "reference"]
    list_filter = ["unit", "year"]


@admin.register(MonthClose)
class MonthCloseAdmin(admin.ModelAdmin):
    """Closed months are evidence: readable here, changed by nobody."""

    list_display = ["unit", "month", "closed_at", "closed_by", "csv_sha256", "pdf_sha256"]
    list_filter = ["unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
