"""uvicorn's `Config` and `Server` for the preview, without the rest of what `import uvicorn` imports.

`import uvicorn` runs the package's `__init__`, which imports uvicorn's command line and its process supervisors
(multiprocessing, the reloaders and watchfiles' bindings): ≈ 0.04 s of CPU before the preview's first page, for
code the preview never runs. `uvicorn_classes` makes the package module without running its `__init__`, imports
the two modules the preview needs, and completes the package (runs its `__init__`) the first time anything else
is asked of it: code that imports uvicorn later gets the whole package.
"""

from __future__ import annotations

import importlib.util
import sys


def uvicorn_classes() -> tuple[type, type]:
    """(uvicorn.Config, uvicorn.Server)."""
    if "uvicorn" not in sys.modules:
        try:
            return _without_init()
        except Exception:  # noqa: BLE001 - a uvicorn laid out otherwise: the plain import below
            for name in [n for n in sys.modules if n == "uvicorn" or n.startswith("uvicorn.")]:
                del sys.modules[name]
    import uvicorn

    return uvicorn.Config, uvicorn.Server


def _without_init() -> tuple[type, type]:
    spec = importlib.util.find_spec("uvicorn")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError("uvicorn is not a package here")
    package = importlib.util.module_from_spec(spec)

    def complete(name: str):
        # PEP 562: the package is asked for what it does not have yet (uvicorn.run, uvicorn.main…): run __init__.
        del package.__getattr__
        spec.loader.exec_module(package)
        return getattr(package, name)

    package.__getattr__ = complete
    sys.modules["uvicorn"] = package
    from uvicorn.config import Config
    from uvicorn.server import Server

    package.Config, package.Server = Config, Server  # uvicorn's own modules do `from uvicorn import Config`
    return Config, Server
