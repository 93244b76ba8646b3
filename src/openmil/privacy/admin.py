"""Read-only admin: erasures are decided only through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openmil.privacy.models import ErasureRequest, LabPrivacySettings, RetentionRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "lab", "grounds", "status", "requested_by"]
    list_filter = ["status", "lab"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "lab", "dry_run", "considered", "anonymised"]
    list_filter = ["lab", "dry_run"]


@admin.register(LabPrivacySettings)
class LabPrivacySettingsAdmin(ReadOnlyAdmin):
    list_display = ["lab", "retention_enabled", "months_after_exit"]
