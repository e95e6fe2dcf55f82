"""micrograd's code runs here after changing one import.

The code in this file is micrograd's and its lecture's ("The spelled-out intro to neural networks
and backpropagation: building micrograd"): ``trace`` and ``draw_dot``, the ops written by hand
(``Value(t, (self,), 'tanh')`` with its own ``out._backward``), the manual neuron, the README
example, the lecture's Neuron/Layer/MLP and training loop, and hand-written optimizers that keep
their state on the Values (``p.v``, ``p.m``). Only the import lines differ from the originals; where
the lecture wrote an op as a method of its own Value class, the method body is kept as is and the
op is called as a function (``tanh(n)`` for ``n.tanh()``).

Every result is checked against an independent reference: PyTorch in float64, closed forms, or
the numbers the lecture and the README print.
"""

# ruff: noqa: E702, UP031, UP034, RUF005
# (the lecture's code is kept as written: `x1w1 = x1*w1; x1w1.label = 'x1*w1'`, "%.4f" % ..., [nin] + nouts)

from __future__ import annotations

import math
import random
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
from graphviz import Digraph
from oracle import close, requires_torch, torch

from tinygrad_edu import Value, topological_order
from tinygrad_edu.nn import MLP, Neuron

# ------------------------------------------------------------ the lecture's draw_dot, verbatim


def trace(root):
  # builds a set of all nodes and edges in a graph
  nodes, edges = set(), set()
  def build(v):
    if v not in nodes:
      nodes.add(v)
      for child in v._prev:
        edges.add((child, v))
        build(child)
  build(root)
  return nodes, edges

def draw_dot(root):
  dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'}) # LR = left to right

  nodes, edges = trace(root)
  for n in nodes:
    uid = str(id(n))
    # for any value in the graph, create a rectangular ('record') node for it
    dot.node(name = uid, label = "{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape='record')
    if n._op:
      # if this value is a result of some operation, create an op node for it
      dot.node(name = uid + n._op, label = n._op)
      # and connect this node to it
      dot.edge(uid + n._op, uid)

  for n1, n2 in edges:
    # connect n1 to the op node of n2
    dot.edge(str(id(n1)), str(id(n2)) + n2._op)

  return dot


# micrograd's trace_graph.ipynb draws the same graph with data and grad only
def draw_dot_micrograd(root, format='svg', rankdir='LR'):
    """
    format: png | svg | ...
    rankdir: TB (top to bottom graph) | LR (left to right)
    """
    assert rankdir in ['LR', 'TB']
    nodes, edges = trace(root)
    dot = Digraph(format=format, graph_attr={'rankdir': rankdir}) #, node_attr={'rankdir': 'TB'})

    for n in nodes:
        dot.node(name=str(id(n)), label = "{ data %.4f | grad %.4f }" % (n.data, n.grad), shape='record')
        if n._op:
            dot.node(name=str(id(n)) + n._op, label=n._op)
            dot.edge(str(id(n)) + n._op, str(id(n)))

    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)

    return dot


# ------------------------------------------------------------ the lecture's ops, written by hand
# Each body is the lecture's method of the same name; `self` is the first argument.


def add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), '+')

    def _backward():
      self.grad += 1.0 * out.grad
      other.grad += 1.0 * out.grad
    out._backward = _backward

    return out

def mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), '*')

    def _backward():
      self.grad += other.data * out.grad
      other.grad += self.data * out.grad
    out._backward = _backward

    return out

def pow_(self, other):
    assert isinstance(other, (int, float)), "only supporting int/float powers for now"
    out = Value(self.data**other, (self,), f'**{other}')

    def _backward():
        self.grad += other * (self.data ** (other - 1)) * out.grad
    out._backward = _backward

    return out

def truediv(self, other): # self / other
    return self * other**-1

def tanh(self):
    x = self.data
    t = (math.exp(2*x) - 1)/(math.exp(2*x) + 1)
    out = Value(t, (self, ), 'tanh')

    def _backward():
      self.grad += (1 - t**2) * out.grad
    out._backward = _backward

    return out

def exp(self):
    x = self.data
    out = Value(math.exp(x), (self, ), 'exp')

    def _backward():
      self.grad += out.data * out.grad # NOTE: in the video I incorrectly used = instead of +=. Fixed here.
    out._backward = _backward

    return out


# ------------------------------------------------------------ reading a drawn graph back


def drawn(dot: Any) -> tuple[set[str], set[tuple[str, str]]]:
    """The boxes and arrows of a draw_dot picture, by name: a value box is its label ("x1"), an op
    circle is its symbol and the label of the value it makes ("* x1*w1")."""
    unquote: Callable[[str], str] = lambda s: s[1:-1] if s.startswith('"') else s
    token = r'("(?:[^"\\]|\\.)*"|\S+)'
    names: dict[str, str] = {}
    arrows: list[tuple[str, str]] = []
    for line in dot.body:
        if m := re.match(rf"\t{token} -> {token}\s*$", line):
            arrows.append((unquote(m[1]), unquote(m[2])))
        elif m := re.match(rf"\t{token} \[label={token}( shape=record)?\]\s*$", line):
            names[unquote(m[1])] = unquote(m[2])
    boxes = {name: label.split("|")[0].strip("{ ") for name, label in names.items() if label.startswith("{")}
    for name, label in names.items():
        if not label.startswith("{"):  # an op circle: its name is the box's name + the op symbol
            boxes[name] = f"{label} {boxes[name[: len(name) - len(label)]]}"
    return set(boxes.values()), {(boxes[a], boxes[b]) for a, b in arrows}


def record_labels(dot: Any) -> set[str]:
    """The text of every value box: "{ x1 | data 2.0000 | grad -1.5000 }"."""
    return set(re.findall(r'label="(\{[^"]*\})"', "".join(dot.body)))


def render_svg(dot: Any, tmp_path: Path) -> str:
    """draw_dot's picture rendered by Graphviz, as the notebook does (``dot.render('gout')``)."""
    out = dot.render(str(tmp_path / "gout"))
    return Path(out).read_text(encoding="utf-8")


needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


# ------------------------------------------------------------ the Value's micrograd fields


def test_the_constructor_and_fields_are_micrograds() -> None:
    """``Value(data, _children=(), _op='', label='')``; ``_op`` is the op's symbol; ``_prev`` its inputs."""
    a = Value(2.0, label='a')
    b = Value(-3.0, (), '', 'b')
    made = Value(5.0, _children=(a, b), _op='+', label='c')
    assert (made.data, made._op, made.label, made._prev) == (5.0, '+', 'c', (a, b))
    assert a._op == '' and a._prev == () and a.grad == 0.0
    assert (a + b)._op == '+' and (a * b)._op == '*' and (a - b)._op == '-' and (a / b)._op == '/'
    assert a.tanh()._op == 'tanh' and a.exp()._op == 'exp' and a.relu()._op == 'relu'
    assert (a**2)._op == '**' and (-a)._op == 'neg'
    assert (a * b)._prev == (a, b) and (b * a)._prev == (b, a)  # the inputs, in order
    assert (a * 2)._prev == (a,) and (2 * a)._prev == (a,)  # a number stays in its node


def test_users_may_set_their_own_attributes() -> None:
    p = Value(1.0)
    p.m, p.v, p.name = 0.0, 0.0, "w1"
    assert (p.m, p.v, p.name) == (0.0, 0.0, "w1")
    assert not hasattr(Value(1.0), "m")  # on that Value only


def test_comparisons_read_data_and_equality_is_identity() -> None:
    a, b, a_twin = Value(1.0), Value(2.0), Value(1.0)
    results = [a < b, a <= b, a > b, a >= b, b > 1, 1 < b, a <= 1.0, a >= a_twin]
    assert results == [True, True, False, False, True, True, True, True]
    assert all(type(r) is bool for r in results)
    assert a != a_twin and not (a == a_twin) and a == a  # identity: Values live in sets and dicts
    assert len({a, b, a_twin}) == 3 and {a: "a", a_twin: "twin"}[a] == "a"
    assert sorted([b, a]) == [a, b] and max([a, b]) is b
    with pytest.raises(TypeError, match="Value comparison"):
        _ = a < "1"


# ------------------------------------------------------------ micrograd's README example


def test_micrograds_readme_example(capsys: pytest.CaptureFixture[str]) -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    print(f'{g.data:.4f}') # prints 24.7041, the outcome of this forward pass
    g.backward()
    print(f'{a.grad:.4f}') # prints 138.8338, i.e. the numerical value of dg/da
    print(f'{b.grad:.4f}') # prints 645.5773, i.e. the numerical value of dg/db
    assert capsys.readouterr().out.split() == ["24.7041", "138.8338", "645.5773"]


@requires_torch
def test_micrograds_readme_example_against_torch() -> None:
    """micrograd's own test: the same expression in PyTorch (float64 here) gives the same gradients."""

    def expression(a: Any, b: Any, relu: Callable[[Any], Any]) -> Any:
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + relu(b + a)
        d = d + 3 * d + relu(b - a)
        e = c - d
        f = e**2
        g = f / 2.0
        return g + 10.0 / f

    a, b = Value(-4.0), Value(2.0)
    g = expression(a, b, Value.relu)
    g.backward()
    at, bt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (-4.0, 2.0))
    gt = expression(at, bt, torch.relu)
    gt.backward()
    assert close(g.data, gt.item()) and close(a.grad, at.grad.item()) and close(b.grad, bt.grad.item())


# ------------------------------------------------------------ the lecture, first half


def lecture_expression() -> tuple[Value, ...]:
    a = Value(2.0, label='a')
    b = Value(-3.0, label='b')
    c = Value(10.0, label='c')
    e = a*b; e.label = 'e'
    d = e + c; d.label = 'd'
    f = Value(-2.0, label='f')
    L = d * f; L.label = 'L'
    return a, b, c, d, e, f, L


def test_the_lectures_first_graph_draws_and_backpropagates() -> None:
    """L = (a·b + c)·f: ∂L/∂a = b·f = 6, ∂L/∂b = a·f = −4, ∂L/∂c = ∂L/∂e = ∂L/∂d = f = −2, ∂L/∂f = d = 4."""
    a, b, c, d, e, f, L = lecture_expression()
    L.backward()
    assert [v.grad for v in (a, b, c, d, e, f, L)] == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0, 1.0]
    nodes, edges = trace(L)
    assert nodes == {a, b, c, d, e, f, L}
    assert edges == {(a, e), (b, e), (e, d), (c, d), (d, L), (f, L)}
    boxes, arrows = drawn(draw_dot(L))
    assert boxes == {"a", "b", "c", "d", "e", "f", "L", "* e", "+ d", "* L"}
    assert arrows == {
        ("a", "* e"), ("b", "* e"), ("* e", "e"),
        ("e", "+ d"), ("c", "+ d"), ("+ d", "d"),
        ("d", "* L"), ("f", "* L"), ("* L", "L"),
    }  # fmt: skip
    assert "{ a | data 2.0000 | grad 6.0000 }" in record_labels(draw_dot(L))
    assert "{ L | data -8.0000 | grad 1.0000 }" in record_labels(draw_dot(L))


def test_the_lectures_step_and_numerical_slope(capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c, d, e, f, L = lecture_expression()
    L.backward()

    a.data += 0.01 * a.grad
    b.data += 0.01 * b.grad
    c.data += 0.01 * c.grad
    f.data += 0.01 * f.grad

    e = a * b
    d = e + c
    L = d * f

    print(L.data)

    def lol():

      h = 0.001

      a = Value(2.0, label='a')
      b = Value(-3.0, label='b')
      c = Value(10.0, label='c')
      e = a*b; e.label = 'e'
      d = e + c; d.label = 'd'
      f = Value(-2.0, label='f')
      L = d * f; L.label = 'L'
      L1 = L.data

      a = Value(2.0, label='a')
      b = Value(-3.0, label='b')
      b.data += h
      c = Value(10.0, label='c')
      e = a*b; e.label = 'e'
      d = e + c; d.label = 'd'
      f = Value(-2.0, label='f')
      L = d * f; L.label = 'L'
      L2 = L.data

      print((L2 - L1)/h)

    lol()
    step, slope = map(float, capsys.readouterr().out.split())
    # one step of +0.01·grad on a, b, c, f: L = ((2.06)(−3.04) + 9.98)(−1.96), the lecture's −7.286496
    assert step == pytest.approx(((2.06 * -3.04) + 9.98) * -1.96, rel=1e-12) and round(step, 6) == -7.286496
    assert slope == pytest.approx(-4.0, abs=1e-9)  # ∂L/∂b = a·f = −4; the difference is exact here


def neuron(tanh_of: Callable[[Value], Value]) -> dict[str, Value]:
    """The lecture's neuron, with its activation made by ``tanh_of``."""
    # inputs x1,x2
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    # weights w1,w2
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    # bias of the neuron
    b = Value(6.8813735870195432, label='b')
    # x1*w1 + x2*w2 + b
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    o = tanh_of(n); o.label = 'o'
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, x1w1x2w2=x1w1x2w2, n=n, o=o)


def torch_neuron() -> dict[str, float]:
    """The lecture's own check: the neuron in PyTorch. The lecture wrote ``torch.Tensor([x]).double()``,
    which rounds b through float32 first (so it printed o = 0.70710669...); here every number is float64."""
    x1 = torch.tensor([2.0], dtype=torch.float64)                ; x1.requires_grad = True
    x2 = torch.tensor([0.0], dtype=torch.float64)                ; x2.requires_grad = True
    w1 = torch.tensor([-3.0], dtype=torch.float64)               ; w1.requires_grad = True
    w2 = torch.tensor([1.0], dtype=torch.float64)                ; w2.requires_grad = True
    b = torch.tensor([6.8813735870195432], dtype=torch.float64)  ; b.requires_grad = True
    n = x1*w1 + x2*w2 + b
    o = torch.tanh(n)
    o.backward()
    grads = {name: t.grad.item() for name, t in dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b).items()}
    return {"o": o.data.item(), **grads}


NEURON_BOXES = {"x1", "x2", "w1", "w2", "b", "x1*w1", "x2*w2", "x1*w1 + x2*w2", "n", "o"}
NEURON_ARROWS = {
    ("x1", "* x1*w1"), ("w1", "* x1*w1"), ("* x1*w1", "x1*w1"),
    ("x2", "* x2*w2"), ("w2", "* x2*w2"), ("* x2*w2", "x2*w2"),
    ("x1*w1", "+ x1*w1 + x2*w2"), ("x2*w2", "+ x1*w1 + x2*w2"), ("+ x1*w1 + x2*w2", "x1*w1 + x2*w2"),
    ("x1*w1 + x2*w2", "+ n"), ("b", "+ n"), ("+ n", "n"),
    ("n", "tanh o"), ("tanh o", "o"),
}  # fmt: skip


@requires_torch
@pytest.mark.parametrize("how", ["tanh written by hand", "the engine's tanh"])
def test_the_lectures_neuron(how: str) -> None:
    """o = tanh(x1·w1 + x2·w2 + b), its picture, and its gradients against the lecture's PyTorch cell:
    ∂o/∂n = 1 − o² = 1/2, so ∂o/∂x1 = w1/2 = −1.5, ∂o/∂w1 = x1/2 = 1, ∂o/∂x2 = w2/2, ∂o/∂w2 = x2/2 = 0."""
    v = neuron(tanh if how == "tanh written by hand" else Value.tanh)
    o = v["o"]
    o.backward()
    reference = torch_neuron()
    assert close(o.data, reference["o"]) and close(o.data, math.sqrt(0.5))
    for name in ("x1", "x2", "w1", "w2", "b"):
        assert close(v[name].grad, reference[name]), name
    assert close(v["n"].grad, 0.5) and close(v["x1"].grad, -1.5) and v["w2"].grad == 0.0

    dot = draw_dot(o)
    circles = {"* x1*w1", "* x2*w2", "+ x1*w1 + x2*w2", "+ n", "tanh o"}
    assert drawn(dot) == (NEURON_BOXES | circles, NEURON_ARROWS)
    labels = record_labels(dot)
    assert {"{ o | data 0.7071 | grad 1.0000 }", "{ x1 | data 2.0000 | grad -1.5000 }"} <= labels
    assert "{ w2 | data 1.0000 | grad 0.0000 }" in labels


@needs_dot
def test_the_lectures_neuron_renders_to_svg(tmp_path: Path) -> None:
    """Graphviz draws the neuron's 10 boxes and 5 op circles, joined by 14 arrows."""
    o = neuron(tanh)["o"]
    o.backward()
    svg = render_svg(draw_dot(o), tmp_path)
    assert svg.count('class="node"') == 10 + 5 and svg.count('class="edge"') == 14
    assert ">tanh</text>" in svg and ">data 0.7071</text>" in svg and ">grad &#45;1.5000</text>" in svg


def test_the_lectures_backward_by_hand() -> None:
    """The lecture's manual backprop: seed o.grad, call each node's _backward() in reverse order."""
    v = neuron(Value.tanh)
    o, n, b, x1w1x2w2, x2w2, x1w1 = v["o"], v["n"], v["b"], v["x1w1x2w2"], v["x2w2"], v["x1w1"]
    o.grad = 1.0
    o._backward()
    n._backward()
    b._backward()
    x1w1x2w2._backward()
    x2w2._backward()
    x1w1._backward()
    assert close(n.grad, 1 - o.data**2) and close(b.grad, 0.5) and close(x1w1.grad, 0.5)
    assert close(v["x1"].grad, -1.5) and close(v["w1"].grad, 1.0) and close(v["x2"].grad, 0.5)


@pytest.mark.parametrize("how", ["tanh written by hand", "the engine's tanh"])
def test_the_lectures_topological_sort_and_backward_loop(how: str) -> None:
    """The lecture's build_topo over _prev, then `for node in reversed(topo): node._backward()`."""
    v = neuron(tanh if how == "tanh written by hand" else Value.tanh)
    o = v["o"]
    topo = []
    visited = set()
    def build_topo(v):
      if v not in visited:
        visited.add(v)
        for child in v._prev:
          build_topo(child)
        topo.append(v)
    build_topo(o)
    assert len(topo) == 10 and set(topo) == set(v.values())
    position = {node: i for i, node in enumerate(topo)}
    assert all(position[child] < position[node] for node in topo for child in node._prev)

    o.grad = 1.0
    for node in reversed(topo):
      node._backward()
    assert close(v["x1"].grad, -1.5) and close(v["w1"].grad, 1.0) and close(v["b"].grad, 0.5)


def test_the_lectures_gradient_accumulation_examples() -> None:
    """The lecture's bug and fix: a node used twice gets the sum of both paths (`+=`)."""
    a = Value(3.0, label='a')
    b = a + a   ; b.label = 'b'
    b.backward()
    assert a.grad == 2.0
    assert drawn(draw_dot(b)) == ({"a", "b", "+ b"}, {("a", "+ b"), ("+ b", "b")})

    a = Value(-2.0, label='a')
    b = Value(3.0, label='b')
    d = a * b    ; d.label = 'd'
    e = a + b    ; e.label = 'e'
    f = d * e    ; f.label = 'f'

    f.backward()

    # f = ab(a + b): ∂f/∂a = b(a + b) + ab = −3, ∂f/∂b = a(a + b) + ab = −8
    assert (a.grad, b.grad, d.grad, e.grad) == (-3.0, -8.0, 1.0, -6.0)
    boxes, arrows = drawn(draw_dot(f))
    assert boxes == {"a", "b", "d", "e", "f", "* d", "+ e", "* f"}
    assert {("a", "* d"), ("a", "+ e"), ("b", "* d"), ("b", "+ e"), ("d", "* f"), ("e", "* f")} <= arrows


# ------------------------------------------------------------ the lecture, second half


@requires_torch
def test_the_lectures_tanh_from_exp_and_division() -> None:
    """tanh(n) = (e²ⁿ − 1)/(e²ⁿ + 1) with the engine's ops, and with the lecture's hand-written ones:
    same gradients as tanh itself. A number (the 2, the 1s) stays in its node instead of a leaf."""
    v = neuron(lambda n: n)  # o = n; the activation is built below
    n = v["n"]
    # ----
    e = (2*n).exp()
    o = (e - 1) / (e + 1)
    # ----
    o.label = 'o'
    o.backward()
    reference = torch_neuron()
    assert close(o.data, reference["o"])
    for name in ("x1", "x2", "w1", "w2", "b"):
        assert close(v[name].grad, reference[name]), name
    nodes, _ = trace(o)
    two_n = next(t for t in nodes if t._op == '*' and t._prev == (n,))
    assert two_n.data == 2 * n.data and len(nodes) == 9 + 5  # 2n, e, e − 1, e + 1, o: no leaf for 2 or 1
    assert {t._op for t in nodes if n in t._prev or two_n in t._prev} == {'*', 'exp'}

    # the same with every op of the activation written by hand (the lecture's exp, add, pow, mul)
    v = neuron(lambda n: n)
    n = v["n"]
    e = exp(mul(n, 2))
    o = mul(add(e, -1), pow_(add(e, 1), -1))
    o.backward()
    assert close(o.data, reference["o"])
    for name in ("x1", "x2", "w1", "w2", "b"):
        assert close(v[name].grad, reference[name]), name
    assert {t._op for t in trace(o)[0]} == {'', '*', '+', 'exp', '**-1'}


@requires_torch
def test_hand_written_and_engine_ops_mix_in_one_graph() -> None:
    """Engine nodes feed hand-made ones and back; truediv is the lecture's `self * other**-1`."""
    x, y = Value(0.7), Value(-1.3)
    hand = tanh(exp(x * y) - y)  # engine, hand, engine, hand
    out = truediv(hand * x, pow_(add(y, 3.0), 2)) + hand
    out.backward()
    xt, yt = (torch.tensor(s, dtype=torch.float64, requires_grad=True) for s in (0.7, -1.3))
    ht = torch.tanh(torch.exp(xt * yt) - yt)
    ot = ht * xt * ((yt + 3.0) ** 2) ** -1 + ht
    ot.backward()
    assert close(out.data, ot.item()) and close(x.grad, xt.grad.item()) and close(y.grad, yt.grad.item())


def test_a_hand_made_node_is_backpropagated_once_after_its_delta_is_final() -> None:
    """A hand-made node used by two consumers: its _backward runs once per backward(), in topological
    order, after both consumers have added to its grad (δ = 3 + 5 = 8 for y = 3t + 5t)."""
    x = Value(1.5)
    calls: list[float] = []
    t = Value(x.data**2, (x,), 'square')

    def _backward():
        calls.append(t.grad)
        x.grad += 2 * x.data * t.grad
    t._backward = _backward

    y = t * 3 + t * 5
    y.backward()
    assert calls == [8.0] and x.grad == 8.0 * 2 * 1.5
    y.backward()  # interior nodes (t too) start again from 0; leaves accumulate
    assert calls == [8.0, 8.0] and x.grad == 2 * 8.0 * 2 * 1.5
    order = topological_order(y)  # the one graph order backward() walks: t after both its consumers
    assert order.index(t) > max(order.index(c) for c in order if t in c._prev)


def test_a_backward_set_on_an_engine_node_is_the_one_that_runs() -> None:
    """A straight-through estimator, micrograd style: replace relu's backward by the identity."""
    x = Value(-1.0)
    y = x.relu()

    def _backward():
        x.grad += 1.0 * y.grad
    y._backward = _backward

    z = y * 3
    z.backward()
    assert x.grad == 3.0


# ------------------------------------------------------------ micrograd's nn, and trace_graph.ipynb


def test_trace_graph_notebook_examples() -> None:
    """micrograd's trace_graph.ipynb, with `from tinygrad_edu import nn` for `from micrograd import nn`."""
    # a very simple example
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = draw_dot_micrograd(y)
    assert x.grad == 2.0 and y.data == 3.0
    assert len([line for line in dot.body if "->" in line]) == 3 + 3  # x → * → + → relu, each op → its box
    assert {"{ data 1.0000 | grad 2.0000 }", "{ data 3.0000 | grad 1.0000 }"} <= record_labels(dot)

    # a simple 2D neuron
    import random

    from tinygrad_edu import nn

    random.seed(1337)
    n = nn.Neuron(2)
    x = [Value(1.0), Value(-2.0)]
    y = n(x)
    y.backward()

    dot = draw_dot_micrograd(y)
    nodes, edges = trace(y)
    z = n.z  # one Σ node holds w1·x1 + w2·x2 + b (micrograd draws two *, two + and their boxes)
    assert z._op == 'Σ' and y._op == 'relu' and y._prev == (z,)
    assert nodes == {y, z, *n.w, n.b, *x} and edges == {(z, y)} | {(p, z) for p in (*n.w, *x, n.b)}
    assert len([line for line in dot.body if "->" in line]) == 2 + 5 + 1  # op → box twice, 5 into Σ, z → relu
    alive = z.data > 0  # relu: the gradient flows only where z > 0
    assert [w.grad for w in n.w] == ([1.0, -2.0] if alive else [0.0, 0.0])
    assert [xi.grad for xi in x] == ([w.data for w in n.w] if alive else [0.0, 0.0])


@needs_dot
def test_trace_graph_notebook_neuron_renders_to_svg(tmp_path: Path) -> None:
    """The notebook's last cell, ``dot.render('gout')``: 7 boxes, a Σ circle and a relu circle."""
    random.seed(1337)
    y = Neuron(2)([Value(1.0), Value(-2.0)])
    y.backward()
    svg = render_svg(draw_dot_micrograd(y), tmp_path)
    assert svg.count('class="node"') == 7 + 2 and svg.count('class="edge"') == 8
    assert ">Σ</text>" in svg and ">relu</text>" in svg


def test_micrograd_nn_names_and_defaults() -> None:
    """micrograd's Neuron(nin, nonlin=...), Layer, MLP: ReLU hidden layers, a linear last layer."""
    from tinygrad_edu.nn import Layer

    random.seed(0)
    assert Neuron(3, nonlin=False)([1.0, 2.0, 3.0])._op == 'Σ'
    assert Neuron(3)([1.0, 2.0, 3.0])._op == 'relu' and Neuron(3, nonlin=True).activation == "relu"
    assert isinstance(Layer(3, 1)([1.0, 2.0, 3.0]), Value) and len(Layer(3, 2)([1.0, 2.0, 3.0])) == 2
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337 and isinstance(model([0.5, -1.0]), Value)
    assert [layer.neurons[0].activation for layer in model.layers] == ["relu", "relu", "linear"]


# ------------------------------------------------------------ training: the lecture's loop


# the lecture's own modules, built on the Value (its Neuron is a tanh neuron with U(−1, 1) weights)
class LectureNeuron:

  def __init__(self, nin):
    self.w = [Value(random.uniform(-1,1)) for _ in range(nin)]
    self.b = Value(random.uniform(-1,1))

  def __call__(self, x):
    # w * x + b
    act = sum((wi*xi for wi, xi in zip(self.w, x)), self.b)
    out = act.tanh()
    return out

  def parameters(self):
    return self.w + [self.b]

class LectureLayer:

  def __init__(self, nin, nout):
    self.neurons = [LectureNeuron(nin) for _ in range(nout)]

  def __call__(self, x):
    outs = [n(x) for n in self.neurons]
    return outs[0] if len(outs) == 1 else outs

  def parameters(self):
    return [p for neuron in self.neurons for p in neuron.parameters()]

class LectureMLP:

  def __init__(self, nin, nouts):
    sz = [nin] + nouts
    self.layers = [LectureLayer(sz[i], sz[i+1]) for i in range(len(nouts))]

  def __call__(self, x):
    for layer in self.layers:
      x = layer(x)
    return x

  def parameters(self):
    return [p for layer in self.layers for p in layer.parameters()]


xs = [
  [2.0, 3.0, -1.0],
  [3.0, -1.0, 0.5],
  [0.5, 1.0, 1.0],
  [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0] # desired targets


def torch_model(model: Any) -> tuple[list[Any], Callable[[list[float]], Any]]:
    """The model's parameters as float64 scalar tensors (in :func:`parameters_in_torch_order`), and
    its forward pass in PyTorch: each neuron computes θ(Σᵢ wᵢxᵢ + b) with its activation (tanh for
    the lecture's neurons, relu or linear for tinygrad_edu.nn's)."""
    scalar: Callable[[Value], Any] = lambda p: torch.tensor(p.data, dtype=torch.float64, requires_grad=True)
    thetas = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}
    act: Callable[[Any], Any] = lambda n: thetas[getattr(n, "activation", "tanh")]
    layers = [
        [([scalar(w) for w in n.w], scalar(n.b), act(n)) for n in layer.neurons] for layer in model.layers
    ]

    def forward(x: list[float]) -> Any:
        h = torch.tensor(x, dtype=torch.float64)
        for rows in layers:
            h = torch.stack([theta(torch.stack(w) @ h + b) for w, b, theta in rows])
        return h[0]

    return [t for rows in layers for w, b, _ in rows for t in (*w, b)], forward


def torch_loss(forward: Callable[[list[float]], Any]) -> Any:
    return sum((forward(x) - ygt) ** 2 for x, ygt in zip(xs, ys))


def parameters_in_torch_order(model: Any) -> list[Value]:
    return [p for layer in model.layers for neuron in layer.neurons for p in (*neuron.w, neuron.b)]


@requires_torch
@pytest.mark.parametrize("which", ["the lecture's MLP", "tinygrad_edu.nn.MLP"])
def test_the_lectures_training_loop(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    """20 steps of the lecture's loop: the losses it prints are PyTorch's, step by step."""
    random.seed(1337)
    lecture_loop(LectureMLP if which == "the lecture's MLP" else MLP, capsys)


def lecture_loop(MLP: Any, capsys: pytest.CaptureFixture[str]) -> None:
    x = [2.0, 3.0, -1.0]
    n = MLP(3, [4, 4, 1])
    assert isinstance(n(x), Value)
    params, forward = torch_model(n)
    assert [p.data for p in parameters_in_torch_order(n)] == [t.item() for t in params]
    assert set(parameters_in_torch_order(n)) == set(n.parameters())

    for k in range(20):

      # forward pass
      ypred = [n(x) for x in xs]
      loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))

      # backward pass
      for p in n.parameters():
        p.grad = 0.0
      loss.backward()

      # update
      for p in n.parameters():
        p.data += -0.1 * p.grad

      print(k, loss.data)

    expected = []
    for _ in range(20):
        lt = torch_loss(forward)
        grads = torch.autograd.grad(lt, params)
        with torch.no_grad():
            for t, g in zip(params, grads):
                t += -0.1 * g
        expected.append(lt.item())
    printed = [float(line.split()[1]) for line in capsys.readouterr().out.splitlines()]
    assert len(printed) == len(expected) == 20
    assert all(close(a, b, rtol=1e-9) for a, b in zip(printed, expected)), (printed, expected)
    assert printed[-1] < printed[0]
    final = [p.data for p in parameters_in_torch_order(n)]
    assert all(close(a, t.item(), rtol=1e-9) for a, t in zip(final, params))


def test_skipping_the_zeroing_accumulates_leaf_gradients() -> None:
    """Leaves accumulate across backward() (why the lecture zeroes p.grad); interior nodes do not."""
    random.seed(7)
    n = LectureMLP(3, [4, 1])
    loss = sum((n(x) - ygt)**2 for x, ygt in zip(xs, ys))
    loss.backward()
    first = [p.grad for p in n.parameters()]
    interior = [node.grad for node in trace(loss)[0] if node._prev]
    loss.backward()
    assert all(close(p.grad, 2 * g, rtol=1e-12) for p, g in zip(n.parameters(), first))
    assert [node.grad for node in trace(loss)[0] if node._prev] == interior


# ------------------------------------------------------------ hand-written optimizers, state on the Values


def moons_like_step(model: Any) -> Value:
    """micrograd's demo loss on the lecture's data: mean hinge max(0, 1 − y·s) + L2 with α = 1e-4."""
    scores = [model(x) for x in xs]
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    return data_loss + reg_loss


def torch_moons_like_loss(forward: Callable[[list[float]], Any], params: list[Any]) -> Any:
    losses = [torch.relu(1 - yi * forward(x)) for x, yi in zip(xs, ys)]
    return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum((p * p).sum() for p in params)


@requires_torch
def test_hand_written_sgd_with_momentum_matches_torch_optim_sgd() -> None:
    random.seed(3)
    model = MLP(3, [4, 4, 1])
    params, forward = torch_model(model)
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9)
    learning_rate, momentum = 0.05, 0.9

    for p in model.parameters():
        p.v = 0.0  # the velocity, kept on the parameter itself
    for k in range(15):
        total_loss = moons_like_step(model)
        model.zero_grad()
        total_loss.backward()
        for p in model.parameters():
            p.v = momentum * p.v + p.grad
            p.data -= learning_rate * p.v

        opt.zero_grad()
        reference = torch_moons_like_loss(forward, params)
        reference.backward()
        opt.step()
        assert close(total_loss.data, reference.item()), k
        ours = [p.data for p in parameters_in_torch_order(model)]
        assert all(close(a, t.item()) for a, t in zip(ours, params)), k
    velocities = {p: p.v for p in model.parameters()}
    assert all(close(velocities[p], opt.state[t]["momentum_buffer"].item())
               for p, t in zip(parameters_in_torch_order(model), params))  # fmt: skip


@requires_torch
def test_hand_written_adam_matches_torch_optim_adam() -> None:
    random.seed(4)
    model = MLP(3, [4, 4, 1])
    params, forward = torch_model(model)
    opt = torch.optim.Adam(params, lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8

    for p in model.parameters():
        p.m, p.v = 0.0, 0.0  # first and second moments, on the parameter
    for t in range(1, 16):
        total_loss = moons_like_step(model)
        model.zero_grad()
        total_loss.backward()
        for p in model.parameters():
            p.m = beta1 * p.m + (1 - beta1) * p.grad
            p.v = beta2 * p.v + (1 - beta2) * p.grad**2
            m_hat = p.m / (1 - beta1**t)
            v_hat = p.v / (1 - beta2**t)
            p.data -= lr * m_hat / (math.sqrt(v_hat) + eps)

        opt.zero_grad()
        reference = torch_moons_like_loss(forward, params)
        reference.backward()
        opt.step()
        assert close(total_loss.data, reference.item()), t
        ours = [p.data for p in parameters_in_torch_order(model)]
        assert all(close(a, q.item(), rtol=1e-8) for a, q in zip(ours, params)), t


# ------------------------------------------------------------ where the engine differs on purpose


@requires_torch
def test_no_gradient_flows_where_an_op_is_flat_as_in_torch() -> None:
    """relu at x < 0 passes nothing back, not even an infinite δ: PyTorch gives 0 here, micrograd's
    `(out.data > 0) * out.grad` gives 0·inf = nan."""
    x = Value(-1.0)
    (x.relu() * math.inf).backward()
    xt = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    (torch.relu(xt) * math.inf).backward()
    assert x.grad == xt.grad.item() == 0.0
