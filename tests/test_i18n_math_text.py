"""Words inside `\\text{…}` of inline formulas are messages (context `math text`), as in display formulas; the
formula around them stays as written, in the paragraph's translation too."""

from __future__ import annotations

import polib
from test_i18n_workflow import fill, project

from helpers import run_cli

SENTENCE = "The margin is $\\text{price per unit} - \\text{unit cost}$; a lunch costs $5 and a dinner $10."
ALONE = "$\\text{share} = \\frac{a}{b}$"


def _project(tmp_path):
    root = project(tmp_path)
    lesson = root / "modules/01-getting-started/03-numbers.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("Contact: {{ contact }}", f"{SENTENCE}\n\n{ALONE}\n\nContact: {{{{ contact }}}}"),
                      encoding="utf-8")
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    return root


def test_inline_formula_words_are_messages_and_the_formula_is_kept(tmp_path):
    root = _project(tmp_path)
    pot = {(e.msgctxt, e.msgid) for e in polib.pofile(str(root / "locale/course.pot"))}
    assert {("math text", "price per unit"), ("math text", "unit cost"), ("math text", "share")} <= pot
    assert (None, SENTENCE) in pot
    assert not any(ctx == "math text" and "5" in mid for ctx, mid in pot)
    words = {"price per unit": "prezzo unitario", "unit cost": "costo unitario", "share": "quota"}
    # The Italian sentence keeps the formula as written; its words come from their own messages.
    fill(root / "locale/it.po", lambda m: words.get(m) or ("Il margine è " + m[m.index("$"):] if m == SENTENCE
                                                           else "IT " + m))
    result = run_cli("build", str(root), "-i", "it", "-q")
    assert result.exit_code == 0, result.output
    page = next((root / "build").glob("*_IT/html/numbers_everything_text.html")).read_text(encoding="utf-8")
    assert "\\(\\text{prezzo unitario} - \\text{costo unitario}\\)" in page, page
    assert "\\(\\text{quota} = \\frac{a}{b}\\)" in page
    assert "price per unit" not in page and "unit cost" not in page and "share" not in page
    assert "Il margine è" in page and "$5 and a dinner $10" in page


def test_a_translation_that_already_translated_the_words_is_kept(tmp_path):
    root = _project(tmp_path)
    translated = SENTENCE.replace("The margin is", "Il margine è").replace("price per unit", "prezzo di vendita")
    fill(root / "locale/it.po", lambda m: translated if m == SENTENCE else "costo unitario" if m == "unit cost"
         else "IT " + m)
    result = run_cli("build", str(root), "-i", "it", "-q")
    assert result.exit_code == 0, result.output
    page = next((root / "build").glob("*_IT/html/numbers_everything_text.html")).read_text(encoding="utf-8")
    assert "\\(\\text{prezzo di vendita} - \\text{costo unitario}\\)" in page, page


def test_a_sentence_that_falls_back_keeps_its_formula_in_its_own_language(tmp_path):
    """An untranslated sentence is shown in English as a whole: no translated words inside its formula."""
    root = _project(tmp_path)
    fill(root / "locale/it.po", lambda m: "" if m == SENTENCE else "prezzo unitario" if m == "price per unit"
         else "IT " + m)
    result = run_cli("build", str(root), "-i", "it", "-q")
    assert result.exit_code == 0, result.output
    page = next((root / "build").glob("*_IT/html/numbers_everything_text.html")).read_text(encoding="utf-8")
    assert "The margin is <span class=\"math inline\">\\(\\text{price per unit} - \\text{unit cost}\\)" in page, page
