"""The URLconf of the static build: the site's own, plus the static search page.

Used only while `jpoa site build` renders (`ROOT_URLCONF` is overridden there); the
live site has no such page. It comes first so that it takes the place of the server's
search page at the same address.
"""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from jpoa import urls as site_urls

from . import views

urlpatterns = [
    *i18n_patterns(
        path("search/", views.search, name="sitebuild-search"), prefix_default_language=True
    ),
    *site_urls.urlpatterns,
]
