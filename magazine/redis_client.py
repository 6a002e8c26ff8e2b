"""A small Redis client: what the page cache, the sign-in limits and Django's cache API ask
of Redis, spoken over one socket per client in Redis's own protocol (RESP2).

Why not redis-py: it is a full client (asyncio, cluster, Sentinel, every command family),
and importing it adds about 4.4 MB to every gunicorn worker (its import alone is 63
modules), more than the margin to the workers' memory target; each call also costs about
40 µs of Python around an 8 µs round trip, and an uncached page makes five calls. The
cache needs a dozen commands. See the README ("The Redis client: why not redis-py").

Supported: ``redis://[[user]:password@]host[:port][/db]``, ``rediss://`` (TLS, the
system's certificate authorities, or ``ssl_ca_certs``; ``ssl_cert_reqs=none`` turns
verification off) and ``unix:///path/to/socket[?db=N]``. Not supported: Sentinel, cluster,
RESP3, pub/sub. A client holds one connection, opened on first use, dropped in a forked
child (the child opens its own) and opened again once when a reused connection turns out
closed (Redis restarted, an idle timeout) before any reply arrived.
"""

import contextlib
import os
import socket
import threading
import weakref
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit


class RedisError(Exception):
    """Anything that went wrong talking to Redis."""


class RedisConnectionError(RedisError):
    """Redis could not be reached, or the connection broke."""


class RedisTimeoutError(RedisConnectionError):
    """Redis did not answer in time."""


class ResponseError(RedisError):
    """Redis answered with an error (a wrong password, a wrong type)."""


class ProtocolError(RedisConnectionError):
    """Redis's answer could not be read: the connection is dropped."""


@dataclass(frozen=True)
class Address:
    host: str = "127.0.0.1"
    port: int = 6379
    path: str = ""  # a Unix socket, instead of host and port
    db: int = 0
    username: str = ""
    password: str = field(default="", repr=False)
    tls: bool = False
    ssl_ca_certs: str = ""
    ssl_cert_reqs: str = "required"

    def __str__(self) -> str:
        place = self.path or f"{self.host}:{self.port}"
        return f"{'rediss' if self.tls else 'redis'} {place} db {self.db}"


_QUERY_OPTIONS = {"db", "ssl_ca_certs", "ssl_cert_reqs"}


def _shown(url: str) -> str:
    """``url`` as errors show it: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return repr(url)
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return repr(parts._replace(netloc=netloc).geturl())


def parse_url(url: str, **options) -> Address:
    """An ``Address`` from a Redis URL and ``options`` that override its query (``db``,
    ``ssl_cert_reqs``, ``ssl_ca_certs``: django-environ moves a CACHE_URL's query into the
    cache's OPTIONS); a ValueError that names the URL's fault."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"redis", "rediss", "unix"}:
        raise ValueError(f"Redis URL {_shown(url)}: the scheme must be redis, rediss or unix")
    query = dict(parse_qsl(parts.query)) | {name: str(value) for name, value in options.items()}
    if unknown := set(query) - _QUERY_OPTIONS:
        raise ValueError(f"Redis URL {_shown(url)}: unknown option(s) {', '.join(sorted(unknown))}")
    fields = {}
    if parts.username:
        fields["username"] = unquote(parts.username)
    if parts.password:
        fields["password"] = unquote(parts.password)
    if scheme == "unix" or (not parts.hostname and parts.path not in {"", "/"}):
        fields["path"] = unquote(parts.path)
        db = query.get("db", "0")
    else:
        fields["host"] = parts.hostname or "127.0.0.1"
        try:
            fields["port"] = parts.port or 6379
        except ValueError:
            raise ValueError(f"Redis URL {_shown(url)}: the port is not a number") from None
        db = query.get("db") or parts.path.strip("/") or "0"
    if not db.isdigit():
        raise ValueError(f"Redis URL {_shown(url)}: the database must be a number, not {db!r}")
    fields["db"] = int(db)
    fields["tls"] = scheme == "rediss"
    if (reqs := query.get("ssl_cert_reqs", "required").lower()) not in {"required", "none"}:
        raise ValueError(f"Redis URL {_shown(url)}: ssl_cert_reqs must be required or none")
    fields["ssl_cert_reqs"] = reqs
    fields["ssl_ca_certs"] = query.get("ssl_ca_certs", "")
    return Address(**fields)


def encode(args: tuple) -> bytes:
    """One command in RESP: an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif type(arg) is int:
            arg = b"%d" % arg
        elif not isinstance(arg, bytes | bytearray | memoryview):
            raise TypeError(f"Redis commands take str, bytes or int, not {type(arg).__name__}")
        parts += (b"$%d\r\n" % len(arg), arg, b"\r\n")
    return b"".join(parts)


_MAX_LINE = 64 * 1024
_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()


class Client:
    """One connection to one Redis database, safe to share between threads."""

    def __init__(
        self,
        url: str,
        *,
        socket_timeout: float | None = 5.0,
        socket_connect_timeout: float | None = 5.0,
        **options,
    ):
        self.address = parse_url(url, **options)
        self.socket_timeout = socket_timeout
        self.socket_connect_timeout = socket_connect_timeout
        self._sock: socket.socket | None = None
        self._file = None
        self._lock = threading.Lock()
        _clients.add(self)

    def __repr__(self) -> str:
        return f"<redis_client.Client {self.address}>"

    # Connection

    def _connect(self) -> None:
        address = self.address
        try:
            if address.path:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.socket_connect_timeout)
                sock.connect(address.path)
            else:
                sock = socket.create_connection(
                    (address.host, address.port), timeout=self.socket_connect_timeout
                )
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if address.tls:
                sock = self._wrap_tls(sock)
            sock.settimeout(self.socket_timeout)
        except TimeoutError as error:
            raise RedisTimeoutError(f"{address}: no connection within the timeout") from error
        except OSError as error:
            raise RedisConnectionError(f"{address}: cannot connect ({error})") from error
        self._sock, self._file = sock, sock.makefile("rb")
        setup = []
        if address.username and address.password:
            setup.append(("AUTH", address.username, address.password))
        elif address.password:
            setup.append(("AUTH", address.password))
        if address.db:
            setup.append(("SELECT", address.db))
        if not setup:
            return
        try:
            replies = self._exchange(setup)
            if refused := next((r for r in replies if isinstance(r, ResponseError)), None):
                raise ResponseError(f"{address}: {refused}")
        except RedisError:
            self.disconnect()
            raise
        except (OSError, ValueError) as error:
            self.disconnect()
            raise RedisConnectionError(f"{address}: the connection broke ({error})") from error

    def _wrap_tls(self, sock: socket.socket) -> socket.socket:
        import ssl

        context = ssl.create_default_context(cafile=self.address.ssl_ca_certs or None)
        if self.address.ssl_cert_reqs == "none":
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context.wrap_socket(sock, server_hostname=self.address.host)

    def disconnect(self) -> None:
        sock, file = self._sock, self._file
        self._sock = self._file = None
        for closable in (file, sock):
            if closable is not None:
                with contextlib.suppress(OSError):
                    closable.close()

    def _forget_after_fork(self) -> None:
        """In a forked child: the parent's connection is the parent's. Close only this
        process's copy of it, so that the parent's stays open, and the lock too."""
        self._lock = threading.Lock()
        self.disconnect()

    # Protocol

    def _read_reply(self, line: bytes | None = None):
        if line is None:
            line = self._file.readline(_MAX_LINE)
        if not line.endswith(b"\r\n"):
            if not line:
                raise RedisConnectionError(f"{self.address}: the connection was closed")
            raise ProtocolError(f"{self.address}: an unreadable reply {line[:40]!r}")
        kind, rest = line[:1], line[1:-2]
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            data = self._file.read(size + 2)
            if len(data) != size + 2:
                raise RedisConnectionError(f"{self.address}: the connection was closed")
            return data[:-2]
        if kind == b":":
            return int(rest)
        if kind == b"+":
            return rest
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self._read_reply() for _ in range(size)]
        if kind == b"-":
            # Returned, not raised, so that the rest of a pipeline's replies are read.
            return ResponseError(rest.decode(errors="replace"))
        raise ProtocolError(f"{self.address}: an unreadable reply {line[:40]!r}")

    def _exchange(self, commands: list[tuple]) -> list:
        self._sock.sendall(b"".join(encode(command) for command in commands))
        return [self._read_reply() for _ in commands]

    def execute(self, *commands: tuple) -> list:
        """Send ``commands`` together and return their replies in order; a reply that is
        an error is returned as a ResponseError, not raised."""
        payloads = [encode(command) for command in commands]  # a TypeError sends nothing
        with self._lock:
            reused = self._sock is not None
            if not reused:
                self._connect()
            for attempt in (1, 2):
                replies, started = [], False
                try:
                    self._sock.sendall(b"".join(payloads))
                    for _ in commands:
                        line = self._file.readline(_MAX_LINE)
                        started = True if line else started
                        replies.append(self._read_reply(line))
                    return replies
                except (OSError, RedisConnectionError, ValueError) as error:
                    self.disconnect()
                    # A connection kept from before may have been closed by Redis (a
                    # restart, an idle timeout) before it answered: try once more on a new
                    # one. Not once any answer began: the commands may have run.
                    closed = isinstance(error, ConnectionError) or (
                        type(error) is RedisConnectionError
                    )
                    if attempt == 1 and reused and not started and closed:
                        self._connect()
                        continue
                    if isinstance(error, RedisError):
                        raise
                    if isinstance(error, TimeoutError):
                        raise RedisTimeoutError(f"{self.address}: no reply in time") from error
                    if isinstance(error, ValueError):
                        raise ProtocolError(f"{self.address}: an unreadable reply") from error
                    raise RedisConnectionError(f"{self.address}: {error}") from error
        raise AssertionError("unreachable")

    def command(self, *args):
        """Run one command; its reply, or its error raised."""
        (reply,) = self.execute(args)
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    # The commands Django's Redis cache calls, as redis-py names them.

    def ping(self) -> bool:
        return self.command("PING") == b"PONG"

    def get(self, key):
        return self.command("GET", key)

    def set(self, key, value, ex: int | None = None, nx: bool = False) -> bool:
        args = ["SET", key, value]
        if ex is not None:
            args += ("EX", ex)
        if nx:
            args.append("NX")
        return self.command(*args) == b"OK"

    def mget(self, keys) -> list:
        keys = list(keys)
        return self.command("MGET", *keys) if keys else []

    def delete(self, *keys) -> int:
        return self.command("DEL", *keys) if keys else 0

    def exists(self, *keys) -> int:
        return self.command("EXISTS", *keys)

    def expire(self, key, seconds: int) -> int:
        return self.command("EXPIRE", key, seconds)

    def persist(self, key) -> int:
        return self.command("PERSIST", key)

    def incr(self, key, amount: int = 1) -> int:
        return self.command("INCRBY", key, amount)

    def flushdb(self) -> bool:
        return self.command("FLUSHDB") == b"OK"

    def pipeline(self) -> "Pipeline":
        return Pipeline(self)


class Pipeline:
    """Commands queued and run together in one transaction (MULTI ... EXEC), as
    redis-py's default pipeline does."""

    def __init__(self, client: Client):
        self._client = client
        self._commands: list[tuple] = []

    def mset(self, mapping: dict) -> "Pipeline":
        self._commands.append(("MSET", *(part for item in mapping.items() for part in item)))
        return self

    def expire(self, key, seconds: int) -> "Pipeline":
        self._commands.append(("EXPIRE", key, seconds))
        return self

    def execute(self) -> list:
        commands, self._commands = self._commands, []
        if not commands:
            return []
        *queued, results = self._client.execute(("MULTI",), *commands, ("EXEC",))
        for reply in (*queued, results):
            if isinstance(reply, ResponseError):
                raise reply
        if results is None:
            raise RedisError("the transaction was aborted")
        for reply in results:
            if isinstance(reply, ResponseError):
                raise reply
        return results


def _after_fork_in_child() -> None:
    for client in list(_clients):
        client._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
