from django.contrib import admin

from .models import QualitySettings


@admin.register(QualitySettings)
class QualitySettingsAdmin(admin.ModelAdmin):
    list_display = ["unit", "introduction_supervision_hours", "requires_authorised_counsellor"]
