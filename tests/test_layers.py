"""The package's layers, read from its source with ``ast``: no import cycles, no module reaching
into another's underscore names, and nodes read only through their public protocol
(``inputs``, ``op``, ``rule``, ``constant``, ``scope``) outside the engine."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Optional

import pytest

import tinygrad_edu

PACKAGE = Path(tinygrad_edu.__file__).parent
NAME = tinygrad_edu.__name__
EXAMPLES = PACKAGE.parent / "examples"
NODE_PRIVATE = {"_prev", "_op", "_c", "_scope", "_rule"}  # a Value's slots behind its protocol


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text("utf-8"), str(path)) for name, path in MODULES.items()}


def _base(module: str, node: ast.ImportFrom) -> Optional[str]:
    """The absolute name ``from <...> import`` reads from, or None outside the package."""
    if node.level == 0:
        return node.module if node.module and (node.module + ".").startswith(NAME + ".") else None
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported package module, names taken from it, line) for every import, at any depth:
    a function-level import makes a cycle too, only a later one."""
    found = []
    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names if a.name in MODULES]
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, node)
            if base is None:
                continue
            names = [a.name for a in node.names]
            submodules = [n for n in names if f"{base}.{n}" in MODULES]  # from . import ops
            found += [(f"{base}.{n}", [], node.lineno) for n in submodules]
            taken = [n for n in names if n not in submodules]
            if taken or not submodules:
                found.append((base, taken, node.lineno))
    return found


GRAPH = {m: sorted({target for target, _, _ in _imports(m) if target != m}) for m in MODULES}


def _cycle() -> Optional[list[str]]:
    """One import cycle among the package's modules, as a path that ends where it starts; or None."""
    state: dict[str, str] = {}  # "open" while on the path, "done" once every import below is
    for start in GRAPH:
        if start in state:
            continue
        path, stack = [start], [iter(GRAPH[start])]
        state[start] = "open"
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = "done"
                stack.pop()
            elif state.get(target) == "open":
                return [*path[path.index(target) :], target]
            elif target not in state:
                state[target] = "open"
                path.append(target)
                stack.append(iter(GRAPH[target]))
    return None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_aliases(module: str) -> dict[str, str]:
    """Names in ``module`` bound to another package module: ``ops`` after ``from . import ops``."""
    aliases = {}
    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.ImportFrom) and (base := _base(module, node)) is not None:
            for a in node.names:
                if f"{base}.{a.name}" in MODULES:
                    aliases[a.asname or a.name] = f"{base}.{a.name}"
        elif isinstance(node, ast.Import):
            aliases.update({a.asname: a.name for a in node.names if a.asname and a.name in MODULES})
    return aliases


def _attribute_owner(node: ast.expr, aliases: dict[str, str]) -> Optional[str]:
    """The package module an expression names: ``ops``, or ``tinygrad_edu.viz`` spelled out."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id if node.id == NAME else None)
    if isinstance(node, ast.Attribute):
        owner = _attribute_owner(node.value, aliases)
        return f"{owner}.{node.attr}" if owner and f"{owner}.{node.attr}" in MODULES else None
    return None


# ----------------------------------------------------------------- the checks
def test_the_reader_finds_the_modules_and_their_imports() -> None:
    """Guards the checks below against passing because they see nothing."""
    assert {f"{NAME}.engine", f"{NAME}.ops", f"{NAME}.viz", f"{NAME}.viz.replay", NAME} <= set(MODULES)
    assert f"{NAME}.ops" in GRAPH[f"{NAME}.engine"]  # from . import ops
    assert f"{NAME}.engine" in GRAPH[f"{NAME}.nn.layers"]  # from ..engine import Value, ...
    assert f"{NAME}.viz" in GRAPH[f"{NAME}.cli.demo"]  # imported inside a function


def test_the_cycle_finder_finds_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GRAPH, f"{NAME}.ops", [*GRAPH[f"{NAME}.ops"], f"{NAME}.engine"])
    cycle = _cycle()
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) >= 3


def test_no_import_cycles() -> None:
    """Counting imports inside functions: each module can be read after the ones it imports."""
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_takes_another_modules_underscore_names(module: str) -> None:
    """Neither ``from .viz import _num`` nor ``viz._num``: what a module shares, it names publicly."""
    taken = [
        f"line {line}: from {target} import {name}"
        for target, names, line in _imports(module)
        if target != module
        for name in names
        if _private(name)
    ]
    aliases = _module_aliases(module)
    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = _attribute_owner(node.value, aliases)
            if owner is not None and owner != module:
                taken.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert taken == []


@pytest.mark.parametrize(
    "path",
    [p for name, p in MODULES.items() if name != f"{NAME}.engine"] + sorted(EXAMPLES.glob("*.py")),
    ids=lambda p: p.name if p.parent == EXAMPLES else _module_name(p),
)
def test_nodes_are_read_through_their_protocol_outside_the_engine(path: Path) -> None:
    """``node.inputs``, ``.op``, ``.rule``, ``.constant``, ``.scope``: never the slots behind them."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    touched = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in NODE_PRIVATE
    ]
    assert touched == []


# ----------------------------------------------------------------- sizes and names
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60  # of code: the docstring is not counted
#: Modules and functions allowed to be longer, and why (the README's layout table says so too).
LONG_MODULES = {
    f"{NAME}.ops": "every op's forward and derivative side by side, one row per op: one table to read",
    f"{NAME}.losses": "the notes' losses and penalties, each with its derivative, on one page",
}
LONG_FUNCTIONS: dict[str, str] = {}


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function without its docstring."""
    lines = (node.end_lineno or node.lineno) - node.lineno + 1
    doc = node.body[0] if node.body else None
    if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str):
        lines -= (doc.end_lineno or doc.lineno) - doc.lineno + 1
    return lines


def _top_level_names(module: str) -> list[str]:
    """Functions, classes and variables a module defines at its top level."""
    found = []
    for node in TREES[module].body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node.name)
        elif isinstance(node, ast.Assign):
            found += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.append(node.target.id)
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_short(module: str) -> None:
    lines = len(MODULES[module].read_text("utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES or module in LONG_MODULES, f"{module}: {lines} lines"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_functions_are_short(module: str) -> None:
    long = [
        f"{node.name} (line {node.lineno}): {_code_lines(node)} lines"
        for node in ast.walk(TREES[module])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and _code_lines(node) > MAX_FUNCTION_LINES
        and f"{module}.{node.name}" not in LONG_FUNCTIONS
    ]
    assert long == []


def test_the_exceptions_are_real() -> None:
    """Every listed exception still exists and is still long: the lists don't go stale."""
    for module in LONG_MODULES:
        assert len(MODULES[module].read_text("utf-8").splitlines()) > MAX_MODULE_LINES, module
    for qualified in LONG_FUNCTIONS:
        module, _, name = qualified.rpartition(".")
        sizes = [
            _code_lines(n)
            for n in ast.walk(TREES[module])
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name
        ]
        assert sizes and max(sizes) > MAX_FUNCTION_LINES, qualified


def test_no_private_name_is_defined_in_two_modules() -> None:
    """A private helper, class or constant has one home; two modules each defining ``_data`` (with
    different meanings) is what this refuses. Classes, public ones included, are named once too."""
    homes: dict[str, list[str]] = {}
    for module in MODULES:
        classes = {n.name for n in TREES[module].body if isinstance(n, ast.ClassDef)}
        for name in set(_top_level_names(module)):
            if _private(name) or name in classes:
                homes.setdefault(name, []).append(module)
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}
