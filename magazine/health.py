"""/healthz/ for load balancers: is the database answering, and the cache?"""

import json
import time

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    try:
        key = "healthz:probe"
        value = str(time.time())
        cache.set(key, value, 30)
        checks["cache"] = "ok" if cache.get(key) == value else "error: read back failed"
    except Exception as error:
        checks["cache"] = f"error: {type(error).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return HttpResponse(
        json.dumps({"status": "ok" if healthy else "unhealthy", **checks}),
        status=200 if healthy else 503,
        content_type="application/json",
    )
