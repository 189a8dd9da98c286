"""Reading `problem` component blocks (YAML) into the course model, with every authoring check."""

from __future__ import annotations

import re
from typing import Any

from yaml.nodes import ScalarNode, SequenceNode

from ..diagnostics import error
from ..model import Choice, ProblemComponent, Question
from ..olx.capa import capa_regexp
from .yamlio import YamlMap, closest

QUESTION_TYPES = ("single-choice", "multiple-choice", "dropdown", "numerical", "text")
# The values Studio's import gate (olxcleaner) accepts; newer platform values such as after_all_attempts fail it.
SHOWANSWER = ("always", "answered", "attempted", "closed", "finished", "correct_or_past_due", "past_due", "never")
SHOW_CORRECTNESS = ("always", "never", "past_due")
RERANDOMIZE = ("never", "always", "onreset", "per_student")
PARTIAL_CREDIT = ("none", "halves", "every-choice")

SETTING_KEYS = ("max_attempts", "weight", "showanswer", "show_correctness", "show_reset_button", "rerandomize")
PROBLEM_KEYS = ("id", "title", "questions", "hints", "explanation") + SETTING_KEYS
QUESTION_KEYS = {
    "single-choice": ("type", "prompt", "description", "choices", "shuffle"),
    "multiple-choice": ("type", "prompt", "description", "choices", "shuffle", "partial_credit"),
    "dropdown": ("type", "prompt", "description", "choices"),
    "numerical": ("type", "prompt", "description", "answer", "tolerance", "correct_feedback"),
    "text": ("type", "prompt", "description", "answers", "case_sensitive", "regexp", "wrong_answers",
             "correct_feedback"),
}
ALL_QUESTION_KEYS = sorted({k for keys in QUESTION_KEYS.values() for k in keys})
_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_RANGE = re.compile(rf"\s*[\[(]\s*{_NUMBER}\s*,\s*{_NUMBER}\s*[\])]\s*\Z")


def read_settings(data: YamlMap, check_keys: bool = True) -> dict[str, Any]:
    """Problem settings present in a mapping (course defaults, a lesson, or a problem).

    `check_keys`: the mapping holds only settings (course.yaml or front matter `problems:`), so any other key is
    a typo to report; a problem block checks its own keys.
    """
    if check_keys:
        data.check_keys(SETTING_KEYS)
    settings: dict[str, Any] = {}
    if data.has("max_attempts"):
        value = data.integer("max_attempts")
        if value < 1:
            raise error(data.path, data.line_of("max_attempts"),
                        f"`max_attempts` must be 1 or more, not {value}; leave it out for unlimited attempts",
                        code="PRB004")
        settings["max_attempts"] = value
    if data.has("weight"):
        weight = data.number("weight")
        if weight < 0:
            raise error(data.path, data.line_of("weight"), f"`weight` must be at least 0, not {data.text('weight')}",
                        code="PRB004")
        settings["weight"] = weight
    if data.has("showanswer"):
        settings["showanswer"] = _setting_choice(data, "showanswer", SHOWANSWER)
    if data.has("show_correctness"):
        settings["show_correctness"] = _setting_choice(data, "show_correctness", SHOW_CORRECTNESS)
    if data.has("show_reset_button"):
        settings["show_reset_button"] = data.boolean("show_reset_button")
    if data.has("rerandomize"):
        settings["rerandomize"] = _setting_choice(data, "rerandomize", RERANDOMIZE)
    return settings


def _setting_choice(data: YamlMap, key: str, options: tuple[str, ...]) -> str:
    value = data.text(key).strip()
    if value not in options:
        raise error(data.path, data.line_of(key),
                    f"`{key}: {value}` is not valid{closest(value, options)}; use one of: {', '.join(options)}",
                    code="PRB004")
    return value


def read_problem_block(data: YamlMap, ctx) -> ProblemComponent:
    """A lesson's ```problem block (the reader registered for problems, olxkit/component_types.py)."""
    return read_problem(data, ctx.defaults, ctx.base_dir)


def read_problem(data: YamlMap, defaults: dict[str, Any], base_dir: str) -> ProblemComponent:
    """Build a ProblemComponent from its YAML body; `defaults` are the course and lesson settings."""
    question_keys = [k for k in ALL_QUESTION_KEYS if k not in PROBLEM_KEYS]
    data.check_keys(PROBLEM_KEYS + tuple(question_keys))
    if data.has("questions"):
        for key in question_keys + ["type", "prompt"]:
            if data.has(key):
                raise error(data.path, data.key_line(key),
                            f"`{key}` belongs inside each entry of `questions:` when a problem has several",
                            code="PRB005")
        nodes = data.sequence("questions")
        if not nodes:
            raise error(data.path, data.line_of("questions"), "`questions:` is empty; add at least one question",
                        code="PRB005")
        questions = [_read_question(data.sub(node, "a question"), ()) for node in nodes]
    else:
        questions = [_read_question(data, PROBLEM_KEYS)]
    hint_node = data.node("hints")
    if isinstance(hint_node, ScalarNode):
        raise error(data.path, data.line_of("hints"), "`hints:` is a list, one hint per line starting with `- `: "
                    f"write `hints:` and below it `  - {data.text_of(hint_node, 'hints').strip()}`", code="AUT003")
    hints = [text for text, _line in data.text_list("hints")]
    for text, line in data.text_list("hints"):
        if not text.strip():
            raise error(data.path, line, "an empty hint (a bare `-`): write the hint or remove the line",
                        code="AUT002")
    settings = dict(defaults)
    settings.update(read_settings(data, check_keys=False))
    lines = {key: data.line_of(key) for key in ("title", "explanation") if data.has(key)}
    lines.update({f"hint:{n}": line for n, (_text, line) in enumerate(data.text_list("hints"))})
    return ProblemComponent(
        id=data.text("id") or "problem",
        title=data.text("title") or "Question",
        questions=questions,
        hints=hints,
        explanation=data.text("explanation"),
        settings=settings,
        path=data.path,
        line=data.line,
        base_dir=base_dir,
        lines=lines,
    )


def _read_question(data: YamlMap, problem_keys: tuple[str, ...]) -> Question:
    if not data.has("type"):
        raise error(data.path, data.line, f"missing `type`: one of {', '.join(QUESTION_TYPES)}", code="PRB005")
    qtype = data.text("type")
    if qtype not in QUESTION_TYPES:
        raise error(data.path, data.line_of("type"),
                    f"unknown question type `{qtype}`{closest(qtype, QUESTION_TYPES)}; "
                    f"use one of {', '.join(QUESTION_TYPES)}", code="PRB005")
    data.check_keys(QUESTION_KEYS[qtype] + problem_keys)
    prompt = data.text("prompt", required=True)
    question = Question(type=qtype, prompt=prompt, description=data.text("description"), line=data.line,
                        lines={k: data.line_of(k) for k in ("prompt", "description", "answers", "correct_feedback")
                               if data.has(k)})
    if qtype in ("single-choice", "multiple-choice", "dropdown"):
        _read_choices(data, question)
    elif qtype == "numerical":
        _read_numerical(data, question)
    else:
        _read_text_answers(data, question)
    return question


def _read_choices(data: YamlMap, q: Question) -> None:
    nodes = data.sequence("choices")
    if not nodes:
        raise error(data.path, data.line_of("choices"), "`choices:` is missing or empty; list at least two choices",
                    code="PRB003")
    for node in nodes:
        if isinstance(node, ScalarNode):
            text = data.text_of(node, "choice")
            line = node.start_mark.line + 1 + data.offset
            if not text.strip():
                raise error(data.path, line, "an empty choice (a bare `-`): learners would see an option with no "
                            "text; write its text (`- text: …`) or remove the line", code="AUT002")
            q.choices.append(Choice(text=text, correct=False, feedback=None, line=line))
            continue
        choice = data.sub(node, "a choice")
        choice.check_keys(("text", "correct", "feedback"))
        text = choice.text("text", required=True)
        if not text.strip():
            raise error(data.path, choice.line_of("text"), "an empty choice: learners would see an option with no "
                        "text; write its text or remove the choice", code="AUT002")
        q.choices.append(Choice(text=text, correct=bool(choice.boolean("correct", False)),
                                feedback=choice.text("feedback"), line=choice.line,
                                feedback_line=choice.line_of("feedback")))
    if len(q.choices) < 2:
        raise error(data.path, data.line_of("choices"), "a question needs at least two choices", code="PRB003")
    correct = [c for c in q.choices if c.correct]
    if not correct:
        raise error(data.path, data.line_of("choices"), "no choice is marked `correct: true`", code="PRB001")
    if q.type in ("single-choice", "dropdown") and len(correct) > 1:
        raise error(data.path, correct[1].line,
                    f"a {q.type} question has exactly one correct choice, but {len(correct)} are marked correct; "
                    "use `type: multiple-choice` for several", code="PRB001")
    texts = [c.text for c in q.choices]
    for c in q.choices:
        if texts.count(c.text) > 1:
            raise error(data.path, c.line, f"the choice `{c.text}` is listed twice", code="PRB003")
    q.shuffle = bool(data.boolean("shuffle", False)) if "shuffle" in QUESTION_KEYS[q.type] else False
    if q.type == "multiple-choice":
        q.partial_credit = data.choice("partial_credit", PARTIAL_CREDIT, "none")


def _read_numerical(data: YamlMap, q: Question) -> None:
    node = data.node("answer")
    if isinstance(node, SequenceNode):
        # `answer: [1, 5]` (the form the docs show) is a YAML list: an inclusive range
        ends = [data.text_of(item, "answer").strip() for item in node.value]
        if len(ends) != 2:
            raise error(data.path, data.line_of("answer"),
                        f"a range has two ends, such as [1, 5]; this one has {len(ends)}", code="PRB002")
        answer = f"[{ends[0]}, {ends[1]}]"
    else:
        answer = data.text("answer", required=True).strip()
    range_match = _RANGE.match(answer)
    if not (re.fullmatch(_NUMBER, answer) or range_match):
        raise error(data.path, data.line_of("answer"),
                    f"`answer: {answer}` is not a number or a range such as [1, 5]", code="PRB002")
    if range_match:
        low, high = (float(x) for x in answer.strip()[1:-1].split(","))
        if low >= high:
            raise error(data.path, data.line_of("answer"),
                        f"the range {answer} is empty: its first end must be smaller than its second", code="PRB002")
    q.answer = answer
    if data.has("tolerance"):
        tol = data.text("tolerance").strip()
        number = tol[:-1].strip() if tol.endswith("%") else tol
        if not re.fullmatch(_NUMBER, number):
            raise error(data.path, data.line_of("tolerance"),
                        f"`tolerance: {tol}` must be a number such as 0.5, or a percentage such as 5%", code="PRB002")
        if float(number) < 0:
            raise error(data.path, data.line_of("tolerance"), f"`tolerance` cannot be negative ({tol})", code="PRB002")
        if _RANGE.match(answer):
            raise error(data.path, data.line_of("tolerance"), "a range answer takes no tolerance", code="PRB002")
        q.tolerance = tol
    q.correct_feedback = data.text("correct_feedback")


def _read_text_answers(data: YamlMap, q: Question) -> None:
    answers = [text.strip() for text, _line in data.text_list("answers")]
    lines = [line for _text, line in data.text_list("answers")]
    if not answers or not all(answers):
        raise error(data.path, data.line_of("answers"), "`answers:` needs at least one accepted answer", code="PRB002")
    q.answers = answers
    q.case_sensitive = bool(data.boolean("case_sensitive", False))
    q.regexp = bool(data.boolean("regexp", False))
    if q.regexp:
        for answer, line in zip(answers, lines, strict=True):
            try:
                re.compile(answer)
            except re.error as exc:
                raise error(data.path, line, f"`{answer}` is not a valid regular expression: {exc}",
                            code="PRB002") from None
        # Open edX compiles all accepted answers as one pattern; check that one too (inline flags such as
        # `(?i)` are only valid at its very start, a group name may be used once).
        try:
            re.compile(capa_regexp(answers), re.UNICODE)
        except re.error as exc:
            raise error(data.path, data.line_of("answers"),
                        f"the accepted answers do not make one valid regular expression ({exc}); "
                        "use `case_sensitive:` instead of inline flags such as (?i)", code="PRB002") from None
    for node in data.sequence("wrong_answers"):
        item = data.sub(node, "a wrong answer")
        item.check_keys(("answer", "feedback"))
        q.lines[f"wrong_answer:{len(q.wrong_answers)}"] = item.line
        q.lines[f"wrong_feedback:{len(q.wrong_answers)}"] = item.line_of("feedback")
        q.wrong_answers.append((item.text("answer", required=True), item.text("feedback", required=True)))
    q.correct_feedback = data.text("correct_feedback")
