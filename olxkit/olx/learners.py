"""What a rebuild changes for learners: problems removed or retyped, ids changed, graded answers changed.

Open edX keeps learners' answers and scores by block type and url_name, and never regrades past submissions.
Each build records, per instance, the blocks that keep learner state (in the build folder's manifest); the next
build compares its own with them and says what learners will see differently.
"""

from __future__ import annotations

from lxml import etree

from .. import component_types
from .components import pointer
from .read import CONTAINERS, block_answers, is_pointer, pointer_path, response_answers

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)


def learner_blocks(files: dict[str, bytes]) -> dict[str, dict]:
    """{`type/url_name`: {title, graded, responses, answers}} for every block of an OLX tree that keeps learner
    state, read from the tree's files (OLX path → bytes), in key order.

    The files of a share of the lessons (`export_olx(..., part=…)`) give that share's blocks: a unit's blocks
    and its lesson's `graded` are in the files of its lesson, so `merge_learner_blocks` of every share's is the
    whole tree's."""
    graded_units: set[str] = set()
    for path, data in files.items():
        if path.startswith("sequential/") and path.endswith(".xml"):
            sequential = etree.fromstring(data, _PARSER)
            if sequential.get("graded") == "true":
                graded_units |= {c.get("url_name", "") for c in sequential if isinstance(c.tag, str)}
    out: dict[str, dict] = {}
    no_state = CONTAINERS | component_types.stateless_tags()
    for path, data in sorted(files.items()):
        if not (path.startswith("vertical/") and path.endswith(".xml")):
            continue
        unit = path[len("vertical/"):-len(".xml")]
        for child in etree.fromstring(data, _PARSER):
            if not isinstance(child.tag, str) or child.tag in no_state or not child.get("url_name"):
                continue
            element = child
            pointer = pointer_path(child.tag, child.get("url_name")) if is_pointer(child) else None
            if pointer in files:
                element = etree.fromstring(files[pointer], _PARSER)
            responses, answers = block_answers(child.tag, element)
            out[f"{child.tag}/{child.get('url_name')}"] = {
                "title": element.get("display_name", ""), "graded": unit in graded_units,
                "responses": list(responses), "answers": list(answers)}
    return dict(sorted(out.items()))


def built_answers(element: etree._Element) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """`block_answers` of a problem element as the exporter built it, equal to those of its file read back
    (`etree.tostring(element, pretty_print=True)` parsed), or None when that cannot be vouched for.

    Pretty-printing adds whitespace only inside elements that hold no text of their own (libxml2 indents no
    element below one with a text child), and a choice's or option's text is all an answer reads of the
    markup; a choice or option with children and no text of its own could gain spaces, so it is read back."""
    for choice in element.iter("choice", "option"):
        if choice.text is None and len(choice) and all(child.tail is None for child in choice):
            return None
    return response_answers(element)


class Recorder:
    """The learner-state blocks of an export, recorded as the exporter makes the files instead of read back
    from them (`learner_blocks`): `blocks(files)` is `learner_blocks(files)` for the files it recorded.

    The exporter reports each vertical (`unit`, with its children's (tag, url_name, xml)), each graded
    sequential's units (`graded`) and the element each problem file was written from (`built`)."""

    def __init__(self):
        self.units: list[tuple[str, list[tuple[str, str, str]]]] = []
        self.graded_units: set[str] = set()
        self.problems: dict[str, tuple[str, tuple | None]] = {}

    def unit(self, path: str, children: list[tuple[str, str, str]]) -> None:
        self.units.append((path, children))

    def graded(self, url_names) -> None:
        self.graded_units.update(url_names)

    def built(self, path: str, element: etree._Element, data: bytes) -> None:
        self.problems[path] = (data, element.get("display_name", ""), built_answers(element))

    def blocks(self, files: dict[str, bytes]) -> dict[str, dict]:
        try:
            return self._blocks(files)
        except etree.XMLSyntaxError:  # a block's xml that is not one element: read the files as written
            return learner_blocks(files)

    def _blocks(self, files: dict[str, bytes]) -> dict[str, dict]:
        out: dict[str, dict] = {}
        no_state = CONTAINERS | component_types.stateless_tags()
        for path, children in sorted(self.units):
            if path not in files:
                continue
            graded = path[len("vertical/"):-len(".xml")] in self.graded_units
            for tag, url_name, xml in children:
                child = None
                if xml != pointer(tag, url_name):  # an inline block: read as the vertical's parse reads it
                    child = etree.fromstring(xml, _PARSER)
                    tag, url_name = child.tag, child.get("url_name")
                if not isinstance(tag, str) or tag in no_state or not url_name:
                    continue
                target = pointer_path(tag, url_name) if child is None or is_pointer(child) else None
                made = self.problems.get(target) if target in files else None
                if made is not None and made[0] is files[target] and made[2] is not None:
                    title, (responses, answers) = made[1], made[2]
                else:
                    element = etree.fromstring(files[target], _PARSER) if target in files else (
                        child if child is not None else etree.fromstring(xml, _PARSER))
                    title = element.get("display_name", "")
                    responses, answers = block_answers(tag, element)
                out[f"{tag}/{url_name}"] = {"title": title, "graded": graded, "responses": list(responses),
                                            "answers": list(answers)}
        return dict(sorted(out.items()))


def merge_learner_blocks(parts: list[dict[str, dict]]) -> dict[str, dict]:
    """One tree's learner blocks from its shares' (`learner_blocks` of each), in key order."""
    return dict(sorted(item for part in parts for item in part.items()))


def learner_changes(old: dict[str, dict], new: dict[str, dict]) -> list[dict]:
    """What learners lose or see graded differently going from the blocks `old` to `new` (learner_blocks)."""
    changes = []
    gone = sorted(old.keys() - new.keys())
    came = sorted(new.keys() - old.keys())
    for ref in gone:
        kind, url_name = ref.split("/", 1)
        was = old[ref]
        other_type = [r for r in came if r.split("/", 1)[1] == url_name]
        twin = [r for r in came if r.split("/", 1)[0] == kind and new[r]["title"] == was["title"] and was["title"]]
        if other_type:
            changes.append(_change("retyped", ref, was, f"{_name(ref, was)} becomes a {other_type[0].split('/')[0]}: "
                                   "learners' answers and scores on it leave the course"))
        elif len(twin) == 1:
            came.remove(twin[0])
            changes.append(_change("id", ref, was, f"{_name(ref, was)} has a new id, {twin[0].split('/', 1)[1]}: "
                                   "learners' answers and scores stay with the old id and leave the course"))
        else:
            changes.append(_change("removed", ref, was, f"{_name(ref, was)} is removed: learners' answers and "
                                   "scores on it leave the course"))
    for ref in sorted(old.keys() & new.keys()):
        was, now = old[ref], new[ref]
        if any(i >= len(now["responses"]) or now["responses"][i] != kind for i, kind in enumerate(was["responses"])):
            changes.append(_change("retyped", ref, now, f"{_name(ref, now)}: its questions change "
                                   f"({', '.join(was['responses'])} → {', '.join(now['responses']) or 'none'}): "
                                   "learners' saved answers no longer match them"))
        elif now["graded"] and was["answers"] != now["answers"]:
            pairs = [f"{a or '(none)'} → {b or '(none)'}" for a, b in zip(was["answers"], now["answers"], strict=False)
                     if a != b]
            changes.append(_change("answer", ref, now, f"{_name(ref, now)}: graded answer changed "
                                   f"({'; '.join(pairs)}): past scores are not regraded — learners who already "
                                   "answered keep the score they got"))
    return changes


def _name(ref: str, block: dict) -> str:
    kind, url_name = ref.split("/", 1)
    return f'{kind} {url_name} ("{block["title"]}")' if block.get("title") else f"{kind} {url_name}"


def _change(kind: str, ref: str, block: dict, message: str) -> dict:
    return {"change": kind, "block": ref, "title": block.get("title", ""), "message": message}
