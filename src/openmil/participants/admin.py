from django.contrib import admin

from openmil.participants.models import LegalStatusCategory, NeedType


@admin.register(NeedType)
class NeedTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "lab"]


@admin.register(LegalStatusCategory)
class LegalStatusCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "lab", "position"]
    list_filter = ["lab"]
