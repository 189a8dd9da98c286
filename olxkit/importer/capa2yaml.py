"""CAPA problem XML → olxkit problem YAML, kept only when the YAML builds a problem that asks and grades the same.

The five olxkit question types (single-choice, multiple-choice, dropdown, numerical, text) with their hints,
feedback, explanation, tolerance, partial credit and settings are converted; the YAML is then read and built
with olxkit's own reader and CAPA writer and compared with the original in a canonical form (every response,
input, choice, answer, hint and text, in order). Anything else stays as it came.
"""

from __future__ import annotations

import re

from lxml import etree

from ..olx.capa import build_problem
from ..olx.read import problem_key
from ..source.problems import read_problem
from ..source.yamlio import YamlMap, parse_yaml
from .html2md import HtmlConverter, LinkMap, Unconvertible, link_resolver
from .plan import dump_yaml

RESPONSES = {"multiplechoiceresponse": "single-choice", "choiceresponse": "multiple-choice",
             "optionresponse": "dropdown", "numericalresponse": "numerical", "stringresponse": "text"}
SETTINGS = ("max_attempts", "weight", "showanswer", "show_correctness", "show_reset_button", "rerandomize")


def problem_to_yaml(element: etree._Element, defaults: dict, links: LinkMap,
                    base_dir: str = "modules/x", check: bool = True) -> tuple[dict | None, str]:
    """(the problem's YAML data without `id`, "") or (None, why it stays as it came).

    With `check`, the YAML is read back with olxkit's problem reader and built, and the result compared with the
    original; without, only the checks olxkit's reader makes are repeated on the data (the import builds the
    whole project once and compares every block instead).
    """
    try:
        data = _Reader(links, base_dir).problem(element, defaults)
        for question in data.get("questions", [data]):
            _check(question)
    except Unconvertible as exc:
        return None, str(exc)
    if check:
        try:
            problem = _read(data, defaults, base_dir)
            if not same_problem(element, build_problem(problem, link_resolver(links, base_dir))):
                return None, "its YAML would not build into the same problem"
        except Exception as exc:  # the reader's checks refuse it (an OlxkitError) or the markup does not build
            return None, f"its YAML would not build ({getattr(exc, 'diagnostics', [exc])[0]})"
    return data, ""


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
class _Range:
    """`[low, high]` or `(low, high)`: what `\\s*[\\[(]\\s*[^,]+\\s*,\\s*[^,]+\\s*[\\])]\\s*\\Z` matched, checked in one
    pass (that pattern backtracks for a time that grows with the square of a long answer)."""

    @staticmethod
    def match(text: str) -> bool:
        inner = text.strip()
        if len(inner) < 2 or inner[0] not in "[(" or inner[-1] not in "])":
            return False
        low, comma, high = inner[1:-1].partition(",")
        return bool(comma and low and high and "," not in high)


_RANGE = _Range


def _check(q: dict) -> None:
    """What olxkit's problem reader refuses (source/problems.py), so that the project the import writes builds."""
    if "choices" in q:
        choices = q["choices"]
        correct = [c for c in choices if c.get("correct")]
        texts = [c["text"] for c in choices]
        if len(choices) < 2 or not correct or len(set(texts)) != len(texts) or not all(t.strip() for t in texts):
            raise Unconvertible("choices olxkit's problem reader refuses (fewer than two, none correct or a repeat)")
        if q["type"] in ("single-choice", "dropdown") and len(correct) > 1:
            raise Unconvertible("several correct choices in a single-choice question")
    if q["type"] == "numerical":
        answer = q["answer"].strip()
        if not (_NUMBER.match(answer) or _RANGE.match(answer)) or (_RANGE.match(answer) and "tolerance" in q):
            raise Unconvertible(f"a numerical answer olxkit does not write ({answer})")
        tol = q.get("tolerance", "0").strip().removesuffix("%")
        if not _NUMBER.match(tol) or tol.startswith("-"):
            raise Unconvertible(f"a tolerance olxkit does not write ({q.get('tolerance')})")
        if _RANGE.match(answer):
            low, high = (x.strip() for x in answer.strip()[1:-1].split(","))
            if not (_NUMBER.match(low) and _NUMBER.match(high) and float(low) < float(high)):
                raise Unconvertible(f"a range olxkit does not write ({answer})")
    if q["type"] == "text" and not all(a.strip() and a == a.strip() for a in q["answers"]):
        raise Unconvertible("an empty accepted answer, or one with spaces at its ends")
    if not q["prompt"].strip():
        raise Unconvertible("a question without text")


def _read(data: dict, defaults: dict, base_dir: str):
    text = dump_yaml({"id": "p", **data})
    yaml_map = YamlMap(parse_yaml(text, "import"), "import", 0, "a problem")
    return read_problem(yaml_map, defaults, base_dir)


class _Reader:
    def __init__(self, links: LinkMap, base_dir: str):
        self.conv = HtmlConverter(links, base_dir)

    def inline(self, el: etree._Element) -> str:
        return self.conv.inline(el).strip()

    def blocks(self, el: etree._Element) -> str:
        return self.conv.blocks(el).strip("\n")

    def problem(self, root: etree._Element, defaults: dict) -> dict:
        data: dict = {"title": root.get("display_name", "Question")}
        for key in SETTINGS:
            value = root.get(key)
            if value is None:
                continue
            data[key] = _setting(key, value)
        questions = []
        context: list[str] = []
        explanation = None
        hints: list[str] = []
        for child in root:
            if not isinstance(child.tag, str):
                raise Unconvertible("a comment in the problem")
            if (child.tail or "").strip() or (root.text or "").strip():
                raise Unconvertible("text outside the problem's elements")
            if child.tag in RESPONSES:
                questions.append(self.question(child, context))
                context = []
            elif child.tag == "p" and not questions and not child.attrib:
                context.append(self.inline(child))
            elif child.tag == "solution" and explanation is None:
                explanation = self.solution(child)
            elif child.tag == "demandhint" and not hints:
                for hint in child:
                    if hint.tag != "hint" or hint.attrib:
                        raise Unconvertible("a demand hint olxkit does not write")
                    hints.append(self.inline(hint))
            else:
                raise Unconvertible(f"a <{child.tag}> in the problem")
        if not questions or context:
            raise Unconvertible("a problem without a response olxkit knows")
        for q in questions:
            sol = q.pop("_solution", None)
            if sol is not None:
                if explanation is not None:
                    raise Unconvertible("more than one explanation")
                explanation = sol
        if len(questions) == 1:
            data.update(questions[0])
        else:
            data["questions"] = questions
        if explanation:
            data["explanation"] = explanation
        if hints:
            data["hints"] = hints
        return data

    def solution(self, el: etree._Element) -> str:
        boxes = [c for c in el if isinstance(c.tag, str)]
        if len(boxes) != 1 or boxes[0].tag != "div" or boxes[0].get("class") != "detailed-solution":
            raise Unconvertible("a solution olxkit does not write")
        box = boxes[0]
        paras = [c for c in box if isinstance(c.tag, str)]
        if not paras or paras[0].tag != "p" or (paras[0].text or "").strip() != "Explanation" or len(paras[0]):
            raise Unconvertible("a solution without its Explanation title")
        rest = etree.Element("div")
        for p in paras[1:]:
            rest.append(_copy(p))
        return self.blocks(rest)

    def question(self, resp: etree._Element, context: list[str]) -> dict:
        qtype = RESPONSES[resp.tag]
        q: dict = {"type": qtype}
        label = description = None
        body = []
        for child in resp:
            if not isinstance(child.tag, str):
                raise Unconvertible("a comment in a response")
            if child.tag == "label" and label is None and not child.attrib:
                label = self.inline(child)
            elif child.tag == "description" and description is None and not child.attrib:
                description = self.inline(child)
            elif child.tag == "solution":
                q["_solution"] = self.solution(child)
            else:
                body.append(child)
        if label is None:
            raise Unconvertible("a response without a <label>")
        q["prompt"] = "\n\n".join([*context, label])
        if description is not None:
            q["description"] = description
        getattr(self, qtype.replace("-", "_"))(resp, body, q)
        return q

    def _choices(self, group: etree._Element, hint_tag: str, hint_attrs: dict) -> list:
        out = []
        for choice in group:
            if choice.tag not in ("choice", "option") or set(choice.attrib) - {"correct"}:
                raise Unconvertible("a choice olxkit does not write")
            hints = [c for c in choice if isinstance(c.tag, str) and c.tag == hint_tag]
            text_el = _copy(choice)
            for h in list(text_el):
                if isinstance(h.tag, str) and h.tag == hint_tag:
                    if (h.tail or "").strip():
                        raise Unconvertible("text after a hint")
                    text_el.remove(h)
            item: dict = {"text": self.inline(text_el)}
            if choice.get("correct", "").lower() == "true":
                item["correct"] = True
            elif choice.get("correct", "").lower() != "false":
                raise Unconvertible("a choice that is neither correct nor incorrect")
            if len(hints) > 1 or (hints and dict(hints[0].attrib) != hint_attrs):
                raise Unconvertible("choice feedback olxkit does not write")
            if hints:
                item["feedback"] = self.inline(hints[0])
            out.append(item)
        return out

    def single_choice(self, resp, body, q):
        if resp.attrib or len(body) != 1 or body[0].tag != "choicegroup":
            raise Unconvertible("a single-choice response olxkit does not write")
        group = body[0]
        if set(group.attrib) - {"type", "shuffle"} or group.get("type") != "MultipleChoice":
            raise Unconvertible("a choice group olxkit does not write")
        if group.get("shuffle") == "true":
            q["shuffle"] = True
        q["choices"] = self._choices(group, "choicehint", {})

    def multiple_choice(self, resp, body, q):
        if set(resp.attrib) - {"partial_credit"} or len(body) != 1 or body[0].tag != "checkboxgroup":
            raise Unconvertible("a multiple-choice response olxkit does not write")
        credit = resp.get("partial_credit")
        if credit is not None:
            q["partial_credit"] = {"EDC": "every-choice", "halves": "halves"}.get(credit)
            if q["partial_credit"] is None:
                raise Unconvertible(f"partial_credit={credit!r}")
        group = body[0]
        if set(group.attrib) - {"shuffle"}:
            raise Unconvertible("a checkbox group olxkit does not write")
        if group.get("shuffle") == "true":
            q["shuffle"] = True
        q["choices"] = self._choices(group, "choicehint", {"selected": "true"})

    def dropdown(self, resp, body, q):
        if resp.attrib or len(body) != 1 or body[0].tag != "optioninput" or body[0].attrib:
            raise Unconvertible("a dropdown olxkit does not write")
        q["choices"] = self._choices(body[0], "optionhint", {})

    def numerical(self, resp, body, q):
        if set(resp.attrib) != {"answer"}:
            raise Unconvertible("a numerical response olxkit does not write")
        q["answer"] = resp.get("answer")
        for el in body:
            if el.tag == "responseparam" and el.get("type") == "tolerance" and set(el.attrib) == {"type", "default"}:
                q["tolerance"] = el.get("default")
            elif el.tag == "formulaequationinput" and not el.attrib:
                pass
            elif el.tag == "correcthint" and not el.attrib:
                q["correct_feedback"] = self.inline(el)
            else:
                raise Unconvertible(f"a <{el.tag}> in a numerical response")

    def text(self, resp, body, q):
        if set(resp.attrib) - {"answer", "type"}:
            raise Unconvertible("a text response olxkit does not write")
        flags = (resp.get("type") or "").split()
        if set(flags) - {"ci", "regexp"}:
            raise Unconvertible(f"text response type {resp.get('type')!r}")
        if "regexp" in flags:
            raise Unconvertible("a regular-expression answer (olxkit anchors each answer)")
        answers = [resp.get("answer", "")]
        wrong = []
        for el in body:
            if el.tag == "additional_answer" and set(el.attrib) == {"answer"} and not len(el):
                answers.append(el.get("answer"))
            elif el.tag == "stringequalhint" and set(el.attrib) == {"answer"}:
                wrong.append({"answer": el.get("answer"), "feedback": self.inline(el)})
            elif el.tag == "correcthint" and not el.attrib:
                q["correct_feedback"] = self.inline(el)
            elif el.tag == "textline" and set(el.attrib) <= {"size"}:
                pass
            else:
                raise Unconvertible(f"a <{el.tag}> in a text response")
        q["answers"] = answers
        if "ci" not in flags:
            q["case_sensitive"] = True
        if wrong:
            q["wrong_answers"] = wrong


def _setting(key: str, value: str):
    if key in ("max_attempts",):
        if not value.isdigit():
            raise Unconvertible(f"{key}={value!r}")
        return int(value)
    if key == "weight":
        try:
            number = float(value)
        except ValueError:
            raise Unconvertible(f"weight={value!r}") from None
        return int(number) if number.is_integer() and "." not in value else number
    if key == "show_reset_button":
        if value not in ("true", "false"):
            raise Unconvertible(f"{key}={value!r}")
        return value == "true"
    return value


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el, with_tail=False))


def same_problem(a: etree._Element, b: etree._Element) -> bool:
    """The two <problem> elements ask the same and grade the same (olxkit.diff.problem_key)."""
    return problem_key(a) == problem_key(b)
