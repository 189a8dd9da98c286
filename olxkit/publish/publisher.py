"""Publishing to Open edX: a token from the LMS, the archive to Studio's import API, the import task followed.

For each instance: a JWT from `{lms_url}/oauth2/access_token` (OAuth2 client credentials, `token_type=jwt`); the
archive as the multipart field `course_data`, under a file name no other upload used, POSTed to
`{studio_url}/api/courses/v0/import/{course_key}/`; then GETs of the same URL with `task_id` and `filename`
until the task Succeeded or Failed, or the timeout.

Retries: connection errors, 429 and 500/502/503 on the token and the upload are retried with exponential backoff.
The upload is sent again only when Studio cannot have queued it: the connection failed before the whole request
was sent, or Studio answered with an error. Once the whole archive is out and no answer came back, or a gateway
timed out (504), Studio may be importing it, so it is never sent again: the result is `unknown`.

Secrets (client secrets, tokens) go into request headers and bodies only. Messages never format them, and every
message that quotes a server goes through `Redactor` first.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..diagnostics import Diagnostic, OlxkitError, error
from ..model import Instance
from ..olx.diff import CourseDiff, diff_paths
from ..source.instances import INSTANCES_FILE, load_instances, select
from ..source.yamlio import YamlMap, parse_yaml

MAX_BODY = 1 << 20
DONE_STATES = {"Succeeded", "Failed", "Canceled"}
OK_STATUSES = {"published", "unchanged", "dry-run", "queued", "running", "none"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


# -- settings and credentials ----------------------------------------------------------------------------------

@dataclass
class Timing:
    """How patient publishing is. The defaults suit a real Studio; tests make them small."""

    retries: int = 4
    """Extra attempts after the first, for the token and the upload."""
    backoff: float = 2.0
    """Seconds before the first retry; doubled for each further one, at most 60."""
    timeout: float = 1800.0
    """Seconds to wait for Studio's import task to finish."""
    poll_interval: float = 3.0
    """Seconds between two questions about the task; grows to at most 15."""
    http_timeout: float = 300.0
    """Seconds one request may wait for the server (Studio stores the archive before it answers)."""

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        wait = min(self.backoff * 2 ** attempt, 60.0)
        if retry_after and retry_after.strip().isdigit():
            wait = max(wait, min(float(retry_after), 300.0))
        return wait


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str = field(repr=False)
    source: str = ""
    """Where they came from, for messages: the variable names or the file (never the values)."""


def env_names(instance_id: str) -> tuple[str, str]:
    """OLXKIT_<ID>_CLIENT_ID and OLXKIT_<ID>_CLIENT_SECRET, the id upper-cased with `_` for anything else."""
    stem = re.sub(r"[^A-Z0-9]", "_", instance_id.upper())
    return f"OLXKIT_{stem}_CLIENT_ID", f"OLXKIT_{stem}_CLIENT_SECRET"


def default_credentials_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "olxkit" / "credentials.yaml"


def load_credentials(project: Path, instances: list[Instance], path: str | os.PathLike | None = None,
                     environ=os.environ) -> dict[str, Credentials]:
    """Each instance's OAuth client: from its environment variables, else from the credentials file.

    The file (`--credentials`, OLXKIT_CREDENTIALS, or ~/.config/olxkit/credentials.yaml) must lie outside the
    project and its git repository, and be readable by its owner only.
    """
    found: dict[str, Credentials] = {}
    problems: list[Diagnostic] = []
    file_entries = None
    for inst in instances:
        id_var, secret_var = env_names(inst.id)
        client_id, secret = environ.get(id_var, "").strip(), environ.get(secret_var, "").strip()
        if client_id and secret:
            found[inst.id] = Credentials(client_id, secret, f"{id_var}/{secret_var}")
            continue
        if client_id or secret:
            missing = secret_var if client_id else id_var
            problems.append(Diagnostic("", 0, f"instance `{inst.id}`: {missing} is not set (set both {id_var} "
                                       f"and {secret_var})"))
            continue
        if file_entries is None:
            file_entries = _credentials_file(project, path, environ)
        if inst.id in file_entries:
            found[inst.id] = file_entries[inst.id]
        else:
            where = f" or an `{inst.id}:` entry in {file_entries.path}" if file_entries.path else ""
            problems.append(Diagnostic("", 0, f"no credentials for instance `{inst.id}`: set {id_var} and "
                                       f"{secret_var}{where} (docs/publishing.md)"))
    if problems:
        raise OlxkitError(problems)
    return found


class _FileCredentials(dict):
    path: str = ""


def _credentials_file(project: Path, path, environ) -> _FileCredentials:
    entries = _FileCredentials()
    explicit = path or environ.get("OLXKIT_CREDENTIALS")
    file = Path(explicit).expanduser() if explicit else default_credentials_file()
    if not file.is_file():
        if explicit:
            raise error(str(file), 0, "no such credentials file")
        return entries
    entries.path = str(file)
    real = file.resolve()
    project_real = project.resolve()
    repo = next((p for p in (project_real, *project_real.parents) if (p / ".git").exists()), project_real)
    if real.is_relative_to(project_real) or real.is_relative_to(repo):
        raise error(str(file), 0, "the credentials file is inside the course's repository, where it could be "
                    "committed; move it out (for example to ~/.config/olxkit/credentials.yaml)")
    if os.name == "posix" and file.stat().st_mode & 0o077:
        raise error(str(file), 0, f"the credentials file can be read by other users (mode "
                    f"{file.stat().st_mode & 0o777:o}); run `chmod 600 {file}`")
    text = file.read_text(encoding="utf-8")
    top = YamlMap(parse_yaml(text, str(file)), str(file), what="the credentials file")
    for ident in top.names():
        data = top.mapping(ident, f"`{ident}`")
        # Unknown keys are reported by line only: a secret pasted as a key must not be echoed.
        for key, (knode, _value) in data.entries.items():
            if key not in ("client_id", "client_secret"):
                raise error(str(file), knode.start_mark.line + 1, f"`{ident}` takes only client_id and "
                            "client_secret")
        data.require("client_id")
        data.require("client_secret")
        entries[ident] = Credentials(data.text("client_id").strip(), data.text("client_secret").strip(), str(file))
    return entries


class Redactor:
    """Removes every known secret from a text before anyone sees it."""

    def __init__(self):
        self.secrets: set[str] = set()

    def add(self, value: str) -> None:
        if value and len(value) >= 4:
            self.secrets.add(value)

    def __call__(self, text: str) -> str:
        for value in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(value, "[redacted]")
        return text


def check_targets(project: Path, instances: list[Instance]) -> None:
    """Every instance to publish has an https Studio and LMS address (http only for this machine)."""
    from .newrun import instance_lines

    if not (project / INSTANCES_FILE).is_file():
        raise error(INSTANCES_FILE, 0, "publishing needs this file: list each instance with its `studio_url` and "
                    "`lms_url` (docs/publishing.md)", code="STR001")
    lines = instance_lines(project)
    problems = []
    for inst in instances:
        data = lines.get(inst.id)
        for key in ("studio_url", "lms_url"):
            value = getattr(inst, key)
            line = data.line_of(key) if data else 0
            if not value:
                problems.append(Diagnostic(INSTANCES_FILE, line, f"instance `{inst.id}` has no `{key}`; publishing "
                                           "needs the Studio and LMS addresses", code="SYN003"))
                continue
            parts = urllib.parse.urlsplit(value)
            if parts.scheme == "http" and parts.hostname in _LOOPBACK:
                continue
            if parts.scheme != "https" or not parts.hostname:
                problems.append(Diagnostic(INSTANCES_FILE, line, f"`{key}: {value}` must be an https:// address "
                                           "(the token and the course travel over it; http:// is only allowed for "
                                           "localhost)", code="SYN004"))
    if problems:
        raise OlxkitError(problems)


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
        text = re.sub(r"<[^>]+>|\s+", " ", self.body.decode("utf-8", "replace")).strip()
        return text[:200]


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


def exchange(method: str, url: str, headers: dict[str, str], body: Iterable[bytes] = (),
             timeout: float = 60.0) -> Response:
    """One HTTP request; NotSent when it could not be sent whole, NoAnswer when it was but nothing came back."""
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            for chunk in body:
                conn.send(chunk)
        except (OSError, http.client.HTTPException) as exc:
            early = _early_answer(conn)
            if early is not None:
                return early
            raise NotSent(_describe(exc, timeout), isinstance(exc, ssl.SSLCertVerificationError)) from None
        try:
            response = conn.getresponse()
            return Response(response.status, response.headers, response.read(MAX_BODY))
        except (OSError, http.client.HTTPException) as exc:
            raise NoAnswer(_describe(exc, timeout)) from None
    finally:
        conn.close()


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


# -- one instance's Studio -------------------------------------------------------------------------------------

class Failure(Exception):
    """Publishing to one instance stopped; `status` says how (failed, refused, unknown…)."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status


class Studio:
    """The LMS token endpoint and Studio's import API of one instance."""

    def __init__(self, instance: Instance, credentials: Credentials, timing: Timing, redact: Redactor,
                 say: Callable[[str], None]):
        self.instance, self.credentials, self.timing = instance, credentials, timing
        self.redact, self._say = redact, say
        # The course key as Studio's URL pattern and olx-utils write it: `:` and `+` stay as they are.
        self.import_url = f"{instance.studio_url}/api/courses/v0/import/{urllib.parse.quote(instance.key, ':+')}/"
        self._authorization: str | None = None
        self.uploads = 0
        """Upload attempts (the archive may have left this machine in part or whole)."""

    def say(self, message: str) -> None:
        self._say(f"[{self.instance.id}] {message}")

    def _fail(self, status: str, message: str) -> Failure:
        return Failure(status, self.redact(message))

    def _retrying(self, what: str, attempt: int, problem: str, retry_after: str | None = None) -> None:
        if attempt >= self.timing.retries:
            raise self._fail("failed", f"{what}: {problem}; gave up after {attempt + 1} attempts")
        wait = self.timing.delay(attempt, retry_after)
        self.say(self.redact(f"{what}: {problem}; trying again in {wait:g} s"))
        time.sleep(wait)

    # -- token ---------------------------------------------------------------------------------------------
    def authorization(self, renew: bool = False) -> str:
        """The `Authorization` header value: a JWT from the LMS, fetched once (again with `renew`)."""
        if self._authorization and not renew:
            return self._authorization
        url = f"{self.instance.lms_url}/oauth2/access_token"
        cred = self.credentials
        # RFC 6749 §2.3.1: form-encode id and secret, then HTTP Basic (what Open edX's own samples send).
        basic = f"{urllib.parse.quote(cred.client_id, safe='')}:{urllib.parse.quote(cred.client_secret, safe='')}"
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "token_type": "jwt"}).encode()
        headers = {"Authorization": "Basic " + base64.b64encode(basic.encode()).decode(),
                   "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(form)),
                   "Accept": "application/json", "User-Agent": f"olxkit/{__version__}"}
        what = f"token from {url}"
        for attempt in range(self.timing.retries + 1):
            try:
                response = exchange("POST", url, headers, [form], self.timing.http_timeout)
            except (NotSent, NoAnswer) as exc:
                if isinstance(exc, NotSent) and exc.permanent:
                    raise self._fail("failed", f"{what}: {exc}") from None
                self._retrying(what, attempt, str(exc))
                continue
            if response.status in (429, 500, 502, 503, 504):
                self._retrying(what, attempt, f"HTTP {response.status}", response.headers.get("Retry-After"))
                continue
            break
        data = response.json()
        token = data.get("access_token") if response.status == 200 else None
        if isinstance(token, str) and token:
            self.redact.add(token)
            kind = str(data.get("token_type") or "JWT")
            self._authorization = f"{'JWT' if kind.lower() == 'jwt' else kind} {token}"
            return self._authorization
        raise self._fail("failed", self._token_problem(url, response))

    def _token_problem(self, url: str, response: Response) -> str:
        code = str(response.json().get("error", ""))
        if response.status == 200:
            return f"the LMS at {url} answered without an access token"
        if code == "invalid_client" or response.status == 401:
            return (f"the LMS refused the client credentials ({response.status} {code or 'unauthorized'}); check "
                    f"{self.credentials.source} against the OAuth application in the LMS Django admin")
        if code in ("unauthorized_client", "unsupported_grant_type"):
            return (f"the LMS will not give this application a token ({code}): set its authorization grant type "
                    "to `Client credentials` (docs/publishing.md)")
        if response.status in (301, 302, 303, 307, 308):
            return f"the LMS redirected to {response.headers.get('Location')}; check `lms_url`"
        if response.status == 404:
            return f"no token endpoint at {url} (404); check `lms_url`: it is the LMS address, not Studio's"
        return f"the LMS refused a token ({response.status}: {response.reason()})"

    # -- upload --------------------------------------------------------------------------------------------
    def upload(self, archive: Path, filename: str) -> str:
        """Send the archive to Studio's import API; returns the import task's id."""
        size = archive.stat().st_size
        boundary = f"olxkit-{secrets.token_hex(16)}"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"course_data\"; filename=\"{filename}\""
                "\r\nContent-Type: application/gzip\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body():
            yield head
            with open(archive, "rb") as fh:
                while chunk := fh.read(1 << 16):
                    yield chunk
            yield tail

        what = f"upload to {self.import_url}"
        for attempt in range(self.timing.retries + 1):
            headers = {"Authorization": self.authorization(), "Accept": "application/json",
                       "Content-Type": f"multipart/form-data; boundary={boundary}",
                       "Content-Length": str(len(head) + size + len(tail)), "User-Agent": f"olxkit/{__version__}"}
            self.uploads += 1
            try:
                response = exchange("POST", self.import_url, headers, body(), self.timing.http_timeout)
            except NotSent as exc:
                if exc.permanent:
                    raise self._fail("failed", f"{what}: {exc}") from None
                self._retrying(what, attempt, f"{exc} before the archive was sent whole")
                continue
            except NoAnswer as exc:
                raise self._fail("unknown", f"{what}: {exc} after the whole archive was sent, so Studio may be "
                                 "importing it; it is not sent again. Look at Studio › Tools › Import for "
                                 f"{self.instance.key} before publishing again") from None
            if response.status == 504:
                raise self._fail("unknown", f"{what}: a gateway timed out (504) waiting for Studio, which may be "
                                 "importing the archive; it is not sent again. Look at Studio › Tools › Import for "
                                 f"{self.instance.key} before publishing again")
            if response.status in (429, 500, 502, 503):
                reason = response.reason()
                self._retrying(what, attempt, f"HTTP {response.status}{': ' + reason if reason else ''}",
                               response.headers.get("Retry-After"))
                continue
            break
        task = response.json().get("task_id") if response.status == 200 else None
        if response.status == 200 and not task:
            raise self._fail("unknown", f"{what}: Studio accepted the archive but sent no task id, so its import "
                             "cannot be followed; look at Studio › Tools › Import")
        if not task:
            raise self._fail("failed", self._upload_problem(response, size))
        return str(task)

    def _upload_problem(self, response: Response, size: int) -> str:
        key, status, reason = self.instance.key, response.status, response.reason()
        if status == 401:
            return (f"Studio did not accept the token (401: {reason or 'unauthorized'}); Studio must trust the "
                    f"LMS's JWTs (JWT_AUTH issuer and keys) and `lms_url` must be that LMS")
        if status == 403:
            return (f"the OAuth application's user may not change {key} (403: {reason or 'forbidden'}); make that "
                    "user staff (global), or add it to the course team in Studio › Settings › Course Team")
        if status == 404:
            return (f"Studio has no import API at {self.import_url} (404); check `studio_url` and that the course "
                    f"run {key} exists in Studio")
        if status == 413:
            return f"the archive ({size / 1048576:.1f} MB) is over the upload limit of Studio or its web server (413)"
        if status in (301, 302, 303, 307, 308):
            return f"Studio redirected to {response.headers.get('Location')}; check `studio_url`"
        return f"Studio refused the upload ({status}: {reason})"

    # -- the import task -----------------------------------------------------------------------------------
    def state(self, task_id: str, filename: str) -> str:
        """The import task's state; a 401 gets a new token once. Failure("retry", …) for passing trouble."""
        query = urllib.parse.urlencode({"task_id": task_id, "filename": filename})
        for renew in (False, True):
            headers = {"Authorization": self.authorization(renew), "Accept": "application/json",
                       "User-Agent": f"olxkit/{__version__}"}
            try:
                response = exchange("GET", f"{self.import_url}?{query}", headers, (), self.timing.http_timeout)
            except (NotSent, NoAnswer) as exc:
                raise self._fail("retry", str(exc)) from None
            if response.status == 401 and not renew:
                continue  # the JWT expired during a long import
            break
        if response.status >= 500 or response.status == 429:
            raise self._fail("retry", f"HTTP {response.status}")
        state = response.json().get("state")
        if response.status != 200 or not isinstance(state, str):
            raise self._fail("failed", f"Studio would not tell the import's state ({response.status}: "
                             f"{response.reason()})")
        return state


# -- what was published ----------------------------------------------------------------------------------------

class PublishedStore:
    """The archive last published to each instance, and the one whose import is still open.

    <dir>/<instance>/last.tar.gz + last.json: the last import that Succeeded; pending.tar.gz + pending.json: an
    upload Studio accepted whose import has not been seen to finish.
    """

    def __init__(self, root: Path):
        self.root = root

    def folder(self, ident: str) -> Path:
        return self.root / re.sub(r"[^A-Za-z0-9_.-]", "_", ident)

    def _meta(self, ident: str, kind: str) -> dict | None:
        meta, archive = self.folder(ident) / f"{kind}.json", self.folder(ident) / f"{kind}.tar.gz"
        if not (meta.is_file() and archive.is_file()):
            return None
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            data["archive"], data["task_id"] = str(archive), str(data.get("task_id") or "")
        except (ValueError, TypeError):
            raise error(str(meta), 0, "this publish record is damaged; delete it (the next publish then has "
                        "nothing to compare with)", code="SYN001") from None
        return data

    def last(self, ident: str) -> dict | None:
        return self._meta(ident, "last")

    def pending(self, ident: str) -> dict | None:
        return self._meta(ident, "pending")

    def start(self, ident: str, archive: Path, meta: dict) -> None:
        folder = self.folder(ident)
        folder.mkdir(parents=True, exist_ok=True)
        _copy_atomically(archive, folder / "pending.tar.gz")
        _write_json(folder / "pending.json", meta)

    def note(self, ident: str, meta: dict) -> None:
        """Update the open upload's record (its task id, once Studio has answered)."""
        _write_json(self.folder(ident) / "pending.json", meta)

    def finish(self, ident: str, state: str) -> None:
        """The open import ended: Succeeded makes it the last published archive; otherwise it is dropped."""
        folder = self.folder(ident)
        meta = self.pending(ident)
        if meta is None:
            return
        if state == "Succeeded":
            meta.pop("archive", None)
            meta.update(state=state, published_at=_now())
            os.replace(folder / "pending.tar.gz", folder / "last.tar.gz")
            _write_json(folder / "last.json", meta)
        (folder / "pending.json").unlink(missing_ok=True)
        (folder / "pending.tar.gz").unlink(missing_ok=True)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


def _copy_atomically(src: Path, dest: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as fh:
            shutil.copyfileobj(fh, out)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _unfollowable(ident: str, pending: dict) -> str:
    return (f"the upload of {pending.get('uploaded_at')} ({pending.get('filename')}) got no answer, so Studio may "
            "have imported it; check Studio › Tools › Import, then clear this with `olxkit publish-status "
            f"--instance {ident} --forget` (and publish again if the import did not happen)")


def upload_name(instance: Instance) -> str:
    """A file name no earlier upload used: Studio finds an import's status by course and file name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{instance.archive_stem.replace('+', '-')}-{stamp}-{secrets.token_hex(3)}.tar.gz"


# -- publishing ------------------------------------------------------------------------------------------------

@dataclass
class Result:
    """How publishing went for one instance."""

    instance: str
    course_key: str
    studio_url: str
    status: str = "failed"
    """published, unchanged, dry-run, queued, refused, failed, timeout or unknown (publish-status: running, none)"""
    message: str = ""
    archive: str = ""
    filename: str = ""
    task_id: str = ""
    state: str = ""
    """The import task's last state as Studio reported it."""
    uploads: int = 0
    seconds: float = 0.0
    diff: CourseDiff | None = None

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def as_dict(self) -> dict:
        return {
            "instance": self.instance, "course_key": self.course_key, "studio_url": self.studio_url,
            "status": self.status, "ok": self.ok, "message": self.message, "archive": self.archive,
            "filename": self.filename, "task_id": self.task_id, "state": self.state, "uploads": self.uploads,
            "seconds": round(self.seconds, 1),
            "changes": self.diff.as_dict() if self.diff else None,
        }


@dataclass
class Options:
    dry_run: bool = False
    allow_removals: bool = False
    force: bool = False
    wait: bool = True
    timing: Timing = field(default_factory=Timing)


@dataclass
class _Job:
    result: Result
    studio: Studio
    started: float
    interval: float
    next_poll: float = 0.0
    errors: int = 0


class Publisher:
    """Publishes the chosen instances of one project; see publish() and check()."""

    def __init__(self, project: str | os.PathLike, wanted: list[str] | None, *, out_dir=None, published_dir=None,
                 credentials_file=None, options: Options | None = None, say: Callable[[str], None] | None = None):
        from ..build import load

        self.root = Path(project)
        self.options = options or Options()
        self.say = say or (lambda _msg: None)
        self.instances = select(load_instances(self.root, load(self.root)), wanted)
        self.out = Path(out_dir) if out_dir else self.root / "build"
        self.store = PublishedStore(Path(published_dir) if published_dir else self.out / "published")
        self.credentials_file = credentials_file
        self.redact = Redactor()

    def _studios(self, instances: list[Instance]) -> dict[str, Studio]:
        check_targets(self.root, instances)
        creds = load_credentials(self.root, instances, self.credentials_file)
        for c in creds.values():
            self.redact.add(c.client_secret)
        studios = {}
        for inst in instances:
            studios[inst.id] = Studio(inst, creds[inst.id], self.options.timing, self.redact, self.say)
        return studios

    def publish(self, build: bool = True, strict: bool = False) -> tuple[list[Result], list[Diagnostic]]:
        """Build (unless told not to), compare with what each instance has, upload, and follow the imports."""
        studios = self._studios(self.instances)
        warnings: list[Diagnostic] = []
        if build:
            from ..build import build as run_build

            report = run_build(self.root, self.out, instances=[i.id for i in self.instances], strict=strict,
                               progress=lambda msg: self.say(f"  {msg}"))
            warnings = report.warnings
        archives = {i.id: self.out / f"{i.archive_stem}.tar.gz" for i in self.instances}
        missing = [Diagnostic(str(path), 0, "not built; run `olxkit build` or publish without --no-build",
                              code="STR001") for path in archives.values() if not path.is_file()]
        if missing:
            raise OlxkitError(missing)
        results, jobs = [], []
        for inst in self.instances:
            result = Result(inst.id, inst.key, inst.studio_url, archive=str(archives[inst.id]))
            results.append(result)
            studio = studios[inst.id]
            begin = time.monotonic()
            try:
                if self._start(inst, studio, archives[inst.id], result):
                    # The import's timeout counts from Studio's answer, not from the start of a long upload.
                    jobs.append(_Job(result, studio, time.monotonic(), self.options.timing.poll_interval))
            except Failure as exc:
                result.status, result.message = exc.status, self.redact(str(exc))
            except (OlxkitError, OSError) as exc:
                # One instance's broken record or full disk must not stop the imports already started.
                result.status, result.message = "failed", self.redact(str(exc))
            result.uploads = studio.uploads
            result.seconds = time.monotonic() - begin
        self._follow(jobs)
        return results, warnings

    def _start(self, inst: Instance, studio: Studio, archive: Path, result: Result) -> bool:
        """Everything up to the upload; True when an import was started and has to be followed."""
        self._settle_pending(inst, studio)
        last = self.store.last(inst.id)
        if last is not None and last.get("course_key") != inst.key:
            studio.say(f"the last publish went to {last.get('course_key')}; {inst.key} is a new course run")
            last = None
        if last is not None:
            result.diff = diff_paths(last["archive"], archive)
            studio.say(f"changes since the last publish ({last.get('published_at', '?')}): {result.diff.summary()}")
            if last.get("sha256") == _sha256(archive) and not self.options.force:
                result.status = "unchanged"
                result.message = f"identical to the archive published at {last.get('published_at', '?')}"
                return False
            risks = result.diff.risks
            if risks and not self.options.allow_removals:
                listed = "; ".join(f"{b.type} {b.url_name}" for b in risks[:5])
                more = f" and {len(risks) - 5} more" if len(risks) > 5 else ""
                raise Failure("refused", f"{len(risks)} learner-data risk{'s' if len(risks) != 1 else ''} against "
                              f"the last published archive: {listed}{more}; see `olxkit diff --instance {inst.id}`,"
                              " and publish with --allow-removals if learners' answers on them may go")
        else:
            studio.say(f"nothing published from here yet ({self.store.folder(inst.id)}): no earlier archive to "
                       "compare with")
        studio.authorization()
        studio.say("token received")
        if self.options.dry_run:
            result.status = "dry-run"
            size = archive.stat().st_size / 1048576
            result.message = f"would upload {archive.name} ({size:.1f} MB) to {studio.import_url}"
            return False
        result.filename = upload_name(inst)
        studio.say(f"uploading {archive.name} as {result.filename}")
        record = {"instance": inst.id, "course_key": inst.key, "studio_url": inst.studio_url,
                  "filename": result.filename, "task_id": "", "sha256": _sha256(archive), "uploaded_at": _now(),
                  "olxkit": __version__}
        # Recorded before the upload: if this run dies half-way (a cancelled CI job), the next one must not
        # upload again before someone has looked at Studio. Dropped only when Studio certainly has nothing.
        self.store.start(inst.id, archive, record)
        try:
            result.task_id = studio.upload(archive, result.filename)
        except Failure as exc:
            if exc.status != "unknown":
                self.store.finish(inst.id, "NotSent")
            raise
        finally:
            result.uploads = studio.uploads
        self.store.note(inst.id, {**record, "task_id": result.task_id})
        studio.say(f"Studio accepted it: import task {result.task_id}")
        if not self.options.wait:
            result.status = "queued"
            result.message = f"import task {result.task_id} started; follow it with `olxkit publish-status " \
                             f"--instance {inst.id}`"
            return False
        return True

    def _settle_pending(self, inst: Instance, studio: Studio) -> None:
        """An import started by an earlier run: learn how it ended before starting another one."""
        pending = self.store.pending(inst.id)
        if pending is None:
            return
        if not pending["task_id"]:
            raise Failure("refused", _unfollowable(inst.id, pending))
        try:
            state = studio.state(pending["task_id"], pending["filename"])
        except Failure as exc:
            raise Failure("failed", f"an earlier import (task {pending['task_id']}, uploaded "
                          f"{pending.get('uploaded_at')}) has an unknown state ({exc}); retry later, or forget it "
                          f"with `olxkit publish-status --instance {inst.id} --forget`") from None
        if state not in DONE_STATES:
            raise Failure("refused", f"an earlier import (task {pending['task_id']}, uploaded "
                          f"{pending.get('uploaded_at')}) is still {state}; wait for it with "
                          f"`olxkit publish-status --instance {inst.id} --wait`")
        studio.say(f"the earlier import {pending['task_id']} ended {state}")
        self.store.finish(inst.id, state)

    def _follow(self, jobs: list[_Job]) -> None:
        """Ask Studio about every started import in turn until each one ends or runs out of time."""
        timing = self.options.timing
        active = list(jobs)
        while active:
            now = time.monotonic()
            for job in [j for j in active if j.next_poll <= now]:
                result = job.result
                try:
                    state = job.studio.state(result.task_id, result.filename)
                    job.errors = 0
                except Failure as exc:
                    if exc.status == "retry" and job.errors < timing.retries:
                        job.errors += 1
                        job.studio.say(f"could not read the import's state ({exc}); asking again")
                    else:
                        result.status = "unknown"
                        result.message = self.redact(f"could not follow import task {result.task_id} ({exc}); it "
                                                     "goes on in Studio: `olxkit publish-status --instance "
                                                     f"{result.instance} --wait`")
                        active.remove(job)
                        continue
                else:
                    if state != result.state:
                        job.studio.say(f"import {state}")
                        result.state = state
                    if state in DONE_STATES:
                        self.store.finish(result.instance, state)
                        result.status = "published" if state == "Succeeded" else "failed"
                        if state != "Succeeded":
                            result.message = (f"Studio's import task ended {state}; Studio › Tools › Import shows "
                                              "why (the import API gives no details)")
                        active.remove(job)
                        continue
                elapsed = time.monotonic() - job.started
                if elapsed >= timing.timeout:
                    result.status = "timeout"
                    result.message = (f"the import is still {result.state or 'not started'} after "
                                      f"{timing.timeout:g} s; it goes on in Studio: `olxkit publish-status "
                                      f"--instance {result.instance} --wait`")
                    active.remove(job)
                    continue
                job.interval = min(job.interval * 1.5, max(timing.poll_interval, 15.0))
                job.next_poll = time.monotonic() + job.interval
            for job in jobs:
                job.result.seconds = time.monotonic() - job.started
            if active:
                time.sleep(max(0.0, min(j.next_poll for j in active) - time.monotonic()))

    def check(self, wait: bool = False, forget: bool = False) -> list[Result]:
        """The state of each instance's open import (publish-status); `wait` follows it to its end."""
        results, jobs = [], []
        open_imports = [i for i in self.instances if self.store.pending(i.id) is not None]
        studios = {} if forget else self._studios(open_imports)
        for inst in self.instances:
            result = Result(inst.id, inst.key, inst.studio_url, status="none")
            results.append(result)
            pending = self.store.pending(inst.id)
            if pending is None:
                last = self.store.last(inst.id)
                result.message = (f"no import open; last published {last.get('published_at')} (task "
                                  f"{last.get('task_id')})" if last else "nothing published from here yet")
                continue
            result.task_id, result.filename = pending["task_id"], pending["filename"]
            result.archive = pending["archive"]
            if forget:
                self.store.finish(inst.id, "Forgotten")
                result.message = (f"forgot the upload of {pending.get('uploaded_at')} (its archive does not become "
                                  "the last published one)")
                continue
            if not result.task_id:
                result.status, result.message = "unknown", _unfollowable(inst.id, pending)
                continue
            studio = studios[inst.id]
            begin = time.monotonic()
            try:
                result.state = studio.state(result.task_id, result.filename)
            except Failure as exc:
                result.status, result.message = ("unknown" if exc.status == "retry" else "failed"), str(exc)
                continue
            if result.state in DONE_STATES:
                self.store.finish(inst.id, result.state)
                result.status = "published" if result.state == "Succeeded" else "failed"
            elif wait:
                interval = self.options.timing.poll_interval
                jobs.append(_Job(result, studio, begin, interval, next_poll=time.monotonic() + interval))
            else:
                result.status = "running"
                result.message = f"import task {result.task_id} is {result.state}"
        self._follow(jobs)
        return results


def diff_instance(project: str, instance: str, out_dir, published_dir):
    """A fresh build of one instance (in a temporary folder) against the archive last published to it."""
    from ..build import build

    root = Path(project)
    out = Path(out_dir) if out_dir else root / "build"
    store = PublishedStore(Path(published_dir) if published_dir else out / "published")
    with tempfile.TemporaryDirectory(prefix="olxkit-diff-") as tmp:
        report = build(root, tmp, instances=[instance], tree=False)
        last = store.last(instance)
        if last is None:
            raise error(str(store.folder(instance)), 0, f"nothing was published to `{instance}` from here yet "
                        "(no last.tar.gz); compare two archives with `olxkit diff OLD NEW`")
        result = diff_paths(last["archive"], report.results[0].archive)
    result.new = f"a build of `{instance}` from {project}"
    return result
