"""Everything a learner sees is in the instance's language: olxkit's own texts come from its own catalog (shipped
in the package), and the words of formulas are messages."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from importlib import resources
from pathlib import Path

import polib
import yaml
from lxml import etree

from helpers import REPO

MESSAGES = resources.files("olxkit.i18n") / "messages"
LANGUAGES = ["it", "de", "de_AT", "hu", "sl", "sk", "pl"]
STEM = "SocialiMakers+SIA+2026_T1"


def _template() -> polib.POFile:
    with resources.as_file(MESSAGES / "olxkit.pot") as path:
        return polib.pofile(str(path))


def test_olxkit_catalog_covers_every_text_olxkit_writes_in_every_language():
    msgids = {e.msgid for e in _template() if e.msgid}
    # Every text the package writes goes through ui_text(labels, "…"): each one is in the template.
    used = set()
    for path in (REPO / "olxkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ui_text":
                arg = node.args[1]
                assert isinstance(arg, ast.Constant), f"{path}: ui_text needs a literal msgid"
                used.add(arg.value)
    assert used and used == msgids, (used, msgids)
    for code in LANGUAGES:
        with resources.as_file(MESSAGES / f"{code}.po") as path:
            done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            po = polib.pofile(str(path))
        assert po.percent_translated() == 100 and not po.fuzzy_entries(), code
        assert {e.msgid for e in po if not e.obsolete} == msgids, code
        assert all(e.msgstr != e.msgid for e in po), code


def _trees(out: Path) -> dict[str, Path]:
    instances = yaml.safe_load((REPO / "course/instances.yaml").read_text(encoding="utf-8"))["instances"]
    return {i["locale"]: out / (STEM + (f"_{i['run'].rsplit('_', 1)[-1]}" if i.get("run") else ""))
            for i in instances}


def test_no_olxkit_made_english_in_a_translated_archive(embedded_build):
    _result, out = embedded_build
    # The preview's own words (olxkit/serve/) are on its pages, not in archives (tests/test_serve*.py).
    english = [e.msgid for e in _template() if e.msgid and not all(ref.startswith("olxkit/serve/")
                                                                   for ref, _line in e.occurrences)]
    trees = _trees(out)
    # Where olxkit writes its texts: as an element's whole text, as an attribute value, as a JSON key or value.
    patterns = [re.compile(rf'>\s*{re.escape(m)}\s*<|="{re.escape(m)}"|"{re.escape(m)}"\s*:') for m in english]
    source = "\n".join(p.read_text(encoding="utf-8") for p in trees["en"].rglob("*") if p.suffix in (".html", ".xml",
                                                                                                     ".json"))
    assert all(p.search(source) for p in patterns), "the English archive shows each of olxkit's texts"
    for locale, tree in trees.items():
        if locale == "en":
            continue
        labels = {e.msgid: e.msgstr for e in polib.pofile(str(MESSAGES / f"{locale}.po"))}
        found = []
        for path in tree.rglob("*"):
            if path.suffix in (".html", ".xml", ".json"):
                text = path.read_text(encoding="utf-8")
                found += [f"{path.relative_to(tree)}: {p.pattern}" for p in patterns if p.search(text)]
        assert not found, (locale, found[:5])
        problem = next(p for p in (tree / "problem").glob("*.xml") if b"detailed-solution" in p.read_bytes())
        heading = etree.parse(str(problem)).find(".//div[@class='detailed-solution']/p")
        assert heading.text == labels["Explanation"], locale
        policy = json.loads(next((tree / "policies").glob("*/policy.json")).read_text(encoding="utf-8"))
        topics = next(iter(policy.values()))["discussion_topics"]
        assert topics == {labels["General"]: {"id": "course"}}, locale
        backlinks = [p for p in (tree / "html").glob("*.html") if "footnote-backref" in p.read_text(encoding="utf-8")]
        assert backlinks, locale
        assert f'aria-label="{labels["Back to the text"]}"' in backlinks[0].read_text(encoding="utf-8"), locale


def test_words_in_formulas_are_translated_and_the_formula_is_kept(embedded_build):
    _result, out = embedded_build
    trees = _trees(out)
    pages = dict(trees)
    # Find the page with the break-even formula in each archive (file names are the same in every language).
    name = next(p.name for p in (trees["en"] / "html").glob("*.html")
                if "break-even volume" in p.read_text(encoding="utf-8"))
    english = (trees["en"] / "html" / name).read_text(encoding="utf-8")
    formula = re.search(r"\\\[\\text\{break-even volume\}.*?\\\]", english).group(0)
    skeleton = re.sub(r"\\text\{[^{}]*\}", r"\\text{}", formula)
    for locale, tree in pages.items():
        if locale == "en":
            continue
        html = (tree / "html" / name).read_text(encoding="utf-8")
        assert "break-even volume" not in html and "variable cost per unit" not in html, locale
        translated = next(m for m in re.findall(r"\\\[.*?\\\]", html, re.S) if "\\frac{\\text{" in m)
        assert re.sub(r"\\text\{[^{}]*\}", r"\\text{}", translated) == skeleton, locale
    # No English word inside \text{…} of any formula in any translated archive.
    words = set()
    for path in (trees["en"]).rglob("*"):
        if path.suffix in (".html", ".xml"):
            for formula in re.findall(r"\\\[.*?\\\]|\\\(.*?\\\)", path.read_text(encoding="utf-8"), re.S):
                words.update(w.strip() for w in re.findall(r"\\text\{([^{}]*)\}", formula)
                             if re.search(r"[a-z]{3}", w))
    assert len(words) >= 20
    for locale, tree in pages.items():
        if locale == "en":
            continue
        for path in tree.rglob("*"):
            if path.suffix in (".html", ".xml"):
                for formula in re.findall(r"\\\[.*?\\\]|\\\(.*?\\\)", path.read_text(encoding="utf-8"), re.S):
                    left = [w for w in re.findall(r"\\text\{([^{}]*)\}", formula) if w.strip() in words
                            and w.strip() != "SROI"]
                    assert not left, (locale, path.name, left)
