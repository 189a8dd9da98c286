"""olxkit's own grader for the CAPA problems it writes: what Open edX's problem engine would say, in the preview.

It reads the `<problem>` XML that goes into the archive (not the YAML), and grades as CAPA does: single choice,
checkboxes (all-or-nothing, `halves`, `EDC`), dropdown, numerical (tolerance, absolute or %, ranges open or
closed) and text (case, regular expressions, additional answers). A test grades every problem of the embedded
course and of a generated corpus with this code and with CAPA itself, and requires the same correctness and score.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

RESPONSES = ("multiplechoiceresponse", "choiceresponse", "optionresponse", "numericalresponse", "stringresponse")
DEFAULT_TOLERANCE = "0.001%"
_HIDDEN = {"choicehint", "optionhint", "correcthint", "stringequalhint", "additional_answer", "responseparam"}


class InputError(ValueError):
    """An answer that cannot be graded (a number that is not one); Open edX does not count the attempt."""


@dataclass
class Outcome:
    """The grade of one response."""

    correctness: str
    """correct, incorrect or partially-correct"""
    npoints: float
    feedback: list[str] = field(default_factory=list)
    """html of the feedback the answer earned (per choice, per wrong answer, for the correct answer)"""


@dataclass
class Grade:
    outcomes: list[Outcome]
    earned: float
    possible: float
    weighted_earned: float
    weighted_possible: float

    @property
    def correct(self) -> bool:
        return self.possible > 0 and self.earned == self.possible


def inner_html(el: etree._Element, hidden=_HIDDEN) -> str:
    """The content of an element as html, without the feedback elements it holds."""
    parts = [_escape(el.text or "")]
    for child in el:
        if isinstance(child.tag, str) and child.tag in hidden:
            parts.append(_escape(child.tail or ""))
            continue
        parts.append(etree.tostring(child, method="html", encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _round_away(value: float, places: int) -> float:
    """Rounding as Open edX does it (half away from zero), for partial credit."""
    factor = 10**places
    return math.copysign(math.floor(abs(value) * factor + 0.5) / factor, value)


class Response:
    """One gradable response of a problem (in document order)."""

    def __init__(self, el: etree._Element):
        self.el = el
        self.tag = el.tag

    # choice and dropdown responses
    def choices(self) -> list[etree._Element]:
        return self.el.findall(".//choice")

    def options(self) -> list[etree._Element]:
        return self.el.findall(".//optioninput/option")

    def grade(self, answer) -> Outcome:
        return getattr(self, f"_grade_{self.tag}")(answer)

    def _grade_multiplechoiceresponse(self, answer) -> Outcome:
        choices = self.choices()
        if answer is None or answer == "" or not 0 <= int(answer) < len(choices):
            return Outcome("incorrect", 0.0)
        chosen = choices[int(answer)]
        ok = chosen.get("correct") == "true"
        feedback = [inner_html(h) for h in chosen.findall("choicehint")]
        return Outcome("correct" if ok else "incorrect", 1.0 if ok else 0.0, feedback)

    def _grade_choiceresponse(self, answer) -> Outcome:
        choices = self.choices()
        picked = {int(a) for a in (answer or [])}
        correct = {i for i, c in enumerate(choices) if c.get("correct") == "true"}
        feedback = [inner_html(h) for i in sorted(picked) if 0 <= i < len(choices)
                    for h in choices[i].findall("choicehint") if h.get("selected", "true") == "true"]
        feedback += [inner_html(h) for i, c in enumerate(choices) if i not in picked
                     for h in c.findall("choicehint") if h.get("selected") == "false"]
        if not picked:
            return Outcome("incorrect", 0.0, feedback)
        scheme = (self.el.get("partial_credit") or "false").strip().lower()
        wrong_picked = len(picked - correct)
        missed = len(correct - picked)
        if scheme == "edc":
            total = len(choices)
            good = len(picked & correct) + len((set(range(total)) - picked) - correct)
            if good == total:
                return Outcome("correct", 1.0, feedback)
            if good > 0:
                return Outcome("partially-correct", _round_away(good / total, 2), feedback)
            return Outcome("incorrect", 0.0, feedback)
        if scheme == "halves":
            errors = wrong_picked + missed
            if errors == 0:
                return Outcome("correct", 1.0, feedback)
            if errors == 1 and len(choices) > 2:
                return Outcome("partially-correct", _round_away(1 / 2.0, 2), feedback)
            if errors == 2 and len(choices) > 4:
                return Outcome("partially-correct", _round_away(1 / 4.0, 2), feedback)
            return Outcome("incorrect", 0.0, feedback)
        ok = wrong_picked == 0 and missed == 0
        return Outcome("correct" if ok else "incorrect", 1.0 if ok else 0.0, feedback)

    def _grade_optionresponse(self, answer) -> Outcome:
        options = self.options()
        correct = [o.text or "" for o in options if o.get("correct", "").lower() == "true"]
        given = "" if answer is None else str(answer)
        ok = bool(correct) and given == correct[0].strip()
        feedback = [inner_html(h) for o in options if (o.text or "").strip() == given
                    for h in o.findall("optionhint")]
        return Outcome("correct" if ok else "incorrect", 1.0 if ok else 0.0, feedback)

    def _grade_numericalresponse(self, answer) -> Outcome:
        if answer is None:
            return Outcome("incorrect", 0.0)
        student = evaluate(str(answer))
        expected = self.el.get("answer", "").strip()
        ok = False
        if expected[:1] in "[(" and expected[-1:] in "])":
            inclusion = (expected[0] == "[", expected[-1] == "]")
            ends = [evaluate(x.strip()) for x in expected[1:-1].split(",")]
            for included, end in zip(inclusion, ends, strict=True):
                if within(student, end, sys.float_info.epsilon, relative=True):
                    ok = included
                    break
            else:
                ok = ends[0] < student < ends[1]
        else:
            param = self.el.find("responseparam[@type='tolerance']")
            tolerance = param.get("default", "").strip() if param is not None else DEFAULT_TOLERANCE
            ok = within(student, _staff_number(expected), tolerance)
        if not ok:
            ok = any(student == _staff_number(a.get("answer", "")) for a in self.el.findall("additional_answer"))
        feedback = [inner_html(h) for h in self.el.findall("correcthint")] if ok else []
        return Outcome("correct" if ok else "incorrect", 1.0 if ok else 0.0, feedback)

    def _text_settings(self) -> tuple[bool, bool]:
        flags = (self.el.get("type") or "").lower().split(" ")
        return "regexp" in flags, "ci" in flags

    def _expected_texts(self) -> tuple[list[str], bool]:
        answer = self.el.get("answer", "")
        if "_or_" in answer.lower():  # Open edX's old form: `a_or_b`, without regular expressions
            return [a.strip() for a in answer.split("_or_")], True
        return [answer.strip()] + [a.get("answer", "").strip() for a in self.el.findall("additional_answer")], False

    def _matches(self, expected: list[str], given: str, backward: bool = False) -> bool:
        if not given:
            return False
        regexp, ci = self._text_settings()
        if regexp and not backward:
            pattern = re.compile("^" + "|".join(expected) + "$", flags=(re.IGNORECASE if ci else 0) | re.UNICODE)
            return bool(pattern.search(given))
        if ci:
            return given.lower() in [e.lower() for e in expected]
        return given in expected

    def _grade_stringresponse(self, answer) -> Outcome:
        given = ("" if answer is None else str(answer)).strip()
        expected, backward = self._expected_texts()
        ok = self._matches(expected, given, backward)
        feedback = []
        if ok:
            # The feedback of the first accepted answer that matches (each alternative may carry its own).
            first = self.el.get("answer", "").strip()
            if self._matches([first], given):
                feedback = [inner_html(h) for h in self.el.findall("correcthint")]
            else:
                for alt in self.el.findall("additional_answer"):
                    if self._matches([alt.get("answer", "").strip()], given):
                        feedback = [inner_html(h) for h in alt.findall("correcthint")]
                        break
        else:
            for hint in self.el.findall("stringequalhint"):
                if self._matches([hint.get("answer", "").strip()], given):
                    feedback = [inner_html(hint)]
                    break
        return Outcome("correct" if ok else "incorrect", 1.0 if ok else 0.0, feedback)

    # what "Show answer" reveals
    def answer(self) -> dict:
        if self.tag in ("multiplechoiceresponse", "choiceresponse"):
            return {"choices": [i for i, c in enumerate(self.choices()) if c.get("correct") == "true"]}
        if self.tag == "optionresponse":
            return {"text": next(((o.text or "").strip() for o in self.options()
                                  if o.get("correct", "").lower() == "true"), "")}
        if self.tag == "numericalresponse":
            return {"text": self.el.get("answer", "")}
        expected, _backward = self._expected_texts()
        return {"text": " or ".join(expected)}


class Problem:
    """A `<problem>` as the learner meets it: its responses, hints, explanation and settings."""

    def __init__(self, xml: bytes | str | etree._Element):
        if isinstance(xml, etree._Element):
            self.root = xml
        else:
            data = xml.encode("utf-8") if isinstance(xml, str) else xml
            self.root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        self.responses = [Response(el) for el in self.root.iter(*RESPONSES)]
        self.hints = [inner_html(h, set()) for h in self.root.findall("demandhint/hint")]
        solution = self.root.find("solution")
        self.solution = inner_html(solution, set()) if solution is not None else ""

    def setting(self, name: str, default=None):
        return self.root.get(name, default)

    @property
    def weight(self) -> float | None:
        value = self.root.get("weight")
        return float(value) if value not in (None, "") else None

    @property
    def max_attempts(self) -> int | None:
        value = self.root.get("max_attempts")
        return int(value) if value not in (None, "") else None

    def grade(self, answers: list) -> Grade:
        """Grade one answer per response (see `Response.grade`); raises InputError for an unreadable number."""
        if len(answers) != len(self.responses):
            raise InputError(f"{len(answers)} answers for {len(self.responses)} questions")
        outcomes = [r.grade(a) for r, a in zip(self.responses, answers, strict=True)]
        earned = sum(o.npoints for o in outcomes)
        possible = float(len(self.responses))
        weight = self.weight
        weighted = (earned, possible) if weight is None or possible == 0 else (earned * weight / possible, weight)
        return Grade(outcomes, earned, possible, *weighted)

    def answers(self) -> list[dict]:
        return [r.answer() for r in self.responses]


def answer_available(showanswer: str, *, attempts: int, max_attempts: int | None, correct: bool,
                     past_due: bool) -> bool:
    """Whether Open edX shows the "Show answer" button, for a learner (not staff)."""
    closed = (max_attempts is not None and attempts >= max_attempts) or past_due
    return {
        "always": True,
        "never": False,
        "attempted": attempts > 0 or past_due,
        "answered": correct,
        "closed": closed,
        "finished": closed or correct,
        "correct_or_past_due": correct or past_due,
        "past_due": past_due,
    }.get(showanswer, False)


def correctness_available(show_correctness: str, past_due: bool) -> bool:
    return show_correctness == "always" or (show_correctness == "past_due" and past_due)


# -- numbers ---------------------------------------------------------------------------------------------------

def _staff_number(text: str) -> complex:
    try:
        return complex(text)
    except ValueError:
        return evaluate(text)


def within(student: float, expected: complex | float, tolerance: str | float = DEFAULT_TOLERANCE,
           relative: bool = False) -> bool:
    """Whether `student` is within `tolerance` of `expected`: an absolute number, or a percentage of it."""
    if isinstance(tolerance, str):
        if tolerance == DEFAULT_TOLERANCE:
            relative = True
        if tolerance.endswith("%"):
            tolerance = evaluate(tolerance[:-1]) * 0.01
            if not relative:
                tolerance = tolerance * abs(expected)
        else:
            tolerance = evaluate(tolerance)
    if relative:
        tolerance = tolerance * max(abs(student), abs(expected))
    if math.isinf(abs(student)) or math.isinf(abs(expected)):
        return student == expected
    student_c, expected_c = complex(student), complex(expected)
    if not (student_c.imag or expected_c.imag):
        if math.isnan(student_c.real) or math.isnan(expected_c.real):
            return False
        return abs(Decimal(str(student_c.real)) - Decimal(str(expected_c.real))) <= Decimal(str(tolerance))
    return abs(student_c - expected_c) <= tolerance


_TOKEN = re.compile(r"\s*+(?:(?P<num>(?:\d++(?:\.\d*+)?+|\.\d++)(?:[eE][+-]?+\d++)?+)(?P<suffix>%)?+"
                    r"|(?P<name>[A-Za-z_]\w*+)|(?P<op>[-+*/^()]))")
_FUNCTIONS = {"sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "tan": math.tan, "log": math.log10,
              "ln": math.log, "exp": math.exp, "abs": abs}
_CONSTANTS = {"pi": math.pi, "e": math.e}


def evaluate(text: str) -> float:
    """A typed number or arithmetic (`4+5/2^2`, `15%`), as Open edX's calculator reads it."""
    tokens: list[tuple[str, object]] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise InputError(f"Could not interpret '{text}' as a number.")
        pos = m.end()
        if m.group("num"):
            value = float(m.group("num"))
            if m.group("suffix"):
                value = value * 0.01
            tokens.append(("num", value))
        elif m.group("name"):
            tokens.append(("name", m.group("name")))
        elif m.group("op"):
            tokens.append(("op", m.group("op")))
    if not tokens:
        raise InputError(f"Could not interpret '{text}' as a number.")
    parser = _Arithmetic(tokens, text)
    value = parser.sum()
    if parser.i != len(tokens):
        raise InputError(f"Invalid math syntax: '{text}'")
    return value


class _Arithmetic:
    def __init__(self, tokens, text):
        self.tokens, self.text, self.i = tokens, text, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def fail(self):
        raise InputError(f"Invalid math syntax: '{self.text}'")

    def sum(self) -> float:
        value = self.product()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            value = value + self.product() if op == "+" else value - self.product()
        return value

    def product(self) -> float:
        value = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            right = self.unary()
            if op == "/" and right == 0:
                raise InputError(f"Could not interpret '{self.text}' as a number.")
            value = value * right if op == "*" else value / right
        return value

    def unary(self) -> float:
        if self.peek() in (("op", "+"), ("op", "-")):
            sign = -1.0 if self.take()[1] == "-" else 1.0
            return sign * self.unary()
        return self.power()

    def power(self) -> float:
        base = self.atom()
        if self.peek() == ("op", "^"):
            self.take()
            try:
                return float(base ** self.unary())
            except (OverflowError, ValueError, TypeError):
                raise InputError(f"Could not interpret '{self.text}' as a number.") from None
        return base

    def atom(self) -> float:
        kind, value = self.take()
        if kind == "num":
            return value  # type: ignore[return-value]
        if kind == "op" and value == "(":
            inner = self.sum()
            if self.take() != ("op", ")"):
                self.fail()
            return inner
        if kind == "name":
            if value in _CONSTANTS:
                return _CONSTANTS[value]  # type: ignore[index]
            if value in _FUNCTIONS and self.take() == ("op", "("):
                inner = self.sum()
                if self.take() != ("op", ")"):
                    self.fail()
                try:
                    return float(_FUNCTIONS[value](inner))  # type: ignore[index]
                except (ValueError, OverflowError):
                    raise InputError(f"Could not interpret '{self.text}' as a number.") from None
            raise InputError(f"Invalid Input: {value} not permitted in answer as a variable")
        self.fail()
        return 0.0
