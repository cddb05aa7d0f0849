"""URL configuration; the web and API packages add their routes here."""

from django.urls import URLPattern, URLResolver, include, path

from ntm.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("public/", include("ntm.web.urls_public")),
    path("values/", include("ntm.web.urls_entry")),
    path("", include("ntm.web.urls")),
]
