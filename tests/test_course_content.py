"""The embedded course as each country receives it: its own contact, one course name, its own words."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from helpers import REPO

STEM = "SocialiMakers+SIA+2026_T1"
CENTRAL = "academy@socialimakers.eu"


def _instances() -> list[dict]:
    return yaml.safe_load((REPO / "course/instances.yaml").read_text(encoding="utf-8"))["instances"]


def _tree(out: Path, instance: dict) -> Path:
    return out / (STEM + (f"_{instance['run'].rsplit('_', 1)[-1]}" if instance.get("run") else ""))


def _course_name(locale: str) -> str:
    terms = yaml.safe_load((REPO / "course/glossary.yaml").read_text(encoding="utf-8"))["terms"]
    term = next(t for t in terms if t["en"] == "Social Innovation Academy")
    return term.get(locale) or term.get(locale.split("_")[0]) or term["en"]


def _all_text(tree: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(tree.rglob("*"))
                     if p.is_file() and p.suffix in (".html", ".xml", ".json", ".svg"))


def test_every_instance_names_its_own_contact(embedded_build):
    _result, out = embedded_build
    for instance in _instances():
        tree = _tree(out, instance)
        contact = (instance.get("texts") or {}).get("contact", CENTRAL)
        overview = (tree / "about/overview.html").read_text(encoding="utf-8")
        updates = json.loads((tree / "info/updates.items.json").read_text(encoding="utf-8"))
        assert contact in overview, instance["id"]
        assert sum(contact in u["content"] for u in updates) == 2, instance["id"]
        if contact != CENTRAL:
            assert CENTRAL not in _all_text(tree), instance["id"]


def test_one_course_name_per_language_in_title_texts_and_legal_notice(embedded_build):
    _result, out = embedded_build
    for instance in _instances():
        tree = _tree(out, instance)
        name = _course_name(instance["locale"]).lower()
        assert name in (tree / "about/title.html").read_text(encoding="utf-8").lower(), instance["id"]
        handouts = (tree / "info/handouts.html").read_text(encoding="utf-8").lower()
        texts = instance.get("texts") or yaml.safe_load((REPO / "course/course.yaml").read_text())["texts"]
        legal = (texts.get("legal_notice") or "").lower()
        assert legal and legal in handouts.replace("&amp;", "&"), instance["id"]
        assert name in legal, (instance["id"], legal)
        if name != "social innovation academy":
            assert "social innovation academy" not in _all_text(tree).lower(), instance["id"]


def test_austrian_german_is_grammatical_and_the_drawing_agrees_with_its_text(embedded_build):
    _result, out = embedded_build
    at = next(i for i in _instances() if i["locale"] == "de_AT")
    tree = _tree(out, at)
    text = _all_text(tree)
    assert "der Tageszentrum" not in text and "der örtlichen Tageszentrum" not in text
    assert text.count("des Tageszentrums") + text.count("des örtlichen Tageszentrums") >= 2
    drawing = (tree / "static/images/m6-stakeholder-grid.svg").read_text(encoding="utf-8")
    assert "Gemeinde" in drawing and "Kommune" not in drawing
    page = next(p.read_text(encoding="utf-8") for p in (tree / "html").glob("*.html")
                if "m6-stakeholder-grid" in p.read_text(encoding="utf-8"))
    assert "Gemeinde" in page.split("m6-stakeholder-grid")[0].rsplit("<img", 1)[-1] + page
    # Germany's drawing keeps its own word.
    de = next(i for i in _instances() if i["locale"] == "de")
    assert "Kommune" in (_tree(out, de) / "static/images/m6-stakeholder-grid.svg").read_text(encoding="utf-8")
