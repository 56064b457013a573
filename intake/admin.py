from django.contrib import admin

from .models import IntakeSettings


@admin.register(IntakeSettings)
class IntakeSettingsAdmin(admin.ModelAdmin):
    list_display = ["unit", "administration_name", "notice_after_days"]
