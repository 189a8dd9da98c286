import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import REPO, run_cli  # noqa: E402


@pytest.fixture(scope="session")
def embedded_build(tmp_path_factory):
    """The embedded course, built once per test session: (result, output folder)."""
    out = tmp_path_factory.mktemp("embedded-build")
    result = run_cli("build", str(REPO), "-o", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    return result, out
