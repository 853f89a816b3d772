"""The sitemap: every public page in every language, each listing its translations."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from jpoa.core.models import Country
from jpoa.events.models import Event, Finding
from jpoa.library.models import Resource
from jpoa.plan.models import Phase
from jpoa.plan.published import pillars_of, site_plan


class _PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(_PublicSitemap):
    """The pages that are one per site: home, plan, lists, the matrix views."""

    priority = 0.8
    PAGES = [
        "public:home",
        "public:plan",
        "public:pillars",
        "public:states",
        "public:events",
        "public:participants",
        "public:findings",
        "public:library",
        "public:sources",
        "matrix:organisations",
        "matrix:heatmap",
        "matrix:plan_items",
        "matrix:activities",
        "matrix:editions",
    ]

    def items(self):
        return self.PAGES

    def location(self, item):
        return reverse(item)


class RecordSitemap(_PublicSitemap):
    """Pages of records with a key in their URL."""

    url_name = ""

    def location(self, item):
        return reverse(self.url_name, args=[item])


class PillarSitemap(RecordSitemap):
    url_name = "public:pillar"

    def items(self):
        return list(pillars_of(site_plan()).values_list("number", flat=True))


class StateSitemap(RecordSitemap):
    url_name = "public:state"

    def items(self):
        codes = Country.objects.filter(in_region=True).order_by("iso2")
        return [code.lower() for code in codes.values_list("iso2", flat=True)]


class EventSitemap(RecordSitemap):
    url_name = "public:event"

    def items(self):
        return list(Event.objects.order_by("start_date", "key").values_list("key", flat=True))


class PhaseSitemap(RecordSitemap):
    url_name = "public:phase"

    def items(self):
        return list(Phase.objects.order_by("number", "key").values_list("key", flat=True))


class FindingSitemap(RecordSitemap):
    url_name = "public:finding"

    def items(self):
        return list(Finding.objects.order_by("key").values_list("key", flat=True))


class ResourceSitemap(RecordSitemap):
    url_name = "public:resource"

    def items(self):
        return list(Resource.objects.order_by("key").values_list("key", flat=True))


SITEMAPS = {
    "pages": PageSitemap,
    "pillars": PillarSitemap,
    "states": StateSitemap,
    "phases": PhaseSitemap,
    "events": EventSitemap,
    "findings": FindingSitemap,
    "resources": ResourceSitemap,
}
