"""`olxkit publish` and `publish-status` against a real HTTP server on 127.0.0.1 that answers like Open edX.

The server implements the LMS token endpoint (`/oauth2/access_token`, client credentials, token_type=jwt) and
Studio's import API v0 (POST multipart `course_data` → `{"task_id"}`, GET `task_id` + `filename` → `{"state"}`),
with the status codes and JSON bodies edx-platform sends. Each test scripts what goes wrong.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import socket
import struct
import tarfile
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest

from helpers import REPO, make_project, run_cli, run_process

CLIENT_ID = "olxkit-ci"
FAST = ["--backoff", "0.01", "--poll-interval", "0.01", "--timeout", "5"]


class FakeOpenEdx:
    """What the tests script and what they inspect afterwards."""

    def __init__(self):
        self.secret = "s3cret-" + secrets.token_hex(12)
        self.tokens: set[str] = set()
        self.token_script: list[str] = []
        """One entry per token request until empty: "500" fails it, anything else issues a token."""
        self.upload_script: list[str] = []
        """One entry per upload: "500", "401", "403", "400-echo", "close-early", "close-after-body"."""
        self.states = ["Pending", "Unpacking", "Verifying", "Updating", "Succeeded"]
        """Answers to successive polls; the last one repeats."""
        self.token_requests: list[dict] = []
        self.posts = 0
        self.imports: list[dict] = []
        self.polls: list[dict] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the test output clean
        pass

    @property
    def edx(self) -> FakeOpenEdx:
        return self.server.edx

    def reply(self, status: int, data: dict) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def reset(self) -> None:
        """Drop the connection with a TCP reset, as a crashing proxy does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def authorized(self) -> bool:
        # JwtAuthentication: `Authorization: JWT <token>`; DRF answers 401 with a `detail`.
        kind, _, token = self.headers.get("Authorization", "").partition(" ")
        if kind != "JWT" or token not in self.edx.tokens:
            self.reply(401, {"detail": "Error decoding token."})
            return False
        return True

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/oauth2/access_token":
            return self.token()
        if path.startswith("/api/courses/v0/import/"):
            return self.upload(urllib.parse.unquote(path.split("/")[5]))
        self.reply(404, {"detail": "Not found."})

    def token(self):
        form = dict(urllib.parse.parse_qsl(self.body().decode()))
        step = self.edx.token_script.pop(0) if self.edx.token_script else ""
        self.edx.token_requests.append(form)
        if step == "500":
            return self.reply(500, {"error": "server_error"})
        client_id, secret = form.get("client_id"), form.get("client_secret")
        kind, _, value = self.headers.get("Authorization", "").partition(" ")
        if kind == "Basic":  # django-oauth-toolkit: base64 of urlencoded id ":" secret
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
            client_id, secret = urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)
        if (client_id, secret) != (CLIENT_ID, self.edx.secret):
            return self.reply(401, {"error": "invalid_client"})
        if form.get("grant_type") != "client_credentials":
            return self.reply(400, {"error": "unsupported_grant_type"})
        token = "eyJ" + secrets.token_urlsafe(24)
        self.edx.tokens.add(token)
        self.reply(200, {"access_token": token, "token_type": "JWT" if form.get("token_type") == "jwt" else "Bearer",
                         "expires_in": 3600, "scope": "read write email profile"})

    def upload(self, course_key: str):
        self.edx.posts += 1
        step = self.edx.upload_script.pop(0) if self.edx.upload_script else ""
        if step == "close-early":
            self.rfile.read(1024)
            return self.reset()
        body = self.body()
        if step == "close-after-body":
            self.edx.imports.append({"course_key": course_key, "task_id": None, "filename": None})
            return self.reset()
        if step == "500":
            return self.reply(500, {"developer_message": "storage unavailable", "error_code": "internal_error"})
        if not self.authorized():
            return
        if step == "401":
            return self.reply(401, {"detail": "Error decoding token."})
        if step == "403":
            return self.reply(403, {"developer_message": "The requesting user does not have course author "
                                    "permissions.", "error_code": "user_permissions"})
        if step == "400-echo":  # a server that quotes the request back must not leak the token through us
            return self.reply(400, {"developer_message": f"bad request with {self.headers['Authorization']}"})
        fields = parse_multipart(self.headers["Content-Type"], body)
        if "course_data" not in fields:
            return self.reply(400, {"developer_message": "Missing required parameter", "error_code": "internal_error"})
        filename, data = fields["course_data"]
        if not filename.endswith(".tar.gz"):
            return self.reply(400, {"developer_message": "Parameter in the wrong format",
                                    "error_code": "internal_error"})
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            assert "course/course.xml" in tar.getnames()
        task = str(uuid.uuid4())
        self.edx.imports.append({"course_key": course_key, "task_id": task, "filename": filename, "size": len(data)})
        self.reply(200, {"task_id": task})

    def do_GET(self):
        parts = urllib.parse.urlsplit(self.path)
        if not parts.path.startswith("/api/courses/v0/import/") or not self.authorized():
            return None if parts.path.startswith("/api/") else self.reply(404, {"detail": "Not found."})
        query = dict(urllib.parse.parse_qsl(parts.query))
        self.edx.polls.append(query)
        known = any(i["task_id"] == query.get("task_id") and i["filename"] == query.get("filename")
                    for i in self.edx.imports)
        if not known:  # Studio: UserTaskStatus lookup returns None → AttributeError → 500
            return self.reply(500, {"developer_message": "'NoneType' object has no attribute 'state'",
                                    "error_code": "internal_error"})
        state = self.edx.states.pop(0) if len(self.edx.states) > 1 else self.edx.states[0]
        self.reply(200, {"state": state})


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    boundary = content_type.split("boundary=", 1)[1].encode()
    fields = {}
    for part in body.split(b"--" + boundary)[1:-1]:
        head, _, data = part.partition(b"\r\n\r\n")
        disposition = head.decode()
        name = disposition.split('name="', 1)[1].split('"', 1)[0]
        filename = disposition.split('filename="', 1)[1].split('"', 1)[0] if 'filename="' in disposition else ""
        fields[name] = (filename, data.removesuffix(b"\r\n"))
    return fields


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # resets and broken pipes are part of the tests
        pass


@pytest.fixture
def edx():
    server = Server(("127.0.0.1", 0), Handler)
    server.edx = FakeOpenEdx()
    server.edx.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.edx
    server.shutdown()
    server.server_close()


def instances_yaml(url: str, ids=("en",)) -> str:
    lines = ["instances:"]
    for ident in ids:
        lines += [f"  - id: {ident}", "    locale: en" if ident == "en" else f"    locale: {ident}"]
        if ident != "en":
            lines.append(f"    run: 2026_T1_{ident.upper()}")
        lines += [f"    studio_url: {url}", f"    lms_url: {url}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(tmp_path, edx, monkeypatch):
    """A small course whose instances publish to the test server, with credentials in the environment."""
    root = make_project(tmp_path / "course", {"course/instances.yaml": instances_yaml(edx.url, ("en", "it"))})
    for ident in ("EN", "IT"):
        monkeypatch.setenv(f"OLXKIT_{ident}_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv(f"OLXKIT_{ident}_CLIENT_SECRET", edx.secret)
    return root


def publish(root: Path, *args: str):
    return run_cli("publish", str(root), *FAST, *args)


def assert_no_secrets(edx: FakeOpenEdx, *texts: str) -> None:
    for text in texts:
        assert edx.secret not in text
        for token in edx.tokens:
            assert token not in text


def test_publish_builds_uploads_and_follows_the_import(project, edx):
    result = publish(project, "--instance", "en", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, json.loads((REPO / "docs/validate.schema.json").read_text(encoding="utf-8")))
    assert report["command"] == "publish" and report["version"] == 2
    [en] = report["instances"]
    assert report["ok"] and en["status"] == "published" and en["state"] == "Succeeded"
    assert en["course_key"] == "course-v1:MyOrg+C101+2026_T1" and en["uploads"] == 1
    # The token: client credentials, HTTP Basic, a JWT.
    assert edx.token_requests == [{"grant_type": "client_credentials", "token_type": "jwt"}]
    # One import, of the built archive, under a fresh .tar.gz name; polled with its task id and file name.
    [upload] = edx.imports
    assert upload["course_key"] == "course-v1:MyOrg+C101+2026_T1"
    assert upload["filename"] == en["filename"] and upload["filename"].endswith(".tar.gz")
    assert upload["filename"].startswith("MyOrg-C101-2026_T1-")
    assert {(p["task_id"], p["filename"]) for p in edx.polls} == {(upload["task_id"], upload["filename"])}
    archive = project / "build" / "MyOrg+C101+2026_T1.tar.gz"
    assert upload["size"] == archive.stat().st_size
    # The archive now live is kept, to compare the next publish with.
    kept = project / "build" / "published" / "en"
    assert (kept / "last.tar.gz").read_bytes() == archive.read_bytes()
    assert json.loads((kept / "last.json").read_text())["task_id"] == upload["task_id"]
    assert not (kept / "pending.json").exists()
    assert "[en] import Unpacking" in result.stderr
    assert_no_secrets(edx, result.output)


def test_all_instances_and_the_text_report(project, edx):
    result = publish(project, "--all")
    assert result.exit_code == 0, result.output
    assert [i["course_key"] for i in edx.imports] == ["course-v1:MyOrg+C101+2026_T1", "course-v1:MyOrg+C101+2026_T1_IT"]
    table = result.stdout.splitlines()
    assert table[0].split() == ["instance", "course", "key", "result", "changes", "since", "last", "publish"]
    assert table[1].split()[:3] == ["en", "course-v1:MyOrg+C101+2026_T1", "published"]
    assert table[2].split()[:3] == ["it", "course-v1:MyOrg+C101+2026_T1_IT", "published"]
    # Nothing changed since: no second import.
    again = publish(project, "--all")
    assert again.exit_code == 0 and len(edx.imports) == 2
    assert "unchanged" in again.stdout


def test_a_failed_import_is_reported_and_not_recorded(project, edx):
    edx.states = ["Unpacking", "Verifying", "Failed"]
    result = publish(project, "-i", "en")
    assert result.exit_code == 1
    assert "failed" in result.stdout and "Studio's import task ended Failed" in result.stdout
    kept = project / "build" / "published" / "en"
    assert not (kept / "last.tar.gz").exists() and not (kept / "pending.json").exists()


@pytest.mark.parametrize("where, expected", [
    ("token", "the LMS refused the client credentials (401 invalid_client); check "
              "OLXKIT_EN_CLIENT_ID/OLXKIT_EN_CLIENT_SECRET"),
    ("401", "Studio did not accept the token (401: Error decoding token.)"),
    ("403", "the OAuth application's user may not change course-v1:MyOrg+C101+2026_T1 (403: The requesting user "
            "does not have course author permissions.)"),
])
def test_401_and_403_are_explained(project, edx, monkeypatch, where, expected):
    if where == "token":
        monkeypatch.setenv("OLXKIT_EN_CLIENT_SECRET", "wrong-secret")
    else:
        edx.upload_script = [where]
    result = publish(project, "-i", "en")
    assert result.exit_code == 1, result.output
    assert f"en: {expected}" in result.stdout
    assert edx.posts == (0 if where == "token" else 1), "4xx answers are not retried"
    assert not (project / "build/published/en/pending.json").exists(), "Studio has nothing: the next run may upload"
    assert "wrong-secret" not in result.output
    assert_no_secrets(edx, result.output)


def test_5xx_on_token_and_upload_are_retried(project, edx):
    edx.token_script = ["500"]
    edx.upload_script = ["500", "500"]
    result = publish(project, "-i", "en", "--format", "json")
    assert result.exit_code == 0, result.output
    [en] = json.loads(result.stdout)["instances"]
    assert en["status"] == "published" and en["uploads"] == 3
    assert len(edx.token_requests) == 2 and len(edx.imports) == 1
    assert "HTTP 500: storage unavailable; trying again" in result.stderr


def test_retries_give_up_with_a_clear_message(project, edx):
    edx.upload_script = ["500"] * 3
    result = publish(project, "-i", "en", "--retries", "2")
    assert result.exit_code == 1
    assert "gave up after 3 attempts" in result.stdout and edx.posts == 3 and not edx.imports
    assert not (project / "build/published/en/pending.json").exists()


def test_an_import_that_never_ends_times_out_and_can_be_followed_later(project, edx):
    edx.states = ["In Progress"]
    result = run_cli("publish", str(project), "-i", "en", "--backoff", "0.01", "--poll-interval", "0.02",
                     "--timeout", "0.3", "--format", "json")
    assert result.exit_code == 1, result.output
    [en] = json.loads(result.stdout)["instances"]
    assert en["status"] == "timeout" and en["state"] == "In Progress"
    assert "publish-status --instance en --wait" in en["message"]
    assert len(edx.polls) >= 3
    kept = project / "build" / "published" / "en"
    assert (kept / "pending.json").exists() and not (kept / "last.tar.gz").exists()
    # A publish while that import is open refuses rather than starting a second one.
    refused = publish(project, "-i", "en")
    assert refused.exit_code == 1 and "is still In Progress" in refused.stdout and len(edx.imports) == 1
    # Studio finishes; publish-status learns it and records the archive as published.
    edx.states = ["Succeeded"]
    status = run_cli("publish-status", str(project), "-i", "en", *FAST)
    assert status.exit_code == 0, status.output
    assert status.stdout.splitlines()[1].split()[2] == "published"
    assert (kept / "last.tar.gz").exists() and not (kept / "pending.json").exists()


def test_no_wait_then_publish_status_wait(project, edx):
    edx.states = ["Pending", "Updating", "Succeeded"]
    queued = publish(project, "-i", "en", "--no-wait")
    assert queued.exit_code == 0 and "queued" in queued.stdout and not edx.polls
    status = run_cli("publish-status", str(project), "-i", "en", "--wait", *FAST, "--format", "json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["instances"][0]["status"] == "published"


def test_a_connection_closed_mid_upload_is_retried_once_the_server_cannot_have_it(tmp_path, edx, monkeypatch):
    # 12 MB of incompressible asset: the server drops the connection while the client is still sending.
    root = make_project(tmp_path / "big", {"course/instances.yaml": instances_yaml(edx.url)})
    (root / "course/static/recording.bin").write_bytes(os.urandom(12 << 20))
    monkeypatch.setenv("OLXKIT_EN_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("OLXKIT_EN_CLIENT_SECRET", edx.secret)
    edx.upload_script = ["close-early"]
    result = publish(root, "-i", "en", "--format", "json")
    assert result.exit_code == 0, result.output
    [en] = json.loads(result.stdout)["instances"]
    assert en["status"] == "published" and en["uploads"] == 2
    assert len(edx.imports) == 1 and edx.imports[0]["size"] > 12 << 20
    assert "the server closed the connection before the archive was sent whole; trying again" in result.stderr


def test_an_upload_the_server_may_have_is_never_sent_again(project, edx):
    edx.upload_script = ["close-after-body"]
    result = publish(project, "-i", "en")
    assert result.exit_code == 1
    assert edx.posts == 1, "the archive must not be sent a second time"
    assert result.stdout.splitlines()[1].split()[:3] == ["en", "course-v1:MyOrg+C101+2026_T1", "unknown"]
    assert "after the whole archive was sent, so Studio may be importing it; it is not sent again" in result.stdout
    # A later run (a CI retry) does not send it either, until someone has looked at Studio.
    again = publish(project, "-i", "en")
    assert again.exit_code == 1 and edx.posts == 1
    assert "got no answer, so Studio may have imported it; check Studio › Tools › Import" in again.stdout
    status = run_cli("publish-status", str(project), "-i", "en", *FAST)
    assert status.exit_code == 1 and "unknown" in status.stdout
    assert run_cli("publish-status", str(project), "-i", "en", "--forget").exit_code == 0
    assert publish(project, "-i", "en").exit_code == 0 and edx.posts == 2


def test_secrets_never_reach_the_output_even_when_the_server_echoes_them(project, edx):
    edx.upload_script = ["400-echo"]
    env = {**os.environ, "OLXKIT_DEBUG": "1", "OLXKIT_EN_CLIENT_ID": CLIENT_ID,
           "OLXKIT_EN_CLIENT_SECRET": edx.secret, "PYTHONPATH": str(REPO)}
    proc = run_process("publish", str(project), "-i", "en", *FAST, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Studio refused the upload (400: bad request with JWT [redacted])" in proc.stdout
    assert edx.tokens, "a token was issued"
    assert_no_secrets(edx, proc.stdout, proc.stderr)
    for record in (project / "build" / "published").rglob("*"):
        if record.is_file():
            assert_no_secrets(edx, record.read_bytes().decode("latin-1"))


REMOVE_QUIZ = """\
---
title: Quiz
graded: true
format: Quiz
---

## Check your understanding {#check}

No questions this time.
"""


def test_removing_a_problem_is_refused_unless_allowed(project, edx):
    assert publish(project, "-i", "en").exit_code == 0
    (project / "modules/01-getting-started/02-quiz.md").write_text(REMOVE_QUIZ)
    dry = publish(project, "-i", "en", "--dry-run")
    assert dry.exit_code == 1
    assert "- problem     quiz_check_q1" in dry.stdout
    refused = publish(project, "-i", "en", "--format", "json")
    assert refused.exit_code == 1
    [en] = json.loads(refused.stdout)["instances"]
    assert en["status"] == "refused" and "1 learner-data risk" in en["message"]
    assert [r["url_name"] for r in en["changes"]["risks"]] == ["quiz_check_q1"]
    assert len(edx.imports) == 1, "nothing was uploaded"
    allowed = publish(project, "-i", "en", "--allow-removals")
    assert allowed.exit_code == 0, allowed.output
    assert len(edx.imports) == 2
    # The removal is now what the instance has: the next publish compares with it.
    assert run_cli("diff", "--instance", "en", str(project)).exit_code == 0


def test_dry_run_fetches_a_token_but_uploads_nothing(project, edx):
    result = publish(project, "-i", "en", "-i", "it", "--dry-run")
    assert result.exit_code == 0, result.output
    assert len(edx.token_requests) == 2 and edx.posts == 0
    assert result.stdout.count("dry-run") == 2 and "would upload MyOrg+C101+2026_T1.tar.gz" in result.stdout
    assert not (project / "build" / "published").exists()


def test_configuration_mistakes_stop_before_anything_is_sent(tmp_path, edx, monkeypatch):
    root = make_project(tmp_path / "c", {"course/instances.yaml": instances_yaml(edx.url) + (
        "  - id: far\n    locale: de\n    run: R2\n    studio_url: http://studio.example.org\n")})
    monkeypatch.delenv("OLXKIT_EN_CLIENT_ID", raising=False)
    monkeypatch.setenv("OLXKIT_EN_CLIENT_SECRET", "x" * 10)
    monkeypatch.delenv("OLXKIT_CREDENTIALS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no ~/.config/olxkit/credentials.yaml
    result = run_cli("publish", str(root), "--all")
    assert result.exit_code == 1
    assert "course/instances.yaml:9:1: error[SYN004] `studio_url: http://studio.example.org` must be an https://" \
        in result.stderr
    assert "course/instances.yaml:6:1: error[SYN003] instance `far` has no `lms_url`" in result.stderr
    assert not edx.token_requests and not (root / "build").exists()
    result = run_cli("publish", str(root), "-i", "en")
    assert result.exit_code == 1
    assert "error: instance `en`: OLXKIT_EN_CLIENT_ID is not set (set both" in result.stderr
    monkeypatch.delenv("OLXKIT_EN_CLIENT_SECRET")
    result = run_cli("publish", str(root), "-i", "en")
    assert result.exit_code == 1
    assert "error: no credentials for instance `en`: set OLXKIT_EN_CLIENT_ID and OLXKIT_EN_CLIENT_SECRET" \
        in result.stderr
    assert "x" * 10 not in result.output
    monkeypatch.setenv("OLXKIT_CREDENTIALS", str(tmp_path / "none.yaml"))
    result = run_cli("publish", str(root), "-i", "en")
    assert result.exit_code == 1 and "none.yaml:1:1: error: no such credentials file" in result.stderr
    assert run_cli("publish", str(root)).exit_code == 2, "--instance or --all is required"


def test_credentials_file_outside_the_repository_only(tmp_path, edx, monkeypatch):
    root = make_project(tmp_path / "c", {"course/instances.yaml": instances_yaml(edx.url)})
    for name in ("OLXKIT_EN_CLIENT_ID", "OLXKIT_EN_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    text = f"en:\n  client_id: {CLIENT_ID}\n  client_secret: {edx.secret}\n"
    inside = root / "credentials.yaml"
    inside.write_text(text)
    inside.chmod(0o600)
    result = run_cli("publish", str(root), "-i", "en", "--credentials", str(inside), *FAST)
    assert result.exit_code == 1 and "inside the course's repository" in result.stderr
    outside = tmp_path / "credentials.yaml"
    outside.write_text(text)
    outside.chmod(0o644)
    result = run_cli("publish", str(root), "-i", "en", "--credentials", str(outside), *FAST)
    assert result.exit_code == 1 and "run `chmod 600" in result.stderr
    outside.chmod(0o600)
    result = run_cli("publish", str(root), "-i", "en", "--credentials", str(outside), *FAST)
    assert result.exit_code == 0, result.output
    assert_no_secrets(edx, result.output)
