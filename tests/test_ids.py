"""url_names (what learner data hangs on) survive rebuilds, edits, reordering; `pin-ids` pins them."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import copy_course, make_project, run_cli, url_names

TREE = "SocialiMakers+SIA+2026_T1"
LESSON = "modules/01-what-is-social-innovation/01-defining-social-innovation.md"


def build_names(root: Path) -> dict[str, set[str]]:
    result = run_cli("build", str(root), "-q")
    assert result.exit_code == 0, result.output
    return url_names(root / "build" / TREE)


def swap_units(path: Path, a: int, b: int) -> None:
    """Swap the a-th and b-th `##` sections (0-based) of a lesson file."""
    text = path.read_text(encoding="utf-8")
    head, *units = re.split(r"(?m)^(?=## )", text)
    units[a], units[b] = units[b], units[a]
    units = [u if u.endswith("\n\n") else u.rstrip("\n") + "\n\n" for u in units]
    path.write_text(head + "".join(units), encoding="utf-8")


def test_url_names_survive_edits_and_reordering(tmp_path):
    root = copy_course(tmp_path)
    before = build_names(root)
    assert len(before["vertical"]) > 50 and len(before["problem"]) > 40
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", n) for names in before.values() for n in names)
    assert before == build_names(root), "a plain rebuild changes nothing"

    lesson = root / LESSON
    text = lesson.read_text(encoding="utf-8")
    headings = re.findall(r"(?m)^## (.+?) \{#", text)
    # Retitle every unit, edit the text, then reorder units, lessons and modules.
    for title in headings:
        text = text.replace(f"## {title} {{#", f"## {title} (revised) {{#", 1)
    text = text.replace("Social innovation", "Social Innovation")
    lesson.write_text(text, encoding="utf-8")
    swap_units(lesson, 0, 2)
    module = root / "modules/01-what-is-social-innovation/module.yaml"
    m = module.read_text(encoding="utf-8")
    m = m.replace("  - 01-defining-social-innovation.md\n  - 02-social-innovation-in-europe.md",
                  "  - 02-social-innovation-in-europe.md\n  - 01-defining-social-innovation.md")
    module.write_text(m, encoding="utf-8")
    course = root / "course/course.yaml"
    c = course.read_text(encoding="utf-8")
    c = c.replace("  - 01-what-is-social-innovation\n  - 02-understanding-needs",
                  "  - 02-understanding-needs\n  - 01-what-is-social-innovation")
    course.write_text(c, encoding="utf-8")

    after = build_names(root)
    assert after == before
    chapter = (root / "build" / TREE / "course/2026_T1.xml").read_text()
    assert chapter.index('"needs"') < chapter.index('"what-is-si"'), "the reordering did take effect"
    vertical_titles = (root / "build" / TREE / "vertical").glob("m1-defining_*.xml")
    assert any("(revised)" in p.read_text() for p in vertical_titles), "the retitling did take effect"


def test_pin_ids_pins_units_so_renaming_keeps_the_url_name(tmp_path):
    root = make_project(tmp_path / "c", {
        "modules/01-getting-started/01-welcome.md": "---\ntitle: Welcome\n---\n\n## First steps\n\nHello.\n\n"
                                                   "## Next steps {#next}\n\nMore.\n",
    })
    check = run_cli("pin-ids", str(root), "--check")
    assert check.exit_code == 1
    assert "01-welcome.md:5: unpinned unit, would pin {#first-steps}" in check.output
    names = build_names_for(root)
    assert "welcome_first-steps" in names["vertical"]
    done = run_cli("pin-ids", str(root))
    assert done.exit_code == 0, done.output
    text = (root / "modules/01-getting-started/01-welcome.md").read_text()
    assert "## First steps {#first-steps}\n" in text and "## Next steps {#next}\n" in text
    (root / "modules/01-getting-started/01-welcome.md").write_text(text.replace("First steps", "Getting going"))
    assert build_names_for(root) == names
    assert run_cli("pin-ids", str(root), "--check").exit_code == 0


def build_names_for(root: Path) -> dict[str, set[str]]:
    result = run_cli("build", str(root), "-q")
    assert result.exit_code == 0, result.output
    return url_names(root / "build" / "MyOrg+C101+2026_T1")
