from django.contrib import admin

from openmil.partners.models import Opportunity, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "pillar", "need_type", "active"]
    list_filter = ["pillar", "active"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "is_open"]
    list_filter = ["kind", "is_open"]
