"""pytest fixtures for the Open edX conformance harness (tests/conformance.py).

Use from the main ``tests/conftest.py`` (or directly from a test module)::

    from conftest_conformance import olx_sample_dir, openedx  # noqa: F401

``openedx`` is session-scoped: Django/xblocks-contrib are set up once per test session
(about 2 s) and the fixture yields the :mod:`conformance` module, so tests call
``openedx.grade_problem(...)``, ``openedx.parse_course_blocks(...)`` etc.

The harness needs the packages of ``requirements-conformance.txt``.  When they are not
installed the fixtures *skip* the tests, except under CI (``CI`` set) or with
``OLXKIT_REQUIRE_CONFORMANCE=1``, where the missing packages are an error: a green run
must not hide a missing install step.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

import conformance

FIXTURES = Path(__file__).parent / "fixtures"
OLX_SAMPLE = FIXTURES / "olx-sample"


def _require(*modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    msg = f"conformance harness needs {', '.join(missing)}: pip install -r requirements-conformance.txt"
    if os.environ.get("CI") or os.environ.get("OLXKIT_REQUIRE_CONFORMANCE") == "1":
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def openedx():
    """The :mod:`conformance` module with Django + xblocks-contrib set up (once)."""
    _require("olxcleaner", "xblocks_contrib", "edxval", "django")
    conformance.setup_openedx()
    return conformance


@pytest.fixture(scope="session")
def olxcleaner_checker():
    """The :mod:`conformance` module, for olxcleaner-only tests (no Django needed)."""
    _require("olxcleaner")
    return conformance


@pytest.fixture(scope="session")
def olx_sample_dir() -> Path:
    """The hand-written reference course (read-only: copy it before mutating)."""
    return OLX_SAMPLE
