"""The house: the package's folders are layers, and the import graph says so.

Why a test: a layout that shows the flow decays one convenient import at a time. This reads every
module's imports (those inside functions too) and fails on an import circle, an arrow back up the
layers, run code that imports development-only code, a module past the size limit, or a package
missing from pyproject's list (a wheel would ship without it).
"""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

PACKAGE = ROOT / "audit"
#: bottom up: each layer imports only itself and the layers before it
LAYERS = ("common", "reading", "conversations", "textmodel", "topics", "metrics", "grading", "report", "run")
#: apart from a run: they may import any layer; no layer imports them
APART = ("evaluation", "demo", "textmodel.training")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    mods = {}
    for f in PACKAGE.rglob("*.py"):
        parts = f.relative_to(ROOT).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return mods


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """Every module of the package that ``name`` imports, anywhere in its body."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in mods:
                target = target.rpartition(".")[0]
            if target and target != name and target != "audit":
                found.add(target)
    return found


def _place(module: str) -> tuple[str, int]:
    rest = module.removeprefix("audit.")
    for apart in APART:
        if rest == apart or rest.startswith(apart + "."):
            return "apart", -1
    return "layer", LAYERS.index(rest.split(".")[0])


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: _imports(m, p, mods) for m, p in mods.items()}


def test_every_folder_is_a_known_layer_or_apart():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(LAYERS) | {a.split(".")[0] for a in APART}


def test_no_arrow_runs_back_up_the_layers(graph):
    wrong = []
    for module, deps in graph.items():
        if module == "audit":
            continue
        kind, level = _place(module)
        for dep in deps:
            dep_kind, dep_level = _place(dep)
            if kind == "layer" and dep_kind == "apart":
                wrong.append(f"{module} -> {dep} (a run's code imports development-only code)")
            elif kind == "layer" and dep_level > level:
                wrong.append(f"{module} -> {dep} ({LAYERS[level]} is below {LAYERS[dep_level]})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_circles(graph):
    """Tarjan's strongly connected components: any component of two or more modules is a circle."""
    index, low, stack, on, circles = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(" <-> ".join(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not circles, "\n".join(circles)


def test_modules_stay_small():
    big = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not big, f"modules past {MAX_LINES} lines: {big}"


def test_pyproject_lists_every_package():
    """The package list is explicit (two folders outside ``audit/`` are mapped into it); a package
    left out would be missing from the wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"]) - set(config["package-dir"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert listed == on_disk
