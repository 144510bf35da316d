from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils import timezone

from .caching import invalidate_site
from .models import Article, Category, Source


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_count"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, category):
        return category.article_count


class SourceInline(admin.TabularInline):
    model = Source
    extra = 1
    fields = ["position", "name", "url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    verbose_name = "source"
    verbose_name_plural = "Sources (shown as “Sources: …” under the article, in this order)"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "headline",
        "category",
        "status",
        "published_at",
        "is_published",
        "featured",
        "views",
        "comments",
    ]
    list_display_links = ["headline"]
    list_filter = ["status", "category", "featured", "published_at"]
    list_select_related = ["category"]
    search_fields = ["headline", "standfirst", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["category"]
    readonly_fields = ["view_count", "created_at", "updated_at"]
    inlines = [SourceInline]
    actions = ["publish_now", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["headline", "slug", "category", "standfirst", "body"]}),
        ("Byline", {"fields": ["byline", "author"]}),
        (
            "Hero image",
            {
                "fields": ["hero_image", "hero_alt", "hero_caption", "hero_credit"],
                "description": "Optional. Resized copies for phones and desktops are made on save.",
            },
        ),
        (
            "Publishing",
            {
                "fields": ["status", "published_at", "featured", "comments_open"],
                "description": "Drafts and scheduled articles can be previewed with "
                "“View on site”; readers see them only once published and due.",
            },
        ),
        ("Record", {"fields": ["view_count", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Comments", ordering="comment_count")
    def comments(self, article):
        return article.comment_count

    @admin.display(description="Views", ordering="view_count")
    def views(self, article):
        return f"{article.view_count:,}"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # Editors cannot browse user accounts; offer the desk's own people.
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_staff=True, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        initial.setdefault("byline", request.user.get_full_name())
        return initial

    @admin.action(description="Publish selected articles now", permissions=["change"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        count = 0
        for article in queryset:
            article.publish(when=now if not article.is_published() else None)
            article.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT, updated_at=timezone.now())
        invalidate_site()  # update() sends no signals
        self.message_user(request, f"Moved {count} article(s) back to draft.", messages.SUCCESS)
