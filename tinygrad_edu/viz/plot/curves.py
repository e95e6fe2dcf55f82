"""Curves and bars: a training history, named series as lines, grouped bars."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from ... import checks
from .figures import (
    PathLike,
    check_numbers,
    check_series,
    check_texts,
    finite_or_nan,
    format_of,
    import_matplotlib,
    integer_ticks,
    new_axes,
    new_figure,
    positive_or_nan,
    save_figure,
)

__all__ = ["bars", "history", "lines"]


def history(
    history: Any, path: PathLike, *, title: str = "training", xlabel: str = "epoch", log_loss: bool = False
) -> Path:
    """Loss (train and, if recorded, validation) and accuracy curves of a ``train.History``.

    ``history`` needs ``train_loss`` and may have ``val_loss``,
    ``train_accuracy``, ``val_accuracy`` (lists by epoch; None entries and
    non-finite values are gaps) and ``best_epoch``, which is marked with a
    dotted line. The accuracy panel is drawn only when some accuracy was
    recorded. ``log_loss`` draws the loss on a logarithmic scale (values ≤ 0
    are then gaps); ``xlabel`` names the x axis (e.g. "step" for full-batch
    training). Returns the path.
    """
    check_numbers(getattr(history, "train_loss", None), "history", "history.train_loss")
    check_texts("history", title=title, xlabel=xlabel)
    checks.flag(log_loss, "history", "log_loss")
    format_of(path, "history")
    import_matplotlib()
    train_loss = list(getattr(history, "train_loss", []))
    if not train_loss:
        raise ValueError("history: the history has no train_loss to plot")
    val_loss = list(getattr(history, "val_loss", []) or [])
    accuracies = {name: list(getattr(history, f"{name}_accuracy", []) or []) for name in ("train", "val")}
    accuracies = {k: v for k, v in accuracies.items() if any(a is not None for a in v)}
    best = getattr(history, "best_epoch", None)

    panels = 2 if accuracies else 1
    fig = new_figure(5.0 * panels, 3.8)
    ax = new_axes(fig, f"{title}: loss", xlabel, "loss", log_y=log_loss, position=100 + 10 * panels + 1)
    integer_ticks(ax)
    ax.plot(
        range(1, len(train_loss) + 1),
        positive_or_nan(train_loss, log_loss),
        label="train",
        gid="curve-train-loss",
    )
    if val_loss:
        ax.plot(
            range(1, len(val_loss) + 1),
            positive_or_nan(val_loss, log_loss),
            label="validation",
            gid="curve-val-loss",
        )
    if best is not None:
        ax.axvline(best, color="grey", linestyle=":", label=f"best epoch {best}")
    ax.legend(fontsize=8)
    if accuracies:
        ax2 = new_axes(fig, f"{title}: accuracy", xlabel, "accuracy", position=122)
        integer_ticks(ax2)
        for name, values in accuracies.items():
            shown = "train" if name == "train" else "validation"
            ax2.plot(
                range(1, len(values) + 1), finite_or_nan(values), label=shown, gid=f"curve-{name}-accuracy"
            )
        ax2.set_ylim(-0.02, 1.02)
        ax2.legend(fontsize=8)
    return save_figure(fig, path)


def lines(
    series: Mapping[str, Sequence[Optional[float]]],
    path: PathLike,
    *,
    x: Optional[Sequence[float]] = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    log_y: bool = False,
    xticks: Optional[Sequence[str]] = None,
    markers: bool = True,
) -> Path:
    """One line per named series (``{name: values}``) against ``x`` (default 1, 2, ...); return the path.

    None, inf and nan values are gaps; with ``log_y`` the y axis is
    logarithmic and values ≤ 0 are gaps too. ``xticks`` names the x positions
    (e.g. ``["layer 1", "layer 2", ...]``). Each line's SVG id is ``line-<name>``.
    """
    check_series(series, "lines", "series")
    if x is not None:
        check_numbers(x, "lines", "x", gaps=False)
    if xticks is not None:
        if isinstance(xticks, (str, bytes)) or not isinstance(xticks, Sequence):
            checks.type_error("lines", "xticks", "None or a list of str", xticks)
        check_texts("lines", **{f"xticks[{k}]": t for k, t in enumerate(xticks)})
    checks.flag(markers, "lines", "markers")
    for arg, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
        checks.instance(text, "lines", arg, str, "a str")
    checks.flag(log_y, "lines", "log_y")
    format_of(path, "lines")
    import_matplotlib()
    if not series:
        raise ValueError("lines: no series to plot")
    fig = new_figure(6.5, 4.2)
    ax = new_axes(fig, title, xlabel, ylabel, log_y)
    longest = max(len(v) for v in series.values())
    positions = list(x) if x is not None else list(range(1, longest + 1))
    if x is None:
        integer_ticks(ax)
    for name, values in series.items():
        ys = positive_or_nan(values, log_y)
        ax.plot(
            positions[: len(ys)],
            ys,
            marker="o" if markers else None,
            markersize=3,
            label=name,
            gid=f"line-{name}",
        )
    if xticks is not None:
        ax.set_xticks(positions[: len(xticks)], list(xticks))
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def bars(
    groups: Mapping[str, Sequence[float]],
    path: PathLike,
    *,
    categories: Sequence[str],
    title: str = "",
    ylabel: str = "",
    log_y: bool = False,
) -> Path:
    """Grouped bars: for each category, one bar per named series (``{name: one value per category}``).

    With one series the bars are simply one per category. Non-finite values
    are left out (no bar). Each series' bars share the SVG id ``bars-<name>``.
    Returns the path.
    """
    check_series(groups, "bars", "groups")
    if isinstance(categories, (str, bytes)) or not isinstance(categories, Sequence):
        checks.type_error("bars", "categories", "a list of str", categories)
    check_texts(
        "bars", title=title, ylabel=ylabel, **{f"categories[{i}]": c for i, c in enumerate(categories)}
    )
    checks.flag(log_y, "bars", "log_y")
    format_of(path, "bars")
    import_matplotlib()
    if not groups:
        raise ValueError("bars: no series to plot")
    for name, values in groups.items():
        if len(values) != len(categories):
            raise ValueError(
                f"bars: series {checks.short(name)} has {len(values)} values for {len(categories)} categories"
            )
    fig = new_figure(max(5.0, 1.0 + 0.9 * len(categories) * max(1, len(groups)) ** 0.5), 4.2)
    ax = new_axes(fig, title, "", ylabel, log_y)
    width = 0.8 / len(groups)
    for g, (name, values) in enumerate(groups.items()):
        offset = (g - (len(groups) - 1) / 2) * width
        heights = finite_or_nan(values)
        ax.bar(
            [i + offset for i in range(len(categories))], heights, width=width, label=name, gid=f"bars-{name}"
        )
    ax.set_xticks(list(range(len(categories))), list(categories))
    if len(groups) > 1:
        ax.legend(fontsize=8)
    return save_figure(fig, path)
