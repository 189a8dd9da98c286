"""A lesson's unit headings without parsing the lesson: what an outline needs, found by a line scan.

The preview shows the outline (module › lesson › unit titles) before it parses the lessons' bodies. The scan
answers only where markdown-it's answer is certain from the lines alone: `##` headings at the start of a line,
after a blank line (or a closing fence), outside fences and display formulas. HTML blocks that may span blank
lines (comments, `<pre>`…), indented headings, setext underlines, `#` headings, titles with `[` (a link or
footnote defined elsewhere in the file) and anything else it is unsure of make it answer None, and the caller
parses the lesson (`parse_lesson`). The titles and ids are read by markdown-it itself, from the heading lines
alone, with `parse_lesson`'s own rule (`heading_unit`). tests/test_outline_read.py holds the scan to the parse,
on the embedded course and on generated lessons.
"""

from __future__ import annotations

from .markdown import LessonSyntaxError, RawUnit, heading_unit, parse_for_texts

_OPENERS = ("```", "~~~")


def _underline(text: str) -> bool:
    """A setext underline (`---`, `===`): after a paragraph line it makes that line a heading."""
    text = text.rstrip(" \t")
    return bool(text) and (text == "-" * len(text) or text == "=" * len(text))


def _long_html(text: str) -> bool:
    """Whether `text` may start an HTML block that runs on past blank lines (CommonMark's kinds 1 to 5: `<!--`,
    `<?`, `<!`, script, pre, style, textarea). Other HTML blocks end at a blank line, as a paragraph does."""
    return text[:9].lower().startswith(("<!", "<?", "<script", "<pre", "<style", "<textarea"))


def _fence_closes(line: str, char: str, length: int) -> bool:
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith(char * length):
        return False
    return not stripped.rstrip(" \t").strip(char)


def _math_end(lines: list[str], start: int) -> int | None:
    """The last line of the display formula a col-0 `$$` line opens (`start` itself for a one-line one, or a line
    that is not one), or None when unsure (dollarmath's rules: the formula ends at the first line ending in `$$`,
    blank lines allowed; without such a line it is no formula)."""
    text = lines[start].strip()
    if len(text) > 3 and "$$" in text[2:]:
        return start  # closed on its own line, or text (an equation label or a stray `$$`): one line either way
    for number in range(start + 1, len(lines)):
        if "$$" in lines[number]:
            return number if lines[number].strip().endswith("$$") else None
    return start  # no closing line: a paragraph


def unit_headings(body: str, line_offset: int) -> list[RawUnit] | None:
    """The units of a lesson body (titles, ids, file lines; no items), or None when the scan is not sure."""
    if "\r" in body:
        return None  # markdown-it reads a lone \r as a line break
    lines = body.split("\n")
    found: list[int] = []
    first_text = None
    fence: tuple[str, int] | None = None
    after_break = True  # the start, a blank line or a closing fence: a `##` line here is a level-0 heading
    skip_to = -1  # the last line of a display formula (`$$` … `$$`) being skipped
    for number, line in enumerate(lines):
        if number <= skip_to:
            after_break = False
            continue
        if fence is not None:
            if _fence_closes(line, *fence):
                fence, after_break = None, True
            elif line.lstrip(" ").startswith(("##", *_OPENERS)):
                return None  # parse_lesson checks such lines inside component fences
            continue
        if not line.strip(" \t"):
            after_break = True
            continue
        if first_text is None:
            first_text = number
        head = line[0]
        if head in " \t":
            stripped = line.lstrip(" ")
            if len(line) - len(stripped) <= 3 and (
                stripped.startswith(("#", "$$", *_OPENERS)) or _long_html(stripped)
                or (not after_break and _underline(stripped))
            ):
                return None
        elif line.startswith(_OPENERS):
            size = len(line) - len(line.lstrip(head))
            if not after_break or (head == "`" and "`" in line[size:]):
                return None
            fence = (head, size)
            continue
        elif head == "<" and _long_html(line):
            return None
        elif line.startswith("$$"):
            end = _math_end(lines, number)
            if end is None:
                return None
            if end > number:
                if not after_break:
                    return None
                skip_to = end
        elif head == "#":
            level = len(line) - len(line.lstrip("#"))
            rest = line[level:]
            if level <= 6 and (not rest or rest[0] in " \t"):
                if level == 1 or (level == 2 and (not after_break or "[" in rest)):
                    return None
                if level == 2:
                    found.append(number)
        elif not after_break and _underline(line):
            return None
        after_break = False
    if fence is not None or not found or first_text != found[0]:
        return None  # an unclosed fence, no unit, or text before the first unit: the parse says what is wrong
    tokens = parse_for_texts("\n\n".join(lines[n] for n in found), {})
    if len(tokens) != 3 * len(found):
        return None
    units = []
    for k, number in enumerate(found):
        opening, inline = tokens[3 * k], tokens[3 * k + 1]
        if opening.type != "heading_open" or opening.tag != "h2" or inline.type != "inline":
            return None
        try:
            units.append(heading_unit(inline, number + 1 + line_offset))
        except LessonSyntaxError:
            return None
    return units
