"""The package's shape, read with `ast` from olxkit/: imports run one way.

- no import cycle between olxkit's modules (imports inside functions count too: a cycle is a cycle even when a
  late import hides it from Python);
- click only in the command layer (olxkit/cli.py and olxkit/commands/): the library is usable without it;
- no module imports another module's `_private` name;
- no module over 500 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "olxkit"
COMMAND_LAYER = ("olxkit.cli", "olxkit.commands")
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import in the module, at any depth."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [alias.name for alias in node.names]
            # `from . import x` imports the module olxkit.x when there is one
            modules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            if modules:
                found += [(m, [], node.lineno) for m in modules]
                names = [n for n in names if f"{target}.{n}" not in MODULES]
            if names or not modules:
                found.append((target, names, node.lineno))
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _names, _line in _imports(name, path):
            if target in MODULES and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _is_package_parent(importer: str, target: str) -> bool:
    # A package's own modules are reached through it (`olxkit.source` → `olxkit.source.loader` is how Python
    # imports a submodule, not a dependency the other way).
    return target == importer.rpartition(".")[0] or importer == target.rpartition(".")[0]


def test_the_checker_sees_a_cycle_and_a_private_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _imports("olxkit.build", PACKAGE / "build.py")  # the walker reads real modules


def test_no_import_cycles():
    graph = {name: {t for t in targets if not _is_package_parent(name, t)} for name, targets in _graph().items()}
    assert _cycles(graph) == []


def test_click_only_in_the_command_layer():
    offenders = []
    for name, path in MODULES.items():
        if name.startswith(COMMAND_LAYER):
            continue
        for target, _names, line in _imports(name, path):
            if target == "click" or target.startswith("click."):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_no_import_of_another_modules_private_names():
    offenders = []
    for name, path in MODULES.items():
        for target, names, line in _imports(name, path):
            if not target.startswith("olxkit"):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if target.rpartition(".")[2].startswith("_") and target in MODULES:
                private.append(target)
            if private:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {', '.join(private)} from {target}")
    assert offenders == []


def test_no_module_over_500_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES.values()}
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_readme_draws_every_package():
    """README's "Developing olxkit" has the stages as a text diagram: every package of olxkit/ is on it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Developing olxkit"):]
    diagram = section[section.index("```text"):]
    diagram = diagram[: diagram.index("\n```", 7)]
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert packages and [p for p in packages if f"{p}/" not in diagram] == []
