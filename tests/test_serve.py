"""`olxkit serve` over HTTP: a real server on 127.0.0.1, its pages, files, problems and safety."""

from __future__ import annotations

import html
import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import polib
import pytest

from helpers import copy_course, run_cli
from serve_helpers import REPO, Server, free_port

LESSON = "modules/01-what-is-social-innovation/01-defining-social-innovation.md"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_course(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def server(project):
    srv = Server(project)
    yield srv
    code, _out, err = srv.stop()
    assert code == 0, err


def post(server: Server, path: str, body: dict, cookie: str = "") -> tuple[dict, str]:
    req = urllib.request.Request(server.url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Cookie": cookie})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read()), r.headers.get("Set-Cookie", "").split(";")[0]


def test_every_instance_every_page(server):
    assert server.get("/")[0] == 200  # redirected to the first instance
    slugs = server.status()["instances"]
    assert slugs == ["en", "it", "de", "de-AT", "hu", "sl", "sk", "pl"]
    for slug in slugs:
        status, outline = server.get(f"/{slug}/")
        assert status == 200 and f'<html lang="{slug}">' in outline
        units = re.findall(rf'href="(/{slug}/unit/[^"]+)"', outline)
        assert len(units) > 30
        for path in (f"/{slug}/about", f"/{slug}/handouts", f"/{slug}/updates", units[0], units[-1]):
            status, page = server.get(path)
            assert status == 200, path
            assert '<div class="preview-banner" role="note">' in page
            assert ("not Open edX" in page) == (slug == "en"), (slug, path)  # the banner in each one's language


def test_component_html_is_the_archive_html(server, embedded_build):
    """The preview shows the files `olxkit build` writes, only with /static/ and /jump_to_id/ pointed at itself."""
    _result, out = embedded_build
    tree = Path(out) / "SocialiMakers+SIA+2026_T1_IT"  # the Italian instance's run (course/instances.yaml)
    status, page = server.get("/it/unit/m1-europe/bologna-case")
    assert status == 200
    checked = 0
    for html_file in sorted((tree / "html").glob("m1-europe_bologna-case_*.html")):
        body = html_file.read_text(encoding="utf-8")
        shown = re.sub(r'(\s(?:href|src)=["\'])/(static|jump_to_id)/', r"\1/it/\2/", body)
        assert shown in page, html_file.name
        checked += 1
    assert checked >= 1


def test_lazy_translation_is_the_builds(tmp_path):
    """The preview translates a lesson when it is shown, gating each translation as it is used: every lesson's
    OLX is still the archive's, byte for byte, with a translation the gate rejects (it falls back) and one
    missing (it falls back), and both are marked."""
    from olxkit.serve import pages
    from olxkit.serve.cache import Preview

    project = copy_course(tmp_path / "p")
    po = polib.pofile(str(project / "locale/it.po"))
    rejected = next(e for e in po if e.msgid.startswith("Welcome! This first module"))
    rejected.msgstr += " **"  # unbalanced Markdown: the gate keeps it out (TRN003)
    missing = next(e for e in po if e.msgctxt is None and e.msgid.startswith("This definition builds on the work"))
    missing.msgstr = ""
    po.save()
    result = run_cli("build", str(project), "--instance", "it", "-o", str(tmp_path / "out"), "-j", "1")
    assert result.exit_code == 0, result.output
    tree = tmp_path / "out" / "SocialiMakers+SIA+2026_T1_IT"
    preview = Preview(project, "it")
    assert preview.reload()
    site = preview.site("it")
    compared = 0
    for lesson in site.source.lessons():
        for name, data in site.lesson_olx(lesson.id).files.items():
            assert (tree / name).read_bytes() == data, name
            compared += 1
    assert compared > 200
    for which, name in (("about", "about/overview.html"), ("handouts", "info/handouts.html")):
        assert site.pages().files[name] == (tree / name).read_bytes(), which
    page = pages.unit_page(preview, site, site.place_of("m1-defining", "welcome"))
    marked = re.findall(r'<p data-fallback="[^"]*" lang="en">(.*?)</p>', page, re.S)
    assert len(marked) == 1 and marked[0].startswith("Welcome! This first module")
    page = pages.unit_page(preview, site, site.place_of("m1-defining", "working-definition"))
    marked = re.findall(r'<(\w+) data-fallback="[^"]*" lang="en">(.*?)</\1>', page, re.S)
    assert [(tag, text[:34]) for tag, text in marked] == [("p", "This definition builds on the work")]


def test_links_math_video_discussion(server):
    status, page = server.get("/it/unit/m1-defining/welcome")
    links = re.findall(r'href="(/it/jump_to_id/[^"#]+)', page)
    assert links, "lesson links are /jump_to_id/ links"
    assert server.get(links[0])[0] == 200
    # The transcript in the unit's language, whatever the network.
    assert 'lang="it"' in page and "Ciao e benvenuti nella Social Innovation Academy." in page
    assert '<video class="video-player" controls' in page and "m1-intro.mp4" in page
    status, page = server.get("/en/unit/m1-europe/your-turn")
    assert "placeholder discussion" in page
    status, page = server.get("/en/unit/m2-listening/methods")
    assert "\\[\\text{response rate}" in page
    status, script = server.get("/__olxkit__/mathjax/es5/tex-chtml.js")
    assert status == 200 and "MathJax" in script and len(script) > 500_000
    images = re.findall(r'src="(/en/static/[^"]+)"', server.get("/en/unit/m1-defining/welcome")[1] +
                        server.get("/en/unit/m1-europe/six-stages")[1])
    assert images and all(server.get(i)[0] == 200 for i in images)


def test_paths_that_leave_the_project_get_404(server, project):
    (project / "course/static/images").mkdir(parents=True, exist_ok=True)
    for path in ("/en/static/../course/course.yaml", "/en/static/%2e%2e/%2e%2e/course/course.yaml",
                 "/en/static/..%2fcourse.yaml", "/en/static/%2Fetc%2Fpasswd", "/en/static//etc/passwd",
                 "/en/static/images/", "/en/static/", "/__olxkit__/assets/", "/__olxkit__/mathjax/",
                 "/__olxkit__/mathjax/../../../", "/nowhere/", "/en/unit/nope/nope", "/en/jump_to_id/nope"):
        status, body = server.get(path)
        assert status == 404, path
        assert "Index of" not in body and "root:" not in body
    link = project / "course/static/outside.txt"
    link.symlink_to("/etc/passwd")
    try:
        time.sleep(1.5)
        assert server.get("/en/static/outside.txt")[0] == 404
    finally:
        link.unlink()
        time.sleep(1.5)


def test_problem_grading_state_in_memory(server):
    url = "/en/xblock/m1-quiz_part-1_m1-q-definition"
    state, cookie = post(server, url + "/state", {})
    assert state["attempts"] == 0 and state["max_attempts"] == 2 and not state["can_show_answer"]
    wrong, _ = post(server, url + "/submit", {"answers": [0]}, cookie)
    assert wrong["results"][0]["correctness"] == "incorrect"
    assert "Selling to people with low incomes" in wrong["results"][0]["feedback"][0]
    assert wrong["attempts"] == 1 and not wrong["can_show_answer"]  # showanswer: finished
    hint, _ = post(server, url + "/hint", {"index": 0}, cookie)
    assert hint["total"] == 1 and "two sides" in hint["hint"]
    refused, _ = post(server, url + "/show_answer", {}, cookie)
    assert "not available" in refused["error"]
    right, _ = post(server, url + "/submit", {"answers": [1]}, cookie)
    assert right["results"][0]["correctness"] == "correct" and right["weighted_earned"] == 1
    assert right["attempts"] == 2 and not right["can_submit"] and right["can_show_answer"]
    answer, _ = post(server, url + "/show_answer", {}, cookie)
    assert answer["answers"] == [{"choices": [1]}] and "BEPA defines" in answer["solution"]
    again, _ = post(server, url + "/submit", {"answers": [1]}, cookie)
    assert again["error"] == "No attempts left for this problem." and again["attempts"] == 2
    # Another browser starts afresh; an unreadable number counts no attempt.
    other, _ = post(server, url + "/state", {})
    assert other["attempts"] == 0


def test_untranslated_texts_are_marked(tmp_path):
    """Only the texts that fell back are marked, each with the language it is shown in; a problem with one
    untranslated choice falls back whole (as in the build): its fields are marked, the preview's buttons not."""
    project = copy_course(tmp_path / "p")
    po = polib.pofile(str(project / "locale/it.po"))
    gone = next(e for e in po if e.msgid.startswith("Welcome! This first module"))
    gone.msgstr = ""
    choice = next(e for e in po if e.msgctxt == "choice" and e.msgid.startswith("Any project that is run by a non"))
    choice.msgstr = ""
    po.save()
    srv = Server(project, "--instance", "it")
    try:
        assert srv.status()["instances"] == ["it"]
        status, page = srv.get("/it/unit/m1-defining/welcome")
        assert status == 200 and 'id="show-fallbacks"' in page
        marked = re.findall(r'<(\w+)([^>]*data-fallback="[^"]*"[^>]*)>(.*?)</\1>', page, re.S)
        assert len(marked) == 1, marked
        tag, attrs, text = marked[0]
        assert tag == "p" and text.startswith("Welcome! This first module")
        assert 'data-fallback="Non ancora tradotto: mostrato in inglese"' in attrs and 'lang="en"' in attrs
        assert "(1 in questa pagina)" in page
        status, other = srv.get("/it/unit/m1-defining/working-definition")
        assert "data-fallback=" not in other and "(0 in questa pagina)" in other

        status, quiz = srv.get("/it/unit/m1-quiz/part-1")
        problem = re.search(r'<div class="problem" id="m1-quiz_part-1_m1-q-definition".*?</form></div>', quiz, re.S)
        fields = re.findall(r'<(h3|legend|label|p)\b[^>]*data-fallback="[^"]*" lang="en"[^>]*>(.*?)</\1>',
                            problem.group(0), re.S)
        assert ("h3", "The BEPA definition") in fields
        choices = [text for tag, text in fields if tag == "label"]
        assert len(choices) == 4 and any(c.startswith("Any project that is run by a non") for c in choices)
        assert 'data-fallback-lang="en"' in problem.group(0)  # its hints and feedback are marked when shown
        assert not re.search(r"<button[^>]*data-fallback", problem.group(0))
        # The other problems of the unit are translated: nothing of theirs is marked.
        rest = quiz.replace(problem.group(0), "")
        assert "data-fallback=" not in rest.split('<main id="main">', 1)[1]
    finally:
        assert srv.stop()[0] == 0


def test_every_fallen_back_text_is_found_on_its_page(tmp_path):
    """With every paragraph, heading, list item, cell and problem field of the Italian catalog untranslated, each
    one is marked where it shows (images by their alternative text, texts with {{ placeholders }} filled in): no
    text is left to a note on its whole component."""
    from olxkit.serve import pages
    from olxkit.serve.cache import Preview

    project = copy_course(tmp_path / "p")
    po = polib.pofile(str(project / "locale/it.po"))
    gone = [e for e in po if e.msgctxt in (None, "choice", "question", "problem title", "unit title")]
    for entry in gone:
        entry.msgstr = ""
    po.save()
    preview = Preview(project, "it")
    assert preview.reload()
    site = preview.site("it")
    label = 'data-fallback="Non ancora tradotto: mostrato in inglese"'
    marked = 0
    for place in site.places:
        page = pages.unit_page(preview, site, place)
        assert "mostrato in inglese: " not in page, place.url_name  # a note: a text not found
        marked += page.count(label)
    assert marked > 1200
    for which in ("about", "handouts", "updates"):
        page = pages.page(preview, site, which)
        assert label in page and "mostrato in inglese: " not in page, which
    outline = pages.outline(preview, site)
    assert outline.count(label) == len(site.places)  # every unit title


def test_the_preview_speaks_the_instance_language(server):
    """Its own words come from olxkit's catalog (olxkit/i18n/messages/), in each instance's language."""
    status, page = server.get("/it/unit/m1-quiz/part-1")
    assert status == 200
    page = html.unescape(page)
    for italian in ("Struttura del corso", "Informazioni", "Materiali", "Aggiornamenti", "Vai al contenuto",
                    "Questa è un'anteprima creata da olxkit", "Invia", "Suggerimento", "Mostra la risposta",
                    "Ricomincia", "Punti disponibili: ", "Successivo: ", "Precedente: ", "anteprima olxkit</title>",
                    'aria-label="Istanze del corso"', "Evidenzia i testi non ancora tradotti (0 in questa pagina)"):
        assert italian in page, italian
    labels = json.loads(re.search(r"labels: (\{.*?\})\};", page).group(1))
    assert labels["correct"] == "Corretto" and labels["score"] == "Punteggio: {earned} su {possible}"
    for english in (">Submit<", ">Hint<", "Show answer", ">Reset<", "Course outline", "Skip to content", "Next: "):
        assert english not in page, english
    status, english_page = server.get("/en/unit/m1-quiz/part-1")
    assert ">Submit<" in english_page and "show-fallbacks" not in english_page
    # The grader's messages too.
    url = "/it/xblock/m1-quiz_part-1_m1-q-definition"
    answer, _ = post(server, url + "/show_answer", {})
    assert answer.get("error") in (None, "La risposta non è ancora disponibile."), answer


def test_the_switcher_names_each_language_in_itself(server):
    """The instance switcher names each language as CLDR does in that language; the common ones come from a
    table (naming a language through Babel reads its CLDR data: eight of them before the first page)."""
    from babel import Locale

    from olxkit.serve.pages import ENDONYMS

    for code, name in ENDONYMS.items():
        assert Locale.parse(code).get_display_name(code) == name, code
    status, page = server.get("/en/")
    assert status == 200
    page = html.unescape(page)
    for name in ("English", "italiano", "Deutsch", "Deutsch (Österreich)", "magyar", "slovenščina", "slovenčina",
                 "polski"):
        assert f'<span class="lang-name">{name}</span>' in page, name


def test_host_warning_and_clean_stop(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "olxkit", "serve", str(REPO), "--host", "0.0.0.0", "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__olxkit__/status", timeout=5)
            break
        except OSError:
            time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "warning: serving on 0.0.0.0" in err
    assert "Traceback" not in err + out


def test_unknown_instance_is_a_usage_error():
    result = run_cli("serve", str(REPO), "--instance", "xx", "--port", str(free_port()))
    assert result.exit_code == 2
    assert "SRV001" in result.output and "no enabled instance `xx`" in result.output


def test_serve_help():
    result = run_cli("serve", "--help")
    assert result.exit_code == 0
    for words in ("--instance", "--host", "--port", "--open", "Ctrl-C", "/de-AT/"):
        assert words in result.output


def test_lesson_cache_reparses_only_what_changed(tmp_path):
    from olxkit.source.cache import LessonCache
    from olxkit.source.loader import load_course_with_warnings

    project = copy_course(tmp_path / "p")
    cache = LessonCache()
    first, warnings = load_course_with_warnings(project, cache)
    lessons = sum(1 for _ in first.lessons())
    assert len(cache.parsed) == lessons and cache.reused == 0
    again, again_warnings = load_course_with_warnings(project, cache)
    assert cache.parsed == [] and cache.reused == lessons
    assert again_warnings == warnings
    path = project / LESSON
    path.write_text(path.read_text(encoding="utf-8").replace("Welcome!", "Hello!"), encoding="utf-8")
    edited, _ = load_course_with_warnings(project, cache)
    assert cache.parsed == [LESSON] and cache.reused == lessons - 1
    unchanged = [a is b for a, b in zip(first.lessons(), edited.lessons(), strict=True)]
    assert unchanged.count(False) == 1
    # A course-wide setting the lessons depend on re-reads them all.
    course_yaml = project / "course/course.yaml"
    course_yaml.write_text(course_yaml.read_text(encoding="utf-8").replace("problems:", "problems:\n  weight: 2", 1),
                           encoding="utf-8")
    load_course_with_warnings(project, cache)
    assert len(cache.parsed) == lessons


def test_uvicorn_without_its_command_line():
    """The preview imports uvicorn's Config and Server without its command line and process supervisors (time
    before the first page); the package is still whole for anything that asks for more of it later."""
    code = ("import sys\n"
            "from olxkit.serve.server import uvicorn_classes\n"
            "Config, Server = uvicorn_classes()\n"
            "import uvicorn.lifespan.on, uvicorn.protocols.http.h11_impl\n"
            "assert 'uvicorn.main' not in sys.modules and 'uvicorn.supervisors' not in sys.modules\n"
            "import uvicorn\n"
            "assert uvicorn.Config is Config and uvicorn.Server.__name__ == 'Server' and callable(uvicorn.run)\n"
            "assert 'uvicorn.main' in sys.modules and uvicorn.__version__\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_compiled_templates_are_kept_privately():
    """The pages' templates are compiled once per user and kept by jinja2 (in its private folder), as .pyc files
    are: a page made from the kept code is the page made from the template."""
    import os
    import stat

    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from olxkit.serve import pages

    cache = pages._ENV.bytecode_cache
    assert cache is not None
    folder = Path(cache.directory)
    mode = folder.stat().st_mode
    assert folder.stat().st_uid == os.getuid() and not mode & (stat.S_IRWXG | stat.S_IRWXO)
    context = {"preview": None, "site": None, "instances": [], "ui": pages.interface("en"), "findings": [],
               "version": 1, "fallback_count": 0, "title": "Not found", "message": "Nothing here."}
    kept = pages._ENV.get_template("message.html").render(context)
    assert list(folder.glob("olxkit-*.cache"))
    fresh = Environment(loader=FileSystemLoader(str(pages.TEMPLATES)), autoescape=select_autoescape(["html"]),
                        trim_blocks=True, lstrip_blocks=True)
    assert fresh.get_template("message.html").render(context) == kept
