"""Publishing against hostile or broken servers (issue 11): echoed secrets, drips, huge bodies, odd tokens.

Each test starts a real HTTP server on 127.0.0.1 (the fake Open edX of test_publish.py, or a raw socket server
for a server that misbehaves below HTTP).
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
import urllib.parse

import pytest
from test_publish import CLIENT_ID, FakeOpenEdx, Handler, Server, instances_yaml

from helpers import REPO, make_project, run_process

MB = 1 << 20
FAST = ["--backoff", "0.01", "--poll-interval", "0.01", "--retries", "1"]


def start(handler=Handler):
    server = Server(("127.0.0.1", 0), handler)
    server.edx = FakeOpenEdx()
    server.edx.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def server():
    srv = start(EchoHandler)
    yield srv
    srv.shutdown()
    srv.server_close()


def project_for(tmp_path, url):
    return make_project(tmp_path / "course", {"course/instances.yaml": instances_yaml(url, ("en",))})


def env_for(secret: str, client_id: str = CLIENT_ID) -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "OLXKIT_DEBUG": "1", "OLXKIT_EN_CLIENT_ID": client_id,
            "OLXKIT_EN_CLIENT_SECRET": secret}


def forms_of(client_id: str, secret: str, token: str | None) -> list[str]:
    """Every spelling of a secret that an echoing server could send back."""
    basic = f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
    forms = [secret, base64.b64encode(basic.encode()).decode(), base64.b64encode(f"{client_id}:{secret}".encode())
             .decode(), urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
             json.dumps(secret)[1:-1]]
    if token:
        forms += [token, urllib.parse.quote(token, safe=""), json.dumps(token)[1:-1],
                  base64.b64encode(token.encode()).decode()]
    return forms


class EchoHandler(Handler):
    """Answers the token request or the upload with an error page that quotes the request headers."""

    def echo(self, status: int, kind: str) -> None:
        headers = "".join(f"{k}: {v}\n" for k, v in self.headers.items())
        if kind == "html":
            body = f"<html><body><h1>Error</h1><pre>{headers}</pre></body></html>".encode()
            ctype = "text/html"
        elif kind == "json":
            body = json.dumps({"detail": "denied", "request": {"headers": dict(self.headers.items())}}).encode()
            ctype = "application/json"
        else:
            body = f"Request was:\n{headers}".encode()
            ctype = "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def token(self):
        step = self.edx.token_script.pop(0) if self.edx.token_script else ""
        if step:
            self.body()
            status, kind = step.split("-")
            return self.echo(int(status), kind)
        return super().token()

    def upload(self, course_key):
        step = self.edx.upload_script[0] if self.edx.upload_script else ""
        if step.split("-")[0] in ("400", "401", "500") and step.split("-")[1] in ("html", "json", "text"):
            self.edx.upload_script.pop(0)
            self.body()
            status, kind = step.split("-")
            return self.echo(int(status), kind)
        return super().upload(course_key)


@pytest.mark.parametrize("where", ["token", "upload"])
@pytest.mark.parametrize("status", ["400", "401", "500"])
@pytest.mark.parametrize("kind", ["html", "json", "text"])
def test_an_error_page_that_echoes_the_headers_leaks_no_secret(tmp_path, server, where, status, kind):
    edx = server.edx
    secret = edx.secret + "/+=é&"  # characters that every encoding spells differently
    edx.secret = secret
    (edx.token_script if where == "token" else edx.upload_script).extend([f"{status}-{kind}"] * 3)
    root = project_for(tmp_path, edx.url)
    proc = run_process("publish", str(root), "-i", "en", *FAST, env=env_for(secret))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert "Authorization" not in output or "[redacted]" in output
    for form in forms_of(CLIENT_ID, secret, next(iter(edx.tokens), None)):
        assert form not in output, (form, output)
    for record in (root / "build").rglob("*.json"):
        for form in forms_of(CLIENT_ID, secret, next(iter(edx.tokens), None)):
            assert form not in record.read_text()


def test_the_redactor_covers_every_encoding():
    from olxkit.publish.credentials import Redactor

    redact = Redactor()
    redact.add("s3cr/t+é")
    redact.add_basic("my id", "s3cr/t+é")
    text = " ".join(forms_of("my id", "s3cr/t+é", None)) + "\nAuthorization: Bearer abcdef123456\n"
    clean = redact(text)
    assert "s3cr" not in clean and "abcdef123456" not in clean
    assert "Authorization: [redacted]" in clean


def _raw_server(behaviour):
    """A TCP server on 127.0.0.1 whose each connection runs `behaviour(conn)`."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    stop = threading.Event()

    def serve():
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            threading.Thread(target=behaviour, args=(conn, stop), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}", stop, sock


def _read_request(conn) -> None:
    """Read the whole request (headers and body), so that closing the socket later sends no reset."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


def _drip(conn, stop):
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
    while not stop.is_set():
        try:
            conn.sendall(b" ")
        except OSError:
            return
        time.sleep(0.5)  # each read gets its byte in time; only an overall deadline ends this


def test_a_dripping_server_is_cut_off_at_the_deadline(tmp_path):
    url, stop, sock = _raw_server(_drip)
    try:
        root = project_for(tmp_path, url)
        started = time.monotonic()
        proc = run_process("publish", str(root), "-i", "en", *FAST, "--timeout", "4", "--read-timeout", "2",
                           env=env_for("secret-value"))
        elapsed = time.monotonic() - started
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "deadline" in proc.stdout + proc.stderr
        assert elapsed < 60, elapsed  # a generous bound: the build itself takes seconds; without one, forever
    finally:
        stop.set()
        sock.close()


def _huge_lt(conn, stop):
    _read_request(conn)
    body = b"<" * MB
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n" % len(body) + body)
    conn.shutdown(socket.SHUT_WR)
    time.sleep(1)
    conn.close()


def test_a_megabyte_error_page_of_angle_brackets_is_reported(tmp_path):
    url, stop, sock = _raw_server(_huge_lt)
    try:
        root = project_for(tmp_path, url)
        proc = run_process("publish", str(root), "-i", "en", *FAST, "--timeout", "120",
                           env=env_for("secret-value"))
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "the LMS refused a token (400" in proc.stdout + proc.stderr
    finally:
        stop.set()
        sock.close()


class CrlfHandler(Handler):
    def token(self):
        self.body()
        self.reply(200, {"access_token": "abc\r\nX-Injected: 1", "token_type": "JWT", "expires_in": 3600})


def test_a_token_with_cr_lf_is_refused_and_leaves_nothing_pending(tmp_path):
    srv = start(CrlfHandler)
    try:
        root = project_for(tmp_path, srv.edx.url)
        proc = run_process("publish", str(root), "-i", "en", *FAST, env=env_for(srv.edx.secret))
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "internal error" not in proc.stderr
        assert "token" in proc.stdout + proc.stderr
        assert srv.edx.posts == 0
        assert not list((root / "build").rglob("pending.json"))
    finally:
        srv.shutdown()
        srv.server_close()
