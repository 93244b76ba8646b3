from django.contrib import admin

from openmil.network.models import FederatedLab, MipexScore, OutboxItem


@admin.register(FederatedLab)
class FederatedLabAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "country", "status", "fingerprint"]
    list_filter = ["status"]
    readonly_fields = ["public_key", "fingerprint", "registered_at", "approved_at"]


@admin.register(MipexScore)
class MipexScoreAdmin(admin.ModelAdmin):
    list_display = ["country", "year", "strand", "score"]


@admin.register(OutboxItem)
class OutboxItemAdmin(admin.ModelAdmin):
    list_display = ["sequence", "kind", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "kind"]
