"""Catalog updates never lose a translator's work (property-based), and keep msgmerge's semantics."""

from __future__ import annotations

import subprocess

import polib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olxkit.i18n.catalog import coverage, update_catalog
from olxkit.i18n.pofile import catalog_text, new_catalog

WORDS = ["social", "innovation", "community", "needs", "impact", "partners", "funding", "learners", "the", "of",
         "a", "new", "local", "city", "measure", "change", "idea", "test", "model", "value"]
CONTEXTS = [None, None, None, "choice", "hint", "unit title"]


def make_pot(items: list[tuple[str | None, str]]) -> polib.POFile:
    pot = new_catalog("test", None, "template")
    seen = set()
    for ctx, text in items:
        if (ctx, text) in seen:
            continue
        seen.add((ctx, text))
        pot.append(polib.POEntry(msgctxt=ctx, msgid=text, msgstr="", occurrences=[("x.md", "1")]))
    return pot


sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(" ".join)
item = st.tuples(st.sampled_from(CONTEXTS), sentence)
edit = st.one_of(
    st.tuples(st.just("change"), st.integers(0, 50), st.sampled_from(WORDS)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("delete"), st.integers(0, 50), st.none()),
    st.tuples(st.just("restore"), st.integers(0, 50), st.none()),
    st.tuples(st.just("add"), item, st.none()),
    st.tuples(st.just("translate"), st.integers(1, 6), st.none()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(item, min_size=1, max_size=12), edits=st.lists(edit, min_size=1, max_size=25))
def test_no_translation_is_ever_lost(start, edits):
    source = list(start)
    removed: list[tuple[str | None, str]] = []
    po = None
    entered: dict[tuple[str | None, str], str] = {}
    counter = 0
    for op, a, b in edits:
        if op == "change" and source:
            ctx, text = source[a % len(source)]
            removed.append((ctx, text))
            source[a % len(source)] = (ctx, text + " " + b)
        elif op == "move" and source:
            source.insert(b % len(source), source.pop(a % len(source)))
        elif op == "delete" and source:
            removed.append(source.pop(a % len(source)))
        elif op == "restore" and removed:
            source.append(removed.pop(a % len(removed)))
        elif op == "add":
            source.append(a)
        before = {(e.msgctxt, e.msgid): e.msgstr for e in po if not e.obsolete and e.msgstr
                  and "fuzzy" not in e.flags} if po is not None else {}
        po, _stats = update_catalog(po, make_pot(source), "it", "test")
        # An unchanged text keeps its translation, not fuzzy.
        for entry in po:
            key = (entry.msgctxt, entry.msgid)
            if not entry.obsolete and key in before:
                assert entry.msgstr == before[key] and "fuzzy" not in entry.flags
        if op == "translate":
            todo = [e for e in po if not e.obsolete and not e.msgstr][:a]
            for entry in todo:
                counter += 1
                entry.msgstr = f"traduzione {counter} di {entry.msgid}"
                entered[(entry.msgctxt, entry.msgid)] = entry.msgstr
        # Every translation ever entered is still there, under its own source text: active, fuzzy or obsolete.
        present = {(e.msgctxt, e.msgid): e.msgstr for e in po}
        for key, text in entered.items():
            assert present.get(key) == text, key
        keys = [(e.msgctxt, e.msgid) for e in po]
        assert len(keys) == len(set(keys)), "no duplicate entries"
        # Serialising and reading back changes nothing (what a translator's tool would load).
        again = polib.pofile(catalog_text(po), wrapwidth=0)
        assert [(e.msgctxt, e.msgid, e.msgstr, e.obsolete) for e in again] == \
               [(e.msgctxt, e.msgid, e.msgstr, e.obsolete) for e in po]


def test_changed_text_becomes_fuzzy_with_previous_msgid_and_reverting_restores_it():
    pot1 = make_pot([(None, "Social innovation meets social needs."), ("choice", "A new product")])
    po, _ = update_catalog(None, pot1, "it", "t")
    po[0].msgstr = "L'innovazione sociale risponde a bisogni sociali."
    po[1].msgstr = "Un nuovo prodotto"
    pot2 = make_pot([(None, "Social innovation meets pressing social needs."), ("choice", "A new product")])
    po2, stats = update_catalog(po, pot2, "it", "t")
    changed = next(e for e in po2 if e.msgid.startswith("Social innovation meets pressing"))
    assert "fuzzy" in changed.flags
    assert changed.previous_msgid == "Social innovation meets social needs."
    assert changed.msgstr == "L'innovazione sociale risponde a bisogni sociali."
    assert stats.fuzzy == 1 and stats.kept == 1 and stats.obsolete == 1
    text = catalog_text(po2)
    assert '#| msgid "Social innovation meets social needs."' in text
    assert '#~ msgid "Social innovation meets social needs."' in text
    po3, stats3 = update_catalog(po2, pot1, "it", "t")
    back = next(e for e in po3 if e.msgid == "Social innovation meets social needs.")
    assert not back.obsolete and "fuzzy" not in back.flags and back.msgstr.startswith("L'innovazione")
    assert stats3.revived == 1
    assert coverage(po3, "it").translated == 2


def test_update_output_is_deterministic():
    pot = make_pot([(None, f"paragraph {i} of the course") for i in range(50)])
    a, _ = update_catalog(None, pot, "pl", "t")
    b, _ = update_catalog(None, pot, "pl", "t")
    assert catalog_text(a) == catalog_text(b)
    assert "POT-Creation-Date" not in catalog_text(a) and "X-Generator" not in catalog_text(a)
    assert '"Plural-Forms: nplurals=3;' in catalog_text(a)


def test_updated_catalog_passes_msgfmt_check(tmp_path):
    pot = make_pot([(None, 'A "quoted" text with 50% and a \\ backslash'), ("hint", "Line one\nline two")])
    po, _ = update_catalog(None, pot, "sl", "t")
    po[0].msgstr = 'Besedilo z "narekovaji", 50 % in \\ poševnica'
    path = tmp_path / "sl.po"
    path.write_text(catalog_text(po), encoding="utf-8")
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


PARAGRAPHS = [f"Paragraph {w} about {v} and the {u} of social innovation." for w, v, u in
              zip(WORDS[:10], WORDS[5:15], WORDS[10:20], strict=True)]
file_edit = st.one_of(
    st.tuples(st.just("change"), st.integers(0, 20)),
    st.tuples(st.just("move"), st.integers(0, 20)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("restore"), st.integers(0, 20)),
    st.tuples(st.just("hint"), st.integers(0, 20)),
    st.tuples(st.just("translate"), st.integers(1, 5)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(edits=st.lists(file_edit, min_size=2, max_size=10))
def test_no_translation_is_lost_through_real_file_edits(tmp_path_factory, edits):
    """The same property, through the real workflow: edit lesson Markdown and problem YAML, extract, update."""
    from helpers import make_project

    root = make_project(tmp_path_factory.mktemp("edits") / "c", {})
    lesson = root / "modules/01-getting-started/01-welcome.md"
    paragraphs, removed, hint = list(PARAGRAPHS[:5]), [], "Look at the heading levels."
    entered: dict[tuple[str | None, str], str] = {}
    counter = 0

    def write():
        body = "\n\n".join(paragraphs)
        lesson.write_text(
            "---\ntitle: Welcome\n---\n\n## What you will learn {#learn}\n\n" + body + "\n\n```problem\nid: p\n"
            "type: text\nprompt: Which heading starts a unit?\nanswers: [two hashes]\n"
            f"hints:\n  - {hint}\n```\n", encoding="utf-8")

    for op, n in edits:
        if op == "change" and paragraphs:
            i = n % len(paragraphs)
            removed.append(paragraphs[i])
            paragraphs[i] = paragraphs[i].replace(".", f" (edit {n}).", 1)
        elif op == "move" and len(paragraphs) > 1:
            paragraphs.append(paragraphs.pop(n % len(paragraphs)))
        elif op == "delete" and len(paragraphs) > 1:
            removed.append(paragraphs.pop(n % len(paragraphs)))
        elif op == "restore" and removed:
            paragraphs.append(removed.pop(n % len(removed)))
        elif op == "hint":
            hint = f"Look at the heading levels ({n})."
        write()
        _update_it(root)
        path = root / "locale/it.po"
        po = polib.pofile(str(path), wrapwidth=0)
        if op == "translate":
            for entry in [e for e in po if not e.obsolete and not e.msgstr][:n]:
                counter += 1
                entry.msgstr = f"traduzione {counter}"
                entered[(entry.msgctxt, entry.msgid)] = entry.msgstr
            po.save(str(path))
            _update_it(root)
            po = polib.pofile(str(path), wrapwidth=0)
        present = {(e.msgctxt, e.msgid): e.msgstr for e in po}
        for key, text in entered.items():
            assert present.get(key) == text, key


def _update_it(root) -> None:
    from olxkit.i18n.project import update

    instances = root / "course/instances.yaml"
    if not instances.exists():
        instances.write_text("instances:\n  - id: en\n    locale: en\n  - id: it\n    locale: it\n    run: IT\n")
    update(root)


def test_lean_catalog_reader_agrees_with_polib(tmp_path):
    """Builds read catalogs with a lean reader; it must see exactly what polib sees."""
    from olxkit.i18n.pofile import read_translations
    from olxkit.i18n.variant import translations

    from helpers import REPO

    tricky = make_pot([(None, 'Quotes "x", back\\slash, tab\there'), ("hint", "two\nlines"), (None, "fuzzy one"),
                       (None, "gone")])
    po, _ = update_catalog(None, tricky, "it", "t")
    for entry in po:
        entry.msgstr = "«" + entry.msgid + "»"
    po[2].flags.append("fuzzy")
    po[3].obsolete = True
    path = tmp_path / "it.po"
    path.write_text(catalog_text(po), encoding="utf-8")
    assert read_translations(path) == translations(polib.pofile(str(path)))
    for catalog in (REPO / "locale").glob("*.po"):
        assert read_translations(catalog) == translations(polib.pofile(str(catalog))), catalog.name


def test_direct_template_writer_matches_polib(tmp_path):
    """`i18n extract` writes the POT directly; it must be exactly what polib writes."""
    from olxkit.i18n.extract import extract_catalog, template_text
    from olxkit.source.loader import load_course

    from helpers import REPO, make_project

    tricky = make_project(tmp_path / "c", {
        "modules/01-getting-started/01-welcome.md": '---\ntitle: "Quotes \\"and\\" back\\\\slash"\n---\n\n'
        "## Line\\\nbreak {#a}\n\nText with a hard  \nbreak and a tab\there.\n",
    })
    for root in (REPO, REPO / "tests/fixtures/problems", tricky):
        course = load_course(root)
        text, count = template_text(course)
        pot = extract_catalog(course)
        assert text == catalog_text(pot) and count == len(pot)


def test_reading_a_catalog_leaves_no_reference_cycle():
    """The i18n commands pause the cyclic GC; a catalog must then be freed as soon as it is dropped."""
    import gc

    from olxkit.i18n.pofile import read_catalog

    from helpers import REPO

    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        po = read_catalog(REPO / "locale/it.po")
        assert len(po) > 1000 and po.wrapwidth == 0
        del po
        assert gc.collect() == 0, "polib's parser kept the catalog in a cycle"
    finally:
        if was_enabled:
            gc.enable()
