from articles.sitemaps import CategorySitemap

from .models import Page


class PageSitemap(CategorySitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return Page.objects.order_by("slug")

    def lastmod(self, page):
        return page.updated_at
