"""Weights as images: a convolution's learned kernels (or any small grids of weights), side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from ... import checks
from .figures import PathLike, check_texts, format_of, import_matplotlib, new_figure, save_figure

__all__ = ["kernels"]

ANNOTATED = 36  # cells a panel may have and still show each weight's value in its cell


def kernels(
    weights: Mapping[str, Sequence[Any]],
    path: PathLike,
    *,
    title: str = "",
    annotate: Optional[bool] = None,
) -> Path:
    """Each named grid of weights as an image, on one colour scale symmetric about 0 (red
    positive, blue negative, white 0), so that panels compare; return the path.

    ``weights`` is ``{name: kernel}``, a kernel being a list of numbers (a 1-D kernel,
    drawn as one row) or a list of equal-length rows (2-D), e.g. ``{"channel 1":
    [w.data for w in conv.w[0][0]]}``. ``annotate`` writes each weight's value in its cell
    (default: when every panel has at most 36 cells). Each panel's SVG id is ``kernel-<name>``.
    """
    check_texts("kernels", title=title)
    if annotate is not None:
        checks.flag(annotate, "kernels", "annotate")
    if not isinstance(weights, Mapping):
        checks.type_error("kernels", "weights", "a dict {name: kernel}", weights)
    grids = {
        checks.instance(name, "kernels", "a name in weights", str, "a str"): _kernel_rows(
            kernel, f"weights[{name!r}]"
        )
        for name, kernel in weights.items()
    }
    format_of(path, "kernels")
    import_matplotlib()
    if not grids:
        raise ValueError("kernels: no kernel to plot")
    largest = max(abs(v) for grid in grids.values() for row in grid for v in row) or 1.0
    cells = max(len(grid) * len(grid[0]) for grid in grids.values())
    show_values = annotate if annotate is not None else cells <= ANNOTATED
    width = max(len(grid[0]) for grid in grids.values())
    fig = new_figure(max(3.0, len(grids) * (0.6 + 0.45 * width)), 1.2 + 0.45 * max(map(len, grids.values())))
    if title:
        fig.suptitle(title)
    for k, (name, grid) in enumerate(grids.items()):
        ax = fig.add_subplot(1, len(grids), k + 1)
        image = ax.imshow(grid, cmap="RdBu_r", vmin=-largest, vmax=largest, gid=f"kernel-{name}")
        ax.set_title(name, fontsize=9)
        ax.set_xticks(range(len(grid[0])))
        ax.set_yticks(range(len(grid)) if len(grid) > 1 else [])
        if show_values:
            for i, row in enumerate(grid):
                for j, v in enumerate(row):
                    shade = "white" if abs(v) > 0.6 * largest else "black"
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color=shade)
    fig.colorbar(image, ax=fig.axes, shrink=0.8)
    return save_figure(fig, path)


def _kernel_rows(kernel: Any, arg: str) -> list[list[float]]:
    """A kernel as rows of finite numbers (a 1-D kernel as one row), checked."""
    if isinstance(kernel, (str, bytes)) or not isinstance(kernel, Sequence) or not kernel:
        checks.type_error("kernels", arg, "a non-empty list of numbers, or of rows of numbers", kernel)
    rows = kernel if isinstance(kernel[0], Sequence) and not isinstance(kernel[0], (str, bytes)) else [kernel]
    grid = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or not row:
            checks.type_error("kernels", f"{arg}[{i}]", "a non-empty row of numbers", row)
        grid.append([checks.real(v, "kernels", f"{arg}[{i}][{j}]") for j, v in enumerate(row)])
        if len(grid[-1]) != len(grid[0]):
            raise ValueError(f"kernels: {arg} has rows of {len(grid[0])} and {len(grid[-1])} weights")
    return grid
