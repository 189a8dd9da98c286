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

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..diagnostics import Diagnostic, OlxkitError, error
from ..model import Instance
from ..olx.diff import CourseDiff, diff_paths
from ..source.instances import load_instances, select
from .credentials import Redactor, Timing, check_targets, load_credentials
from .store import PublishedStore, sha256_file, unfollowable, upload_name, utc_now
from .studio import DONE_STATES, Failure, Studio

OK_STATUSES = {"published", "unchanged", "dry-run", "queued", "running", "none"}






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
            self.redact.add_basic(c.client_id, c.client_secret)
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
            if last.get("sha256") == sha256_file(archive) and not self.options.force:
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
                  "filename": result.filename, "task_id": "", "sha256": sha256_file(archive), "uploaded_at": utc_now(),
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
            raise Failure("refused", unfollowable(inst.id, pending))
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
                if time.monotonic() >= job.studio.deadline():
                    result.status = "timeout"
                    result.message = (f"the import is still {result.state or 'not started'} at the deadline "
                                      f"(--timeout {timing.timeout:g} s); it goes on in Studio: `olxkit publish-status "
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
                result.status, result.message = "unknown", unfollowable(inst.id, pending)
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
