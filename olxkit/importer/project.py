"""An imported course → an olxkit project: course.yaml, modules, lessons, static files and the overlay.

Each block becomes olxkit source where that source builds back into the same block (html as Markdown, problems
as YAML, videos and discussions as component blocks); anything else is kept as it came (an `olx` component, its
files under course/olx/). What the source cannot say — url_names, attributes, policy fields — goes to
course/olx.yaml. `verify` then builds the written project in memory and compares it with the export block by
block: a block that does not come back the same is kept as it came, and the attributes that differ are pinned.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from ..source.links import SAFE_ASSET_NAME, flatten_asset_name
from ..source.markdown import ID_RE
from ..source.yamlio import parse_date
from .capa2yaml import problem_to_yaml
from .course_settings import CourseSettingsWriter
from .html2md import LinkMap, html_to_markdown, same_html
from .olx import Block
from .plan import Component, Plan, dump_yaml, escape_title, slugify, unique_name, unquote

CORE_NATIVE = ("html", "problem", "video", "discussion")


class Writer(CourseSettingsWriter):
    """Writes the project for one plan into `root` (a staging folder)."""

    def __init__(self, plan: Plan, root: Path):
        self.plan = plan
        self.olx = plan.course
        self.root = root
        self.files: dict[str, bytes] = {}

    # -- the whole project ---------------------------------------------------------------------------------
    def write(self) -> dict[str, bytes]:
        plan = self.plan
        plan.names.clear()
        plan.overlay_files.clear()
        plan.components.clear()
        self.language = self._course_value("language") or "en"
        self.lang_prefix = f'<div lang="{self.language}">\n'
        plan.html_lang = self._html_lang()
        self.assets = self._static()
        self._structure()
        self.course_yaml()
        self.pages()
        self.leftovers()
        return self.files

    def put(self, rel: str, data: str | bytes) -> None:
        self.files[rel] = data.encode("utf-8") if isinstance(data, str) else data

    def _course_value(self, key: str):
        value = self.olx.course_policy().get(key)
        if value is None:
            value = self.olx.root.attrs.get(key)
            if isinstance(value, str) and value.startswith('"') and value.endswith('"'):
                value = value[1:-1]
        return value

    def _html_lang(self) -> bool:
        """olxkit wraps every html block in <div lang=…>; an export made so is read back without the wrapper."""
        htmls = [b.html for b in self.olx.blocks() if b.tag == "html" and b.html is not None]
        return bool(htmls) and all(h.startswith(self.lang_prefix) and h.endswith("</div>\n") for h in htmls)

    def unwrap(self, html: str) -> str:
        if self.plan.html_lang and html.startswith(self.lang_prefix) and html.endswith("</div>\n"):
            return html[len(self.lang_prefix):-len("</div>\n")]
        return html

    # -- static files --------------------------------------------------------------------------------------
    def _static(self) -> set[str]:
        assets: set[str] = set()
        flat: set[str] = set()
        for rel, data in sorted(self.olx.files.items()):
            if not rel.startswith("static/"):
                continue
            name = rel[len("static/"):]
            flat_name = flatten_asset_name(name)
            if SAFE_ASSET_NAME.match(name) and not name.startswith(".") and "/." not in name and flat_name not in flat:
                flat.add(flat_name)
                assets.add(name)
                self.put(f"course/static/{name}", data)
            else:
                # Names olxkit's source refuses (spaces, odd characters, a clash once flattened) stay as they came.
                self.plan.overlay_files[rel] = data
        return assets

    # -- modules, lessons, units ---------------------------------------------------------------------------
    def _structure(self) -> None:
        plan = self.plan
        module_ids: set[str] = set()
        lesson_ids: set[str] = set()
        chapters = self._non_empty(self.olx.root.children)
        seqs = [s for c in chapters for s in c.children]
        # Lesson ids first: a module may not take a lesson's id.
        lesson_id_of = {}
        for seq in seqs:
            lesson_id_of[seq.ref] = unique_name(self._id(seq.url_name, seq.display_name, "lesson"), lesson_ids)
        self.modules: list[str] = []
        # Links need every unit's place before any html is converted.
        layout = []
        self.done, self.total = 0, len(seqs)
        for number, chapter in enumerate(chapters, 1):
            module_id = self._id(chapter.url_name, chapter.display_name, "module")
            module_id = unique_name(module_id, module_ids | lesson_ids)
            module_ids.add(module_id)
            folder = f"{number:02d}-{slugify(chapter.display_name, 'module')}"
            self.modules.append(folder)
            self._name("chapter", module_id, chapter.url_name)
            lessons = []
            for lnum, seq in enumerate(chapter.children, 1):
                lesson_id = lesson_id_of[seq.ref]
                self._name("sequential", lesson_id, seq.url_name)
                file = f"modules/{folder}/{lnum:02d}-{slugify(seq.display_name, 'lesson')}.md"
                plan.lesson_files[seq.ref] = file
                units = []
                unit_ids: set[str] = set()
                for vertical in seq.children:
                    unit_id = self._child_id(vertical.url_name, lesson_id, vertical.display_name, "unit", unit_ids)
                    self._name("vertical", f"{lesson_id}_{unit_id}", vertical.url_name)
                    plan.unit_ids[vertical.ref] = (file, unit_id)
                    units.append((vertical, unit_id))
                lessons.append((seq, lesson_id, file, units))
            layout.append((chapter, module_id, folder, lessons))
        self.links = LinkMap(
            lessons={ref: file for ref, file in plan.lesson_files.items()},
            units=dict(plan.unit_ids),
            assets=self.assets,
        )
        for chapter, module_id, folder, lessons in layout:
            data = {"title": chapter.display_name or "Module", "id": module_id}
            if chapter.attrs.get("start") and parse_date(unquote(chapter.attrs["start"])):
                data["start"] = unquote(chapter.attrs["start"])
            data["lessons"] = [Path(file).name for _seq, _lid, file, _u in lessons]
            self.put(f"modules/{folder}/module.yaml", dump_yaml(data))
            for seq, lesson_id, file, units in lessons:
                self.lesson(seq, lesson_id, file, units)
                self.done += 1
                if self.progress is not None:
                    self.progress(f"converting lessons [{self.done}/{self.total}]")

    def _non_empty(self, chapters: list[Block]) -> list[Block]:
        """The chapters, subsections and units that hold something: olxkit has no empty unit, lesson or module."""
        kept = []
        for chapter in chapters:
            for seq in chapter.children:
                for vertical in [v for v in seq.children if not v.children]:
                    self.plan.skipped.append((vertical.ref, "an empty unit (an olxkit unit holds a component)"))
                    seq.children.remove(vertical)
            for seq in [s for s in chapter.children if not s.children]:
                self.plan.skipped.append((seq.ref, "an empty subsection (an olxkit lesson holds a unit)"))
                chapter.children.remove(seq)
            if chapter.children:
                kept.append(chapter)
            else:
                self.plan.skipped.append((chapter.ref, "an empty section (an olxkit module holds a lesson)"))
        self.olx.root.children = kept
        return kept

    def _id(self, url_name: str, title: str, fallback: str) -> str:
        return url_name if ID_RE.match(url_name) else slugify(title or url_name, fallback)

    def _child_id(self, url_name: str, prefix: str, title: str, fallback: str, used: set[str]) -> str:
        rest = url_name[len(prefix) + 1:] if url_name.startswith(prefix + "_") else url_name
        base = rest if ID_RE.match(rest) else slugify(title or rest, fallback)
        return unique_name(base, used)

    def _name(self, tag: str, default: str, url_name: str) -> None:
        if default != url_name:
            self.plan.names[f"{tag}/{default}"] = url_name

    def lesson(self, seq: Block, lesson_id: str, file: str, units) -> None:
        front: dict = {"title": seq.display_name or "Lesson", "id": lesson_id}
        graded = seq.attrs.get("graded") == "true"
        fmt = seq.attrs.get("format")
        types = {g.get("type") for g in self.graders}
        if graded and fmt in types:
            front["graded"] = True
            front["format"] = fmt
        for key in ("due", "start"):
            if seq.attrs.get(key) and parse_date(unquote(seq.attrs[key])):
                front[key] = unquote(seq.attrs[key])
        self.lesson_dir = str(Path(file).parent.as_posix())
        lines = ["---", dump_yaml(front).rstrip("\n"), "---", ""]
        for vertical, unit_id in units:
            lines.append(f"## {escape_title(vertical.display_name or 'Unit')} {{#{unit_id}}}")
            lines.append("")
            default = f"{lesson_id}_{unit_id}"
            for comp in self.components(vertical, default):
                self.plan.components.append(comp)
                lines.append(self.component_text(comp))
                lines.append("")
        self.put(file, "\n".join(lines).rstrip("\n") + "\n")

    # -- components ----------------------------------------------------------------------------------------
    def components(self, vertical: Block, default: str) -> list[Component]:
        out: list[Component] = []
        used: set[str] = set()
        previous: str | None = None
        previous_text = False
        for index, block in enumerate(vertical.children):
            following = vertical.children[index + 1] if index + 1 < len(vertical.children) else None
            comp = self.convert(block, default, previous, previous_text, following, used)
            if comp.kind == "prompt":
                comp.kind = "skip"  # the discussion that follows carries it
            else:
                out.append(comp)
            previous = comp.cid
            previous_text = comp.kind == "text"
        return [c for c in out if c.kind != "skip"]

    def convert(self, block: Block, default: str, previous, previous_text, following, used) -> Component:
        plan = self.plan
        reason = plan.reasons.get(block.ref, "")
        if not reason:
            if block.tag == "html":
                text_id = f"{previous}-text" if previous else "text"
                md, why = self.html(block)
                prompt_id = self._prompt_of(block, following, default, used)
                if md is not None and prompt_id:
                    # olxkit writes a discussion's `prompt:` as the html block just before it, named <id>-prompt.
                    self._prompts[following.ref] = md
                    self._name("html", f"{default}_{prompt_id}", block.url_name)
                    used.add(prompt_id)
                    return Component(block, "prompt", prompt_id, md)
                if md is not None and previous_text:
                    why = "two html blocks in a row (Markdown text between components is one block)"
                elif md is not None:
                    used.add(text_id)
                    self._name("html", f"{default}_{text_id}", block.url_name)
                    return Component(block, "text", text_id, md)
                reason = why
            elif block.tag == "problem":
                data, reason = problem_to_yaml(block.element, self.problem_defaults, self.links, self.lesson_dir,
                                               check=False)
                if data is not None:
                    cid = self._cid(block, default, used)
                    return Component(block, "problem", cid, dump_yaml({"id": cid, **data}))
            elif block.tag == "video":
                data, reason = self.video(block)
                if data is not None:
                    cid = self._cid(block, default, used)
                    return Component(block, "video", cid, dump_yaml({"id": cid, **data}))
            elif block.tag == "discussion":
                cid = self._cid(block, default, used)
                data = {"id": cid, "title": block.attrs.get("display_name", "Discussion"),
                        "category": block.attrs.get("discussion_category", ""),
                        "target": block.attrs.get("discussion_target", "")}
                if block.ref in self._prompts:
                    data["prompt"] = self._prompts[block.ref]
                return Component(block, "discussion", cid, dump_yaml(data))
            else:
                reason = f"<{block.tag}> has no olxkit component type"
        plan.reasons[block.ref] = reason
        return self.passthrough(block, default, used, reason)

    def _prompt_of(self, block: Block, following: Block | None, default: str, used: set[str]) -> str | None:
        """`<id>-prompt` when this html block is the prompt olxkit writes before discussion <id>, else None."""
        if following is None or following.tag != "discussion" or following.ref in self.plan.reasons:
            return None
        vertical = self.plan.names.get(f"vertical/{default}", default)
        if block.url_name != f"{following.url_name}-prompt" or not following.url_name.startswith(vertical + "_"):
            return None
        cid = following.url_name[len(vertical) + 1:]
        if not ID_RE.match(cid) or cid in used or f"{cid}-prompt" in used:
            return None
        return f"{cid}-prompt"

    def _cid(self, block: Block, default: str, used: set[str]) -> str:
        vertical = self.plan.names.get(f"vertical/{default}", default)
        cid = self._child_id(block.url_name, vertical, block.display_name, block.tag, used)
        self._name(block.tag, f"{default}_{cid}", block.url_name)
        return cid

    def passthrough(self, block: Block, default: str, used: set[str], reason: str) -> Component:
        cid = self._cid(block, default, used)
        if block.pointer:
            self._keep_files(block.element, block.file)
            if block.html_file:
                self.plan.overlay_files[block.html_file] = self.olx.files[block.html_file]
            body = f'<{block.tag} url_name="{cid}"/>'
        else:
            element = _copy(block.element)
            element.set("url_name", cid)
            self._keep_files(element, None)
            body = etree.tostring(element, encoding="unicode", with_tail=False)
        return Component(block, "olx", cid, body, reason)

    def _keep_files(self, element: etree._Element, file: str | None) -> None:
        """The block's own file and the files of any pointer inside it (library content, split tests…)."""
        if file:
            self.plan.overlay_files[file] = self.olx.files[file]
        for child in element.iterdescendants():
            if not isinstance(child.tag, str):
                continue
            url = child.get("url_name")
            if url and set(child.attrib) == {"url_name"} and not len(child):
                rel = f"{child.tag}/{url.replace(':', '/')}.xml"
                if rel in self.olx.files and rel not in self.plan.overlay_files:
                    self.plan.overlay_files[rel] = self.olx.files[rel]
                    self._keep_files(etree.fromstring(self.olx.files[rel]), None)

    def component_text(self, comp: Component) -> str:
        if comp.kind == "text":
            return comp.body.rstrip("\n")
        body = comp.body.rstrip("\n")
        fence = "```"
        while fence in body:
            fence += "`"
        return f"{fence}{comp.kind}\n{body}\n{fence}"

    def html(self, block: Block) -> tuple[str | None, str]:
        if block.pointer and block.element.get("filename") != block.url_name:
            return None, "its html file is not named after the block"
        html = self.unwrap(block.html or "")
        if self.plan.html_lang and html == block.html:
            return None, "html without the course's language wrapper"
        return html_to_markdown(html, self.links, self.lesson_dir, exact=self.plan.html_lang, check=False)

    def video(self, block: Block) -> tuple[dict | None, str]:
        el = block.element
        allowed = {"source", "transcript"}
        if any(isinstance(c.tag, str) and c.tag not in allowed for c in el):
            return None, "a video with <video_asset> or other children olxkit does not write"
        youtube = el.get("youtube_id_1_0", "")
        if youtube and not re.fullmatch(r"[A-Za-z0-9_-]{11}", youtube):
            return None, "the YouTube id is not an 11-character id"
        try:
            sources = json.loads(el.get("html5_sources", "[]"))
            transcripts = json.loads(el.get("transcripts", "{}"))
        except json.JSONDecodeError:
            return None, "html5_sources or transcripts is not JSON"
        if not all(isinstance(s, str) and re.match(r"https?://", s) for s in sources):
            return None, "a video source is not a full URL"
        if not youtube and not sources:
            return None, "a video with neither a YouTube id nor a source URL"
        if not isinstance(transcripts, dict) or not all(v in self.assets for v in transcripts.values()):
            return None, "a transcript that is not a file in static/"
        if set(transcripts) - {self.language}:
            return None, "transcripts in other languages than the course's (an olxkit archive carries its own)"
        data: dict = {"title": el.get("display_name", "Video")}
        if youtube:
            data["youtube"] = youtube
        if sources:
            data["sources"] = sources
        if transcripts:
            data["transcripts"] = dict(sorted(transcripts.items()))
        data["download_video"] = el.get("download_video") == "true"
        data["download_track"] = el.get("download_track") == "true"
        return data, ""

    def pages(self) -> None:
        for rel, target in (("about/overview.html", "course/about.md"), ("info/handouts.html", "course/handouts.md")):
            data = self.olx.files.get(rel)
            if data is None:
                continue
            html = self.unwrap(data.decode("utf-8"))
            if self.plan.html_lang and html == data.decode("utf-8"):
                continue
            md, _why = html_to_markdown(html, self.links, course_page=True, exact=self.plan.html_lang)
            if md is not None:
                self.put(target, md)
                self.native_files.add(rel)

    def leftovers(self) -> None:
        """Every file the project does not make again is kept as it came (course/olx/…)."""
        skip = {f"policies/{self.olx.run}/policy.json", f"policies/{self.olx.run}/grading_policy.json",
                f"policies/{self.olx.run}.json", "course.xml"}
        for rel, data in self.olx.files.items():
            if rel in self.plan.kept_files:
                self.plan.overlay_files[rel] = data
                continue
            if rel.startswith("static/") or rel in skip or rel in self.olx.used or rel in self.native_files:
                continue
            self.plan.overlay_files.setdefault(rel, data)
        for rel, data in self.plan.overlay_files.items():
            self.put(f"course/olx/{rel}", data)

    native_files: set[str]
    _prompts: dict
    _graders_native: bool = True


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))


def new_writer(plan: Plan, root: Path, progress=None) -> Writer:
    writer = Writer(plan, root)
    writer.progress = progress
    writer.native_files = set()
    writer._prompts = {}
    return writer


__all__ = ["Plan", "Writer", "new_writer", "dump_yaml", "same_html"]
