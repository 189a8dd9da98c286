"""`olxkit serve` starts from the course's outline (its lessons' front matter and unit headings), reads a lesson
in full when a page first shows it, and the rest of the course after the first page: the pages are those of a
course read in full, byte for byte, and the errors of lessons not read yet show (overlay, events, stderr) once
they are read."""

from __future__ import annotations

import http.client
import json
import re
import time

from helpers import copy_course
from serve_helpers import Server

BROKEN = "modules/05-financing/02-impact-investment.md"


def _pages(preview, slug, places):
    from olxkit.serve import pages
    from olxkit.source.loader import PAGES

    site = preview.site(slug)
    out = [pages.outline(preview, site)]
    for index in places:
        preview.show(site.places[index].lesson.path)
        site = preview.site(slug)
        out.append(pages.unit_page(preview, site, site.places[index]))
    preview.show(*PAGES)
    site = preview.site(slug)
    out += [pages.page(preview, site, which) for which in ("about", "handouts", "updates")]
    return out


def test_pages_from_the_outline_read_are_the_full_reads(tmp_path):
    from olxkit.serve.cache import Preview
    from olxkit.source.loader import PAGES

    project = copy_course(tmp_path / "p")
    full = Preview(project)
    assert full.reload() and not full.outlined
    for slug, step in (("en", 1), ("it", 1), ("de-AT", 9)):
        lazy = Preview(project)
        assert lazy.reload(outline=True)
        lessons = {le.path for le in lazy.course.lessons()}
        assert lazy.outlined == lessons | set(PAGES)
        assert not any(u.components for le in lazy.course.lessons() for u in le.units)
        assert lazy.course.about.overview is None and lazy.course.handouts is None and not lazy.course.updates
        count = len(full.site(slug).places)
        # Units in an order of their own (last lesson first, then the others), each lesson read when first shown.
        places = list(range(count - 1, -1, -step))
        assert _pages(lazy, slug, places) == _pages(full, slug, places), slug
        shown = {lazy.site(slug).places[i].lesson.path for i in places}
        assert lazy.outlined == lessons - shown and lazy.version == 1 and not lazy.findings
        assert lazy.complete() and not lazy.outlined and lazy.version == 1
        assert _pages(lazy, slug, places[:3]) == _pages(full, slug, places[:3]), slug


def _events(port: int, version: int, until: str = ""):
    """The first event (or the first `until` event) the server sends an open page of `version`: (name, data)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", f"/__olxkit__/events?version={version}")
    response = conn.getresponse()
    name = None
    try:
        while True:
            line = response.fp.readline().decode("utf-8").rstrip("\r\n")
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:") and name:
                if name == until or not until:
                    return name, json.loads(line[5:])
                name = None
    finally:
        conn.close()


def test_errors_of_lessons_not_read_yet_show_once_read(tmp_path):
    """The first page shows the outline before the lessons are read: a lesson that turns out broken is not known
    there yet (no overlay). Once an open page asks for news the rest is read: the page gets the findings as after a
    broken save (event `broken`, file:line and rule code), every page shows them in the overlay, stderr lists them;
    the lessons shown stay browsable, and fixing the file clears the overlay."""
    project = copy_course(tmp_path / "p")
    path = project / BROKEN
    original = path.read_text(encoding="utf-8")
    broken = original.replace("## Social Impact Bonds", "A link to [nowhere](no-such-lesson.md).\n\n## Social Impact "
                              "Bonds", 1)
    assert broken != original
    line = broken.splitlines().index("A link to [nowhere](no-such-lesson.md).") + 1
    path.write_text(broken, encoding="utf-8")
    srv = Server(project, "--instance", "en")
    try:
        status = srv.status()
        assert status["outline_only"] == 23 + 3 and not status["findings"]  # lessons, About, Handouts, Updates
        code, outline = srv.get("/en/")
        assert code == 200 and 'id="olxkit-overlay" class="overlay" hidden' in outline
        assert "Social Impact Bonds" in outline  # the broken lesson's units are in the outline
        code, unit = srv.get("/en/unit/m1-defining/welcome")
        assert code == 200 and "olxkit-overlay\" class=\"overlay\" hidden" in unit
        assert srv.status()["outline_only"] == 22 + 3
        name, data = _events(srv.port, srv.status()["version"])  # an open page asks for news: the rest is read
        assert name == "broken", (name, data)
        found = [(f["path"], f["line"], f["code"]) for f in data["findings"]]
        assert (BROKEN, line, "LNK001") in found, found
        status = srv.status()
        assert status["outline_only"] == 22 + 3 and status["findings"]  # the version read so far stays
        for page in ("/en/", "/en/unit/m1-defining/welcome"):
            code, body = srv.get(page)
            assert code == 200 and 'class="overlay" hidden' not in body, page
            assert f"{BROKEN}:{line}" in body and "LNK001" in body, page
        path.write_text(original, encoding="utf-8")
        name, data = _events(srv.port, status["version"], until="reload")
        assert name == "reload" and data["version"] == status["version"] + 1, (name, data)
        status = srv.status()
        assert not status["findings"] and status["outline_only"] == 0
        assert 'class="overlay" hidden' in srv.get("/en/")[1]
    finally:
        code, _out, err = srv.stop()
    assert code == 0, err
    assert f"{BROKEN}:{line}" in err and "The course has errors" in err
    assert "Traceback" not in err


def test_a_broken_lesson_shown_before_the_rest_is_read(tmp_path):
    """Its page lists its errors (the course's other pages stay as they were); a jump to a block of a lesson not
    read yet reads the rest of the course first."""
    project = copy_course(tmp_path / "p")
    quiz = "modules/05-financing/03-quiz.md"
    path = project / quiz
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("```problem\n", "```problem\nnot_a_key: 1\n", 1), encoding="utf-8")
    srv = Server(project, "--instance", "en")
    try:
        code, outline = srv.get("/en/")
        unit = re.search(r'href="(/en/unit/m5-quiz/[^"]+)"', outline)
        assert code == 200 and unit, "the broken lesson is in the outline"
        code, page = srv.get(unit.group(1))
        assert code == 500 and quiz in page and "not_a_key" in page
        code, page = srv.get("/en/unit/m1-defining/welcome")
        assert code == 200 and "Welcome to the Social Innovation Academy" in page
        assert quiz in page and 'class="overlay" hidden' not in page  # with the errors found so far
        code, page = srv.get("/en/jump_to_id/m1-quiz_part-1_m1-q-definition")
        assert code == 404 and "not_a_key" in page  # the rest of the course cannot be read: the block is not known
        path.write_text(text, encoding="utf-8")
        deadline = time.monotonic() + 30
        while srv.status()["findings"] and time.monotonic() < deadline:
            time.sleep(0.1)
        code, page = srv.get("/en/jump_to_id/m1-quiz_part-1_m1-q-definition")
        assert code == 200 and 'id="m1-quiz_part-1_m1-q-definition"' in page
    finally:
        assert srv.stop()[0] == 0
