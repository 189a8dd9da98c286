"""`olxkit new-run`: a new run and dates in course/course.yaml and course/instances.yaml.

The YAML is edited as text: each value is replaced where the composer says it is (line and column), and a
missing key is inserted as one line beside its neighbours, so comments, blank lines, quoting and key order stay
exactly as the author wrote them (dumping the parsed YAML would lose all of that).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from yaml.nodes import ScalarNode

from ..diagnostics import Diagnostic, Findings, Severity, error
from ..fsio import write_all_atomic
from ..source.instances import INSTANCES_FILE
from ..source.lesson import read_text
from ..source.project import KEY_PART, rules_of
from ..source.yamlio import YamlMap, closest, parse_date, parse_yaml

COURSE_FILE = "course/course.yaml"
# Where a missing key goes: after the last of these keys that the mapping has.
_INSERT_AFTER = {"run": ("id", "locale", "org", "number"), "start": ("id", "locale", "org", "number", "run"),
                 "end": ("id", "locale", "org", "number", "run", "start")}


@dataclass
class Edit:
    """One value written: where, which key, the text before (None when the key was added) and after."""

    path: str
    line: int
    key: str
    old: str | None
    new: str

    def format(self) -> str:
        if self.old is None:
            return f"{self.path}:{self.line}: added {self.key}: {self.new}"
        return f"{self.path}:{self.line}: {self.key}: {self.old or '(empty)'} → {self.new}"


class YamlText:
    """One YAML file as text, re-composed after every edit so positions are always those of the current text."""

    def __init__(self, root: Path, rel: str):
        self.root, self.rel = root, rel
        self.original = read_text(root, rel)
        self.text = self.original
        raw = (root / rel).read_bytes()
        # read_text gives "\n" lines without a BOM; the file is written back the way it came.
        self.newline = "\r\n" if b"\r\n" in raw else "\n"
        self.bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""

    def document(self) -> YamlMap:
        return YamlMap(parse_yaml(self.text, self.rel), self.rel, what=self.rel)

    def set(self, mapping: YamlMap, key: str, value: str, insert: bool = True) -> Edit | None:
        """Give `key` in `mapping` the plain scalar `value`: replace it where it is, else add a line for it."""
        lines = self.text.split("\n")
        if key in mapping.entries:
            node = mapping.entries[key][1]
            if not isinstance(node, ScalarNode) or node.start_mark.line != node.end_mark.line:
                raise error(self.rel, node.start_mark.line + 1, f"`{key}` must be a value on one line for "
                            "new-run to change it", code="SYN004")
            if node.value == value:
                return None
            if node.value == "" and not node.style:  # `key:` with no value: write it after the colon
                knode = mapping.entries[key][0]
                line = lines[knode.start_mark.line]
                colon = line.index(":", knode.end_mark.column)
                rest = line[colon + 1:].strip()
                lines[knode.start_mark.line] = f"{line[:colon + 1]} {value}" + (f"  {rest}" if rest else "")
                self.text = "\n".join(lines)
                return Edit(self.rel, knode.start_mark.line + 1, key, "", value)
            line = lines[node.start_mark.line]
            quote = node.style if node.style in ("'", '"') else ""
            lines[node.start_mark.line] = (line[:node.start_mark.column] + f"{quote}{value}{quote}"
                                           + line[node.end_mark.column:])
            self.text = "\n".join(lines)
            return Edit(self.rel, node.start_mark.line + 1, key, node.value, value)
        if not insert:
            return None
        node = mapping.mapping_node
        if node is None or node.flow_style or not node.value:
            raise error(self.rel, mapping.line, f"write {mapping.what} with one `key: value` per line so new-run "
                        f"can add `{key}:`", code="SYN004")
        anchors = [k for k in _INSERT_AFTER[key] if k in mapping.entries] or [node.value[0][0].value]
        after = mapping.entries[anchors[-1]][1]
        at = after.end_mark.line if after.end_mark.column else after.end_mark.line - 1
        indent = " " * node.value[0][0].start_mark.column
        lines.insert(at + 1, f"{indent}{key}: {value}")
        self.text = "\n".join(lines)
        return Edit(self.rel, at + 2, key, None, value)

    @property
    def changed(self) -> bool:
        return self.text != self.original


def _instance_maps(doc: YamlMap) -> dict[str, YamlMap]:
    maps = {}
    for node in doc.sequence("instances"):
        data = doc.sub(node, "an instance")
        if data.has("id"):
            maps[data.text("id").strip()] = data
    return maps


def instance_lines(project: str | os.PathLike) -> dict[str, YamlMap]:
    """Each instance's mapping in course/instances.yaml, for messages that point at one of its keys."""
    root = Path(project)
    if not (root / INSTANCES_FILE).is_file():
        return {}
    return _instance_maps(YamlText(root, INSTANCES_FILE).document())


def _check_date(option: str, raw: str) -> datetime:
    value = parse_date(raw)
    if value is None:
        raise error("", 0, f"{option} {raw!r} is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless an "
                    "offset is given)", code="SYN004")
    return value


def new_run(project: str | os.PathLike, run: str, start: str, end: str,
            instances: list[str] | None = None) -> tuple[list[Edit], list[Diagnostic]]:
    """Set the run and dates of every instance (or of the ones named) and write the YAML files.

    Every instance: course.yaml gets `run`, `start`, `end`; an instance's own `run:` keeps its suffix
    (2026_T1_IT → 2026_T2_IT) and its own `start:`/`end:` get the new dates. Named instances: their own
    `run:`, `start:`, `end:` are set (added when missing). Returns the edits and warnings about dates elsewhere
    in the project that fall outside the new run. Nothing is written when anything is wrong.
    """
    root = Path(project)
    run, start, end = run.strip(), start.strip(), end.strip()
    if not KEY_PART.match(run):
        raise error("", 0, f"run {run!r} may use only letters, digits, `_`, `.` and `-` (Open edX course key "
                    "rules)", code="SYN004")
    start_at, end_at = _check_date("--start", start), _check_date("--end", end)
    if end_at <= start_at:
        raise error("", 0, f"--end {end} must be after --start {start}", code="DAT001")
    if not (root / COURSE_FILE).is_file():
        raise error(COURSE_FILE, 0, f"no course here: {root} has no {COURSE_FILE}", code="STR001")
    course = YamlText(root, COURSE_FILE)
    has_instances = (root / INSTANCES_FILE).is_file()
    inst = YamlText(root, INSTANCES_FILE) if has_instances else None
    course_doc = course.document()
    course_doc.require("run")
    old_run = course_doc.text("run").strip()
    language = (course_doc.text("language") or "en").strip()
    edits: list[Edit] = []

    def keep(edit: Edit | None) -> None:
        if edit is not None:
            edits.append(edit)

    if not instances:
        for key, value in (("run", run), ("start", start), ("end", end)):
            keep(course.set(course.document(), key, value))
        if inst is not None:
            for ident in list(_instance_maps(inst.document())):
                data = _instance_maps(inst.document())[ident]
                own = data.text("run")
                if own is not None:
                    own = own.strip()
                    if not own.startswith(old_run):
                        raise error(INSTANCES_FILE, data.line_of("run"), f"instance `{ident}` has run `{own}`, "
                                    f"which does not start with the course's run `{old_run}`; give it its new run "
                                    f"with `olxkit new-run RUN --instance {ident}`", code="SYN004")
                    keep(inst.set(data, "run", run + own[len(old_run):]))
                for key, value in (("start", start), ("end", end)):
                    keep(inst.set(_instance_maps(inst.document())[ident], key, value, insert=False))
    elif inst is None:
        for ident in instances:
            if ident != language:
                raise error(INSTANCES_FILE, 0, f"no instance `{ident}`: without {INSTANCES_FILE} the course has "
                            f"one instance, `{language}`", code="SYN004")
        for key, value in (("run", run), ("start", start), ("end", end)):
            keep(course.set(course.document(), key, value))
    else:
        known = _instance_maps(inst.document())
        for ident in instances:
            if ident not in known:
                raise error(INSTANCES_FILE, 0, f"no instance `{ident}`{closest(ident, known)}; instances: "
                            f"{', '.join(known)}", code="SYN004")
            for key, value in (("run", run), ("start", start), ("end", end)):
                keep(inst.set(_instance_maps(inst.document())[ident], key, value))
        _check_unique_keys(course.document(), _instance_maps(inst.document()), instances)
    _verify(course, inst, instances, run, start, end)
    # Graded like every finding: the course's `rules:` may ignore or re-grade DAT002.
    warnings = Findings(_stale_dates(root, course.document(), inst.document() if inst else None, start_at, end_at),
                        rules_of(root)).graded()
    _write([f for f in (course, inst) if f is not None and f.changed])
    return edits, warnings


def _verify(course: YamlText, inst: YamlText | None, named: list[str] | None, run: str, start: str,
            end: str) -> None:
    """Read the new text back: a wrong edit must fail here, before anything is written."""
    targets = [course.document()] if not named or inst is None else \
        [_instance_maps(inst.document())[ident] for ident in named]
    for data in targets:
        for key, value in (("run", run), ("start", start), ("end", end)):
            if (data.text(key) or "").strip() != value:  # pragma: no cover - a bug in the editing above
                raise RuntimeError(f"new-run could not set `{key}` in {data.path}")


def _check_unique_keys(course: YamlMap, instances: dict[str, YamlMap], changed: list[str]) -> None:
    """Two enabled instances with one course key would import into the same Studio course."""
    owners: dict[tuple[str, ...], list[str]] = {}
    for ident, data in instances.items():
        if data.boolean("enabled", True) is not False:
            key = tuple((data.text(k) or course.text(k) or "").strip() for k in ("org", "number", "run"))
            owners.setdefault(key, []).append(ident)
    for key, idents in owners.items():
        for ident in idents:
            if ident in changed and len(idents) > 1:
                other = next(i for i in idents if i != ident)
                raise error(INSTANCES_FILE, instances[ident].line_of("run"), f"instance `{ident}` would have the "
                            f"same course key as `{other}` (course-v1:{'+'.join(key)}); choose another run",
                            code="STR005")


def _stale_dates(root: Path, course: YamlMap, instances: YamlMap | None, start: datetime,
                 end: datetime) -> list[Diagnostic]:
    """Dates the new run leaves behind: enrollment that closes before it starts, due dates outside it."""
    out = []

    def check(data: YamlMap, path: str, what: str) -> None:
        enrollment = data.mapping("enrollment")
        closes = enrollment.date("end")
        if closes is not None and closes < start:
            out.append(Diagnostic(path, enrollment.line_of("end"), f"{what}enrollment ends before the new run "
                                  "starts; update `enrollment: end:`", Severity.WARNING, "DAT003"))
        opens = enrollment.date("start")
        if opens is not None and opens > end:
            out.append(Diagnostic(path, enrollment.line_of("start"), f"{what}enrollment opens after the new run "
                                  "ends; update `enrollment: start:`", Severity.WARNING, "DAT003"))

    check(course, COURSE_FILE, "")
    if instances is not None:
        for ident, data in _instance_maps(instances).items():
            check(data, INSTANCES_FILE, f"instance `{ident}`: ")
    try:
        from ..source.loader import load_course

        model = load_course(root)
    except Exception:  # a course with errors: `olxkit build` reports them; the new run is still written
        return out
    for module in model.modules:
        if module.start and not start <= module.start <= end:
            out.append(Diagnostic(module.path, module.line, f"module `{module.id}` starts on "
                                  f"{module.start:%Y-%m-%d}, outside the new run", Severity.WARNING, "DAT002"))
        for lesson in module.lessons:
            for what, value in (("is due", lesson.due), ("starts", lesson.start)):
                if value and not start <= value <= end:
                    out.append(Diagnostic(lesson.path, lesson.line, f"lesson `{lesson.id}` {what} on "
                                          f"{value:%Y-%m-%d}, outside the new run", Severity.WARNING, "DAT002"))
    return sorted(out)


def _write(files: list[YamlText]) -> None:
    """Write every changed file to a temporary name first, then rename them all."""
    write_all_atomic((f.root / f.rel, f.bom + f.text.replace("\n", f.newline)) for f in files)
