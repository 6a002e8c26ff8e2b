"""magazine.redis_client, the Redis client under the cache: the protocol against a scripted
server (broken connections, errors, timeouts, TLS), and Django's cache API against the real
Redis on 127.0.0.1:6379 where there is one."""

import contextlib
import os
import re
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from magazine import redis_client
from magazine.cache import RedisCache
from magazine.redis_client import (
    Address,
    Client,
    ProtocolError,
    RedisConnectionError,
    RedisTimeoutError,
    ResponseError,
    parse_url,
)

ROOT = Path(__file__).resolve().parents[1]
REAL = "redis://127.0.0.1:6379/8"


def _real_redis() -> Client:
    client = Client(REAL, socket_connect_timeout=1)
    try:
        client.ping()
    except RedisConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    return client


class ScriptedServer:
    """A server on a loopback port that answers each connection from a script: a list,
    per connection, of replies (bytes sent after one command is read; None: close)."""

    def __init__(
        self,
        connections: list[list[bytes | None]],
        tls: ssl.SSLContext | None = None,
        reset: bool = False,
    ):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = connections
        self.tls = tls
        self.reset = reset  # close with a reset (RST) instead of an orderly end
        self.received: list[list[bytes]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        for script in self.connections:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return  # closed
            if self.tls:
                try:
                    sock = self.tls.wrap_socket(sock, server_side=True)
                except (ssl.SSLError, OSError):
                    continue  # the client refused our certificate
            commands = []
            self.received.append(commands)
            file = sock.makefile("rb")
            for reply in script:
                command = _read_command(file)
                if not command:
                    break
                commands.append(command)
                if reply is None:
                    break
                sock.sendall(reply)
            file.close()
            if self.reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

    def close(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread in accept()
        self.listener.close()
        self.thread.join(timeout=5)


def _read_command(file) -> bytes:
    header = file.readline()
    if not header:
        return b""  # the client went away
    parts = [header]
    for _ in range(int(header[1:])):
        size_line = file.readline()
        parts += (size_line, file.read(int(size_line[1:]) + 2))
    return b"".join(parts)


@pytest.fixture
def scripted():
    servers = []

    def start(*connections, tls=None, reset=False):
        server = ScriptedServer(list(connections), tls=tls, reset=reset)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_commands_are_encoded_as_arrays_of_bulk_strings():
    assert redis_client.encode(("SET", "clé", b"\x00\r\n", 42)) == (
        b"*4\r\n$3\r\nSET\r\n$4\r\ncl\xc3\xa9\r\n$3\r\n\x00\r\n\r\n$2\r\n42\r\n"
    )
    with pytest.raises(TypeError, match="not float"):
        redis_client.encode(("SET", "k", 1.5))
    with pytest.raises(TypeError, match="not bool"):
        redis_client.encode(("SET", "k", True))


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("redis://127.0.0.1:6379/9", Address(db=9)),
        ("redis://cache.internal", Address(host="cache.internal")),
        ("redis://:s%40cret@h:7000/2", Address(host="h", port=7000, db=2, password="s@cret")),
        ("redis://ann:pw@h/0", Address(host="h", username="ann", password="pw")),
        ("redis://h?db=3", Address(host="h", db=3)),
        ("rediss://h/1", Address(host="h", db=1, tls=True)),
        (
            "rediss://h?ssl_cert_reqs=none&ssl_ca_certs=/ca.pem",
            Address(host="h", tls=True, ssl_cert_reqs="none", ssl_ca_certs="/ca.pem"),
        ),
        ("unix:///run/redis.sock?db=4", Address(path="/run/redis.sock", db=4)),
        ("redis:///run/redis.sock", Address(path="/run/redis.sock")),
    ],
)
def test_urls_are_read(url, address):
    assert parse_url(url) == address


@pytest.mark.parametrize(
    ("url", "fault"),
    [
        ("http://h:6379", "scheme must be redis, rediss or unix"),
        ("redis://h:port/0", "port is not a number"),
        ("redis://h/cache", "database must be a number, not 'cache'"),
        ("redis://h/0?timeout=3", "unknown option(s) timeout"),
        ("rediss://h?ssl_cert_reqs=maybe", "ssl_cert_reqs must be required or none"),
    ],
)
def test_a_bad_url_is_refused_by_name_before_any_connection(url, fault):
    with pytest.raises(ValueError) as error:
        Client(url)
    assert fault in str(error.value) and repr(url) in str(error.value)


def test_errors_and_reprs_never_show_the_password():
    with pytest.raises(ValueError) as error:
        Client("redis://ann:s%40cret@h:port/0")
    assert "s%40cret" not in str(error.value) and "secret" not in str(error.value)
    assert "'redis://ann:***@h:port/0': the port is not a number" in str(error.value)
    client = Client("redis://:hunter2@127.0.0.1:1/3")
    assert "hunter2" not in repr(client) + repr(client.address) + str(client.address)


def test_replies_of_every_kind_are_read(scripted):
    server = scripted(
        [
            b"+PONG\r\n",
            b"$5\r\nhe\r\no\r\n",  # a bulk string may hold CR LF
            b"$-1\r\n",
            b":-12\r\n",
            b"*3\r\n$1\r\na\r\n$-1\r\n:7\r\n",
            b"$0\r\n\r\n",
        ]
    )
    client = Client(f"redis://127.0.0.1:{server.port}")
    assert client.ping() is True
    assert client.get("k") == b"he\r\no"
    assert client.get("missing") is None
    assert client.incr("n", 3) == -12
    assert client.mget(["a", "b", "c"]) == [b"a", None, 7]
    assert client.get("empty") == b""
    assert server.received[0][3] == b"*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$1\r\n3\r\n"


def test_an_error_reply_is_raised_and_the_connection_stays_usable(scripted):
    server = scripted([b"-WRONGTYPE Operation against a key\r\n", b"$1\r\nx\r\n"])
    client = Client(f"redis://127.0.0.1:{server.port}")
    with pytest.raises(ResponseError, match="WRONGTYPE Operation against a key"):
        client.incr("a-list")
    assert client.get("k") == b"x"
    assert len(server.received) == 1  # the same connection


def test_a_connection_redis_closed_while_idle_is_opened_again_once(scripted):
    # The first connection answers once, then is closed (Redis restarted, an idle timeout).
    server = scripted([b"$1\r\na\r\n", None], [b"$1\r\nb\r\n"])
    client = Client(f"redis://127.0.0.1:{server.port}")
    assert client.get("k") == b"a"
    assert client.get("k") == b"b"
    assert server.received[1] == [b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"]


def test_a_connection_closed_in_the_middle_of_a_reply_is_not_retried(scripted):
    # The second command gets half an answer, then the connection closes.
    server = scripted([b"+PONG\r\n", b"*2\r\n$1\r\na\r\n"], [b":1\r\n"])
    client = Client(f"redis://127.0.0.1:{server.port}")
    assert client.ping()
    with pytest.raises(RedisConnectionError, match="closed"):
        client.mget(["a", "b"])
    assert client.exists("k") == 1  # a new connection for the next command
    assert len(server.received) == 2


def test_a_new_connection_closed_at_once_is_an_error_not_a_loop(scripted):
    server = scripted([None])
    client = Client(f"redis://127.0.0.1:{server.port}")
    with pytest.raises(RedisConnectionError, match=f"127.0.0.1:{server.port} db 0: the conn"):
        client.get("k")
    assert len(server.received) == 1


def test_an_unreadable_reply_drops_the_connection(scripted):
    server = scripted([b"?what\r\n"], [b"+PONG\r\n"])
    client = Client(f"redis://127.0.0.1:{server.port}")
    with pytest.raises(ProtocolError, match="unreadable reply"):
        client.get("k")
    assert client.ping()
    assert len(server.received) == 2


def test_redis_that_does_not_answer_times_out(scripted):
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    try:
        client = Client(f"redis://127.0.0.1:{listener.getsockname()[1]}", socket_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError, match="no reply in time"):
            client.get("k")
        assert time.monotonic() - started < 2
    finally:
        listener.close()


def test_nothing_listening_is_a_connection_error_that_names_the_address():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free: nothing listens there
    with pytest.raises(RedisConnectionError, match=f"redis 127.0.0.1:{port} db 0: cannot conn"):
        Client(f"redis://127.0.0.1:{port}/0").get("k")


def test_password_and_database_are_sent_when_connecting(scripted):
    server = scripted([b"+OK\r\n", b"+OK\r\n", b"+PONG\r\n"])
    client = Client(f"redis://ann:pw@127.0.0.1:{server.port}/5")
    assert client.ping()
    assert server.received[0] == [
        b"*3\r\n$4\r\nAUTH\r\n$3\r\nann\r\n$2\r\npw\r\n",
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n",
        b"*1\r\n$4\r\nPING\r\n",
    ]


def test_a_refused_password_says_so_and_where(scripted):
    server = scripted([b"-WRONGPASS invalid username-password pair\r\n", None])
    client = Client(f"redis://:nope@127.0.0.1:{server.port}")
    with pytest.raises(ResponseError, match=f"127.0.0.1:{server.port} db 0: WRONGPASS"):
        client.ping()
    assert client._sock is None


def test_a_connection_reset_while_connecting_is_a_connection_error(scripted):
    server = scripted([None], reset=True)  # reads AUTH, then resets the connection
    client = Client(f"redis://:pw@127.0.0.1:{server.port}")
    with pytest.raises(RedisConnectionError, match=f"127.0.0.1:{server.port} db 0: the conn"):
        client.ping()
    assert client._sock is None


def test_a_transaction_runs_its_commands_together(scripted):
    replies = b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:1\r\n"
    server = scripted([b"", b"", b"", replies])  # the four commands arrive in one write
    client = Client(f"redis://127.0.0.1:{server.port}")
    assert client.pipeline().mset({"a": 1}).expire("a", 60).execute() == [b"OK", 1]
    assert [c.split(b"\r\n")[2] for c in server.received[0]] == [
        b"MULTI",
        b"MSET",
        b"EXPIRE",
        b"EXEC",
    ]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    try:
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
                *("-keyout", str(key), "-out", str(cert)),
            ],
            check=True,
            capture_output=True,
        )
    except FileNotFoundError:
        pytest.skip("needs the openssl command to make a certificate")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def test_tls_checks_the_servers_certificate(scripted, certificate):
    cert, context = certificate
    server = scripted([b"+PONG\r\n"], tls=context)
    assert Client(f"rediss://127.0.0.1:{server.port}?ssl_ca_certs={cert}").ping()

    untrusted = scripted([b"+PONG\r\n"], tls=context)
    with pytest.raises(RedisConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        Client(f"rediss://127.0.0.1:{untrusted.port}").ping()

    unchecked = scripted([b"+PONG\r\n"], tls=context)
    assert Client(f"rediss://127.0.0.1:{unchecked.port}?ssl_cert_reqs=none").ping()


FORK = """
import os, sys
from magazine.redis_client import Client

client = Client(sys.argv[1])
client.set("fork:parent", b"before")
parent_socket = client._sock
pid = os.fork()
if pid == 0:
    ok = client._sock is None and client.set("fork:child", b"child")
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status), client._sock is parent_socket, client.get("fork:child"))
client.delete("fork:parent", "fork:child")
"""


def test_a_forked_child_uses_its_own_connection_and_leaves_the_parents_open():
    """As gunicorn forks its workers from the master. In a process of its own: this one
    runs threads, and forking a process with threads is unsafe."""
    _real_redis()
    result = subprocess.run(
        [sys.executable, "-c", FORK, REAL], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    # The child's connection was its own; the parent's is the same one and still works.
    assert result.stdout.split() == ["0", "True", "b'child'"]


def test_the_cache_keeps_one_client_per_server_writing_to_the_first():
    """Not one client per call; with several servers, Django's rule: writes go to the
    first, reads to the others."""
    single = RedisCache(REAL, {})._cache
    assert single.get_client(write=True) is single.get_client(write=False)
    several = RedisCache("redis://primary/0,redis://replica/0", {})._cache
    assert several.get_client(write=True).address.host == "primary"
    assert several.get_client(write=False).address.host == "replica"
    assert several.get_client(write=False) is several.get_client(write=False)


def test_the_cache_api_on_the_real_redis():
    _real_redis()
    cache = RedisCache(REAL, {"KEY_PREFIX": "client-test"})
    cache.clear()
    big = os.urandom(1 << 20)
    cache.set("big", big)
    assert cache.get("big") == big
    cache.set("näme", {"ok": True}, 60)
    assert cache.get("näme") == {"ok": True}
    assert cache.add("näme", "other") is False and cache.add("new", 1) is True
    assert cache.incr("new", 5) == 6 and cache.get("new") == 6
    with pytest.raises(ValueError, match="not found"):
        cache.incr("absent")
    cache.set("gone", 1, 0)  # a timeout of 0 deletes
    assert cache.has_key("gone") is False
    assert cache.touch("new", None) is True and cache.touch("absent", 10) is False
    cache.set_many({"a": 1, "b": [2]}, 60)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": [2]}
    cache.delete_many(["a", "b"])
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("new") is True and cache.delete("new") is False
    cache.clear()
    assert cache.get("big") is None


def test_a_bad_cache_option_is_refused_by_name():
    cache = RedisCache(REAL, {"OPTIONS": {"socket_timout": 1}})
    with pytest.raises(ValueError, match=re.escape("unknown option(s) socket_timout")):
        cache.get("k")


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("redis:///run/redis.sock?db=2", Address(path="/run/redis.sock", db=2)),
        (
            "rediss://h:6380/0?ssl_cert_reqs=none",
            Address(host="h", port=6380, tls=True, ssl_cert_reqs="none"),
        ),
        ("redis://h/1?socket_timeout=0.5", Address(host="h", db=1)),
    ],
)
def test_a_cache_url_reaches_the_client_through_its_options(url, address):
    """django-environ moves a CACHE_URL's query into OPTIONS; the client reads them."""
    import environ

    config = environ.Env.cache_url_config(url)
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    client = RedisCache(config["LOCATION"], config)._cache.get_client()
    assert client.address == address
    assert client.socket_timeout == config.get("OPTIONS", {}).get("socket_timeout", 5.0)


def test_serving_pages_with_redis_never_imports_redis_py():
    """What the workers load (the warmed master, a page through the cache) holds no redis-py:
    its import costs each worker about 4.4 MB."""
    _real_redis()
    code = (
        "import sys, django; django.setup()\n"
        "from magazine.warm import warm; warm()\n"
        "from django.core.cache import cache, caches\n"
        "cache.set('import-check', 1); assert cache.get('import-check') == 1\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'redis')\n"
        "print(type(caches['default']).__module__, loaded)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "magazine.settings",
        "CACHE_URL": REAL,
        "SECRET_KEY": "import-check-" + "x" * 50,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["magazine.cache", "[]"]
