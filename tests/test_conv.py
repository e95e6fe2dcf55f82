"""tinygrad_edu.nn.conv: Conv1d and Conv2d against torch.nn.functional.conv1d/conv2d in float64
(outputs, and gradients of the input, the kernels and the bias), weight sharing, the picture of a
shared weight, the shapes accepted and refused, and Flatten."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import close, requires_torch, torch

from tinygrad_edu import Value, viz
from tinygrad_edu.engine import topological_order, total
from tinygrad_edu.nn import Conv1d, Conv2d, Flatten, Layer, Sequential
from tinygrad_edu.nn.conv import output_shape, receptive_fields


def nested(shape: tuple[int, ...], rng: random.Random) -> Any:
    """Random N(0, 1) numbers as nested lists of ``shape``."""
    if len(shape) == 1:
        return [rng.gauss(0.0, 1.0) for _ in range(shape[0])]
    return [nested(shape[1:], rng) for _ in range(shape[0])]


def as_values(x: Any) -> Any:
    return [as_values(v) for v in x] if isinstance(x, list) else Value(x)


def numbers(x: Any, attribute: str = "data") -> Any:
    """Nested lists of Values as nested lists of their data (or grads)."""
    return [numbers(v, attribute) for v in x] if isinstance(x, list) else getattr(x, attribute)


def entries(x: Any) -> list[Any]:
    return [v for item in x for v in entries(item)] if isinstance(x, list) else [x]


def assert_close_nested(ours: Any, theirs: Any, what: str) -> None:
    a, b = entries(ours), entries(theirs)
    assert len(a) == len(b), f"{what}: {len(a)} entries, torch {len(b)}"
    for i, (u, v) in enumerate(zip(a, b)):
        assert close(u, v), f"{what}[{i}]: ours {u!r}, torch {v!r}"


def check_against_torch(conv: Any, x: list[Any], seed: int) -> None:
    """y = conv(x) and the gradients of e = Σ r·y (random r) against PyTorch's, float64."""
    rng = random.Random(seed)
    xs = as_values(x)
    y = conv(xs)
    r = nested((len(y), *_shape(y[0])), rng)
    e = total(a * b for a, b in zip(entries(y), entries(r)))
    e.backward()

    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(numbers(conv.w), dtype=torch.float64, requires_grad=True)
    tb = None if conv.b is None else torch.tensor(numbers(conv.b), dtype=torch.float64, requires_grad=True)
    f = torch.nn.functional.conv1d if conv.dims == 1 else torch.nn.functional.conv2d
    ty = f(tx[None], tw, tb, stride=conv.stride, padding=conv.padding)[0]
    ty = torch.tanh(ty) if conv.activation == "tanh" else ty
    (ty * torch.tensor(r, dtype=torch.float64)).sum().backward()

    assert_close_nested(numbers(y), ty.tolist(), "output")
    assert_close_nested(numbers(xs, "grad"), tx.grad.tolist(), "∂e/∂x")
    assert_close_nested(numbers(conv.w, "grad"), tw.grad.tolist(), "∂e/∂w")
    if tb is not None:
        assert_close_nested(numbers(conv.b, "grad"), tb.grad.tolist(), "∂e/∂b")


def _shape(x: Any) -> tuple[int, ...]:
    return (len(x), *_shape(x[0])) if isinstance(x, list) else ()


@st.composite
def conv1d_cases(draw: st.DrawFn) -> tuple[Conv1d, list[Any], int]:
    cin, cout = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k, s, p = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(0, 2))
    length = draw(st.integers(max(1, k - 2 * p), 9))
    bias, act = draw(st.booleans()), draw(st.sampled_from(["linear", "tanh"]))
    seed = draw(st.integers(0, 10**6))
    conv = Conv1d(cin, cout, k, stride=s, padding=p, bias=bias, activation=act, seed=seed)
    return conv, nested((cin, length), random.Random(seed)), seed


@st.composite
def conv2d_cases(draw: st.DrawFn) -> tuple[Conv2d, list[Any], int]:
    cin, cout = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    shape = tuple(draw(st.integers(max(1, ki - 2 * pi), 6)) for ki, pi in zip(k, p))
    seed = draw(st.integers(0, 10**6))
    conv = Conv2d(cin, cout, k, stride=s, padding=p, bias=draw(st.booleans()), seed=seed)
    return conv, nested((cin, *shape), random.Random(seed)), seed


@requires_torch
@settings(deadline=None)
@given(conv1d_cases())
def test_conv1d_matches_torch(case: tuple[Conv1d, list[Any], int]) -> None:
    check_against_torch(*case)


@requires_torch
@settings(deadline=None, max_examples=40)
@given(conv2d_cases())
def test_conv2d_matches_torch(case: tuple[Conv2d, list[Any], int]) -> None:
    check_against_torch(*case)


@requires_torch
def test_a_kernel_weight_gets_the_sum_over_positions_as_torch_does() -> None:
    """Weight sharing: ∂e/∂w[o,c,q] = Σ_p x[c, p·s + q − pad]·δ[o,p], by hand, and as torch has it."""
    rng = random.Random(3)
    conv = Conv1d(2, 2, 3, stride=2, padding=1, seed=1)
    x = nested((2, 9), rng)
    check_against_torch(conv, x, seed=5)  # torch agrees on every ∂e/∂w ...
    conv.zero_grad()
    y = conv(x)
    e = total(v * v for v in entries(y))
    e.backward()
    windows = receptive_fields([9], conv.kernel_size, conv.stride, conv.padding)
    for o in range(2):
        deltas = [2 * v.data for v in y[o]]  # e = Σ y², linear: δ = 2y
        for c in range(2):
            for q in range(3):
                by_hand = sum(
                    x[c][i] * d for window, d in zip(windows, deltas) for qq, i in window if qq == q
                )
                assert close(conv.w[o][c][q].grad, by_hand)  # ... and so does the sum by hand


def test_the_same_weight_value_feeds_every_position() -> None:
    conv = Conv2d(1, 1, 2, bias=False, seed=0)
    y = conv([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    w = conv.w[0][0][1][0]
    users = [z for z in entries(y) if any(p is w for p in z.inputs)]
    assert len(users) == 4  # every one of the 2×2 output positions
    assert len(conv.parameters()) == 4  # and the kernel is only 4 parameters


def test_numbers_and_values_give_the_same_outputs() -> None:
    """The data stay numbers in the Σ nodes (as in a Neuron); Values, or a mix, give the same sums."""
    rng = random.Random(0)
    conv = Conv1d(2, 3, 2, padding=1, seed=0)
    x = nested((2, 5), rng)
    mixed = [[Value(v) if i % 2 else v for i, v in enumerate(ch)] for ch in x]
    expected = numbers(conv(x))
    assert numbers(conv(as_values(x))) == expected
    assert numbers(conv(mixed)) == expected


def test_one_channel_may_be_given_on_its_own() -> None:
    image = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]
    conv2 = Conv2d(1, 2, (2, 2), seed=0)
    assert numbers(conv2(image)) == numbers(conv2([image]))
    conv1 = Conv1d(1, 1, 2, seed=0)
    assert numbers(conv1([1.0, 2.0, 3.0])) == numbers(conv1([[1.0, 2.0, 3.0]]))


@pytest.mark.parametrize(
    "n, k, s, p, expected",
    [(5, 3, 1, 0, 3), (5, 3, 2, 0, 2), (5, 3, 1, 1, 5), (1, 1, 1, 2, 5), (4, 4, 3, 0, 1), (2, 5, 1, 2, 2)],
)
def test_output_length(n: int, k: int, s: int, p: int, expected: int) -> None:
    assert output_shape([n], [k], [s], [p]) == (expected,)
    y = Conv1d(1, 1, k, stride=s, padding=p, seed=0)([float(i) for i in range(n)])
    assert len(y[0]) == expected


def test_a_window_entirely_in_the_padding_is_the_bias() -> None:
    conv = Conv1d(1, 1, 1, padding=1, seed=0)
    y = conv([2.0])[0]
    assert [v.data for v in y] == [
        conv.b[0].data,
        conv.w[0][0][0].data * 2.0 + conv.b[0].data,
        conv.b[0].data,
    ]


def test_torch_default_init_and_the_project_initialisers() -> None:
    conv = Conv2d(2, 3, (2, 3), seed=0)  # fan_in = 2·2·3 = 12: U(±1/√12)
    bound = 12**-0.5
    assert all(abs(p.data) <= bound for p in conv.parameters())
    assert len({p.data for p in conv.parameters()}) == len(conv.parameters())
    zeros = Conv1d(2, 2, 3, init="zeros", seed=0)
    assert all(p.data == 0.0 for p in zeros.parameters())
    he = Conv1d(4, 2, 3, init="he", seed=0)
    assert all(b.data == 0.0 for b in he.b) and any(w.data != 0.0 for w in entries(he.w))
    assert numbers(Conv1d(1, 2, 3, seed=7).w) == numbers(Conv1d(1, 2, 3, rng=random.Random(7)).w)


def test_config_rebuilds_the_same_layer() -> None:
    for conv in (Conv1d(2, 3, 4, stride=2, padding=1, bias=False, activation="relu"), Conv2d(1, 2, (2, 3))):
        config = conv.config()
        rebuilt = type(conv)(**config)
        assert rebuilt.config() == config
        assert [n for n, _ in rebuilt.named_parameters()] == [n for n, _ in conv.named_parameters()]
    assert Conv1d(2, 3, 4, stride=2).config() == {
        "in_channels": 2,
        "out_channels": 3,
        "kernel_size": 4,
        "stride": 2,
        "padding": 0,
        "bias": True,
        "activation": "linear",
    }
    assert Conv2d(1, 2, 3, padding=(0, 1)).config()["padding"] == [0, 1]
    names = [n for n, _ in Conv2d(1, 2, 2).named_parameters()]
    assert names[:2] == ["w.0.0.0.0", "w.0.0.0.1"] and names[-2:] == ["b.0", "b.1"]


@requires_torch
def test_flatten_orders_as_torch_does() -> None:
    x = nested((2, 3, 4), random.Random(0))
    assert Flatten()(x) == torch.nn.Flatten(0)(torch.tensor(x, dtype=torch.float64)).tolist()


def test_a_conv_network_in_sequential() -> None:
    model = Sequential(Conv1d(1, 2, 3, activation="relu", seed=0), Flatten(), Layer(12, 1, "linear", seed=0))
    out = model([float(i % 3) for i in range(8)])
    out.backward()
    assert isinstance(out, Value)
    assert model.layers[0].w[1][0][2].scope == ("layer 1", "channel 2")
    assert any(p.grad != 0.0 for p in model.layers[0].parameters())


# ---------------------------------------------------------------- the picture


def out_edges(source: str, node: str) -> list[str]:
    """The op nodes ``node`` has an edge into, in draw_dot's DOT source."""
    return re.findall(rf"^\s*{node} -> (v\d+_op)\b", source, flags=re.M)


@pytest.mark.parametrize("padding", [0, 1])
def test_the_picture_shows_a_shared_weight_feeding_every_position(padding: int) -> None:
    """Each kernel weight has one edge into the Σ node of every output position whose window
    it covers (all of them without padding; at the border, padding leaves some out)."""
    conv = Conv1d(1, 1, 3, padding=padding, seed=0)
    x = [0.5, -1.0, 2.0, 0.0, 1.5, 1.0]
    e = total(conv(x)[0])
    e.backward()
    order = topological_order(e)
    ids = {n: f"v{i}" for i, n in enumerate(order)}
    source = viz.draw_dot(e, collapse="none").source
    windows = receptive_fields([6], [3], [1], [padding])
    for q, w in enumerate(conv.w[0][0]):
        targets = out_edges(source, ids[w])
        assert len(targets) == len(set(targets)) == sum(any(qq == q for qq, _ in w_) for w_ in windows)
        assert all(f'{t} [label="Σ"' in source for t in targets)
    assert len(out_edges(source, ids[conv.w[0][0][1]])) == len(windows)  # the middle one: every position
    assert "channel 1" in source  # the kernel and its sums are drawn as one cluster


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "make, x, message",
    [
        (
            lambda: Conv1d(1, 1, 5),
            [1.0, 2.0, 3.0],
            r"^Conv1d: kernel_size 5 is larger than the padded input's length 3 \+ 2·0 = 3$",
        ),
        (
            lambda: Conv1d(1, 1, 8, padding=2),
            [1.0, 2.0, 3.0],
            r"^Conv1d: kernel_size 8 .* length 3 \+ 2·2 = 7$",
        ),
        (
            lambda: Conv2d(1, 1, (2, 4)),
            [[1.0, 2.0], [3.0, 4.0]],
            r"^Conv2d: kernel_size 4 .* width 2 \+ 2·0 = 2$",
        ),
        (
            lambda: Conv2d(1, 1, (3, 1)),
            [[1.0, 2.0], [3.0, 4.0]],
            r"^Conv2d: kernel_size 3 .* height 2 \+ 2·0 = 2$",
        ),
        (lambda: Conv1d(2, 1, 1), [[1.0, 2.0]], r"^Conv1d: expected 2 input channels, got 1$"),
        (lambda: Conv1d(1, 1, 1), [[1.0], [2.0]], r"^Conv1d: expected 1 input channel, got 2$"),
        (lambda: Conv2d(3, 1, 1), [[[1.0]], [[2.0]]], r"^Conv2d: expected 3 input channels, got 2$"),
        (
            lambda: Conv2d(1, 1, 1),
            [[1.0, 2.0], [3.0]],
            r"^Conv2d: ragged rows: x\[0\]\[1\] has 1 entries, x\[0\]\[0\] has 2$",
        ),
        (
            lambda: Conv1d(2, 1, 1),
            [[1.0, 2.0], [3.0]],
            r"^Conv1d: input channel 1 has shape \(1,\), channel 0 has \(2,\)$",
        ),
        (lambda: Conv1d(1, 1, 1), [], r"^Conv1d: expected 1 input channel, got 0$"),
        (lambda: Conv1d(1, 1, 1), [[]], r"^Conv1d: input x\[0\] is empty$"),
        (lambda: Conv2d(1, 1, 1), [[]], r"^Conv2d: input x\[0\]\[0\] is empty$"),
        (lambda: Conv2d(1, 1, 1), [[[]]], r"^Conv2d: input x\[0\]\[0\] is empty$"),
    ],
)
def test_shapes_that_do_not_fit_are_value_errors_naming_the_layer(make: Any, x: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()(x)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Conv1d(1, 1, 0), ValueError, r"^Conv1d: kernel_size must be an integer in \[1, "),
        (lambda: Conv1d(1, 1, 2, stride=0), ValueError, r"^Conv1d: stride must be an integer in \[1, "),
        (lambda: Conv1d(1, 1, 2, padding=-1), ValueError, r"^Conv1d: padding must be an integer in \[0, "),
        (lambda: Conv2d(1, 1, (2, 0)), ValueError, r"^Conv2d: kernel_size\[1\] must be an integer in \[1, "),
        (
            lambda: Conv2d(1, 1, (2, 2, 2)),
            ValueError,
            r"^Conv2d: kernel_size must be an integer >= 1 or a pair",
        ),
        (lambda: Conv2d(1, 1, 2.0), TypeError, r"^Conv2d: kernel_size must be an integer"),
        (lambda: Conv1d(0, 1, 2), ValueError, r"^Conv1d: in_channels must be an integer in \[1, "),
        (lambda: Conv1d(1, 1, 2, activation="prelu"), ValueError, r"^Conv1d: activation must be"),
        (lambda: Conv1d(1, 1, 2, init="nope"), ValueError, r"^Conv1d: init must be one of"),
        (
            lambda: Conv1d(1, 1, 2)(["a", 1.0]),
            TypeError,
            r"^Conv1d: x\[0\]\[0\] must be a Value or a real number",
        ),
        (lambda: Conv1d(1, 1, 2)(5.0), TypeError, r"^Conv1d: x must be a list of input channels"),
        (lambda: Conv2d(1, 1, 1)([[1.0, [2.0]]]), TypeError, r"^Conv2d: x\[0\]\[0\]\[1\] must be a Value"),
        (lambda: Flatten()(3.0), TypeError, r"^Flatten: x must be a list"),
    ],
)
def test_bad_arguments(make: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


JUNK = st.recursive(
    st.one_of(st.floats(-2, 2), st.just("x"), st.none()),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=20,
)


@given(x=JUNK, cin=st.integers(1, 2), k=st.integers(1, 3), p=st.integers(0, 1), two=st.booleans())
def test_any_nested_input_is_an_output_or_a_value_or_type_error(
    x: Any, cin: int, k: int, p: int, two: bool
) -> None:
    """Never an IndexError (or anything but TypeError/ValueError), whatever the nesting."""
    conv = (Conv2d if two else Conv1d)(cin, 1, k, padding=p, seed=0)
    try:
        conv(x)
    except (TypeError, ValueError) as e:
        assert str(e).startswith(type(conv).__name__ + ":")


def test_the_architecture_picture_names_channels_and_kernel() -> None:
    model = Sequential(Conv2d(1, 2, (2, 3), activation="relu", seed=0), Flatten(), Layer(12, 1, seed=0))
    source = viz.draw_architecture(model).source
    assert "input\\n1 channel" in source
    assert "layer 1\\nConv2d · 2 channels · kernel 2×3 · relu\\n14 parameters" in source
