from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms.syndication import urls as syndication_urls
from cms.syndication.api import api_router
from cms.syndication.sitemaps import AllLanguagesSitemap
from search import urls as search_urls

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("sitemap.xml", sitemap, {"sitemaps": {"wagtail": AllLanguagesSitemap}}),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Everything public is language-prefixed: /sv/… and /en/….
urlpatterns += i18n_patterns(
    path("api/", include((search_urls.api_urlpatterns, "search_api"))),
    path("", include(search_urls)),
    path("", include(syndication_urls)),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

# A database error outside a view (middleware, the 404 page) is an outage: 503, not 500.
handler500 = "cms.core.outage.server_error"
