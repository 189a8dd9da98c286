"""Every archive of the embedded course is accepted by Open edX's own code, in every language."""

from __future__ import annotations

from pathlib import Path

from test_problems import declared_answers, rendered_dropdowns, wrong_answers

from olxkit.i18n import locales
from olxkit.i18n.variant import load_catalogs, make_variant
from olxkit.model import ProblemComponent
from olxkit.source.instances import load_instances
from olxkit.source.loader import load_course

from conftest_conformance import openedx  # noqa: F401
from helpers import REPO, url_names

EXPECTED = {"en", "it", "de", "at", "hu", "sl", "sk", "pl"}


def trees(out: Path) -> dict[str, Path]:
    return {p.name: p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")}


def test_every_archive_passes_olxcleaner_all_steps(embedded_build, openedx):  # noqa: F811
    _result, out = embedded_build
    found = trees(out)
    assert len(found) == len(EXPECTED)
    for name, tree in found.items():
        errors = openedx.olxcleaner_errors(tree)
        assert errors == [], f"{name}:\n{openedx.format_findings(errors)}"


def test_every_block_of_every_archive_parses_with_open_edx_code(embedded_build, openedx):  # noqa: F811
    _result, out = embedded_build
    counts = {name: openedx.parse_course_blocks(tree) for name, tree in trees(out).items()}
    first = next(iter(counts.values()))
    assert first["problem"] >= 57 and first["html"] > 50 and first["video"] == 4
    assert all(c == first for c in counts.values()), counts


def test_url_names_are_identical_in_every_language(embedded_build):
    _result, out = embedded_build
    names = {name: url_names(tree) for name, tree in trees(out).items()}
    first = next(iter(names.values()))
    assert all(n == first for n in names.values())


def test_every_problem_in_every_language_grades_its_declared_answers(embedded_build, openedx):  # noqa: F811
    _result, out = embedded_build
    course = load_course(REPO)
    instances = load_instances(REPO, course)
    assert {i.id for i in instances} == EXPECTED
    codes = sorted({c for i in instances for c in locales.chain(i.locale, course.language)})
    catalogs = load_catalogs(REPO, codes)
    known = {i.locale for i in instances}
    graded = 0
    for instance in instances:
        variant, _report = make_variant(course, instance, catalogs, known)
        tree = out / instance.archive_stem
        for lesson in variant.lessons():
            for unit in lesson.units:
                for comp in unit.components:
                    if not isinstance(comp, ProblemComponent):
                        continue
                    xml = (tree / "problem" / f"{lesson.id}_{unit.id}_{comp.id}.xml").read_text(encoding="utf-8")
                    # Dropdowns are answered as a learner would: by picking the rendered option.
                    menus = rendered_dropdowns(openedx.render_problem(xml))
                    earned, possible = openedx.grade_problem(xml, declared_answers(comp, menus))
                    assert possible > 0 and earned == possible, (instance.id, comp.id, earned, possible)
                    earned, possible = openedx.grade_problem(xml, wrong_answers(comp, menus))
                    assert earned < possible, (instance.id, comp.id)
                    graded += 1
    assert graded >= 57 * len(EXPECTED)
