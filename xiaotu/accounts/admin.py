from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from xiaotu.accounts.models import AuditEvent, User


@admin.register(User)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "display_name", "role", "library", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("xiaotu", {"fields": ("library", "role", "display_name")}))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "action", "object_type", "object_id", "actor"]
    list_filter = ["action"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
