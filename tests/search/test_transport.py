"""The Elasticsearch client's HTTP node (search.transport) against the real Elasticsearch, reached
through a relay that behaves as a load balancer in front of a cluster: it counts the connections
it accepts, closes those left idle, and can terminate TLS."""

import contextlib
import os
import select
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from search.client import get_client
from search.transport import HttpClientNode
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEARCH = "/api/products/search/"


class Relay:
    """Forwards each accepted connection to `upstream`, and closes it (both ways) once nothing
    has crossed it for `idle_close` seconds. With `tls`, clients speak TLS to it."""

    def __init__(self, upstream: tuple[str, int], *, idle_close: float, tls: ssl.SSLContext | None = None):
        self.upstream = upstream
        self.idle_close = idle_close
        self.tls = tls
        self.accepted = 0
        self.closed_idle = 0
        self.failed_handshakes = 0
        self.errors: list[BaseException] = []
        self._closing = False
        self._open: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def close(self) -> None:
        """Stops accepting and ends every connection (a shutdown wakes the threads blocked on them;
        closing would not)."""
        self._closing = True
        for sock in [self._listener, *self._open]:
            with contextlib.suppress(OSError):  # already closed by its end
                sock.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)
            assert not thread.is_alive(), "a relay thread did not stop"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        try:
            if self.tls is not None:
                try:
                    client = self.tls.wrap_socket(client, server_side=True)
                except (ssl.SSLError, OSError):
                    self.failed_handshakes += 1
                    client.close()
                    return
            with client, socket.create_connection(self.upstream) as upstream:
                self._open += [client, upstream]
                self._pump(client, upstream)
        except Exception as error:  # a test asserts there were none
            if not self._closing:
                self.errors.append(error)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        while True:
            pending = isinstance(client, ssl.SSLSocket) and client.pending() > 0
            readable = [client] if pending else select.select(list(peers), [], [], self.idle_close)[0]
            if not readable:
                self.closed_idle += 1
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                peers[source].sendall(data)


@pytest.fixture
def relay(settings, elasticsearch_at) -> Iterator[Callable[..., Relay]]:
    """Starts a relay to the test Elasticsearch and points the read side at it."""
    started: list[Relay] = []
    upstream = urlsplit(settings.ELASTICSEARCH_URL.split(",")[0].strip())

    def start(*, idle_close: float = 30.0, tls: ssl.SSLContext | None = None) -> Relay:
        relay = Relay((upstream.hostname, upstream.port or 9200), idle_close=idle_close, tls=tls)
        started.append(relay)
        elasticsearch_at(f"{'https' if tls else 'http'}://127.0.0.1:{relay.port}")
        return relay

    yield start
    for relay in started:
        relay.close()
        assert relay.errors == []


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", *subject, *files],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The relay's side of TLS, presenting `certificate`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def test_the_client_talks_through_the_http_client_node():
    assert {type(node) for node in get_client().transport.node_pool.all()} == {HttpClientNode}


def _ids(answer) -> list[int]:
    assert answer.status_code == 200, answer.content
    return [product["id"] for product in answer.json()["results"]]


def test_queries_reuse_one_kept_alive_connection(api, shop, relay):
    # given the read side behind a relay
    direct = _ids(api.get(SEARCH, {"q": "gear"}))
    through = relay()

    # when a storefront searches twenty times, one query after the other
    answers = [api.get(SEARCH, {"q": "gear"}) for _ in range(20)]

    # then every search was answered as without the relay, over a single connection
    assert [_ids(answer) for answer in answers] == [direct] * 20
    assert through.accepted == 1


def test_a_connection_the_relay_closed_while_idle_is_replaced_not_failed(api, shop, relay):
    # given a relay that closes connections idle for 0.2 s, and a first search through it
    direct = _ids(api.get(SEARCH, {"q": "gear"}))
    through = relay(idle_close=0.2)
    assert _ids(api.get(SEARCH, {"q": "gear"})) == direct

    # when the kept-alive connection sits idle until the relay has closed it
    wait_until(lambda: through.closed_idle == 1, timeout=5)

    # then the next search is answered, over a new connection
    assert _ids(api.get(SEARCH, {"q": "gear"})) == direct
    assert through.accepted == 2


def test_tls_with_the_configured_ca_is_answered(api, shop, relay, certificate, tls, settings):
    # given Elasticsearch behind TLS with a certificate the configured CA file vouches for
    settings.ELASTICSEARCH_CA_CERTS = str(certificate[0])
    direct = _ids(api.get(SEARCH, {"q": "gear"}))
    through = relay(tls=tls)

    # when a storefront searches
    answer = api.get(SEARCH, {"q": "gear"})

    # then it is answered over TLS
    assert _ids(answer) == direct
    assert through.accepted == 1 and through.failed_handshakes == 0


def test_tls_with_a_certificate_nobody_vouches_for_is_a_503(api, shop, relay, tls, settings):
    # given Elasticsearch behind TLS with a self-signed certificate, and no CA file configured
    settings.ELASTICSEARCH_QUERY_TIMEOUT = 2
    through = relay(tls=tls)

    # when a storefront searches
    answer = api.get(SEARCH, {"q": "gear"})

    # then the client refused the certificate: the read side is unavailable, not wrong
    assert answer.status_code == 503, answer.content
    assert answer.json()["code"] == "search_unavailable"
    assert through.accepted >= 1
    wait_until(lambda: through.failed_handshakes == through.accepted, timeout=5)


def test_tls_with_verification_turned_off_is_answered(api, shop, relay, tls, settings):
    # given Elasticsearch behind TLS with a self-signed certificate, and verification turned off
    # (ELASTICSEARCH_VERIFY_CERTS=false, for a cluster on a private network)
    settings.ELASTICSEARCH_VERIFY_CERTS = False
    direct = _ids(api.get(SEARCH, {"q": "gear"}))
    through = relay(tls=tls)

    # when a storefront searches
    answer = api.get(SEARCH, {"q": "gear"})

    # then it is answered over TLS all the same
    assert _ids(answer) == direct
    assert through.accepted == 1 and through.failed_handshakes == 0


def test_a_forked_process_opens_its_own_connection(shop, relay, settings):
    # given a process whose client holds a kept-alive connection (a Celery pool's parent, a
    # preloaded gunicorn master)
    through = relay()
    client = get_client()
    query = {"index": settings.ELASTICSEARCH_INDEX_ALIAS, "q": "gear", "filter_path": "hits.hits._id"}
    expected = client.search(**query).body

    # when it forks, and the child searches while the parent does too
    child = os.fork()
    if child == 0:
        whole = False
        try:
            whole = client.search(**query).body == expected
        finally:  # the child must never return into pytest
            os._exit(0 if whole else 1)
    parent_answer = client.search(**query).body
    _, status = os.waitpid(child, 0)

    # then both got their whole answer, the child over a connection of its own
    assert os.waitstatus_to_exitcode(status) == 0
    assert parent_answer == expected
    assert through.accepted == 2
