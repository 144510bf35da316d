from django.contrib import admin

from .models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj is not None and obj.is_standing else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.is_standing else self.prepopulated_fields

    def has_delete_permission(self, request, obj=None):
        """The footer's pages are edited, never deleted (links would break)."""
        if obj is not None and obj.is_standing:
            return False
        return super().has_delete_permission(request, obj)
