"""The editors' desk as an admin site: Django's own, with an autocomplete
that lets a model's admin add to each result."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class DeskAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete. A model admin with ``autocomplete_extra(obj)``
    adds its fields to each result: the image library its thumbnails, so an
    editor chooses a photo by sight. The admin's permission check on the
    searched model still decides who gets any result at all."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        extra = getattr(self.model_admin, "autocomplete_extra", None)
        return result | extra(obj) if extra else result


class DeskAdminSite(admin.AdminSite):
    site_header = "Newsroom editors' desk"
    site_title = "Newsroom"
    index_title = "Desk"

    def autocomplete_view(self, request):
        return DeskAutocompleteJsonView.as_view(admin_site=self)(request)
