"""Problem components → CAPA problem XML, the form Open edX's problem engine builds, renders and grades."""

from __future__ import annotations

import re

from lxml import etree

from ..model import ProblemComponent, Question
from ..source.markdown import plain_paragraph, render_text

_PARTIAL = {"halves": "halves", "every-choice": "EDC"}
_PROTECTED_APOSTROPHE = re.compile(r"([a-zA-Z])'([a-zA-Z])")


def regexp_answers(answers: list[str]) -> list[str]:
    """The accepted answers of a `regexp` text question as they are written into the OLX.

    Open edX matches `"^" + "|".join(answers) + "$"`, so `a|b` or two answers `a`, `b` would also accept
    anything starting with `a` or ending with `b`. One answer without `|` is written as it is; otherwise each
    answer is anchored on its own, which keeps the whole-answer match the author means.
    """
    if len(answers) == 1 and "|" not in answers[0]:
        return list(answers)
    return [f"^(?:{answer})$" for answer in answers]


_MAX_SPELLINGS = 24


def regexp_spellings(answers: list[str]) -> list[str] | None:
    """Every text the `regexp` answers accept, when that is a short finite list (`AT|AUT`, `colou?rs?`), else None.

    Open edX's "Show answer" displays the accepted answers as they are written into the OLX: patterns anchored
    for whole-answer matching (`^(?:AT|AUT)$`) would show learners regular-expression syntax. A finite pattern is
    written instead as the plain answers it accepts ("AT or AUT"), which Open edX compares the same way.
    """
    from re import _parser as sre_parse  # the standard library's own pattern parser

    out: list[str] = []
    for answer in answers:
        try:
            parsed = sre_parse.parse(answer)
            if parsed.state.flags & ~re.UNICODE:  # (?i), (?x)…: leave such patterns to the regexp engine
                return None
            spellings = _expand(parsed, sre_parse)
        except (re.error, _Infinite):
            return None
        if spellings is None or len(out) + len(spellings) > _MAX_SPELLINGS:
            return None
        out += [text for text in spellings if text and text not in out]
    return out or None


class _Infinite(Exception):
    pass


def _expand(pattern, sre) -> list[str] | None:
    """The strings a parsed pattern matches, built from literals, `|`, groups and `?` only."""
    texts = [""]
    for op, arg in pattern:
        if op is sre.LITERAL:
            options = [chr(arg)]
        elif op is sre.SUBPATTERN:
            if arg[1] or arg[2]:  # inline flags inside a group
                raise _Infinite
            options = _expand(arg[3], sre)
        elif op is sre.BRANCH:
            options = [t for branch in arg[1] for t in _expand(branch, sre)]
        elif op is sre.IN and all(item_op is sre.LITERAL for item_op, _v in arg):
            options = [chr(v) for _op, v in arg]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] == 0 and arg[1] == 1:
            options = ["", *_expand(arg[2], sre)]
        else:
            raise _Infinite
        texts = [t + o for t in texts for o in options]
        if len(texts) > _MAX_SPELLINGS:
            raise _Infinite
    return texts


def capa_regexp(answers: list[str]) -> str:
    """The one pattern Open edX compiles to grade a `regexp` text question."""
    return "^" + "|".join(regexp_answers(answers)) + "$"


def dropdown_option(text: str) -> str:
    """A dropdown choice as written into the OLX.

    Open edX turns the options into a `('a','b')` string and splits it again with shlex, protecting only an
    apostrophe between two ASCII letters (`don't`); any other `'` (`members' fund`, `l'élite`, `1990's`) would
    cut the option in two and make it unselectable. Those are written as the typographic apostrophe ’.
    """
    marked = _PROTECTED_APOSTROPHE.sub("\\1\0\\2", text)
    return marked.replace("'", "\u2019").replace("\0", "'")


class ProblemMarkupError(Exception):
    """Author text that does not make well-formed XML (raw HTML with `&nbsp;` or an unclosed tag)."""


_FRAGMENT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _fragment(html: str) -> etree._Element:
    try:
        return etree.fromstring(f"<div>{html}</div>", _FRAGMENT_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ProblemMarkupError(f"text that is not well-formed XML ({exc.msg}): {html.strip()[:80]}") from None


def _fill(target: etree._Element, source: etree._Element) -> etree._Element:
    """Move the content (text and children) of `source` into `target`."""
    target.text = (target.text or "") + (source.text or "")
    for child in list(source):
        target.append(child)
    return target


def _blocks(text: str, resolve) -> etree._Element:
    return _fragment(render_text(text, resolve))


def _inline_into(target: etree._Element, text: str, resolve) -> etree._Element:
    """Render short Markdown into `target`; a single paragraph is unwrapped."""
    plain = plain_paragraph(text)
    if plain is not None:
        # What rendering and unwrapping `<p>text</p>` would give, without the renderer and the XML parser.
        target.text = (target.text or "") + plain
        return target
    div = _blocks(text, resolve)
    if len(div) == 1 and div[0].tag == "p" and not (div.text or "").strip() and not (div[0].tail or "").strip():
        return _fill(target, div[0])
    return _fill(target, div)


def _settings(problem: ProblemComponent) -> dict[str, str]:
    attrs = {"display_name": problem.title}
    for key in ("max_attempts", "weight", "showanswer", "show_correctness", "show_reset_button", "rerandomize"):
        value = problem.settings.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            attrs[key] = "true" if value else "false"
        elif isinstance(value, float):
            attrs[key] = str(int(value)) if value.is_integer() else repr(value)
        else:
            attrs[key] = str(value)
    return attrs


def build_problem(problem: ProblemComponent, resolve=None, explanation_label: str = "Explanation") -> etree._Element:
    """The `<problem>` element for a problem component (raises ProblemMarkupError on malformed author HTML)."""
    root = etree.Element("problem", _settings(problem))
    for question in problem.questions:
        _question(root, question, resolve)
    if problem.explanation:
        solution = etree.SubElement(root, "solution")
        box = etree.SubElement(solution, "div", {"class": "detailed-solution"})
        etree.SubElement(box, "p").text = explanation_label
        _fill(box, _blocks(problem.explanation, resolve))
    if problem.hints:
        demand = etree.SubElement(root, "demandhint")
        for hint in problem.hints:
            _inline_into(etree.SubElement(demand, "hint"), hint, resolve)
    return root


def _question(root: etree._Element, q: Question, resolve) -> None:
    prompt = _blocks(q.prompt, resolve)
    children = list(prompt)
    label_source = None
    if children and children[-1].tag == "p" and not (children[-1].tail or "").strip():
        label_source = children[-1]
        prompt.remove(label_source)
    # Any text before the last paragraph (images, tables, context) sits above the question.
    if (prompt.text or "").strip():
        etree.SubElement(root, "p").text = prompt.text.strip()
    for child in list(prompt):
        root.append(child)
    tag = {"single-choice": "multiplechoiceresponse", "multiple-choice": "choiceresponse",
           "dropdown": "optionresponse", "numerical": "numericalresponse", "text": "stringresponse"}[q.type]
    response = etree.SubElement(root, tag)
    if label_source is not None:
        _fill(etree.SubElement(response, "label"), label_source)
    if q.description:
        _inline_into(etree.SubElement(response, "description"), q.description, resolve)
    if q.type == "single-choice":
        group = etree.SubElement(response, "choicegroup", {"type": "MultipleChoice"})
        if q.shuffle:
            group.set("shuffle", "true")
        for choice in q.choices:
            el = _inline_into(etree.SubElement(group, "choice", {"correct": _tf(choice.correct)}), choice.text, resolve)
            if choice.feedback:
                _inline_into(etree.SubElement(el, "choicehint"), choice.feedback, resolve)
    elif q.type == "multiple-choice":
        if q.partial_credit in _PARTIAL:
            response.set("partial_credit", _PARTIAL[q.partial_credit])
        group = etree.SubElement(response, "checkboxgroup")
        if q.shuffle:
            group.set("shuffle", "true")
        for choice in q.choices:
            el = _inline_into(etree.SubElement(group, "choice", {"correct": _tf(choice.correct)}), choice.text, resolve)
            if choice.feedback:
                _inline_into(etree.SubElement(el, "choicehint", {"selected": "true"}), choice.feedback, resolve)
    elif q.type == "dropdown":
        box = etree.SubElement(response, "optioninput")
        for choice in q.choices:
            option = etree.SubElement(box, "option", {"correct": "True" if choice.correct else "False"})
            option.text = dropdown_option(choice.text)
            if choice.feedback:
                _inline_into(etree.SubElement(option, "optionhint"), choice.feedback, resolve)
    elif q.type == "numerical":
        response.set("answer", q.answer)
        if q.tolerance:
            etree.SubElement(response, "responseparam", {"type": "tolerance", "default": q.tolerance})
        etree.SubElement(response, "formulaequationinput")
        if q.correct_feedback:
            _inline_into(etree.SubElement(response, "correcthint"), q.correct_feedback, resolve)
    else:
        spellings = regexp_spellings(q.answers) if q.regexp else None
        if spellings and not q.case_sensitive:  # "color or Color" says nothing more to a learner than "color"
            spellings = list({text.lower(): text for text in reversed(spellings)}.values())[::-1]
        as_regexp = q.regexp and spellings is None
        answers = spellings or (regexp_answers(q.answers) if as_regexp else q.answers)
        response.set("answer", answers[0])
        flags = ([] if q.case_sensitive else ["ci"]) + (["regexp"] if as_regexp else [])
        if flags:
            response.set("type", " ".join(flags))
        for extra in answers[1:]:
            alternative = etree.SubElement(response, "additional_answer", {"answer": extra})
            if q.correct_feedback:
                # Open edX shows the response's <correcthint> only for the first answer; each alternative
                # carries its own copy so that every accepted answer gets the feedback.
                _inline_into(etree.SubElement(alternative, "correcthint"), q.correct_feedback, resolve)
        for wrong, feedback in q.wrong_answers:
            _inline_into(etree.SubElement(response, "stringequalhint", {"answer": wrong}), feedback, resolve)
        if q.correct_feedback:
            _inline_into(etree.SubElement(response, "correcthint"), q.correct_feedback, resolve)
        etree.SubElement(response, "textline", {"size": "40"})


def _tf(value: bool) -> str:
    return "true" if value else "false"
