from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from haven.api import api

admin.site.site_header = "Haven — coordination"
admin.site.site_title = "Haven"
admin.site.index_title = "Coordination"

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("coordinate/", admin.site.urls),
    path("api/", api.urls),
    path("telegram/", include("haven.bot.urls")),
    path("", include("haven.web.urls")),
]

handler404 = "haven.core.views.page_not_found"
handler500 = "haven.core.views.server_error"
