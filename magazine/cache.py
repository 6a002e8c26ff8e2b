"""Django's Redis cache backend, talking to Redis through ``magazine.redis_client``.

Everything the cache does (serialising, timeouts, several servers: writes to the first,
reads from the others) is Django's own ``RedisCache``; only the client under it is ours,
one per server, kept for the life of the backend. ``CACHE_URL=redis://...`` selects it
(settings.py). Its OPTIONS: ``socket_timeout`` and ``socket_connect_timeout`` (seconds,
5 each by default), ``serializer`` (as Django's).
"""

from django.core.cache.backends import redis as django_redis
from django.utils.module_loading import import_string

from magazine import redis_client


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers, serializer=None, **options):
        # Not super().__init__(): it imports redis-py, which this backend does without.
        self._servers = servers
        if isinstance(serializer, str):
            serializer = import_string(serializer)
        if callable(serializer):
            serializer = serializer()
        self._serializer = serializer or django_redis.RedisSerializer()
        # Made now, so that a bad URL or option is reported when the cache is first used,
        # by name; each connects on its first command.
        self._clients = [redis_client.Client(server, **options) for server in servers]

    def get_client(self, key=None, *, write=False):
        return self._clients[self._get_connection_pool_index(write)]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
