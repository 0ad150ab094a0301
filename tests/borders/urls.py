"""The site's URLs with the border pages and API mounted, whether or not haven/urls.py
and haven/api/main.py include them yet (they do once wired; then this adds nothing)."""

from django.urls import URLPattern, URLResolver, include, path
from ninja import NinjaAPI

from haven import urls as site
from haven.api import api, errors
from haven.api.auth import AUTH
from haven.api.borders import router
from haven.web import urls as web_urls
from haven.web import urls_borders


def _mounted(patterns: list[URLPattern | URLResolver]) -> bool:
    return any(
        getattr(p, "urlconf_name", None) in ("haven.web.urls_borders", urls_borders)
        or getattr(p, "urlconf_module", None) is urls_borders
        for p in patterns
    )


_api_mounted = any(prefix.strip("/") == "border" for prefix, _router in api._routers)
urlpatterns: list[URLPattern | URLResolver] = []
if not _api_mounted:
    border_api = NinjaAPI(urls_namespace="border-api", auth=AUTH, docs_url=None, openapi_url=None)
    errors.install(border_api)
    border_api.add_router("/border", router)
    urlpatterns.append(path("api/", border_api.urls))
if _mounted(web_urls.urlpatterns):
    urlpatterns += site.urlpatterns
else:
    web = [*web_urls.urlpatterns, path("border/", include(urls_borders.urlpatterns))]
    urlpatterns += [p for p in site.urlpatterns if getattr(p, "app_name", None) != "web"]
    urlpatterns.append(path("", include((web, "web"))))
