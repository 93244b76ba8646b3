from django.contrib import admin

from openmil.events.models import Event, Volunteer


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "lab", "starts_at", "status", "capacity"]
    list_filter = ["status", "lab"]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["pk", "lab", "role", "status"]
    list_filter = ["status", "lab"]
