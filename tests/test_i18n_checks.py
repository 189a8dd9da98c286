"""The checks every translation goes through (`i18n check`, and the build's gate): seeded faults, and their
legitimate look-alikes that must pass."""

from __future__ import annotations

import pytest

from olxkit.i18n.checks import check_text, gate_errors

STEPS = "Three steps:\n\n- Listen to people.\n- Frame the problem.\n- Test an idea."
NESTED = "Plan:\n\n- Listen\n  - to users\n  - to staff\n- Test"
TABLE = "| Year | Value |\n|---|---|\n| 1 | €30,000 |\n| 2 | €15,000 |"
HEADED = "### Why it matters\n\nPeople first."


def codes(context, source, target, locale="it"):
    return sorted({code for code, _message in gate_errors(context, source, target, locale)})


FAULTS = [
    # (what, context, source, translation, locale, rule)
    ("list item dropped", "explanation", STEPS, "Tre passi:\n\n- Ascoltare.\n- Provare un'idea.", "it", "TRN104"),
    ("list items merged", "explanation", STEPS, "Tre passi:\n\n- Ascoltare e definire il problema.\n- Provare.",
     "it", "TRN104"),
    ("list item added", "explanation", STEPS, "Tre passi:\n\n- Ascoltare.\n- Definire.\n- Provare.\n- Ripetere.",
     "it", "TRN104"),
    ("nesting flattened", "explanation", NESTED, "Piano:\n\n- Ascoltare\n- gli utenti\n- il personale\n- Provare",
     "it", "TRN104"),
    ("list added to prose", None, "Listen, frame, test.", "Ascoltare:\n- inquadrare\n- provare", "it", "TRN104"),
    ("table column added", "explanation", TABLE,
     "| Anno | Valore | Nota |\n|---|---|---|\n| 1 | 30.000 € | |\n| 2 | 15.000 € | |", "it", "TRN104"),
    ("table row dropped", "explanation", TABLE, "| Anno | Valore |\n|---|---|\n| 1 | 30.000 € |", "it", "TRN104"),
    ("heading level changed", "explanation", HEADED, "## Perché conta\n\nPrima le persone.", "it", "TRN104"),
    ("footnote reference dropped", None, "Half of them agreed.[^survey]", "La metà era d'accordo.", "it",
     "TRN003"),
    ("link target swapped for another text's", None, "See [the quiz](02-quiz.md).",
     "Vedi [il quiz](01-welcome.md).", "it", "TRN003"),
    ("reference label changed", None, "Read [the guide][guide].", "Leggi [la guida][other].", "it", "TRN003"),
    ("decimal read as a whole number", None, "1.5 × 3 = 4.5", "15 × 3 = 45", "de", "TRN105"),
    ("decimal comma dropped", None, "A ratio of 2.5 : 1.", "Un rapporto di 25 : 1.", "it", "TRN105"),
    ("number changed", None, "It costs €30,000.", "Kostet 31.000 €.", "de", "TRN105"),
    ("number in math changed", None, "So $x = 200{,}000$.", "Also $x = 200{.}001$.", "de", "TRN105"),
    ("formula changed", None, "So $a + b$.", "Also $a - b$.", "de", "TRN003"),
    ("script", None, "Tell us.", "Dicci <script>alert('x')</script>.", "it", "TRN102"),
    ("event handler", None, 'A <span class="hl">word</span>.', 'Una <span class="hl" onclick="x()">parola</span>.',
     "it", "TRN102"),
    ("style", None, "Tell us.", "Dicci <style>body{display:none}</style>.", "it", "TRN102"),
    ("embed", None, "Tell us.", 'Dicci <embed src="x.swf">.', "it", "TRN102"),
    ("object", None, "Tell us.", 'Dicci <object data="x"></object>.', "it", "TRN102"),
    ("data URL", None, "See [this](https://example.org).", "Vedi [qui](data:text/html;base64,PHNjcmlwdD4=).", "it",
     "TRN102"),
    ("new attribute", None, 'A <span class="hl">word</span>.', 'Una <span class="hl" style="x">parola</span>.',
     "it", "TRN102"),
    ("newline added at the end", "hint", "Look again.", "Guarda di nuovo.\n", "it", "TRN103"),
    ("newline dropped at the start", "hint", "\nLook again.", "Guarda di nuovo.", "it", "TRN103"),
]


@pytest.mark.parametrize("what,context,source,target,locale,rule", FAULTS, ids=[f[0] for f in FAULTS])
def test_seeded_fault_is_an_error(what, context, source, target, locale, rule):
    assert rule in codes(context, source, target, locale), (what, check_text(context, source, target, locale))


PASSES = [
    ("decimal comma", None, "1.5 × 3 = 4.5", "1,5 × 3 = 4,5", "de"),
    ("grouping in German", None, "It costs €30,000.", "Es kostet 30.000 €.", "de"),
    ("grouping with a no-break space", None, "It costs €30,000.", "Kosztuje 30\u00a0000 €.", "pl"),
    ("grouping with a plain space", None, "It costs €30,000.", "Stojí 30 000 €.", "sk"),
    ("the source's own notation kept", None, "Version 1.5 of the tool.", "Versione 1.5 dello strumento.", "it"),
    ("a number written as a word", None, "Pick 3 ideas.", "Scegli tre idee.", "it"),
    ("a decade", None, "In the 1980s, it grew.", "W latach 80. się rozwinęło.", "pl"),
    ("a century", None, "In the 1980s, it grew.", "V 80. rokoch 20. storočia rástlo.", "sk"),
    ("math grouping sign", None, "So $x = 200{,}000$.", "Also $x = 200{.}000$.", "de"),
    ("currency moves in math", None, "So $€200{,}000$.", "Also $200{.}000\\,€$.", "de"),
    ("math words translated", None, "So $\\text{value} = 2$.", "Also $\\text{Wert} = 2$.", "de"),
    ("list items reordered and reworded", "explanation", STEPS,
     "Drei Schritte:\n\n- Menschen zuhören.\n- Das Problem fassen.\n- Eine Idee testen.", "de"),
    ("a heading starting with a number", None, "Step 1: sort your findings", "1. lépés: rendezze", "hu"),
    ("links reordered in a sentence", None, "See [A](a.md) and [B](b.md).", "Siehe [B](b.md) und [A](a.md).", "de"),
    ("a localised external link", None, "See [the guide](https://docs.openedx.org/en/latest/).",
     "Vedi [la guida](https://docs.openedx.org/it/latest/).", "it"),
]


@pytest.mark.parametrize("what,context,source,target,locale", PASSES, ids=[p[0] for p in PASSES])
def test_legitimate_translation_passes(what, context, source, target, locale):
    assert gate_errors(context, source, target, locale) == [], (what, check_text(context, source, target, locale))
