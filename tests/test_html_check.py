"""The HTML check gives Studio's verdict whatever lxml is installed.

Studio's import gate parses HTML with lxml 5.3.2 (libxml2 2.12), which rejects any tag outside HTML 4
("Tag section invalid"); lxml 6 (libxml2 2.14) accepts them silently. `.ci/run` runs this file under both.
"""

from __future__ import annotations

import json

import pytest
from lxml import etree

from olxkit.olx.html import check_html

from helpers import make_project, run_cli

LESSON = "modules/01-getting-started/01-welcome.md"
PAGE = "---\ntitle: Welcome\n---\n\n## Start {#start}\n\nFirst paragraph.\n\n{html}\n\nLast paragraph.\n"


def test_which_lxml_runs_this():
    # Printed with -rA / on failure: which of the two environments this run was.
    assert etree.LXML_VERSION[0] >= 5, etree.LXML_VERSION


@pytest.mark.parametrize("html, verdict", [
    ("<section>x</section>", ["Tag section invalid"]),
    ("<details><summary>More</summary>Text</details>", ["Tag details invalid", "Tag summary invalid"]),
    ("<figure><img src='a.png' alt='A'><figcaption>A</figcaption></figure>",
     ["Tag figure invalid", "Tag figcaption invalid"]),
    ("<p>a</p></div>", ["Unexpected end tag : div"]),
    ("<div><p>Fine <b>bold</b> and <abbr title='x'>x</abbr></p><table><tr><td>1</td></tr></table></div>", []),
])
def test_same_verdict_under_every_lxml(html, verdict):
    assert [problem.split(" (line")[0] for problem in check_html(html)] == verdict


@pytest.mark.parametrize("command", ["build", "validate"])
def test_an_html5_tag_stops_build_and_validate(tmp_path, command):
    project = make_project(tmp_path / "p", {LESSON: PAGE.replace("{html}", "<section>\n\nInside.\n\n</section>")})
    args = ["-o", str(tmp_path / "out"), "-q"] if command == "build" else ["--format", "json"]
    result = run_cli(command, str(project), *args)
    assert result.exit_code == 1, result.output
    if command == "validate":
        found = [(f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)["findings"]
                 if f["severity"] == "error"]
        assert found == [(LESSON, 9, "OLX002")], found
    else:
        assert f"{LESSON}:9:1: error[OLX002] the HTML made from this text is not valid: Tag section invalid" \
            in result.output
        assert not (tmp_path / "out").exists()


def test_html4_tags_pass(tmp_path):
    html = "<div class='box'><p><abbr title='Social innovation'>SI</abbr> <small>note</small></p></div>"
    project = make_project(tmp_path / "p", {LESSON: PAGE.replace("{html}", html)})
    result = run_cli("validate", str(project))
    assert result.exit_code == 0, result.output
