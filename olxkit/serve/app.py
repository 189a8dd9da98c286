"""`olxkit serve`: the ASGI application (Starlette) and the server (uvicorn) that runs it."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import secrets
import threading
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..diagnostics import OlxkitError
from ..i18n.ui import ui_labels, ui_text
from ..source.loader import PAGES
from . import pages
from .cache import Preview, Site
from .grader import InputError, Problem, answer_available, correctness_available
from .reload import Broadcaster, watch

STATIC = Path(__file__).parent / "static"
COOKIE = "olxkit_preview"


def mathjax_dir() -> Path | None:
    """MathJax's files, from the django-static-mathjax package (served locally: the preview works offline)."""
    try:
        folder = Path(str(resources.files("mathjax"))) / "static" / "mathjax"
    except ModuleNotFoundError:
        return None
    return folder if (folder / "es5" / "tex-chtml.js").is_file() else None


class ProblemStates:
    """Learners' answers and attempts, in memory only (per browser, per instance, per problem)."""

    def __init__(self):
        self.states: dict[tuple[str, str, str], dict] = {}
        self.lock = threading.Lock()

    def get(self, who: str, slug: str, url_name: str) -> dict:
        with self.lock:
            return self.states.setdefault((who, slug, url_name), {"attempts": 0, "correct": False, "hints": 0,
                                                                   "last": None})

    def reset(self, who: str, slug: str, url_name: str) -> dict:
        with self.lock:
            state = self.states.setdefault((who, slug, url_name), {})
            attempts = state.get("attempts", 0)
            state.clear()
            state.update(attempts=attempts, correct=False, hints=0, last=None)
            return state


def create_app(preview: Preview, *, watch_files: bool = True, say=None) -> Starlette:
    """The preview's ASGI application for a project already read (`preview.reload()`). `say(message, err=True)`
    reports the errors found when the rest of a course read for its outline is read (see `reload.watch`)."""
    news = Broadcaster(preview)
    states = ProblemStates()
    stop = asyncio.Event()
    wanted = asyncio.Event()  # an open page asks for news: the watcher starts (see reload.watch)
    shown = asyncio.Event()  # a page was served

    def site_or_404(request: Request) -> Site | Response:
        slug = request.path_params["slug"]
        if slug not in preview.slugs:
            return _not_found(preview, f"There is no instance `{slug}` in this course.")
        return preview.site(slug)

    def block(site: Site, url_name: str) -> tuple[Site, tuple[int, str] | None]:
        """Where the block is (its unit's index, anchor); the components of lessons read for the outline only are
        known once the rest of the course is read (`Preview.complete`, done now if not yet)."""
        found = site.blocks.get(url_name)
        if found is None and preview.outlined and preview.complete():
            site = preview.site(site.slug)
            found = site.blocks.get(url_name)
        return site, found

    def html(body: str, status: int = 200) -> HTMLResponse:
        shown.set()
        return HTMLResponse(body, status, headers={"Cache-Control": "no-store"})

    def guarded(render):
        """A page of the last good version; the course's own errors (a broken lesson) as the overlay."""
        try:
            return html(render())
        except OlxkitError as exc:
            preview.findings = list(exc.diagnostics)
            return html(pages.broken(preview), 500)

    async def home(request: Request) -> Response:
        if not preview.slugs:
            return html(pages.broken(preview), 503)
        return RedirectResponse(f"/{next(iter(preview.slugs))}/", 307)

    async def outline(request: Request) -> Response:
        site = site_or_404(request)
        if isinstance(site, Response):
            return site
        return guarded(lambda: pages.outline(preview, site))

    async def unit(request: Request) -> Response:
        try:
            preview.show(preview.lesson_path(request.path_params["lesson"]) or "")  # read in full if not yet
        except OlxkitError:
            return html(pages.broken(preview), 500)
        site = site_or_404(request)
        if isinstance(site, Response):
            return site
        place = site.place_of(request.path_params["lesson"], request.path_params["unit"])
        if place is None:
            return _not_found(preview, "There is no such unit in this instance.")
        return guarded(lambda: pages.unit_page(preview, site, place))

    async def course_page(request: Request) -> Response:
        if request.path_params["page"] not in ("about", "handouts", "updates"):
            return _not_found(preview, "There is nothing at this address.")
        try:
            preview.show(*PAGES)  # About, Handouts and Updates are read when one is first shown
        except OlxkitError:
            return html(pages.broken(preview), 500)
        site = site_or_404(request)
        if isinstance(site, Response):
            return site
        return guarded(lambda: pages.page(preview, site, request.path_params["page"]))

    async def jump(request: Request) -> Response:
        site = site_or_404(request)
        if isinstance(site, Response):
            return site
        site, found = block(site, request.path_params["url_name"])
        if found is None:
            return _not_found(preview, "No block of this course has that url_name.")
        place = site.places[found[0]]
        anchor = f"#{found[1]}" if found[1] else ""
        return RedirectResponse(f"/{site.slug}/unit/{place.lesson.id}/{place.unit.id}{anchor}", 307)

    async def static(request: Request) -> Response:
        site = site_or_404(request)
        if isinstance(site, Response):
            return site
        rel = request.path_params["path"]
        assets, generated = site.static_files()
        if rel in generated:
            return Response(generated[rel], media_type=_media_type(rel))
        source = assets.get(rel)
        if source is None:
            return _not_found(preview, "No such file in course/static/.")
        path = Path(source).resolve()
        # A symlink that leads out of the project is not served, whatever its name.
        if not path.is_file() or not path.is_relative_to(preview.root):
            return _not_found(preview, "No such file in course/static/.")
        return FileResponse(path)

    async def problem(request: Request) -> Response:
        site = site_or_404(request)
        if isinstance(site, Response):
            return site
        url_name, action = request.path_params["url_name"], request.path_params["action"]
        site, found = block(site, url_name)
        if found is None or not found[1]:
            return JSONResponse({"error": "no such problem"}, 404)
        place = site.places[found[0]]
        try:
            data = site.lesson_olx(place.lesson.id).files.get(f"problem/{url_name}.xml")
        except OlxkitError:
            data = None
        if data is None:
            return JSONResponse({"error": "no such problem"}, 404)
        try:
            body = await request.json() if action in ("submit", "hint") else {}
        except ValueError:
            return JSONResponse({"error": "the request is not JSON"}, 400)
        who = request.cookies.get(COOKIE) or secrets.token_hex(8)
        result = _problem_action(Problem(data), place, states, who, site.slug, url_name, action, body,
                                 ui_labels(site.instance.locale))
        response = JSONResponse(result, 404 if result.get("error") == "unknown action" else 200)
        response.set_cookie(COOKIE, who, httponly=True, samesite="strict")
        return response

    async def events(request: Request) -> Response:
        wanted.set()
        try:
            version = int(request.query_params.get("version", ""))
        except ValueError:
            version = None
        return StreamingResponse(news.stream(version), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def status(request: Request) -> Response:
        return JSONResponse({"version": preview.version, "reparsed": preview.reparsed,
                             "outline_only": len(preview.outlined),
                             "reload_ms": round(preview.last_reload_s * 1000, 1),
                             "findings": [d.as_dict() for d in preview.findings],
                             "instances": list(preview.slugs)})

    async def not_found(request: Request, exc) -> Response:
        return _not_found(preview, "There is nothing at this address.")

    routes = [
        Route("/", home),
        Route("/__olxkit__/events", events),
        Route("/__olxkit__/status", status),
        Mount("/__olxkit__/assets", StaticFiles(directory=str(STATIC)), name="assets"),
        Route("/{slug}/", outline),
        Route("/{slug}", lambda r: RedirectResponse(f"/{r.path_params['slug']}/", 307)),
        Route("/{slug}/unit/{lesson}/{unit}", unit),
        Route("/{slug}/{page}", course_page),
        Route("/{slug}/jump_to_id/{url_name}", jump),
        Route("/{slug}/static/{path:path}", static),
        Route("/{slug}/xblock/{url_name}/{action}", problem, methods=["POST"]),
    ]
    mathjax = mathjax_dir()
    if mathjax is not None:
        routes.insert(2, Mount("/__olxkit__/mathjax", StaticFiles(directory=str(mathjax)), name="mathjax"))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(watch(preview, news, stop, wanted, shown, say)) if watch_files else None
        app.state.news = news
        try:
            yield
        finally:
            news.stopping = True
            stop.set()
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found})
    app.state.news = news
    return app


def _not_found(preview: Preview, message: str) -> HTMLResponse:
    return HTMLResponse(pages.not_found(preview, message), 404)


def _media_type(rel: str) -> str:
    import mimetypes

    return mimetypes.guess_type(rel)[0] or "application/octet-stream"


def _problem_action(problem: Problem, place, states: ProblemStates, who: str, slug: str, url_name: str,
                    action: str, body: dict, labels: dict[str, str]) -> dict:
    """What a problem's button does, for one learner: the problem's state after it (messages in `labels`'
    language)."""
    state = states.reset(who, slug, url_name) if action == "reset" else states.get(who, slug, url_name)
    root = problem.root
    lesson = place.lesson
    past_due = bool(lesson.due and lesson.due.replace(tzinfo=lesson.due.tzinfo or UTC) < datetime.now(UTC))
    max_attempts = problem.max_attempts
    showanswer = root.get("showanswer", "finished")
    shown = correctness_available(root.get("show_correctness", "always"), past_due)

    def summary(extra: dict | None = None) -> dict:
        out = {"attempts": state["attempts"], "max_attempts": max_attempts, "correctness_shown": shown,
               "can_submit": not past_due and (max_attempts is None or state["attempts"] < max_attempts),
               "can_show_answer": shown and answer_available(showanswer, attempts=state["attempts"],
                                                             max_attempts=max_attempts, correct=state["correct"],
                                                             past_due=past_due)}
        if state.get("last") is not None:
            out.update(state["last"])
        out.update(extra or {})
        return out

    if action in ("state", "reset"):
        return summary()
    if action == "submit":
        if not summary()["can_submit"]:
            return summary({"error": ui_text(labels, "No attempts left for this problem.")})
        answers = body.get("answers")
        if not isinstance(answers, list):
            return summary({"error": "answers must be a list"})
        try:
            grade = problem.grade(answers)
        except (InputError, ValueError, TypeError) as exc:
            return summary({"error": str(exc)})
        state["attempts"] += 1
        state["correct"] = grade.correct
        state["last"] = {
            "results": [{"correctness": o.correctness, "npoints": o.npoints, "feedback": o.feedback}
                        for o in grade.outcomes] if shown else [{"correctness": "", "feedback": []}
                                                                for _ in grade.outcomes],
            "earned": grade.earned, "possible": grade.possible,
            "weighted_earned": round(grade.weighted_earned, 4), "weighted_possible": grade.weighted_possible,
        }
        return summary()
    if action == "hint":
        index = body.get("index", state["hints"])
        if not isinstance(index, int) or not 0 <= index < len(problem.hints):
            return summary({"error": "no more hints"})
        state["hints"] = max(state["hints"], index + 1)
        return {"hint": problem.hints[index], "index": index, "total": len(problem.hints)}
    if action == "show_answer":
        if not summary()["can_show_answer"]:
            return summary({"error": ui_text(labels, "The answer is not available yet.")})
        return {"answers": problem.answers(), "solution": problem.solution}
    return {"error": "unknown action"}


class _Server:
    """uvicorn's server, stopped by Ctrl-C or SIGTERM with exit status 0 (uvicorn re-raises the signal)."""

    @staticmethod
    def make(app, host: str, port: int):
        from .server import uvicorn_classes

        config_class, server_class = uvicorn_classes()

        class Server(server_class):
            def handle_exit(self, sig, frame):
                app.state.news.stopping = True
                super().handle_exit(sig, frame)
                self._captured_signals.clear()

        # No WebSocket protocol (reloads come by server-sent events) and no logging set-up: less to import and
        # do before the first page; uvicorn's warnings still reach stderr.
        config = config_class(app, host=host, port=port, log_level="warning", access_log=False,
                              timeout_graceful_shutdown=2, lifespan="on", http="h11", ws="none", log_config=None)
        return Server(config)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(project: str, *, instance: str | None, host: str, port: int, open_browser: bool, say) -> int:
    """Read the project, serve it until Ctrl-C; returns the exit status."""
    # The start-up (the server's imports, the course read) runs with the cyclic GC paused, as the build does
    # (parallel.without_gc; the `serve` command pauses it before importing this module): it would rescan the
    # growing heap of modules and parsed lessons and find nothing to free (~0.03 s). Then what start-up made is
    # frozen out of later collections: it lives as long as the server or is freed by reference counting.
    try:
        preview = Preview(project, instance)
        # The lessons' outlines first; each lesson in full when shown, the rest after the first page (reload.watch).
        if not preview.reload(outline=True) and preview.course is None and not preview.slugs:
            for d in preview.findings:
                say(d.format(), err=True)
            if any(d.code == "SRV001" for d in preview.findings):
                return 2
            say("The course has errors; the preview shows them and reloads when they are fixed.", err=True)
        app = create_app(preview, say=say)
        server = _Server.make(app, host, port)
    finally:
        gc.freeze()
        gc.enable()
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    if open_browser:
        import webbrowser

        threading.Timer(0.8, lambda: webbrowser.open(url)).start()
    say(f"Serving {preview.root} at {url} (Ctrl-C to stop)")
    server.run()
    if not server.started:
        return 2
    say("Stopped.")
    return 0
