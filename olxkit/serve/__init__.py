"""`olxkit serve`: every instance's course as a learner will see it, live, before it goes near Studio.

`cache` reads the course through the build's pipeline (lessons cached by content), `pages` renders the learner's
view from the OLX the build writes, `grader` grades problems as Open edX does, `reload` watches the sources and
tells open pages, `app` is the Starlette application run by uvicorn.
"""
