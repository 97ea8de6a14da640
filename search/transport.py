"""The HTTP node the Elasticsearch client sends its requests through: the standard library's
`http.client` on pooled keep-alive connections, in place of elasticsearch-py's default node on
urllib3, whose extra layers cost each request 0.1-0.3 ms of the web process's time
(docs/benchmarks.md), a tenth of what our code adds to a get or a suggestion.

A node is elastic_transport's extension point: the client still does everything above it
(serialization, the node pool and its retries on other nodes, mapping statuses to errors).
Like the default node, this one maps its failures to `ConnectionError`, `ConnectionTimeout` and
`TlsError`, which the read side answers with a 503.
"""

import http.client
import os
import platform
import select
import socket
import ssl
import threading
import time
import weakref

from elastic_transport import (
    ApiResponseMeta,
    BaseNode,
    ConnectionError,
    ConnectionTimeout,
    HttpHeaders,
    NodeConfig,
    TlsError,
)
from elastic_transport._node._base import (
    DEFAULT_CA_CERTS,
    NodeApiResponse,
    ssl_context_from_node_config,
)
from elastic_transport.client_utils import DEFAULT, DefaultType, client_meta_version


class HttpClientNode(BaseNode):
    """One Elasticsearch node, reached over `http.client` connections kept open between requests
    (at most `connections_per_node` idle ones; thread-safe)."""

    _CLIENT_META_HTTP_CLIENT = ("hc", client_meta_version(platform.python_version()))

    def __init__(self, config: NodeConfig):
        # What urllib3 would do for these is not redone here; settings offer none of them.
        unsupported = [
            name
            for name in ("http_compress", "ssl_assert_fingerprint", "ssl_assert_hostname", "client_cert")
            if getattr(config, name)
        ]
        if unsupported:
            raise ValueError(f"HttpClientNode does not support {', '.join(unsupported)}")
        super().__init__(config)
        self._idle: list[http.client.HTTPConnection] = []
        self._idle_lock = threading.Lock()
        self._tls = _tls_context(config) if config.scheme == "https" else None
        _NODES.add(self)

    def _forget_inherited_connections(self) -> None:
        """In a forked child (a Celery pool process, a gunicorn worker of a preloaded app): the
        parent's sockets are the parent's, and two processes reading one answer would each get
        half of it."""
        self._idle = []
        self._idle_lock = threading.Lock()

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        timeout = self.config.request_timeout if request_timeout is DEFAULT else request_timeout
        request_headers = self._headers.copy()
        if headers:
            request_headers.update(headers)
        target = f"{self.path_prefix}{target}"
        start = time.time()
        connection = self._connection()
        try:
            connection.timeout = timeout
            if connection.sock is not None:
                connection.sock.settimeout(timeout)
            connection.request(method, target, body=body or None, headers=dict(request_headers))
            response = connection.getresponse()
            data = response.read()
        except Exception as error:
            connection.close()
            failure = _transport_error(error)
            if failure is None:
                raise
            self._log_request(
                method=method, target=target, headers=request_headers, body=body, exception=failure
            )
            raise failure from error
        if response.will_close:
            connection.close()
        else:
            self._keep(connection)
        meta = ApiResponseMeta(
            node=self.config,
            duration=time.time() - start,
            http_version="1.1",
            status=response.status,
            headers=HttpHeaders(response.getheaders()),
        )
        self._log_request(
            method=method, target=target, headers=request_headers, body=body, meta=meta, response=data
        )
        return NodeApiResponse(meta, data)

    def close(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _connection(self) -> http.client.HTTPConnection:
        """The most recently used idle connection that is still open, else a new one (which
        connects on its first request)."""
        while True:
            with self._idle_lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                break
            if connection.sock is not None and not _closed_by_peer(connection.sock):
                return connection
            connection.close()
        if self._tls is not None:
            return http.client.HTTPSConnection(self.host, self.port, context=self._tls)
        return http.client.HTTPConnection(self.host, self.port)

    def _keep(self, connection: http.client.HTTPConnection) -> None:
        with self._idle_lock:
            if len(self._idle) < self.config.connections_per_node:
                self._idle.append(connection)
                return
        connection.close()


_NODES: "weakref.WeakSet[HttpClientNode]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for node in list(_NODES):
        node._forget_inherited_connections()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _tls_context(config: NodeConfig) -> ssl.SSLContext:
    """elastic_transport's context for the node's settings, with the CA certificates that its
    urllib3 node hands to urllib3: the configured CA file, else certifi's bundle."""
    context = ssl_context_from_node_config(config)
    ca_certs = config.ca_certs or DEFAULT_CA_CERTS
    if config.ssl_context is None and config.verify_certs and ca_certs:
        context.load_verify_locations(cafile=ca_certs)
    return context


def _closed_by_peer(sock: socket.socket) -> bool:
    """An idle keep-alive connection with something to read has been closed by the other end
    (or a proxy in between): reusing it would fail the request."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def _transport_error(error: Exception) -> Exception | None:
    """The elastic_transport error for a failure to exchange a request (None: not one)."""
    if isinstance(error, TimeoutError):
        return ConnectionTimeout("Connection timed out during request", errors=(error,))
    if isinstance(error, ssl.SSLError):
        return TlsError(str(error), errors=(error,))
    if isinstance(error, (OSError, http.client.HTTPException)):
        return ConnectionError(str(error), errors=(error,))
    return None
