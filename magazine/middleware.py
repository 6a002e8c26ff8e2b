"""Site-wide middleware: extra security headers, and a friendly 503 when the database is
down (cached pages keep being served, as the page cache answers before any query)."""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("magazine.availability")


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AdminStylePolicyMiddleware:
    """The admin's body editor injects its own <style> element, so admin pages allow
    inline styles; scripts stay 'self' plus nonce everywhere, and reader pages keep the
    strict style policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response._csp_config = {
                **settings.SECURE_CSP,
                "style-src": [*settings.SECURE_CSP["style-src"], "'unsafe-inline'"],
            }
        return response


class DatabaseUnavailableMiddleware:
    """Readers get a friendly 503 page, editors a clear message, when the database is
    unreachable. Django reconnects by itself on the next request (CONN_HEALTH_CHECKS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)) or (
            isinstance(exception, DatabaseError) and not _looks_like_outage(exception)
        ):
            return None
        logger.error("Database unavailable: %s", exception)
        editor = request.path.startswith("/admin/")
        html = render_to_string(
            "503.html", {"editor": editor, "magazine_name": settings.MAGAZINE_NAME}
        )
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response


def _looks_like_outage(error: Exception) -> bool:
    text = str(error).lower()
    return any(
        words in text
        for words in (
            "connection",
            "could not connect",
            "server closed",
            "terminating",
            "shutting down",
            "database is locked",
            "unable to open",
            "the database system is",
            "timeout",
        )
    )
