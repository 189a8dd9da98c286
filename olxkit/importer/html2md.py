"""html → olxkit Markdown, kept only when the Markdown renders back to the same HTML.

The converter knows the HTML olxkit's Markdown makes (paragraphs, headings from h3, lists, emphasis, code, tables,
images with alt text, links, math). Every result is rendered with olxkit's own renderer and compared with the
original (the same bytes, or the same DOM once whitespace is normalised); anything else stays raw.
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from ..olx.read import html_key
from ..source.markdown import make_markdown

_WS = re.compile(r"[ \t\n\r\f]+")
_INLINE = {"em", "strong", "code", "a", "img", "br", "del", "s", "span"}


class Unconvertible(Exception):
    """This HTML has something olxkit's Markdown does not make."""


@dataclass
class LinkMap:
    """Where the blocks of the imported course are in the project (for `/jump_to_id/` and `/static/` links)."""

    lessons: dict[str, str]
    """sequential ref (type/url_name) → lesson file"""
    units: dict[str, tuple[str, str]]
    """vertical ref → (lesson file, unit id)"""
    assets: set[str]
    by_url: dict[str, str] = field(default_factory=dict)
    _targets: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self):
        for ref, file in self.lessons.items():
            self.by_url[ref.split("/", 1)[1]] = file
        for ref, (file, unit) in self.units.items():
            self.by_url[ref.split("/", 1)[1]] = f"{file}#{unit}"

    def targets(self) -> dict[tuple[str, str], str]:
        """(lesson file, unit id or "") → the `/jump_to_id/` link the build makes of a link to it."""
        if not self._targets:
            for url, where in self.by_url.items():
                path, _, frag = where.partition("#")
                self._targets[(path, frag)] = f"/jump_to_id/{url}"
        return self._targets

    def target(self, url: str, base_dir: str, kind: str) -> str:
        if re.match(r"(https?|mailto):", url):
            return url
        if url.startswith("/jump_to_id/"):
            found = self.by_url.get(url[len("/jump_to_id/"):])
            if found is None:
                return url  # a block kept as it came, or one outside the course: the link is kept as it is
            path, _, frag = found.partition("#")
            rel = posixpath.relpath(path, base_dir)
            return f"{rel}#{frag}" if frag else rel
        if url.startswith("/static/"):
            name = url[len("/static/"):]
            if name in self.assets and re.fullmatch(r"[A-Za-z0-9._/-]+", name):
                return posixpath.relpath(f"course/static/{name}", base_dir)
        raise Unconvertible(f"a {kind} to `{url}` that olxkit cannot write as a relative link")


def _parse(html: str) -> etree._Element:
    return lxml_html.fragment_fromstring(html, create_parent="div", parser=lxml_html.HTMLParser(no_network=True))


def same_html(a: str, b: str) -> bool:
    """The two HTML texts show the same page (olxkit.diff.html_key)."""
    return a == b or html_key(a) == html_key(b)


def render_markdown(text: str, base_dir: str, links: LinkMap) -> str:
    """The HTML olxkit makes from this Markdown (links resolved as the build resolves them)."""
    md = make_markdown()
    env: dict = {"olxkit_footnotes": {}}
    tokens = md.parse(text, env)
    return md.renderer.render(tokens, md.options, {**env, "olxkit_resolve": link_resolver(links, base_dir)})


def link_resolver(links: LinkMap, base_dir: str):
    """Resolve a relative link the way olxkit's build does, from the project layout the import writes."""
    targets = links.targets()

    def resolve(url: str, kind: str) -> str:
        if re.match(r"[a-z]+:", url) or url.startswith("/"):
            return url
        path, _, frag = url.partition("#")
        full = posixpath.normpath(posixpath.join(base_dir, path))
        if full.startswith("course/static/"):
            return "/static/" + full[len("course/static/"):]
        return targets.get((full, frag), url)

    return resolve


def html_to_markdown(html: str, links: LinkMap, base_dir: str = "modules/x", exact: bool = False,
                     course_page: bool = False, check: bool = True) -> tuple[str | None, str]:
    """(Markdown, "") when the html converts without loss, else (None, why it stays raw).

    `check=False` leaves the check that the Markdown renders back the same to the caller (the import builds
    the whole project once and compares every block instead of rendering each one twice).
    """
    if course_page:
        base_dir = "course"
    if not html.strip():
        return None, "empty html"
    if "{{" in html:
        return None, "the html holds `{{`, which olxkit reads as a text placeholder"
    try:
        root = _parse(html)
        text = HtmlConverter(links, base_dir).blocks(root).strip("\n") + "\n"
    except Unconvertible as exc:
        return None, str(exc)
    except (etree.ParserError, ValueError) as exc:
        return None, f"html that does not parse ({exc})"
    if not check:
        return text, ""
    back = render_markdown(text, base_dir, links)
    if back == html or (not exact and same_html(back, html)):
        return text, ""
    return None, "html whose Markdown would not render back to the same HTML"


_ESCAPE = re.compile(r"([\\`*_\[\]<>|~$])")
_LINE_START = re.compile(r"^([^\S\n]*+)([#>+=-]|\d++[.)])", re.M)


def _escape(text: str) -> str:
    if "&" in text and re.search(r"&(#?\w+);", text):
        raise Unconvertible("text that looks like an HTML entity")
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), _ESCAPE.sub(r"\\\1", text))


class HtmlConverter:
    def __init__(self, links: LinkMap, base_dir: str):
        self.links = links
        self.base_dir = base_dir

    def blocks(self, parent: etree._Element, indent: str = "") -> str:
        if (parent.text or "").strip():
            raise Unconvertible("text outside a paragraph")
        parts = []
        for child in parent:
            if not isinstance(child.tag, str):
                raise Unconvertible("an HTML comment")
            if (child.tail or "").strip():
                raise Unconvertible("text outside a paragraph")
            parts.append(self.block(child, indent))
        return "\n".join(parts)

    def block(self, el: etree._Element, indent: str) -> str:
        tag = el.tag
        if el.attrib and tag not in ("ol", "th", "td", "code"):
            raise Unconvertible(f"<{tag}> with attributes")
        if tag == "p":
            return self.inline(el) + "\n"
        if tag in ("h3", "h4", "h5", "h6"):
            return "#" * int(tag[1]) + " " + self.inline(el).replace("\n", " ") + "\n"
        if tag in ("ul", "ol"):
            return self.list(el, indent)
        if tag == "blockquote":
            inner = self.blocks(el).rstrip("\n")
            return "\n".join(("> " + line) if line else ">" for line in inner.split("\n")) + "\n"
        if tag == "pre":
            return self.pre(el)
        if tag == "hr":
            return "---\n" if False else "***\n"
        if tag == "table":
            return self.table(el)
        raise Unconvertible(f"a <{tag}> block")

    def list(self, el: etree._Element, indent: str) -> str:
        ordered = el.tag == "ol"
        start = int(el.get("start", "1")) if ordered else 1
        if set(el.attrib) - {"start"}:
            raise Unconvertible("a list with attributes")
        lines = []
        items = [c for c in el if isinstance(c.tag, str)]
        if (el.text or "").strip() or any(c.tag != "li" for c in items):
            raise Unconvertible("a list with something other than items")
        loose = any(any(isinstance(g.tag, str) and g.tag == "p" for g in li) for li in items)
        for number, li in enumerate(items, start):
            marker = f"{number}. " if ordered else "- "
            pad = " " * len(marker)
            if loose:
                body = self.blocks(li).rstrip("\n")
            else:
                inline_part, nested = self.tight_item(li)
                body = inline_part + ("\n" + nested.rstrip("\n") if nested else "")
            body_lines = body.split("\n")
            lines.append(marker + body_lines[0])
            lines.extend((pad + line) if line else "" for line in body_lines[1:])
            if loose:
                lines.append("")
        return "\n".join(lines).rstrip("\n") + "\n"

    def tight_item(self, li: etree._Element) -> tuple[str, str]:
        nested = [c for c in li if isinstance(c.tag, str) and c.tag in ("ul", "ol")]
        for n in nested:
            if (n.tail or "").strip():
                raise Unconvertible("text after a nested list")
        head = etree.Element("span")
        head.text = li.text
        for child in li:
            if child in nested:
                break
            head.append(_clone(child))
        return self.inline(head).strip(), "".join(self.list(n, "") for n in nested)

    def pre(self, el: etree._Element) -> str:
        code = [c for c in el if isinstance(c.tag, str)]
        if len(code) != 1 or code[0].tag != "code" or (el.text or "").strip() or len(code[0]):
            raise Unconvertible("a <pre> that is not one code block")
        cls = code[0].get("class", "")
        lang = cls[len("language-"):] if cls.startswith("language-") else ""
        if cls and not lang:
            raise Unconvertible("code with a class")
        text = code[0].text or ""
        fence = "```"
        while fence in text:
            fence += "`"
        return f"{fence}{lang}\n{text}{'' if text.endswith(chr(10)) else chr(10)}{fence}\n"

    def table(self, el: etree._Element) -> str:
        rows = []
        aligns: list[str] = []
        for section in el:
            if section.tag not in ("thead", "tbody"):
                raise Unconvertible("a table without thead/tbody")
            for tr in section:
                cells = []
                for cell in tr:
                    style = cell.get("style", "")
                    if set(cell.attrib) - {"style"} or (style and not re.fullmatch(r"text-align:(left|right|center)",
                                                                                   style)):
                        raise Unconvertible("a table cell with attributes")
                    if section.tag == "thead":
                        aligns.append(style.split(":")[1] if style else "")
                    cells.append(self.inline(cell).replace("|", "\\|").replace("\n", " "))
                rows.append(cells)
        if not rows or not aligns:
            raise Unconvertible("a table without a header row")
        sep = [{"left": ":---", "right": "---:", "center": ":---:"}.get(a, "---") for a in aligns]
        lines = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join(sep) + " |"]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines) + "\n"

    def inline(self, el: etree._Element) -> str:
        out = [_escape(el.text or "")]
        for child in el:
            if not isinstance(child.tag, str):
                raise Unconvertible("an HTML comment")
            out.append(self.inline_element(child))
            out.append(_escape(child.tail or ""))
        return "".join(out)

    def inline_element(self, el: etree._Element) -> str:
        tag = el.tag
        if tag not in _INLINE:
            raise Unconvertible(f"an inline <{tag}>")
        if tag == "br":
            return "\\\n"
        if tag == "span":
            # olxkit's $…$ is MathJax's \(…\) in <span class="math inline">; any other span stays raw
            inner = el.text or ""
            if dict(el.attrib) != {"class": "math inline"} or len(el) or "$" in inner \
                    or not (inner.startswith("\\(") and inner.endswith("\\)")):
                raise Unconvertible("an inline <span>")
            return f"${inner[2:-2]}$"
        if tag == "img":
            alt, src = el.get("alt", ""), el.get("src", "")
            if not alt.strip() or set(el.attrib) - {"alt", "src"}:
                raise Unconvertible("an image without alt text or with other attributes")
            return f"![{_escape(alt)}]({_destination(self.links.target(src, self.base_dir, 'image'))})"
        if tag == "a":
            href = el.get("href", "")
            if set(el.attrib) - {"href"}:
                raise Unconvertible("a link with attributes other than href")
            return f"[{self.inline(el)}]({_destination(self.links.target(href, self.base_dir, 'link'))})"
        if el.attrib:
            raise Unconvertible(f"<{tag}> with attributes")
        if tag == "code":
            text = el.text or ""
            if len(el) or "`" in text or not text.strip() or text != text.strip():
                raise Unconvertible("inline code that Markdown cannot hold")
            return f"`{text}`"
        mark = {"em": "*", "strong": "**", "del": "~~", "s": "~~"}[tag]
        inner = self.inline(el)
        if not inner or inner != inner.strip():
            raise Unconvertible(f"<{tag}> with spaces at its ends")
        return f"{mark}{inner}{mark}"


def _destination(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _clone(el: etree._Element) -> etree._Element:
    return copy.deepcopy(el)
