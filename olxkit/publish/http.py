"""One HTTP exchange with an LMS or Studio, with the failures that decide whether it may be retried."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from ..textscan import squeeze_spaces, strip_tags

MAX_BODY = 1 << 20

# -- HTTP ------------------------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> dict:
        try:
            value = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return value if isinstance(value, dict) else {}

    def reason(self) -> str:
        """What the server said, shortly: Open edX puts it in `developer_message`, `detail` or `error`."""
        data = self.json()
        for key in ("developer_message", "detail", "error_description", "error", "message"):
            if isinstance(data.get(key), str) and data[key].strip():
                return data[key].strip()[:300]
        # Only the start is shown: a megabyte error page is cut before it is scanned.
        return squeeze_spaces(strip_tags(self.body[:65536].decode("utf-8", "replace")))[:200]


class NotSent(Exception):
    """The request did not reach the server whole: sending it again cannot duplicate anything."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class NoAnswer(Exception):
    """The whole request went out, but no answer came back: the server may have acted on it."""


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's TLS certificate is not valid ({exc.verify_message})"
    if isinstance(exc, socket.gaierror):
        return "the host name is not known"
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(exc, http.client.RemoteDisconnected | BrokenPipeError | ConnectionResetError):
        return "the server closed the connection"
    return getattr(exc, "strerror", None) or type(exc).__name__


DEADLINE = "the deadline passed (--timeout)"


def exchange(method: str, url: str, headers: dict[str, str], body: Iterable[bytes] = (),
             timeout: float = 60.0, deadline: float | None = None) -> Response:
    """One HTTP request; NotSent when it could not be sent whole, NoAnswer when it was but nothing came back.

    `timeout` bounds each read (and the connection); `deadline` (a `time.monotonic()` value) bounds the whole
    exchange: a server that drips its answer a byte at a time is cut off there.
    """
    left = None if deadline is None else deadline - time.monotonic()
    if left is not None and left <= 0:
        raise NotSent(DEADLINE, permanent=True)
    per_read = timeout if left is None else min(timeout, left)
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=per_read,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=per_read)
    watchdog = None
    if left is not None:
        watchdog = threading.Timer(left, _cut, (conn,))
        watchdog.daemon = True
        watchdog.start()

    def late() -> bool:
        return deadline is not None and time.monotonic() >= deadline

    try:
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            for chunk in body:
                conn.send(chunk)
        except ValueError:  # a header value with a line break: it must never be sent
            raise NotSent("a request header has a character HTTP does not allow", permanent=True) from None
        except (OSError, http.client.HTTPException) as exc:
            if late():
                raise NotSent(DEADLINE, permanent=True) from None
            early = _early_answer(conn)
            if early is not None:
                return early
            raise NotSent(_describe(exc, per_read), isinstance(exc, ssl.SSLCertVerificationError)) from None
        try:
            response = conn.getresponse()
            data = response.read(MAX_BODY)
            if late():
                raise NoAnswer(DEADLINE)
            return Response(response.status, response.headers, data)
        except (OSError, http.client.HTTPException) as exc:
            raise NoAnswer(DEADLINE if late() else _describe(exc, per_read)) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.close()


def _cut(conn: http.client.HTTPConnection) -> None:
    """At the deadline: shut the socket down, which wakes a read waiting on it in another thread."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _early_answer(conn: http.client.HTTPConnection) -> Response | None:
    """A server may answer (401, 413…) and close before the body is all sent; read that answer if it is there."""
    if conn.sock is None:
        return None
    try:
        conn.sock.settimeout(5)
        response = conn.getresponse()
        return Response(response.status, response.headers, response.read(MAX_BODY))
    except Exception:  # the connection is gone: there is no answer to read
        return None
