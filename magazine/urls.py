import re

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve

from . import health
from .login_limits import LimitedAdminAuthenticationForm

admin.site.site_header = f"{settings.MAGAZINE_NAME} newsroom"
admin.site.site_title = settings.MAGAZINE_NAME
admin.site.index_title = "Newsroom"
admin.site.login_form = LimitedAdminAuthenticationForm

handler404 = "articles.views.not_found"

urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]

if settings.BENCH_HELLO:
    # The benchmark's baseline: a bare view through the same server, middleware and settings.
    urlpatterns.append(path("bench/hello/", lambda request: HttpResponse("hello")))

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
