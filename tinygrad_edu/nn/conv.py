"""Convolution layers built from Values: ``Conv1d``, ``Conv2d``, and ``Flatten`` to feed a ``Layer``.

A convolution is a layer of neurons with *local receptive fields* and *shared weights*.
Output position p of output channel o looks only at a small window of the input, the
kernel's size, and every position uses the same kernel weights w[o, c, q]:

    z[o, p] = Σ_c Σ_q  w[o, c, q] · x[c, p·s + q − pad]  +  b[o]        y[o, p] = θ(z[o, p])

(the sum over q runs over the kernel's offsets; s is the stride and pad the zero padding
on each side). This is cross-correlation, exactly what ``torch.nn.functional.conv1d`` and
``conv2d`` compute. Each z is one Σ node, as a neuron's pre-activation is, and each
kernel weight is ONE Value feeding the Σ node of every position, so backprop adds up its
gradient over the positions: ∂e/∂w[o, c, q] = Σ_p x[c, p·s + q − pad] · δ[o, p], where
δ[o, p] = ∂e/∂z[o, p]:

>>> from tinygrad_edu.nn import Conv1d
>>> conv = Conv1d(1, 1, kernel_size=2, bias=False, seed=0)
>>> w0, w1 = conv.w[0][0]
>>> x = [1.0, 2.0, 4.0]
>>> z = conv(x)[0]                  # one output channel, 3 − 2 + 1 = 2 positions
>>> [round(zi.data - (w0.data * a + w1.data * b), 12) for zi, a, b in zip(z, x, x[1:])]
[0.0, 0.0]
>>> (z[0] + z[1]).backward()        # δ = 1 at both positions
>>> w0.grad, w1.grad                # x₁ + x₂ and x₂ + x₃: one term per position
(3.0, 6.0)

Padding zeros are not made into nodes: a window position that falls in the padding adds
w·0 to z and 0·δ to ∂e/∂w, so it is left out of the sum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import product
from typing import Any, Optional, Union

from .. import ops
from ..checks import RandomLike, as_float, flag, integer, is_real, type_error, value_error
from ..engine import Value, apply
from ..init import Initializer, draw_weight, initializer
from ..modes import scope
from .activations import ACTIVATIONS, Activation, activation_name
from .layers import MAX_SIZE, make_rng
from .module import PerSample

__all__ = ["Conv1d", "Conv2d", "Flatten"]

Size = Union[int, Sequence[int]]
Window = list[tuple[int, int]]  # (kernel offset, input position), both flat, for one output position


class _Convolution(PerSample):
    """What Conv1d and Conv2d share: ``dims`` is 1 or 2, the number of spatial axes."""

    dims = 0  # set by each subclass

    # (Conv1d and Conv2d take the same keywords: the signature lives here once)
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size = 1,
        padding: Size = 0,
        bias: bool = True,
        *,
        activation: Activation = "linear",
        init: Union[str, Initializer] = "torch",
        seed: Optional[int] = None,
        rng: Optional[RandomLike] = None,
    ) -> None:
        where = type(self).__name__
        self.in_channels = integer(in_channels, where, "in_channels", low=1, high=MAX_SIZE)
        self.out_channels = integer(out_channels, where, "out_channels", low=1, high=MAX_SIZE)
        self.kernel_size = _axis_sizes(kernel_size, self.dims, where, "kernel_size", 1)
        self.stride = _axis_sizes(stride, self.dims, where, "stride", 1)
        self.padding = _axis_sizes(padding, self.dims, where, "padding", 0)
        bias = flag(bias, where, "bias")
        self.activation = activation_name(activation, None, where)
        if self.activation == "prelu":  # its slope would be a parameter per channel: not supported
            value_error(where, "activation", "a name from ACTIVATIONS or a function", "prelu")
        shown = (lambda t: t[0]) if self.dims == 1 else list  # JSON-friendly: an int, or [h, w]
        self._config = {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": shown(self.kernel_size),
            "stride": shown(self.stride),
            "padding": shown(self.padding),
            "bias": bias,
            "activation": self.activation,
        }
        self._draw_parameters(init, bias, make_rng(seed, rng, where))
        self._windows: dict[tuple[int, ...], list[Window]] = {}  # by input shape, computed once
        self._set_scope((where.lower(),))

    def _draw_parameters(self, init: Union[str, Initializer], bias: bool, gen: RandomLike) -> None:
        """w[o][c][q…] (PyTorch's weight layout) and b[o], drawn as the docstring of the class says."""
        where, k = type(self).__name__, math.prod(self.kernel_size)
        fan_in, fan_out = self.in_channels * k, self.out_channels * k
        if not isinstance(init, str) and not callable(init):  # (before init == "torch": an array compares)
            type_error(where, "init", "a name or a function", init)
        bound = 1.0 / math.sqrt(fan_in)
        draw_bias = isinstance(init, str) and init == "torch"  # PyTorch's default, for the bias too
        draw = _uniform(bound) if draw_bias else initializer(init, self.activation, where)

        def kernel(o: int, c: int, at: tuple[int, ...]) -> Any:
            if len(at) == self.dims:
                label = f"w[{','.join(map(str, (o, c, *at)))}]"
                return Value(draw_weight(draw, fan_in, fan_out, gen), label=label)
            return [kernel(o, c, (*at, i)) for i in range(self.kernel_size[len(at)])]

        self.w = [[kernel(o, c, ()) for c in range(self.in_channels)] for o in range(self.out_channels)]
        self.b = None
        if bias:  # drawn after every weight, as PyTorch does
            self.b = [
                Value(gen.uniform(-bound, bound) if draw_bias else 0.0, label=f"b[{o}]")
                for o in range(self.out_channels)
            ]

    def _set_scope(self, path: tuple[str, ...]) -> None:
        """Output channel o's kernel, bias and Σ nodes are drawn together, as ``channel o+1``."""
        self._scopes = []
        for o in range(self.out_channels):
            inner = (*path, f"channel {o + 1}")
            for p in [*_entries_of(self.w[o]), *([] if self.b is None else [self.b[o]])]:
                p.scope = inner
            self._scopes.append(scope(inner))

    def forward(self, x: Sequence[Any]) -> list[Any]:
        """The output channels, each of the output's spatial shape (see the class docstring)."""
        channels, shape = self._input(x)
        geometry = (self.kernel_size, self.stride, self.padding)
        if shape not in self._windows:
            self._windows[shape] = receptive_fields(shape, *geometry)
        windows = self._windows[shape]
        out_shape = output_shape(shape, *geometry)
        k = math.prod(self.kernel_size)
        act = self.activation
        theta = ACTIVATIONS[act] if isinstance(act, str) else act
        numbers = type(channels[0][0]) is float  # the data: they stay numbers inside the Σ nodes
        out = []
        for o in range(self.out_channels):
            ws = _entries_of(self.w[o])  # in (c, q) order: channel by channel, the kernel row by row
            b = () if self.b is None else (self.b[o],)
            ys = []
            with self._scopes[o]:
                for window in windows:
                    wi = [ws[c * k + q] for c in range(self.in_channels) for q, _ in window]
                    xi = [channels[c][i] for c in range(self.in_channels) for _, i in window]
                    if numbers:
                        z = apply(ops.DOT_C, *wi, *b, c=tuple(xi))
                    else:
                        z = apply(ops.DOT, *wi, *xi, *b, c=len(wi))
                    z.label = "z"  # the pre-activation, whose grad is δ[o, p]
                    ys.append(theta(z))
            out.append(_shaped(ys, out_shape))
        return out

    def _input(self, x: Any) -> tuple[list[list[Any]], tuple[int, ...]]:
        """x checked: each channel flat (row by row) and its spatial shape. Entries are all
        Values or all floats; in a mix, the numbers become constant leaves."""
        where = type(self).__name__
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            type_error(where, "x", "a list of input channels", x)
        if self.in_channels == 1 and x and _depth(x) == self.dims:  # one channel, given on its own
            x = [x]
        if len(x) != self.in_channels:
            plural = "" if self.in_channels == 1 else "s"
            raise ValueError(f"{where}: expected {self.in_channels} input channel{plural}, got {len(x)}")
        grids = [_grid(ch, self.dims, where, f"x[{c}]") for c, ch in enumerate(x)]
        shape = grids[0][0]
        for c, (other, _) in enumerate(grids):
            if other != shape:
                raise ValueError(f"{where}: input channel {c} has shape {other}, channel 0 has {shape}")
        axes = ("length",) if self.dims == 1 else ("height", "width")
        for n, k, p, axis in zip(shape, self.kernel_size, self.padding, axes):
            if n + 2 * p < k:
                padded = f"the padded input's {axis} {n} + 2·{p} = {n + 2 * p}"
                raise ValueError(f"{where}: kernel_size {k} is larger than {padded}")
        channels = [entries for _, entries in grids]
        kinds = {type(v) for ch in channels for v in ch}
        if kinds == {Value} or kinds == {float}:
            return channels, shape
        return [[v if isinstance(v, Value) else Value(v) for v in ch] for ch in channels], shape

    def __repr__(self) -> str:
        def size(t: tuple[int, ...]) -> str:
            return str(t[0]) if self.dims == 1 else str(t)

        act = "" if self.activation == "linear" else f", activation={_activation_text(self.activation)}"
        sizes = (
            f"kernel_size={size(self.kernel_size)}, stride={size(self.stride)}, padding={size(self.padding)}"
        )
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels}, {sizes}{act})"


class Conv1d(_Convolution):
    """A 1-D convolution: ``Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    bias=True, *, activation="linear", init="torch", seed=None, rng=None)``.

    z[o][p] = Σ_c Σ_q w[o][c][q]·x[c][p·s + q − pad] + b[o] and y[o][p] = θ(z[o][p]), what
    ``torch.nn.functional.conv1d`` computes for one sample (cross-correlation, zero padding),
    followed by the activation θ (``"linear"``, the default, is none; any name from
    :data:`ACTIVATIONS` or a function of a Value).

    - Input ``x``: ``in_channels`` sequences of the same length L ≥ 1 (C × L), of numbers or
      Values; with ``in_channels == 1`` also one sequence on its own.
    - Output: ``out_channels`` lists of L_out = ⌊(L + 2·pad − k)/s⌋ + 1 Values (C_out × L_out),
      always a list of channels, even for one.
    - ``kernel_size`` k ≥ 1, ``stride`` s ≥ 1 and ``padding`` pad ≥ 0 are integers (or 1-tuples).
    - Parameters: ``w[o][c][q]`` (PyTorch's weight layout, out × in × k) and ``b[o]``.
    - ``init="torch"`` (default) draws every weight and bias from U(−1/√fan_in, 1/√fan_in),
      fan_in = in_channels·k, as PyTorch's default does; a name from :data:`INITIALIZERS`
      (or ``"auto"``, or a function ``(fan_in, fan_out, rng)``) draws the weights with
      fan_out = out_channels·k, and the bias starts at 0.

    A kernel larger than the padded input, a wrong number of channels, channels of different
    lengths or an empty one are a ``ValueError`` naming the layer and the sizes.
    """

    dims = 1


class Conv2d(_Convolution):
    """A 2-D convolution on small images: ``Conv2d(in_channels, out_channels, kernel_size,
    stride=1, padding=0, bias=True, *, activation="linear", init="torch", seed=None, rng=None)``.

    z[o][i][j] = Σ_c Σ_u Σ_v w[o][c][u][v]·x[c][i·s₀ + u − pad₀][j·s₁ + v − pad₁] + b[o] and
    y = θ(z), what ``torch.nn.functional.conv2d`` computes for one sample (cross-correlation,
    zero padding), followed by the activation θ (``"linear"`` by default).

    - Input ``x``: ``in_channels`` images, each a list of H ≥ 1 rows of W ≥ 1 numbers or Values
      (C × H × W); with ``in_channels == 1`` also one image on its own (a list of rows).
    - Output: ``out_channels`` images of H_out × W_out Values, H_out = ⌊(H + 2·pad₀ − k₀)/s₀⌋ + 1
      and W_out alike (C_out × H_out × W_out), always a list of channels, even for one.
    - ``kernel_size`` (k₀, k₁) ≥ 1, ``stride`` ≥ 1 and ``padding`` ≥ 0: an integer for both
      axes, or a pair (rows, columns).
    - Parameters: ``w[o][c][u][v]`` (PyTorch's weight layout, out × in × k₀ × k₁) and ``b[o]``.
    - ``init``: as for :class:`Conv1d`, with fan_in = in_channels·k₀·k₁.

    A kernel larger than the padded image, a wrong number of channels, ragged rows or
    images of different sizes are a ``ValueError`` naming the layer and the sizes.
    """

    dims = 2


class Flatten(PerSample):
    """A convolution's output (nested lists) as one flat list, channel by channel and row by row,
    as ``torch.nn.Flatten`` orders one sample: ``Sequential(Conv1d(1, 2, 3), Flatten(),
    Layer(2 * 6, 1))`` reads an input of length 8."""

    def __init__(self) -> None:
        self._config: dict[str, Any] = {}

    def forward(self, x: Any) -> list[Any]:
        """Every entry of x, depth first."""
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            type_error("Flatten", "x", "a list (of lists) of Values or numbers", x)
        return _entries_of(x)

    def __repr__(self) -> str:
        return "Flatten()"


# ---------------------------------------------------------------- geometry


def output_shape(
    shape: Sequence[int], kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int]
) -> tuple[int, ...]:
    """⌊(n + 2·pad − k)/s⌋ + 1 along each axis."""
    return tuple((n + 2 * p - k) // s + 1 for n, k, s, p in zip(shape, kernel, stride, padding))


def receptive_fields(
    shape: Sequence[int], kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int]
) -> list[Window]:
    """For each output position (row by row), the (kernel offset, input position) pairs of its
    window that fall inside the input, both as flat indices; offsets in the padding are left out.

    >>> receptive_fields([3], [2], [1], [1])   # positions −1…3 padded: windows (−1, 0), (0, 1), …
    [[(1, 0)], [(0, 0), (1, 1)], [(0, 1), (1, 2)], [(0, 2)]]
    """
    offsets = list(product(*map(range, kernel)))
    windows = []
    for at in product(*map(range, output_shape(shape, kernel, stride, padding))):
        window = []
        for q, offset in enumerate(offsets):
            index = [p * s + u - pad for p, s, u, pad in zip(at, stride, offset, padding)]
            if all(0 <= i < n for i, n in zip(index, shape)):
                window.append((q, _flat_index(index, shape)))
        windows.append(window)
    return windows


def _flat_index(index: Sequence[int], shape: Sequence[int]) -> int:
    flat = 0
    for i, n in zip(index, shape):
        flat = flat * n + i
    return flat


# ---------------------------------------------------------------- nested lists


def _axis_sizes(x: Any, dims: int, where: str, arg: str, low: int) -> tuple[int, ...]:
    """An integer ≥ low for every axis, or one per axis (a pair for Conv2d)."""
    if isinstance(x, Sequence) and not isinstance(x, (str, bytes)):
        if len(x) != dims:
            what = "a pair" if dims == 2 else "a 1-tuple"
            value_error(where, arg, f"an integer >= {low} or {what} of them", x)
        return tuple(integer(v, where, f"{arg}[{i}]", low=low, high=MAX_SIZE) for i, v in enumerate(x))
    return (integer(x, where, arg, low=low, high=MAX_SIZE),) * dims


def _depth(x: Any) -> int:
    """How many lists deep the first entry of x lies (1 for [1.0, 2.0], 2 for [[1.0]] and [[]])."""
    depth = 0
    while isinstance(x, Sequence) and not isinstance(x, (str, bytes)):
        depth += 1
        if not x:  # an empty list counts as a level: [[]] is one channel with nothing in it
            break
        x = x[0]
    return depth


def _grid(x: Any, dims: int, where: str, arg: str) -> tuple[tuple[int, ...], list[Any]]:
    """A channel: ``dims`` levels of non-empty lists of equal lengths, its shape and its entries
    flat, each a Value or a float."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        type_error(where, arg, "a list of rows" if dims == 2 else "a list of numbers or Values", x)
    if not x:
        raise ValueError(f"{where}: input {arg} is empty")
    if dims == 1:
        return (len(x),), [_input_entry(v, where, f"{arg}[{i}]") for i, v in enumerate(x)]
    rows = [_grid(row, dims - 1, where, f"{arg}[{i}]") for i, row in enumerate(x)]
    for i, (shape, _) in enumerate(rows):
        if shape != rows[0][0]:
            raise ValueError(
                f"{where}: ragged rows: {arg}[{i}] has {shape[0]} entries, {arg}[0] has {rows[0][0][0]}"
            )
    return (len(x), *rows[0][0]), [v for _, entries in rows for v in entries]


def _uniform(bound: float) -> Initializer:
    """PyTorch's default, kaiming_uniform(a=√5): U(±√(1/3)·√(3/fan_in)) = U(±1/√fan_in)."""
    return lambda m, n, rng: rng.uniform(-bound, bound)


def _input_entry(v: Any, where: str, arg: str) -> Any:
    if isinstance(v, Value):
        return v
    if not is_real(v):
        type_error(where, arg, "a Value or a real number", v)
    return as_float(v, where, arg)


def _entries_of(x: Any) -> list[Any]:
    """The entries of nested lists, depth first (iteratively: no recursion limit)."""
    out, stack = [], [x]
    while stack:
        top = stack.pop()
        if isinstance(top, (list, tuple)):
            stack.extend(reversed(top))
        else:
            out.append(top)
    return out


def _shaped(flat: list[Value], shape: tuple[int, ...]) -> list[Any]:
    """A flat list as nested lists of ``shape`` (row by row)."""
    if len(shape) == 1:
        return flat
    width = math.prod(shape[1:])
    return [_shaped(flat[i * width : (i + 1) * width], shape[1:]) for i in range(shape[0])]


def _activation_text(activation: Activation) -> str:
    return repr(activation) if isinstance(activation, str) else getattr(activation, "__name__", "a function")
