"""Publishing settings: timing and retries, each instance's client credentials, the redaction of secrets."""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, OlxkitError, error
from ..model import Instance
from ..source.instances import INSTANCES_FILE
from ..source.yamlio import YamlMap, parse_yaml

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# -- settings and credentials ----------------------------------------------------------------------------------

@dataclass
class Timing:
    """How patient publishing is. The defaults suit a real Studio; tests make them small."""

    retries: int = 4
    """Extra attempts after the first, for the token and the upload."""
    backoff: float = 2.0
    """Seconds before the first retry; doubled for each further one, at most 60."""
    timeout: float = 900.0
    """The deadline: seconds each instance's publish may take in all (token, upload, following the import)."""
    poll_interval: float = 3.0
    """Seconds between two questions about the task; grows to at most 15."""
    read_timeout: float = 60.0
    """Seconds one read may wait for the server (connecting, and each part of an answer)."""

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
    """Removes every known secret from a text before anyone sees it.

    A server that echoes a request sends a secret back in other spellings: HTTP Basic's base64 of
    `id:secret`, URL-quoted (form bodies, query strings), JSON-escaped (`\\/`, `\\u00e9`). Every spelling of every
    secret is removed, and so is the value of any `Authorization` header quoted in the text.
    """

    def __init__(self):
        self.secrets: set[str] = set()

    def add(self, value: str) -> None:
        """A secret (a client secret, a token) and the spellings a server could echo it in."""
        if not value or len(value) < 4:
            return
        for form in (value, urllib.parse.quote(value, safe=""), urllib.parse.quote(value),
                     urllib.parse.quote_plus(value), base64.b64encode(value.encode()).decode().rstrip("=")):
            self._add_form(form)

    def add_basic(self, client_id: str, secret: str) -> None:
        """The `Authorization: Basic` value made of `client_id` and `secret` (form-encoded first, or not)."""
        quoted = f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
        for pair in (quoted, f"{client_id}:{secret}"):
            self._add_form(base64.b64encode(pair.encode()).decode().rstrip("="))

    def _add_form(self, form: str) -> None:
        escaped = json.dumps(form)[1:-1]
        for spelling in {form, escaped, escaped.replace("/", "\\/"), json.dumps(form, ensure_ascii=False)[1:-1]}:
            if len(spelling) >= 4:
                self.secrets.add(spelling)

    def __call__(self, text: str) -> str:
        for value in sorted(self.secrets, key=len, reverse=True):
            if value in text:
                text = text.replace(value, "[redacted]")
        return redact_authorization(text)


_VALUE_ENDS = "\n\r\"'<>,;}&]"


def redact_authorization(text: str) -> str:
    """Every `Authorization` header value quoted in `text` (an HTML, JSON or plain echo of a request) as
    `[redacted]`. One pass over the text."""
    lower = text.lower()
    out, done, i = [], 0, 0
    while (i := lower.find("authorization", i)) != -1:
        j = i + len("authorization")
        skipped = 0
        while j < len(text) and text[j] in " \t\"':=\\" and skipped < 6:
            j += 1
            skipped += 1
        separator = ":" in text[i + 13 : j] or "=" in text[i + 13 : j]
        if not separator or j >= len(text) or text[j] in _VALUE_ENDS:
            i = j if j > i else i + 1
            continue
        end = j
        while end < len(text) and text[end] not in _VALUE_ENDS:
            end += 1
        out.append(text[done:j])
        out.append("[redacted]")
        done = i = end
    out.append(text[done:])
    return "".join(out)


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
