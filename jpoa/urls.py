from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import set_language

from jpoa.public.sitemaps import SITEMAPS
from jpoa.public.views import robots

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("jpoa.api.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots, name="robots"),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("jpoa.accounts.urls")),
    path("matrix/", include("jpoa.matrix.urls")),
    path("rounds/", include("jpoa.rounds.urls")),
    path("data/", include("jpoa.exchange.urls")),
    path("library/", include("jpoa.library.urls")),
    path("analysis/", include("jpoa.analysis.urls")),
    path("search/", include("jpoa.search.urls")),
    path("", include("jpoa.public.urls")),
    prefix_default_language=True,
)

# A write refused by a busy database anywhere in a request is a 503, not a 500 (`jpoa.lib.busy`).
handler500 = "jpoa.lib.busy.server_error"
