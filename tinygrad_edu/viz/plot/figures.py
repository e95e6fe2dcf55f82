"""What every plot shares: matplotlib imported on demand, arguments checked, and figures
drawn on an Agg canvas (no pyplot, nothing global) and written whole or not at all."""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

from ... import checks
from ...files import write_atomic

# matplotlib is optional, so mypy may run where it is not installed: each import of it says
# "not found is fine here" (and "fine if found", for where it is installed).
if TYPE_CHECKING:  # only for the annotations: matplotlib stays optional at run time
    from matplotlib.axes import Axes  # type: ignore[import-not-found, unused-ignore]
    from matplotlib.figure import Figure  # type: ignore[import-not-found, unused-ignore]

__all__ = ["FORMATS", "INSTALL_HINT", "PlotsUnavailable", "available"]

INSTALL_HINT = 'plots need matplotlib: pip install "tinygrad_edu[plot]"'
FORMATS = ("png", "svg", "pdf")
PathLike = Union[str, "os.PathLike[str]"]
_RC = {"svg.hashsalt": "tinygrad_edu", "svg.fonttype": "none"}  # read when saving


class PlotsUnavailable(ImportError):
    """matplotlib is not installed; the message says how to install it."""


def available() -> bool:
    """True when matplotlib can be imported (plots can be drawn)."""
    try:
        import_matplotlib()
    except PlotsUnavailable:
        return False
    return True


def import_matplotlib() -> Any:
    """The ``matplotlib`` module, or :class:`PlotsUnavailable` with the install hint."""
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]
        import matplotlib.backends.backend_agg  # type: ignore[import-not-found, unused-ignore]
        import matplotlib.figure  # type: ignore[import-not-found, unused-ignore]
    except ImportError as e:
        raise PlotsUnavailable(INSTALL_HINT) from e
    return matplotlib


def check_texts(where: str, **texts: Any) -> None:
    """Titles and axis labels are str."""
    for arg, text in texts.items():
        checks.instance(text, where, arg, str, "a str")


def check_numbers(values: Any, where: str, arg: str, gaps: bool = True) -> None:
    """A sequence of numbers (None or non-finite ones are gaps where ``gaps``)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        checks.type_error(where, arg, "a sequence of numbers", values)
    for i, v in enumerate(values):
        if not (gaps and v is None):
            checks.real(v, where, f"{arg}[{i}]", finite=not gaps)


def check_series(series: Any, where: str, arg: str) -> None:
    """A dict {name: sequence of numbers}."""
    if not isinstance(series, Mapping):
        checks.type_error(where, arg, "a dict {name: values}", series)
    for name, values in series.items():
        checks.instance(name, where, f"a name in {arg}", str, "a str")
        check_numbers(values, where, f"{arg}[{checks.short(name)}]")


def check_pair(v: Any, where: str, arg: str, ordered: bool = False) -> None:
    """None or two finite numbers (low < high when ``ordered``)."""
    if v is None:
        return
    if isinstance(v, (str, bytes)) or not isinstance(v, Sequence) or len(v) != 2:
        checks.type_error(where, arg, "None or a pair of numbers", v)
    a, b = (checks.real(x, where, f"{arg}[{i}]") for i, x in enumerate(v))
    if ordered and not a < b:
        checks.value_error(where, arg, "a pair (low, high) with low < high", v)


def format_of(path: PathLike, where: str = "plot") -> str:
    checks.instance(path, where, "path", (str, os.PathLike), "a file path (str or Path)")
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{where}: cannot tell the format from {os.fspath(path)!r}; use .png, .svg or .pdf")
    return fmt


def new_figure(width: float, height: float) -> Figure:
    """A new figure on an Agg canvas (no pyplot: nothing global, nothing left open)."""
    import_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # type: ignore[import-not-found, unused-ignore]
    from matplotlib.figure import Figure  # type: ignore[import-not-found, unused-ignore]

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Figure, path: PathLike) -> Path:
    """Render ``fig`` in the format of ``path``'s suffix and write it atomically; return the path."""
    fmt = format_of(path)
    matplotlib = import_matplotlib()
    metadata: dict[str, Any] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    buffer = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format=fmt, metadata=metadata)
    fig.clear()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, buffer.getvalue(), where="plot")
    return target


def finite_or_nan(xs: Sequence[Optional[float]]) -> list[float]:
    """The numbers with None, inf and nan as nan (a gap in a line, not an error)."""
    return [float(x) if x is not None and math.isfinite(x) else math.nan for x in xs]


def positive_or_nan(xs: Sequence[Optional[float]], log: bool) -> list[float]:
    """:func:`finite_or_nan`, and for a logarithmic axis values ≤ 0 as nan too."""
    return [x if x > 0 or not log else math.nan for x in finite_or_nan(xs)]


def integer_ticks(ax: Axes) -> None:
    """Ticks only at whole numbers on the x axis (epochs, steps, layers)."""
    from matplotlib.ticker import MaxNLocator  # type: ignore[import-not-found, unused-ignore]

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def new_axes(
    fig: Figure, title: str, xlabel: str, ylabel: str, log_y: bool = False, position: int = 111
) -> Axes:
    ax = fig.add_subplot(position)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_y:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    return ax
