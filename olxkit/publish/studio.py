"""One instance's Studio: a token from the LMS, the archive uploaded to the import API, the import task's state."""

from __future__ import annotations

import base64
import secrets
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from .. import __version__
from ..model import Instance
from .credentials import Credentials, Redactor, Timing
from .http import DEADLINE, NoAnswer, NotSent, Response, exchange

DONE_STATES = {"Succeeded", "Failed", "Canceled"}


def _header_safe(value: str) -> bool:
    return bool(value) and value.isascii() and value.isprintable() and " " not in value

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
        self._deadline: float | None = None
        self.uploads = 0
        """Upload attempts (the archive may have left this machine in part or whole)."""

    def deadline(self) -> float:
        """When this instance's publish must end (`Timing.timeout` after its first request)."""
        if self._deadline is None:
            self._deadline = time.monotonic() + self.timing.timeout
        return self._deadline

    def say(self, message: str) -> None:
        self._say(f"[{self.instance.id}] {message}")

    def _fail(self, status: str, message: str) -> Failure:
        return Failure(status, self.redact(message))

    def _retrying(self, what: str, attempt: int, problem: str, retry_after: str | None = None) -> None:
        if attempt >= self.timing.retries:
            raise self._fail("failed", f"{what}: {problem}; gave up after {attempt + 1} attempts")
        wait = self.timing.delay(attempt, retry_after)
        if time.monotonic() + wait >= self.deadline():
            raise self._fail("failed", f"{what}: {problem}; {DEADLINE} before another attempt")
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
                response = exchange("POST", url, headers, [form], self.timing.read_timeout, self.deadline())
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
            if not _header_safe(token) or not _header_safe(kind):
                # A line break would end the header and start another one: such a token is never sent.
                raise self._fail("failed", f"the LMS at {url} sent a token (or token type) with spaces or control "
                                 "characters, which cannot be sent back in a header; check the LMS")
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
                response = exchange("POST", self.import_url, headers, body(), self.timing.read_timeout, self.deadline())
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
                response = exchange("GET", f"{self.import_url}?{query}", headers, (), self.timing.read_timeout,
                                    self.deadline())
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
