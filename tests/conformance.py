"""Open edX conformance harness for built OLX (test-only code).

Two independent, real checkers are driven from here:

* **olxcleaner** (GPL-3.0): the validator that Studio's import task runs
  (``cms/djangoapps/contentstore/tasks.py: validate_course_olx``).  We run all 8 steps.
* **xblocks-contrib** (AGPL-3.0): Open edX's own html / video / problem (CAPA) / discussion
  block classes, used with their real ``parse_xml`` code, edx-val's real video import and
  the real CAPA engine (``LoncapaProblem`` inside ``ProblemBlock``) for rendering and grading.

This module lives in ``tests/`` only; the olxkit package never imports it, so the
GPL/AGPL packages stay test dependencies (see ``requirements-conformance.txt``).

Public API
----------
``olxcleaner_findings(course_dir)`` / ``olxcleaner_errors(course_dir)``
    Run olxcleaner (steps=8) and return :class:`Finding` records.
``setup_openedx()``
    Configure Django for xblocks-contrib (idempotent; about 2 s the first time).
``parse_course(course_dir)`` / ``parse_course_blocks(course_dir)``
    Walk course.xml -> course -> chapter -> sequential -> vertical -> components and parse
    every html / video / discussion / problem block with the real block classes.
``render_problem(xml)`` / ``grade_problem(xml, answers)`` / ``grade_problem_details(...)``
    Render and grade one ``<problem>`` with the real CAPA engine.

What olxcleaner 0.3.0 requires of OLX (read from its source; levels in brackets)
--------------------------------------------------------------------------------
Loading (step 1):

* ``course.xml`` must exist, be well-formed XML and be a ``<course>`` pointer whose
  attribute set is exactly ``{url_name, org, course}`` [ERROR CourseXMLDoesNotExist /
  InvalidXML].  Every ``.xml`` file must be well-formed [ERROR InvalidXML] and its root tag
  must match the directory it was loaded from [ERROR TagMismatch].
* A pointer is an element whose *only* attribute is ``url_name`` and that has no children
  and no text; its target ``<tag>/<url_name>.xml`` must exist [ERROR FileDoesNotExist].
  A target that is itself a bare pointer [ERROR SelfPointer / PointerAlreadyPointedAt].
  An element that is empty, carries ``url_name`` *and* other attributes and may not be
  empty (course, chapter, sequential, vertical, html without ``filename``, problem)
  [ERROR InvalidPointer].  An inline element whose ``<tag>/<url_name>.xml`` also exists
  [WARNING PossiblePointer].  ``url_name`` in a pointed-to file that differs from the
  file name [WARNING URLNameMismatch].  ``:`` in url_name [WARNING NonFlatURLName].
* Hierarchy: course > chapter (or wiki) > sequential > vertical > {html, video,
  discussion, problem, lti, lti_consumer, drag-and-drop-v2, openassessment}.  Any other
  child tag is [ERROR UnexpectedTag] unless it is listed in ``allowed_xblocks`` (then it
  is skipped unvalidated, at any level).  Text directly inside course/chapter/sequential/
  vertical [ERROR UnexpectedContent].  An empty chapter/sequential/vertical/problem
  [WARNING EmptyTag].
* ``<html filename="x">`` (with no children) loads ``html/x.html``, which must exist
  [ERROR FileDoesNotExist] and must parse with ``lxml.etree.HTMLParser(recover=False)``
  [ERROR InvalidHTML].  The file is read with ``open()`` in the locale encoding (UTF-8 in
  any sane CI).  Which complaints count depends on the libxml2 bundled with lxml; Studio
  pins lxml 5.3.x (libxml2 2.12) and this harness pins the same.  With libxml2 < 2.14 all
  of these are InvalidHTML ERRORs:
    - mis-nested/unclosed inline tags: ``<p><b>x</p>``; stray end tags ``</div>``;
    - a block element inside ``<p>``: ``<p><div>..</div></p>``, ``<p><table>..</table></p>``;
    - **any HTML5-only or unknown tag**: section, article, aside, nav, main, header, footer,
      figure, figcaption, details, summary, mark, time, video, audio, source, picture,
      svg, math, template, custom elements (``foo-bar``) ...;
    - a bare ``&`` not starting an entity (``a & b``; write ``&amp;``);
    - ``<`` followed by a letter in text or code (``a<b``; write ``&lt;``);
    - a duplicated attribute on one element;
    - an empty or whitespace-only .html file ("Document is empty");
    - an ``<?xml ... encoding=...?>`` declaration (ValueError from lxml).
  Accepted: HTML4 tags (p, div, span, h1-h6, ul/ol/li, dl, table/thead/tbody/tr/th/td,
  pre/code, blockquote, img, a, br, hr, sup/sub, em/strong/b/i, iframe, input, script,
  style), unclosed ``<p>``/``<li>``, named entities such as ``&nbsp;``, ``<!DOCTYPE html>``.
  lxml >= 6 (libxml2 2.14) accepts HTML5 tags, bare ``&`` and empty files, so a harness
  on lxml 6 is *looser* than Studio.
* Two html blocks using the same ``filename`` [INFO DuplicateHTMLName].

Policies (step 2):

* ``course.xml`` ``url_name`` names the run; ``policies/<run>/policy.json`` **and**
  ``policies/<run>/grading_policy.json`` must both exist [ERROR PolicyNotFound] and be
  valid JSON [ERROR BadPolicy].  (The ``policies/<run>.json`` fallback that edx-platform
  reads is not looked at.)

url_names (step 3):

* Every object except ``discussion`` should have a ``url_name`` [WARNING MissingURLName]
  (inline problems/videos included; also ``<wiki>``).
* url_names must be unique **across all block types** (stricter than edx-platform, which
  keys by type) [ERROR DuplicateURLName].  The course's run name counts too, so no
  chapter/problem/... may be called like the run.

Policy merge (step 4):

* policy.json must be a JSON object [ERROR BadPolicyFormat]; every key must be
  ``"<type>/<url_name>"`` (a key without ``/`` crashes olxcleaner with ValueError;
  Studio would then *skip* validation, this harness reports ValidatorCrashed); the
  url_name must exist [WARNING PolicyRefNotFound] with that type [ERROR WrongObjectType];
  each value must be an object [ERROR BadEntry].  A key set both as XML attribute and in
  policy.json [WARNING SettingOverride] (olxcleaner keeps the XML value; edx-platform
  applies policy.json last, so policy wins there).

Grading policy (step 5), each an [ERROR GradingPolicyIssue]:

* ``GRADER`` is a non-empty list; every entry has ``type`` (string, unique),
  ``min_count`` (int >= 1), ``drop_count`` (int >= 0), ``weight`` (number in [0, 1]),
  optional ``short_label`` (string); weights sum to 1 (within 1e-8).
* ``GRADE_CUTOFFS`` is a non-empty object with only ``Pass`` or letters ``A``-``D``
  (not both), values numbers in [0, 1], letters present from A down without gaps and
  strictly decreasing; ``{"A": x}`` alone is an error (use Pass).
* A missing/empty grading_policy.json falls back to a default (but PolicyNotFound above).

Per object (step 6):

* course: ``org`` and ``course`` (from the course.xml pointer), ``start`` **and** ``end``
  (XML attribute or policy.json) [ERROR InvalidSetting when missing or unparseable by
  dateutil; values must be strings], ``start`` < ``end`` [WARNING DateOrdering],
  ``course_image`` set [ERROR InvalidSetting] and present as ``static/<course_image>``
  [WARNING MissingFile], ``graceperiod`` like ``"2 days 5 hours"`` [ERROR; a non-string
  crashes], ``attempts`` (if set) a positive int [ERROR].
* chapter/sequential/vertical/problem: ``showanswer`` in {always, answered, attempted,
  closed, finished, correct_or_past_due, past_due, never, after_attempts} (note: newer
  platform values such as after_all_attempts, attempted_no_past_due are *rejected*),
  ``rerandomize`` in {always, onreset, never, per_student}, ``show_correctness`` in
  {always, past_due, never} [ERROR InvalidSetting]; ``start``/``due`` parse as dates
  [ERROR] and are ordered against course start/end [WARNING DateOrdering].
* sequential with ``is_time_limited="true"`` needs course ``enable_timed_exams: true``
  [ERROR].
* problem: ``weight`` >= 0 (a non-numeric weight crashes olxcleaner); ``attempts`` (if
  set) positive.  ``max_attempts`` is *not* checked.  The problem body is not validated
  at all (a problem with no response passes).
* discussion: ``discussion_id``, ``discussion_category`` and ``discussion_target`` are
  required [ERROR InvalidSetting each]; loading it from ``discussion/<x>.xml`` instead of
  inline [INFO Obsolete].  (olx-spec.md §3.6 says to omit ``discussion_id``; Studio's own
  gate runs only step 1 so it never sees this, but the full 8-step run does: emit a
  stable id that is unique per course run, e.g. ``<run>-<url_name>``.)
* lti_consumer: ``lti_id`` and ``launch_url`` (unless ``hide_launch``) [ERROR].
* video, html, wiki: nothing.

Global (step 7): ``display_name`` missing/empty on course, chapter, sequential, vertical,
html, video, problem, wiki, lti, lti_consumer [WARNING MissingDisplayName]; present on
openassessment [WARNING ExtraDisplayName]; duplicate ``discussion_id`` [ERROR DuplicateID].

Links (step 8), in html bodies, problems, videos (attributes link, src, href, img, icon,
preprocessorSrc): ``/static/<path>`` must exist under ``static/`` verbatim (no
URL-decoding, no ``?raw`` stripping) [WARNING MissingFile]; ``/jump_to_id/<url_name>``
must name an existing url_name [WARNING BadJumpToLink]; ``/course/courseware/...`` must
follow the tree [WARNING BadCourseLink].

``about/``, ``info/``, ``tabs/``, ``static/`` contents are never parsed.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# olxcleaner
# --------------------------------------------------------------------------------------

#: Block types a Studio instance typically has installed (the ``xblock.v1`` entry points of
#: edx-platform plus the XBlocks bundled with it).  Studio passes *all* installed entry
#: point names as ``allowed_xblocks``; :func:`allowed_xblocks` adds the ones installed here.
STUDIO_XBLOCKS: tuple[str, ...] = (
    # edx-platform setup.py (xblock.v1)
    "about",
    "annotatable",
    "book",
    "chapter",
    "conditional",
    "course",
    "course_info",
    "custom_tag_template",
    "customtag",
    "discuss",
    "discussion",
    "error",
    "hidden",
    "html",
    "image",
    "itembank",
    "library",
    "library_content",
    "library_sourced",
    "library_v2",
    "lti",
    "poll_question",
    "problem",
    "randomize",
    "sequential",
    "slides",
    "split_test",
    "static_tab",
    "unit",
    "vertical",
    "video",
    "videoalpha",
    "videodev",
    "word_cloud",
    "wrapper",
    # XBlocks bundled with edx-platform (requirements/edx/bundled.in) and common extras
    "drag-and-drop-v2",
    "openassessment",
    "poll",
    "survey",
    "done",
    "lti_consumer",
    "google-document",
    "google-calendar",
    "recommender",
    "staffgradedxblock",
    "edx_sga",
    "crowdsourcehinter",
    "pdf",
    "invideoquiz",
    # xblocks-contrib extracted blocks
    "_annotatable_extracted",
    "_discussion_extracted",
    "_html_extracted",
    "_lti_extracted",
    "_poll_question_extracted",
    "_problem_extracted",
    "_video_extracted",
    "_word_cloud_extracted",
)

#: Studio's default ``COURSE_OLX_VALIDATION_IGNORE_LIST`` is ``None``: nothing is ignored.
DEFAULT_IGNORE: tuple[str, ...] = ()


def allowed_xblocks() -> list[str]:
    """Studio-like ``allowed_xblocks``: :data:`STUDIO_XBLOCKS` plus installed entry points."""
    from importlib.metadata import entry_points

    names = set(STUDIO_XBLOCKS)
    names.update(ep.name for ep in entry_points(group="xblock.v1"))
    return sorted(names)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One olxcleaner finding, as plain data."""

    level: str  # "DEBUG" | "INFO" | "WARNING" | "ERROR"
    name: str  # error class name, e.g. "InvalidHTML"
    filename: str  # path relative to the course directory, as olxcleaner reports it
    description: str

    def __str__(self) -> str:
        return f"{self.level} {self.name} [{self.filename}]: {self.description}"


def olxcleaner_findings(
    course_dir: str | os.PathLike[str],
    *,
    steps: int = 8,
    ignore: Iterable[str] = DEFAULT_IGNORE,
    allowed: Iterable[str] | None = None,
) -> list[Finding]:
    """Run olxcleaner on ``course_dir`` (the folder holding course.xml) and return findings.

    ``allowed`` defaults to :func:`allowed_xblocks` (what Studio passes).  If olxcleaner
    itself crashes on the input (it does on e.g. a policy key without ``/`` or a
    non-numeric problem weight; Studio then silently *skips* validation), a single
    ``ERROR ValidatorCrashed`` finding is returned instead of raising.
    """
    import olxcleaner

    path = Path(course_dir)
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        _course, errorstore, _url_names = olxcleaner.validate(
            str(path),
            steps=steps,
            ignore=list(ignore),
            allowed_xblocks=list(allowed) if allowed is not None else allowed_xblocks(),
        )
    except Exception as exc:  # noqa: BLE001 - reported as a finding on purpose
        return [Finding("ERROR", "ValidatorCrashed", "", f"olxcleaner raised {exc!r}")]
    return [Finding(e.level, e.name, e.filename, e.description) for e in errorstore.errors]


def olxcleaner_errors(course_dir: str | os.PathLike[str], **kwargs: Any) -> list[Finding]:
    """Only the ERROR-level findings of :func:`olxcleaner_findings` (what fails Studio)."""
    return [f for f in olxcleaner_findings(course_dir, **kwargs) if f.level == "ERROR"]


def format_findings(findings: Iterable[Finding]) -> str:
    """One finding per line, for assertion messages."""
    return "\n".join(str(f) for f in findings) or "(none)"


# --------------------------------------------------------------------------------------
# Django / Open edX environment
# --------------------------------------------------------------------------------------

_SETUP_DONE = False

#: Settings used by :func:`setup_openedx`.  Found by trying: these are what xblocks-contrib
#: 0.13.1 (problem templates, video import) and edx-val 5 need, and no more.
DJANGO_SETTINGS: dict[str, Any] = {
    "DEBUG": False,
    "SECRET_KEY": "olxkit-conformance-tests-only",
    "USE_TZ": True,
    "TIME_ZONE": "UTC",
    "USE_I18N": True,
    "LANGUAGE_CODE": "en",
    "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    "INSTALLED_APPS": [
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "waffle",  # edx-toggles / edx-val flags
        "edxval",  # video import writes Video/VideoTranscript rows
        "xblocks_contrib.problem.capa",  # exposes the CAPA templates to Django's loader
    ],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    "TEMPLATES": [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {},
        }
    ],
    # edx-val looks for STORAGES["video_transcripts"] / ["video_image"] first.
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "video_transcripts": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "video_image": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    },
    "VIDEO_TRANSCRIPTS_SETTINGS": {"DIRECTORY_PREFIX": "video-transcripts/"},
    "VIDEO_IMAGE_SETTINGS": {"DIRECTORY_PREFIX": "video-images/"},
    "TRANSCRIPT_LANG_CACHE_TIMEOUT": 60 * 60 * 24,  # read by edxval.api at import time
    "STATIC_URL": "/static/",
    "FEATURES": {},
    "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
    "LOGGING_CONFIG": None,
    "OPENEDX_TELEMETRY": [],  # edx-django-utils: no New Relic / Datadog backends
}


def setup_openedx() -> None:
    """Configure Django for xblocks-contrib and create the database (idempotent).

    In-memory sqlite, locmem cache, in-memory storages for edx-val, and
    ``migrate --run-syncdb``.  Raises RuntimeError if Django was already configured by
    something else without the apps this harness needs.
    """
    global _SETUP_DONE
    if _SETUP_DONE:
        return

    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(**DJANGO_SETTINGS)
    else:
        missing = set(DJANGO_SETTINGS["INSTALLED_APPS"]) - set(settings.INSTALLED_APPS)
        if missing:
            raise RuntimeError(f"Django is already configured without {sorted(missing)}")
    django.setup()

    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    import xblocks_contrib  # noqa: F401 - warm the heavy imports (CAPA, nltk, scipy) here

    _SETUP_DONE = True


# --------------------------------------------------------------------------------------
# Test runtime (built lazily: xblocks_contrib must be imported after Django is set up)
# --------------------------------------------------------------------------------------


class HarnessError(AssertionError):
    """OLX that real Open edX code rejects (carries the offending file name)."""


_RT: dict[str, Any] = {}


def _runtime_classes() -> dict[str, Any]:
    """Build (once) the runtime and service classes; needs Django set up."""
    if _RT:
        return _RT
    setup_openedx()

    import fs.osfs
    import xblocks_contrib
    from xblock.core import XBlockMixin
    from xblock.fields import Boolean, Date, Dict, Float, Integer, List, Scope, String
    from xblock.reference.user_service import UserService, XBlockUser
    from xblock.runtime import DictKeyValueStore, IdGenerator, IdReader, KvsFieldData, Runtime
    from xblocks_contrib.problem import capa_block

    class CourseIds(IdReader, IdGenerator):
        """Usage ids are opaque keys in the source course (like XMLModuleStore's
        CourseLocationManager); ``target_course_id`` is what VAL imports are tied to."""

        def __init__(self, course_key, target_course_id=None):
            self.course_key = course_key
            self.target_course_id = target_course_id

        def create_definition(self, block_type, slug=None):
            if slug is None:
                raise HarnessError(f"a <{block_type}> has no url_name")
            return self.course_key.make_usage_key(block_type, slug)

        def create_usage(self, def_id):
            return def_id

        def get_definition_id(self, usage_id):
            return usage_id

        def get_block_type(self, def_id):
            return def_id.block_type

        def create_aside(self, definition_id, usage_id, aside_type):
            raise NotImplementedError("asides are not supported by the harness")

        get_usage_id_from_aside = get_definition_id_from_aside = create_aside
        get_aside_type_from_usage = get_aside_type_from_definition = create_aside

    class LearnerService(UserService):
        """A logged-in, non-staff learner (what the LMS gives a student)."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            user = XBlockUser(is_current_user=True, full_name="Conformance Learner")
            user.opt_attrs = {
                capa_block.ATTR_KEY_USER_ID: 1,
                capa_block.ATTR_KEY_USER_IS_STAFF: False,
                capa_block.ATTR_KEY_DEPRECATED_ANONYMOUS_USER_ID: "conformance-learner",
                "edx-platform.username": "learner",
            }
            self._user = user

        def get_current_user(self):
            return self._user

    class SandboxService:
        """``<script type="loncapa/python">`` runs in-process (the LMS's path for courses in
        COURSES_WITH_UNSAFE_CODE; production normally uses codejail, which we do not have)."""

        def can_execute_unsafe_code(self):
            return ALLOW_PROBLEM_PYTHON

        def get_python_lib_zip(self):
            return None

    class ReplaceUrlsService:
        """Identity: static URL rewriting needs a contentstore, which we do not have."""

        def replace_urls(self, text, static_replace_only=False):
            return text

    class CacheService:
        def __init__(self):
            self._data = {}

        def get(self, key):
            return self._data.get(key)

        def set(self, key, value, *args, **kwargs):
            self._data[key] = value

    class NoXQueueService:
        """Present (ProblemBlock requires the service) but external graders are refused."""

        interface = None
        default_queuename = "olxkit-conformance"
        waittime = 0

        def construct_callback(self, dispatch="score_update"):
            raise HarnessError("external graders (xqueue / coderesponse) are not available")

    class InheritedFields(XBlockMixin):
        """The fields edx-platform mixes into every block
        (xmodule.modulestore.inheritance.InheritableFieldsMixin), so that e.g. ``start``,
        ``graded`` or ``group_access`` on a component are fields, not ignored attributes.
        The blocks' own definitions (ProblemBlock.max_attempts, ...) take precedence."""

        graded = Boolean(default=False, scope=Scope.settings)
        start = Date(default=None, scope=Scope.settings)
        due = Date(scope=Scope.settings)
        relative_weeks_due = Integer(scope=Scope.settings)
        visible_to_staff_only = Boolean(default=False, scope=Scope.settings)
        course_edit_method = String(default="Studio", scope=Scope.settings)
        giturl = String(scope=Scope.settings)
        xqa_key = String(scope=Scope.settings)
        graceperiod = String(scope=Scope.settings)
        group_access = Dict(scope=Scope.settings)
        showanswer = String(default="finished", scope=Scope.settings)
        show_correctness = String(default="always", scope=Scope.settings)
        rerandomize = String(default="never", scope=Scope.settings)
        days_early_for_beta = Float(default=None, scope=Scope.settings)
        static_asset_path = String(default="", scope=Scope.settings)
        use_latex_compiler = Boolean(default=False, scope=Scope.settings)
        max_attempts = Integer(scope=Scope.settings)
        matlab_api_key = String(scope=Scope.settings)
        user_partitions = List(default=[], scope=Scope.settings)
        video_speed_optimizations = Boolean(default=True, scope=Scope.settings)
        video_auto_advance = Boolean(default=False, scope=Scope.settings)
        video_bumper = Dict(scope=Scope.settings)
        show_reset_button = Boolean(default=False, scope=Scope.settings)
        edxnotes = Boolean(default=False, scope=Scope.settings)
        edxnotes_visibility = Boolean(default=True, scope=Scope.user_info)
        in_entrance_exam = Boolean(default=False, scope=Scope.settings)
        self_paced = Boolean(default=False, scope=Scope.settings)
        hide_from_toc = Boolean(default=False, scope=Scope.settings)

    class HarnessRuntime(Runtime):
        """Minimal stand-in for edx-platform's XML import runtime (ImportSystem)."""

        BLOCK_CLASSES = {
            "html": xblocks_contrib.HtmlBlock,
            "video": xblocks_contrib.VideoBlock,
            "problem": xblocks_contrib.ProblemBlock,
            "discussion": xblocks_contrib.DiscussionXBlock,
        }

        def __init__(self, course_dir, ids, policy=None):
            super().__init__(
                ids,
                ids,
                mixins=(InheritedFields,),
                services={
                    "field-data": KvsFieldData(DictKeyValueStore()),
                    "user": LearnerService(),
                    "sandbox": SandboxService(),
                    "cache": CacheService(),
                    "xqueue": NoXQueueService(),
                    "replace_urls": ReplaceUrlsService(),
                },
            )
            self.resources_fs = fs.osfs.OSFS(str(course_dir))
            self.policy = policy or {}
            self.tracked_errors: list[str] = []
            self.events: list[tuple[str, dict]] = []

        # ImportSystem API used by the blocks' parse_xml
        def error_tracker(self, msg):
            self.tracked_errors.append(msg)

        def get_policy(self, usage_id):
            return self.policy.get(f"{usage_id.block_type}/{usage_id.block_id}", {})

        def parse_asides(self, node, def_id, usage_id, id_generator):
            return []

        def get_asides(self, block):
            return []

        def load_block_type(self, block_type):
            try:
                return self.BLOCK_CLASSES[block_type]
            except KeyError:
                raise HarnessError(f"no xblocks-contrib class for <{block_type}>") from None

        # Runtime abstract API
        def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
            return f"/handler/{block.scope_ids.usage_id}/{handler_name}/{suffix}"

        def resource_url(self, resource):
            return f"/resource/{resource}"

        def local_resource_url(self, block, uri):
            return f"/local_resource/{block.scope_ids.block_type}/{uri}"

        def publish(self, block, event_type, event_data):
            self.events.append((event_type, event_data))

    _RT.update(CourseIds=CourseIds, HarnessRuntime=HarnessRuntime)
    return _RT


# --------------------------------------------------------------------------------------
# Walking and parsing a course
# --------------------------------------------------------------------------------------

CONTAINER_CHILDREN = {
    "course": ("chapter",),
    "chapter": ("sequential",),
    "sequential": ("vertical",),
    "vertical": ("html", "video", "discussion", "problem"),
}
#: Children of <course> that CourseBlock strips into fields (wiki_slug, textbooks).
NOT_PARSED = {"wiki", "textbook"}
_DEFAULT_YOUTUBE_ID = "3_yD_cEKoCk"


@dataclasses.dataclass
class ParsedBlock:
    block_type: str
    url_name: str
    filename: str  # the file that holds the definition (pointer target or inline parent)
    block: Any  # the xblocks-contrib block instance
    source_xml: str  # the block's element as authored (pointer target file or inline element)


@dataclasses.dataclass
class ParsedCourse:
    course_key: Any  # deprecated org/course/run key used while loading (like XMLModuleStore)
    target_course_key: Any  # course-v1:org+course+run
    counts: dict[str, int]
    blocks: list[ParsedBlock]
    skipped: list[str]  # "<file>: <tag>" for components the harness cannot parse
    warnings: list[str]  # silently-lossy things the real code accepts (see parse_course)

    def of_type(self, block_type: str) -> list[ParsedBlock]:
        return [b for b in self.blocks if b.block_type == block_type]


def _read_xml(course_dir: Path, rel: str):
    """Parse a course file with the platform's XML parser, raising HarnessError."""
    from lxml import etree
    from xblocks_contrib.common.xml_utils import EDX_XML_PARSER

    path = course_dir / rel
    if not path.is_file():
        raise HarnessError(f"{rel}: file does not exist")
    try:
        return etree.parse(str(path), parser=EDX_XML_PARSER).getroot()
    except etree.XMLSyntaxError as exc:
        raise HarnessError(f"{rel}: not well-formed XML: {exc}") from exc


def _load_policy(course_dir: Path, run: str) -> dict:
    """policies/<run>/policy.json (fallback policies/<run>.json), like XMLModuleStore."""
    for rel in (f"policies/{run}/policy.json", f"policies/{run}.json"):
        path = course_dir / rel
        if path.is_file():
            try:
                policy = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                # edx-platform logs this and silently drops the whole policy
                raise HarnessError(f"{rel}: invalid JSON (Open edX would ignore it): {exc}") from exc
            if not isinstance(policy, dict):
                raise HarnessError(f"{rel}: must be a JSON object")
            return policy
    return {}


def parse_course(course_dir: str | os.PathLike[str], *, render: bool = True) -> ParsedCourse:
    """Walk the OLX tree and parse every component with xblocks-contrib's block classes.

    course.xml -> course/<run>.xml -> chapter -> sequential -> vertical -> components,
    following pointer tags (``xblocks_contrib.common.xml_utils.is_pointer_tag``) and
    inline elements.  Leaf pointers are handed to the block class unchanged, so the real
    ``parse_xml`` loads ``<type>/<url_name>.xml`` (and ``html/<filename>.html``) itself.

    Per type, beyond ``parse_xml`` (with policy.json applied through ``get_policy``):

    * problem: the CAPA ``LoncapaProblem`` is built and rendered (``lcp.get_html()``), and
      :func:`check_problem` runs (its issues become warnings);
    * html: ``student_view`` is rendered;
    * video: edx-val's ``import_from_xml`` runs (transcripts read from ``static/``);
    * discussion: xblocks-contrib 0.13.1's DiscussionXBlock is a placeholder with no
      fields, so only generic XBlock parsing runs (well-formedness, pointer loading).

    Raises :class:`HarnessError` naming the file on any failure: malformed XML, missing
    pointer target, invalid course key / url_name characters, wrong nesting, duplicate
    url_name within a type, parse/render exceptions.  Lossy-but-accepted input is
    collected in ``warnings``: attributes the block ignores (``xml_attributes``), an html5
    video without ``youtube_id_1_0=""``, a declared transcript edx-val did not import,
    unsolvable problems (:func:`check_problem`), html bodies the platform's parse check
    rejects, inline blocks without url_name.
    """
    from lxml import etree
    from opaque_keys import InvalidKeyError
    from opaque_keys.edx.keys import CourseKey
    from opaque_keys.edx.locator import CourseLocator
    from xblock.fields import ScopeIds
    from xblocks_contrib.common.xml_utils import is_pointer_tag, name_to_pathname

    rt = _runtime_classes()
    course_dir = Path(course_dir)
    root = _read_xml(course_dir, "course.xml")
    if root.tag != "course":
        raise HarnessError(f"course.xml: root element is <{root.tag}>, expected <course>")
    org, number = root.get("org"), root.get("course")
    run = root.get("url_name") or root.get("slug")
    if not (org and number and run):
        raise HarnessError("course.xml: <course> needs org, course and url_name")
    try:
        # XMLModuleStore.get_id: the source key uses the deprecated slash format
        course_key = CourseKey.from_string(f"{org}/{number}/{run}")
        target_key = CourseLocator(org, number, run)
    except InvalidKeyError as exc:
        raise HarnessError(f"course.xml: invalid course key parts {org!r}/{number!r}/{run!r}: {exc}") from exc

    policy = _load_policy(course_dir, run)
    runtime = rt["HarnessRuntime"](course_dir, rt["CourseIds"](course_key, target_key), policy)
    counts: dict[str, int] = {}
    blocks: list[ParsedBlock] = []
    skipped: list[str] = []
    warnings: list[str] = []
    seen: dict[tuple[str, str], str] = {}

    def remember(tag: str, url_name: str, where: str) -> None:
        try:
            course_key.make_usage_key(tag, url_name)
        except InvalidKeyError as exc:
            raise HarnessError(f"{where}: <{tag} url_name={url_name!r}>: invalid block id: {exc}") from exc
        if (tag, url_name) in seen:
            raise HarnessError(
                f"{where}: duplicate <{tag} url_name={url_name!r}> (also in {seen[(tag, url_name)]}); "
                "Open edX would rename or overwrite it"
            )
        seen[(tag, url_name)] = where
        counts[tag] = counts.get(tag, 0) + 1

    def container(node, tag: str, where: str) -> None:
        if is_pointer_tag(node):
            url_name = node.get("url_name")
            rel = f"{tag}/{name_to_pathname(url_name)}.xml"
            definition = _read_xml(course_dir, rel)
            if definition.tag != tag:
                raise HarnessError(f"{rel}: root element is <{definition.tag}>, expected <{tag}>")
            remember(tag, url_name, rel)
            node, where = definition, rel
        elif tag != "course":
            url_name = node.get("url_name")
            if url_name is None:
                warnings.append(f"{where}: inline <{tag}> without url_name")
                url_name = f"{tag}_{hashlib.sha1(etree.tostring(node)).hexdigest()[:12]}"
            remember(tag, url_name, where)
        if node.text and node.text.strip():
            raise HarnessError(f"{where}: <{tag}> contains text {node.text.strip()[:30]!r}")
        for child in node:
            if not isinstance(child.tag, str):  # comments, processing instructions
                continue
            if tag == "course" and child.tag in NOT_PARSED:
                skipped.append(f"{where}: {child.tag}")
            elif child.tag in CONTAINER_CHILDREN.get(tag, ()):
                if child.tag in CONTAINER_CHILDREN:
                    container(child, child.tag, where)
                else:
                    leaf(child, where)
            elif tag == "vertical" and child.tag not in CONTAINER_CHILDREN:
                skipped.append(f"{where}: {child.tag}")  # e.g. poll, openassessment, lti_consumer
            else:
                raise HarnessError(f"{where}: <{child.tag}> is not allowed inside <{tag}>")

    def leaf(node, where: str) -> None:
        tag = node.tag
        url_name = node.get("url_name")
        if url_name is None:
            warnings.append(f"{where}: inline <{tag}> without url_name")
            url_name = f"{tag}_{hashlib.sha1(etree.tostring(node)).hexdigest()[:12]}"
        pointer = is_pointer_tag(node)
        filename = f"{tag}/{name_to_pathname(url_name)}.xml" if pointer else where
        remember(tag, url_name, filename)
        node = copy.deepcopy(node)
        source = etree.tostring(_read_xml(course_dir, filename) if pointer else node, encoding="unicode")
        if pointer and tag == "discussion":
            # the platform's DiscussionXBlock follows pointers; the 0.13.1 placeholder does not
            node = _read_xml(course_dir, filename)
        usage = course_key.make_usage_key(tag, url_name)
        cls = runtime.mixologist.mix(runtime.load_block_type(tag))  # as xblock_from_node does
        before = len(runtime.tracked_errors)
        try:
            if tag == "discussion":
                # the placeholder class logs "does not contain field" for every attribute
                logging.disable(logging.WARNING)
            try:
                block = cls.parse_xml(node, runtime, ScopeIds(None, tag, usage, usage))
            finally:
                logging.disable(logging.NOTSET)
            if render:
                _exercise(tag, block, source, runtime, filename, warnings)
        except HarnessError:
            raise
        except Exception as exc:  # noqa: BLE001 - re-raised with the file name
            raise HarnessError(f"{filename}: <{tag} url_name={url_name!r}>: {type(exc).__name__}: {exc}") from exc
        for msg in runtime.tracked_errors[before:]:
            warnings.append(f"{filename}: {msg}")
        ignored = sorted(set(getattr(block, "xml_attributes", {}) or {}) - {"filename"})
        if ignored:
            warnings.append(f"{filename}: <{tag}> attributes ignored by the block: {', '.join(ignored)}")
        blocks.append(ParsedBlock(tag, url_name, filename, block, source))

    if is_pointer_tag(root):
        course_node = _read_xml(course_dir, f"course/{name_to_pathname(run)}.xml")
        if course_node.tag != "course":
            raise HarnessError(f"course/{run}.xml: root element is <{course_node.tag}>, expected <course>")
        container(course_node, "course", f"course/{run}.xml")
    else:
        container(root, "course", "course.xml")
    return ParsedCourse(course_key, target_key, counts, blocks, skipped, warnings)


def _exercise(tag: str, block: Any, source: str, runtime: Any, filename: str, warnings: list[str]) -> None:
    """Run the code the LMS runs right after loading a block."""
    if tag == "problem":
        lcp = block.lcp  # builds LoncapaProblem: raises on invalid CAPA
        lcp.get_html()  # raises on render errors (get_problem_html would swallow them)
        for issue in check_problem(source):
            warnings.append(f"{filename}: <problem>: {issue}")
    elif tag == "html":
        runtime.render(block, "student_view")
    elif tag == "video":
        if block.html5_sources and block.youtube_id_1_0 == _DEFAULT_YOUTUBE_ID:
            warnings.append(
                f'{filename}: html5 video without youtube_id_1_0="": the default sample YouTube video would play'
            )
        from edxval import api as edxval_api

        for lang, name in sorted((block.transcripts or {}).items()):
            if not block.edx_video_id or not edxval_api.get_video_transcript(block.edx_video_id, lang):
                warnings.append(
                    f"{filename}: transcript {lang}={name!r} was not imported into edx-val "
                    f"(is static/{name} present and UTF-8?)"
                )


def parse_course_blocks(course_dir: str | os.PathLike[str], *, strict: bool = True) -> dict[str, int]:
    """Parse the whole course (see :func:`parse_course`) and return per-type counts.

    With ``strict`` (default), the collected warnings also raise :class:`HarnessError`.
    """
    parsed = parse_course(course_dir)
    if strict and parsed.warnings:
        raise HarnessError("accepted but lossy OLX:\n" + "\n".join(parsed.warnings))
    return dict(parsed.counts)


# --------------------------------------------------------------------------------------
# CAPA: render and grade one problem with the real engine
# --------------------------------------------------------------------------------------

HARNESS_COURSE = ("OlxKit", "Harness", "run")
#: Execute ``<script type="loncapa/python">`` in-process.  Without codejail the LMS could
#: not run it at all; set to False to make such problems fail like an unconfigured LMS.
ALLOW_PROBLEM_PYTHON = True


def load_problem(problem_xml: str, *, url_name: str | None = None, policy: dict | None = None):
    """Build a fresh ``ProblemBlock`` (own runtime and learner state) from ``<problem>`` XML."""
    from lxml import etree
    from opaque_keys.edx.locator import CourseLocator
    from xblock.fields import ScopeIds

    rt = _runtime_classes()
    from xblocks_contrib.common.xml_utils import EDX_XML_PARSER

    if isinstance(problem_xml, bytes):
        node = etree.fromstring(problem_xml, parser=EDX_XML_PARSER)
    else:
        node = etree.fromstring(problem_xml.encode("utf-8"), parser=EDX_XML_PARSER)
    if node.tag != "problem":
        raise HarnessError(f"expected a <problem> element, got <{node.tag}>")
    key = CourseLocator(*HARNESS_COURSE)
    name = url_name or node.get("url_name") or "harness_problem"
    usage = key.make_usage_key("problem", name)
    runtime = rt["HarnessRuntime"](Path.cwd(), rt["CourseIds"](key, key), {f"problem/{name}": policy or {}})
    cls = runtime.mixologist.mix(runtime.load_block_type("problem"))
    block = cls.parse_xml(node, runtime, ScopeIds(None, "problem", usage, usage))
    return block


def render_problem(problem_xml: str) -> str:
    """Render the problem as the LMS does and return its HTML.

    Raises if CAPA cannot build or render it (``ProblemBlock.get_problem_html`` would
    otherwise swallow the error and show a warning box).
    """
    block = load_problem(problem_xml)
    block.lcp.get_html()  # raises on errors
    html = block.get_problem_html(encapsulate=False)
    block.runtime.render(block, "student_view")  # the full LMS wrapper must render too
    return html


@dataclasses.dataclass
class GradeResult:
    earned: float  # raw points CAPA awarded (sum of npoints over responses)
    possible: float  # raw maximum (1 per response unless the response says otherwise)
    weighted_earned: float  # scaled by the problem's weight, as the gradebook uses
    weighted_possible: float
    success: str  # "correct" | "incorrect" | an input error message
    correct_map: dict[str, dict]  # answer id -> {"correctness", "npoints", "msg", ...}
    submission: dict[str, Any]  # the POST data sent, "input_<id>[]" -> list for checkboxes


def capa_input_ids(problem_xml: str) -> list[list[str]]:
    """The CAPA input ids per response, in document order (e.g. ``[["p_2_1"], ["p_3_1"]]``)."""
    block = load_problem(problem_xml)
    return [list(r.answer_ids) for r in block.lcp.responders.values()]


def _response_elements(problem_xml: str) -> list[Any]:
    """Response elements of the *source* XML in document order, as CAPA enumerates them."""
    from lxml import etree
    from xblocks_contrib.problem.capa import responsetypes

    tree = etree.fromstring(problem_xml.encode("utf-8") if isinstance(problem_xml, str) else problem_xml)
    return tree.xpath("//" + "|//".join(responsetypes.registry.registered_tags()))


def _choice_names(response) -> list[str]:
    """Choice value names CAPA gives the choices of one response, in document order.

    checkboxes (ChoiceResponse.assign_choice_names): ``choice_<index>`` for every choice;
    single choice (MultipleChoiceResponse.mc_setup_response): ``choice_<name>`` for a
    choice with a ``name`` attribute, otherwise ``choice_<running index>``.  Names are
    assigned before shuffling, so indices always refer to the authored order.
    """
    choices = response.xpath(".//choice")
    if response.tag == "choiceresponse":
        return [f"choice_{i}" for i in range(len(choices))]
    names, i = [], 0
    for choice in choices:
        if choice.get("name") is not None:
            names.append(f"choice_{choice.get('name')}")
        else:
            names.append(f"choice_{i}")
            i += 1
    return names


def _build_submission(problem_xml: str, block: Any, answers: Sequence[Any]):
    from webob.multidict import MultiDict

    responders = list(block.lcp.responders.items())
    sources = _response_elements(problem_xml)
    if len(answers) != len(responders):
        raise ValueError(f"{len(answers)} answers given for {len(responders)} responses")
    data = MultiDict()
    for index, ((lcp_response, responder), source, answer) in enumerate(zip(responders, sources, answers, strict=True)):
        ids = list(responder.answer_ids)
        tag = lcp_response.tag
        if tag in ("choiceresponse", "multiplechoiceresponse", "truefalseresponse"):
            names = _choice_names(source)
            actual = {c.get("name") for c in lcp_response.xpath(".//choice")}
            if set(names) != actual:  # guards the naming rule against CAPA changes
                raise HarnessError(f"response {index}: choice names {names} != CAPA's {sorted(actual)}")
            picks = list(answer) if isinstance(answer, (list, tuple, set)) else [answer]
            values = [names[p] if isinstance(p, int) else str(p) for p in picks]
            if tag == "multiplechoiceresponse" and not isinstance(answer, (list, tuple, set)):
                data.add(f"input_{ids[0]}", values[0])
            else:
                for value in values:
                    data.add(f"input_{ids[0]}[]", value)
        else:
            per_input = list(answer) if isinstance(answer, (list, tuple)) and len(ids) > 1 else [answer]
            if len(per_input) != len(ids):
                raise ValueError(f"response {index} has {len(ids)} inputs, got {len(per_input)} values")
            for answer_id, value in zip(ids, per_input, strict=True):
                data.add(f"input_{answer_id}", str(value))
    return data


def grade_problem_details(problem_xml: str, answers: Sequence[Any]) -> GradeResult:
    """Submit ``answers`` to a fresh learner's ProblemBlock (``submit_problem``, the LMS's
    ``problem_check``) and return the score and correctness map.

    ``answers`` has one entry per response, in document order:

    * single choice (``multiplechoiceresponse``): 0-based index of the chosen choice;
    * checkboxes (``choiceresponse``): list of 0-based indices (``[]`` = none ticked);
    * dropdown (``optionresponse``): the option text;
    * numerical / text (``numericalresponse``, ``stringresponse``, ``formularesponse``):
      the typed string.

    Indices refer to the authored order (also with ``shuffle="true"``).  A raw CAPA value
    (e.g. ``"choice_2"``) may be given instead of an index.  A response with several
    inputs takes a list with one value per input.  Input ids are
    ``<problem_id>_<response_index + 2>_<input_index + 1>``.
    """
    block = load_problem(problem_xml)
    data = _build_submission(problem_xml, block, answers)
    result = block.submit_problem(data)
    score = block.score
    progress = block.get_progress()
    weighted_earned, weighted_possible = progress.frac() if progress else (0.0, 0.0)
    return GradeResult(
        earned=float(score.raw_earned),
        possible=float(score.raw_possible),
        weighted_earned=float(weighted_earned),
        weighted_possible=float(weighted_possible),
        success=str(result.get("success")),
        correct_map=dict(block.correct_map),
        submission={k: data.getall(k) if k.endswith("[]") else data[k] for k in data},
    )


def grade_problem(problem_xml: str, answers: Sequence[Any]) -> tuple[float, float]:
    """``(earned, possible)`` raw CAPA points for ``answers`` (see :func:`grade_problem_details`)."""
    result = grade_problem_details(problem_xml, answers)
    return result.earned, result.possible


_UNCHECKED = object()


def _capa_correct_answers(block: Any) -> list[Any]:
    """Per response, a submission that CAPA itself considers correct, or ``_UNCHECKED``.

    Read from the responders CAPA built (``get_answers`` for choices and dropdowns, the
    parsed ``correct_answer`` for typed answers).  Regexp text answers, numerical ranges
    and response types without a simple answer are ``_UNCHECKED``.
    """
    out: list[Any] = []
    for response, responder in block.lcp.responders.items():
        ids = list(responder.answer_ids)
        tag = response.tag
        try:
            if tag in ("choiceresponse", "multiplechoiceresponse"):
                names = responder.get_answers().get(ids[0]) or []  # a set for checkboxes
                names = sorted(names, key=lambda n: (len(n), n))  # choice_2 < choice_10
                out.append(names if tag == "choiceresponse" else (names[0] if names else None))
            elif tag == "optionresponse":
                answers = responder.get_answers()
                values = [answers.get(i) for i in ids]
                out.append(values if len(ids) > 1 else values[0])
            elif tag == "numericalresponse" and not getattr(responder, "answer_range", None):
                out.append(str(responder.correct_answer))
            elif tag == "stringresponse" and "regexp" not in (response.get("type") or ""):
                out.append(responder.correct_answer[0])
            elif tag == "formularesponse":
                out.append(str(responder.correct_answer))
            else:
                out.append(_UNCHECKED)
        except (IndexError, KeyError, AttributeError):
            out.append(None)
    return out


def correct_answers(problem_xml: str) -> list[Any]:
    """Answers (in :func:`grade_problem`'s format, raw choice names for choices) that CAPA
    reports as correct ("Show answer"), one per response; None where it has none."""
    return [None if a is _UNCHECKED else a for a in _capa_correct_answers(load_problem(problem_xml))]


def check_problem(problem_xml: str) -> list[str]:
    """Problems CAPA accepts but a learner cannot solve; ``[]`` when the problem is sound.

    Checks: at least one response; every response has an input element (``<option>``s
    outside ``<optioninput>`` render as nothing); every choice/dropdown response has a
    correct answer; submitting CAPA's own correct answers earns full credit (catches e.g.
    a numerical ``answer`` that is not a number).
    """
    block = load_problem(problem_xml)
    lcp = block.lcp
    issues: list[str] = []
    if not lcp.responders:
        return ["no response element (nothing to grade)"]
    for index, (response, responder) in enumerate(lcp.responders.items()):
        if not responder.answer_ids:
            issues.append(f"response {index} <{response.tag}> has no input element")
    if issues:
        return issues
    answers = _capa_correct_answers(block)
    for index, (response, answer) in enumerate(zip(lcp.responders, answers, strict=True)):
        if answer is None or answer == [] or (isinstance(answer, list) and None in answer):
            issues.append(f"response {index} <{response.tag}> has no correct answer")
    if issues or _UNCHECKED in answers:
        return issues
    result = grade_problem_details(problem_xml, answers)
    if result.earned != result.possible or result.possible == 0:
        issues.append(
            f"CAPA's own correct answers {answers!r} earn {result.earned}/{result.possible} ({result.success})"
        )
    return issues


def course_problems(course_dir: str | os.PathLike[str]) -> dict[str, str]:
    """``{url_name: authored <problem> XML}`` for every problem of a course, in course order."""
    parsed = parse_course(course_dir, render=False)
    return {item.url_name: item.source_xml for item in parsed.of_type("problem")}


if __name__ == "__main__":  # pragma: no cover - manual use: python tests/conformance.py DIR
    for arg in sys.argv[1:]:
        print(format_findings(olxcleaner_findings(arg)))
        print(parse_course_blocks(arg, strict=False))
