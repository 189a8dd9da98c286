"""One OLX reader (olx/read.py `walk_course`, `pointer_path`): diff, validate's OLX gate, the learner-state
record and the importer read a course's blocks the same way, so an odd but valid OLX shape means the same to all.

The shape planted here is a pointer whose url_name holds `:`, which Open edX loads from a sub-folder
(`<problem url_name="secret:quiz"/>` → problem/secret/quiz.xml; olx-spec §1.4, the toy course's
`html url_name="secret:toylab"`). Studio's import gate (olxcleaner) is the judge that the shape is valid.
"""

from __future__ import annotations

from olxkit.check.validate import olx_gate
from olxkit.importer import read_olx, read_source
from olxkit.olx.archive import write_files
from olxkit.olx.learners import learner_blocks
from olxkit.olx.read import load_snapshot, pointer_path
from olxkit.olx_export import OlxTree, export_olx
from olxkit.source.loader import load_course

from conformance import format_findings, olxcleaner_errors
from helpers import make_project

NAME = "quiz_check_q1"
ODD = f"secret:{NAME}"
ODD_FILE = f"problem/secret/{NAME}.xml"


def _errors(folder) -> set[tuple[str, str]]:
    return {(f.name, f.description) for f in olxcleaner_errors(folder)}


def _copy(tree: OlxTree) -> OlxTree:
    return OlxTree(dict(tree.files), dict(tree.assets), tree.counts, dict(tree.origins))


def _planted(tree: OlxTree) -> OlxTree:
    """The same course with the quiz's problem behind a `secret:` pointer, its file in problem/secret/."""
    odd = _copy(tree)
    odd.files[ODD_FILE] = odd.files.pop(f"problem/{NAME}.xml")
    vertical = odd.files["vertical/quiz_check.xml"]
    assert f'<problem url_name="{NAME}"/>'.encode() in vertical
    odd.files["vertical/quiz_check.xml"] = vertical.replace(f'url_name="{NAME}"'.encode(), f'url_name="{ODD}"'.encode())
    return odd


def test_a_pointer_with_a_colon_reads_the_same_in_diff_the_gate_learners_and_import(tmp_path):
    root = make_project(tmp_path / "course", {})
    tree, diags = export_olx(load_course(root))
    assert diags.items == []
    odd = _planted(tree)
    assert pointer_path("problem", ODD) == ODD_FILE
    write_files(tree, tmp_path / "plain")
    write_files(odd, tmp_path / "odd")

    # Studio's import gate accepts the shape: it finds nothing more wrong than in the plain course
    assert _errors(tmp_path / "odd") == _errors(tmp_path / "plain"), \
        format_findings(olxcleaner_errors(tmp_path / "odd"))
    # validate's OLX gate finds the block's file, as Studio does
    assert olx_gate(odd) == []
    # diff reads the problem from that file: the same content, responses and answers as the plain course's
    plain, planted = load_snapshot(tmp_path / "plain"), load_snapshot(tmp_path / "odd")
    before, after = plain.blocks[f"problem/{NAME}"], planted.blocks[f"problem/{ODD}"]
    assert after.content == before.content and after.responses == before.responses and after.responses
    assert after.answers == before.answers and after.display_name == before.display_name
    assert ODD_FILE not in planted.files, "the file is read as the block's definition, not as a stray file"
    # the build's learner-state record reads the same problem
    learners = learner_blocks(odd.files)
    assert learners[f"problem/{ODD}"] == learner_blocks(tree.files)[f"problem/{NAME}"]
    # the importer too
    imported = {b.ref: b for b in read_olx(read_source(tmp_path / "odd")).blocks()}
    assert imported[f"problem/{ODD}"].file == ODD_FILE


def test_without_its_file_every_reader_sees_the_pointer_dangle(tmp_path):
    root = make_project(tmp_path / "course", {})
    tree, _ = export_olx(load_course(root))
    odd = _planted(tree)
    del odd.files[ODD_FILE]
    [finding] = olx_gate(odd)
    assert finding.message == (f'<problem url_name="{ODD}"> points to {ODD_FILE}, which is missing '
                               "(in the OLX: vertical/quiz_check.xml)")
    write_files(odd, tmp_path / "odd")
    write_files(tree, tmp_path / "plain")
    # Studio's import gate sees it dangle too, looking for the same file
    extra = _errors(tmp_path / "odd") - _errors(tmp_path / "plain")
    assert [name for name, text in extra if ODD_FILE in text] == ["FileDoesNotExist"]
    # diff reads the pointer as an (empty) inline block: no responses, as Studio would load it
    assert load_snapshot(tmp_path / "odd").blocks[f"problem/{ODD}"].responses == ()
    assert learner_blocks(odd.files)[f"problem/{ODD}"]["responses"] == []
