from django.contrib import admin

from openmil.activities.models import Activity, LabActivitySettings


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "pillar", "lab", "organisation"]
    list_filter = ["lab", "pillar", "kind"]


@admin.register(LabActivitySettings)
class LabActivitySettingsAdmin(admin.ModelAdmin):
    list_display = ["lab", "target_newcomer_share"]
