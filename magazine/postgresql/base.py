"""Django's PostgreSQL backend, checking a persistent connection only after a pause,
remembering how psycopg parses the long reader queries, and reading JSON with orjson.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every
request, so that a connection the server has dropped (a restart, an idle timeout) is
replaced instead of failing the request. Under load that is one more round trip on every
page (an uncached article: about 0.3 ms of its 2.8). A connection that answered a moment
ago is as good as checked: the check is made only when the connection has not been used
for ``HEALTH_CHECK_IDLE`` seconds (settings.py, ``DATABASE_HEALTH_CHECK_IDLE``; 0 checks
before every request, as Django does). A connection that failed during a request is
still checked, or closed, at the end of that request (Django's own rule).
"""

import time

import orjson
from django.db import DEFAULT_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg.types.json import JsonBinaryLoader, JsonLoader

# psycopg works out where a query's parameters go once per query text, and remembers it,
# but only for texts up to 4 KB with up to 50 parameters: others are parsed again on every
# run. The article page's one query (the article with its byline, takeaways, sources,
# corrections, related cards and the menu's sections) is about 4.5 KB, and parsing it cost
# 0.1 ms a page; the home page's query takes 5 parameters a section, more than 50 from ten
# sections. Reader queries are few and fixed (models/prepared.py), so remembering texts up
# to 16 KB and 200 parameters costs little.
# psycopg reads this module setting on each run (tests/test_performance.py checks it). It
# is psycopg's internal setting: a psycopg without it simply parses long queries each time.
try:
    from psycopg import _queries
except ImportError:  # pragma: no cover - another psycopg layout
    pass
else:
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(
        getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 0), 16 * 1024
    )
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(
        getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 0), 200
    )


class _OrjsonLoader(JsonLoader):
    _loads = orjson.loads


class _OrjsonBinaryLoader(JsonBinaryLoader):
    _loads = orjson.loads


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, settings_dict, alias=DEFAULT_DB_ALIAS):
        super().__init__(settings_dict, alias)
        self.health_check_idle = float(settings_dict.get("HEALTH_CHECK_IDLE", 0))
        self.used_at: float | None = None  # time.monotonic() of the last query sent

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # The reader queries bring an article's byline, takeaways, sources, related cards
        # and menu as json columns, which psycopg decodes with the standard library's json:
        # a third of the instructions an article page spent fetching its row. orjson reads
        # the same JSON to the same values several times faster. (jsonb is left to Django,
        # which reads it as text and decodes it itself.)
        for loader in (_OrjsonLoader, _OrjsonBinaryLoader):
            connection.adapters.register_loader("json", loader)
        return connection

    def create_cursor(self, name=None):
        self.used_at = time.monotonic()
        return super().create_cursor(name)

    def close_if_health_check_failed(self):
        if (
            not self.health_check_done
            and self.used_at is not None
            and time.monotonic() - self.used_at < self.health_check_idle
        ):
            self.health_check_done = True  # it answered a moment ago
            return
        super().close_if_health_check_failed()

    def _close(self):
        self.used_at = None
        return super()._close()
