from django.contrib import admin

from xiaotu.catalogue.models import Item, ItemCategory, Record

admin.site.register(ItemCategory, list_display=["name", "code", "reference_only", "library"])
admin.site.register(Record, list_display=["title", "author", "isbn", "clc_class"], search_fields=["title", "isbn"])


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    """Read-only: item changes go through the services so that they are audited."""

    list_display = ["barcode", "record", "call_number", "status", "location"]
    search_fields = ["barcode", "accession_number", "call_number"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
