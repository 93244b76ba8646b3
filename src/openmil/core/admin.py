"""Admin for network set-up. The audit log is read-only here as everywhere."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openmil.core.models import (
    ApiToken,
    AuditEntry,
    Lab,
    Membership,
    Network,
    Organisation,
)


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "territory", "network"]
    list_filter = ["network", "country"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "lab"]
    list_filter = ["lab", "kind"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "lab", "role", "organisation"]
    list_filter = ["lab", "role"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "object_type", "object_id", "lab"]
    list_filter = ["action", "object_type", "lab"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["digest", "hint"]
