import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from . import health

admin.site.site_header = f"{settings.MAGAZINE_NAME} newsroom"
admin.site.site_title = settings.MAGAZINE_NAME
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
