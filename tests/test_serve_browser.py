"""`olxkit serve` in a real browser (Debian's Chromium through Selenium): what an author and a reviewer do."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from helpers import REPO, copy_course
from serve_helpers import Server, chromium, require_browser

QUIZ = "modules/01-what-is-social-innovation/03-quiz.md"
LESSON = "modules/01-what-is-social-innovation/01-defining-social-innovation.md"
SHOTS = os.environ.get("OLXKIT_SCREENSHOTS")  # a folder: write the README's screenshots there


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_course(tmp_path_factory.mktemp("serve-browser"))


@pytest.fixture(scope="module")
def server(project):
    require_browser()
    srv = Server(project)
    yield srv
    code, _out, err = srv.stop()
    assert code == 0, err


@pytest.fixture(scope="module")
def browser(server):
    driver = chromium()
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait(driver, condition, timeout: float = 25):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # The page reloads itself while we look: an element found a moment ago may be gone.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(condition)


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def all_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def shot(driver, name: str, height: int = 900):
    if SHOTS:
        driver.set_window_size(1100, height)
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / name))


def test_outline_and_walking_three_units(server, browser):
    browser.get(server.url + "/")
    assert browser.current_url.endswith("/en/")
    assert "preview" in css(browser, ".preview-banner").text.lower()
    assert "not Open edX" in css(browser, ".preview-banner").text
    modules = [h.text for h in all_css(browser, "section.module h2")]
    assert modules[0] == "What is social innovation?"
    assert any("Graded" in b.text for b in all_css(browser, ".badge.graded"))
    shot(browser, "preview-outline.png", 760)
    all_css(browser, "ol.units a")[0].click()
    titles = [css(browser, "h1.unit-title").text]
    for _ in range(2):
        css(browser, "a.next").click()
        titles.append(css(browser, "h1.unit-title").text)
    assert titles[0] == "Welcome to the Social Innovation Academy"
    assert len(set(titles)) == 3, titles
    css(browser, "a.prev").click()
    assert css(browser, "h1.unit-title").text == titles[1]


def test_problem_wrong_hint_right(server, browser):
    browser.get(server.url + "/en/unit/m1-quiz/part-1")
    problem = css(browser, "#m1-quiz_part-1_m1-q-definition")
    radios = problem.find_elements("css selector", "input[type=radio]")
    radios[0].click()
    problem.find_element("css selector", "button.submit").click()
    feedback = problem.find_element("css selector", ".response-feedback")
    wait(browser, lambda d: "Incorrect" in feedback.text)
    assert "Selling to people with low incomes is not enough" in feedback.text
    assert "Attempts: 1 of 2" in problem.find_element("css selector", ".attempts").text
    problem.find_element("css selector", "button.hint").click()
    wait(browser, lambda d: "Hint 1 of 1:" in problem.find_element("css selector", ".hints").text)
    assert "two sides" in problem.find_element("css selector", ".hints").text
    radios[1].click()
    problem.find_element("css selector", "button.submit").click()
    wait(browser, lambda d: feedback.text.startswith("Correct"))
    assert "Score: 1 of 1" in problem.find_element("css selector", ".notification").text
    # showanswer: finished — the answer may be shown once the problem is answered correctly.
    show = problem.find_element("css selector", "button.show-answer")
    assert show.is_displayed()
    show.click()
    wait(browser, lambda d: problem.find_element("css selector", ".solution").is_displayed())
    assert not problem.find_element("css selector", "button.submit").is_enabled()  # 2 of 2 attempts used
    # A text question: case does not matter, as in Open edX.
    text = css(browser, "#m1-quiz_part-1_m1-q-ends-means")
    text.find_element("css selector", "input[type=text]").send_keys("MEANS")
    text.find_element("css selector", "button.submit").click()
    wait(browser, lambda d: text.find_element("css selector", ".response-feedback").text.startswith("Correct"))
    browser.execute_script("window.scrollTo(0, 0)")
    shot(browser, "preview-problem.png", 1000)


def test_switch_to_italian(server, browser):
    browser.get(server.url + "/en/unit/m1-quiz/part-1")
    css(browser, '.instances a[hreflang="it"]').click()
    assert browser.current_url.endswith("/it/unit/m1-quiz/part-1")
    assert css(browser, "h1.unit-title").text == "Parte 1: definizioni ed esempi"
    assert browser.find_element("css selector", "html").get_attribute("lang") == "it"
    # The preview's own words are Italian too (olxkit's catalog), and so is what its script writes.
    assert css(browser, "button.submit").text == "Invia"
    assert [a.text for a in all_css(browser, ".course-tabs a")] == ["Struttura del corso", "Informazioni", "Materiali",
                                                                     "Aggiornamenti"]
    assert css(browser, ".preview-banner").text.startswith("Questa è un'anteprima creata da olxkit")
    assert css(browser, "a.next").text.startswith("Successivo: ")
    toggle = css(browser, "label[for=show-fallbacks]").text
    assert toggle == "Evidenzia i testi non ancora tradotti (0 in questa pagina)"
    problem = css(browser, "#m1-quiz_part-1_m1-q-definition")
    assert problem.find_element("css selector", "button.hint").text == "Suggerimento"
    problem.find_elements("css selector", "input[type=radio]")[0].click()
    problem.find_element("css selector", "button.submit").click()
    wait(browser, lambda d: "Errato" in problem.find_element("css selector", ".response-feedback").text)
    assert problem.find_element("css selector", ".notification").text == "Punteggio: 0 su 1"
    assert problem.find_element("css selector", ".attempts").text == "Tentativi: 1 su 2"
    problem.find_element("css selector", "button.reset").click()
    wait(browser, lambda d: not problem.find_element("css selector", ".response-feedback").text)
    shot(browser, "preview-italian.png", 1000)


def test_live_edit_overlay_and_fix(server, browser, project):
    path = project / LESSON
    original = path.read_text(encoding="utf-8")
    browser.get(server.url + "/en/unit/m1-defining/welcome")
    marker = "A sentence added while the page was open."
    browser.execute_script("window.olxkitMarker = 1")  # gone after a reload: proves the page reloaded itself
    path.write_text(original.replace("Welcome! This first module", f"{marker}\n\nWelcome! This first module"),
                    encoding="utf-8")
    wait(browser, lambda d: marker in css(d, "main").text)
    assert browser.execute_script("return window.olxkitMarker") is None
    status = server.status()
    assert status["reparsed"] == [LESSON]
    # A broken save: the overlay lists the finding; the last good version stays.
    path.write_text(original.replace("title: Defining social innovation", "title: [unclosed"), encoding="utf-8")
    wait(browser, lambda d: css(d, "#olxkit-overlay").is_displayed())
    text = css(browser, "#olxkit-overlay").text
    assert f"{LESSON}:2" in text and re.search(r"\b[A-Z]{3}\d{3}\b", text), text  # file:line and rule code
    assert marker in css(browser, "main").text
    shot(browser, "preview-overlay.png", 700)
    # Fixed: the overlay goes.
    path.write_text(original, encoding="utf-8")
    wait(browser, lambda d: marker not in css(d, "main").text)
    assert not css(browser, "#olxkit-overlay").is_displayed()


def test_screenshots_are_small():
    shots = sorted((REPO / "docs" / "img").glob("preview-*.png"))
    assert len(shots) >= 3
    for png in shots:
        assert png.stat().st_size < 300_000, png


if SHOTS:  # pragma: no cover - `OLXKIT_SCREENSHOTS=docs/img pytest tests/test_serve_browser.py` refreshes them
    shutil.rmtree(Path(SHOTS) / ".tmp", ignore_errors=True)


def test_only_the_untranslated_paragraph_is_marked(tmp_path, browser):
    """A catalog with one untranslated paragraph: with the toggle on, that paragraph (and nothing else) is
    highlighted, saying the language it is shown in."""
    project = copy_course(tmp_path / "p")
    catalog = project / "locale/it.po"
    text = catalog.read_text(encoding="utf-8")
    msgid = 'msgid "Welcome! This first module'
    at = text.index(msgid)
    start = text.index("msgstr ", at)
    end = text.index("\n\n", start)
    catalog.write_text(text[:start] + 'msgstr ""' + text[end:], encoding="utf-8")
    srv = Server(project, "--instance", "it")
    try:
        browser.get(srv.url + "/it/unit/m1-defining/welcome")
        toggle = css(browser, "#show-fallbacks")
        if toggle.is_selected():  # the choice is remembered between pages
            toggle.click()
        paragraphs = all_css(browser, "main .xblock p, main h1, main h2, main h3, main li")
        plain = {p.value_of_css_property("background-color") for p in paragraphs}
        toggle.click()
        assert css(browser, "body").get_attribute("class") == "show-fallbacks"
        marked = [p for p in paragraphs if p.value_of_css_property("background-color") not in plain]
        assert len(marked) == 1, [p.text[:40] for p in marked]
        assert marked[0].tag_name == "p" and marked[0].get_attribute("lang") == "en"
        assert "Welcome! This first module" in marked[0].text
        label = browser.execute_script("return getComputedStyle(arguments[0], '::before').content", marked[0])
        assert label == '"Non ancora tradotto: mostrato in inglese"'
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", marked[0])
        shot(browser, "preview-fallback.png", 700)
        others = [p for p in paragraphs if p != marked[0]]
        assert all(browser.execute_script("return getComputedStyle(arguments[0], '::before').content", p) == "none"
                   for p in others[:20])
        toggle.click()  # off again: nothing is highlighted
        assert {p.value_of_css_property("background-color") for p in paragraphs} == plain
    finally:
        assert srv.stop()[0] == 0
