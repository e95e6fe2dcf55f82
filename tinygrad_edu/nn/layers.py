"""Neurons, layers, dropout and the two ways to stack them (``Sequential``, ``MLP``)."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from .. import checks, ops
from ..checks import RandomLike, as_float, flag, integer, real, type_error
from ..engine import Value, ValueLike, apply, number
from ..init import Initializer, draw_weight, initializer
from ..modes import scope
from .activations import ACTIVATIONS, PRELU_INIT, Activation, activation_name
from .module import Module, PerSample

__all__ = ["MLP", "Dropout", "Layer", "Neuron", "Sequential"]

MAX_SIZE = 10**9  # inputs or units of one layer: far past what scalar Values can hold in memory


def make_rng(seed: Optional[int], rng: Optional[RandomLike], where: str) -> RandomLike:
    """``random.Random(seed)``, or ``rng``, or Python's global generator when neither is given."""
    return checks.random_source(seed, rng, where)


class Neuron(PerSample):
    """One neuron: z = Σᵢ wᵢxᵢ + b, output θ(z).

    ``activation`` is a name from :data:`ACTIVATIONS`, ``"prelu"`` (θ(z) = z
    for z > 0, a·z otherwise, with a learned slope ``a`` starting at 0.25), or
    any function of a Value. ``init`` draws each weight (see
    :data:`INITIALIZERS`; ``"auto"``, the default, is He for the ReLU family
    and Xavier otherwise); the bias starts at 0. ``fan_out`` is the width of
    the layer the neuron belongs to, for Xavier's √(6/(fan_in + fan_out)).
    ``nonlin=True/False`` is micrograd's spelling of ReLU/linear.

    After a forward pass, ``z`` is the latest pre-activation and, after
    ``backward()``, ``delta`` is its gradient δ = ∂e/∂z.
    """

    # (Neuron, Layer and MLP spell out the same keyword arguments, deliberately: each reads on its own)
    def __init__(
        self,
        nin: int,
        activation: Activation = "relu",
        *,
        init: Union[str, Initializer] = "auto",
        bias: bool = True,
        fan_out: int = 1,
        seed: Optional[int] = None,
        rng: Optional[RandomLike] = None,
        nonlin: Optional[bool] = None,
    ) -> None:
        nin = _check_size(nin, "Neuron", "nin")
        _check_size(fan_out, "Neuron", "fan_out")
        bias = flag(bias, "Neuron", "bias")
        self.activation = activation_name(activation, nonlin, "Neuron")
        self._config = {"nin": nin, "activation": self.activation, "bias": bias}
        draw = initializer(init, self.activation, "Neuron")
        gen = make_rng(seed, rng, "Neuron")
        self.w = [Value(draw_weight(draw, nin, fan_out, gen), label=f"w{i + 1}") for i in range(nin)]
        self.b = Value(0.0, label="b") if bias else None
        if self.activation == "prelu":
            self.a = Value(PRELU_INIT, label="a")
        self._z: Optional[Value] = None
        self._set_scope(("neuron",))

    def _set_scope(self, path: tuple[str, ...]) -> None:
        """Where this neuron's parameters and the nodes of its forward pass say they come from."""
        self._path, self._in_scope = path, scope(path)  # entered by every forward pass
        for p in self.parameters():
            p.scope = path

    @property
    def nin(self) -> int:
        return len(self.w)

    def forward(self, x: Sequence[ValueLike]) -> Value:
        """θ(Σᵢ wᵢxᵢ + b) for inputs x (Values or numbers)."""
        return self._forward(_inputs(x, self.nin, "Neuron"))

    def _forward(self, x: tuple[Any, ...]) -> Value:  # x from _inputs: all Values, or all floats
        b = () if self.b is None else (self.b,)
        with self._in_scope:  # the nodes made here are drawn inside this neuron
            # z = Σᵢ wᵢxᵢ + b is one Σ node, as dot() makes it: the numbers of the data stay in it
            if x and type(x[0]) is float:
                z = apply(ops.DOT_C, *self.w, *b, c=x)
            else:
                z = apply(ops.DOT, *self.w, *x, *b, c=len(x))
            act = self.activation
            if act == "prelu":
                y = z.prelu(self.a)
            else:
                y = ACTIVATIONS[act](z) if isinstance(act, str) else act(z)
        z.label = "z"  # the pre-activation, whose grad is δ
        self._z = z
        return y

    @property
    def z(self) -> Value:
        """The pre-activation of the latest forward pass."""
        if self._z is None:
            raise ValueError("Neuron.z: no forward pass yet")
        return self._z

    @property
    def delta(self) -> float:
        """δ = ∂e/∂z for the latest forward pass, once ``backward()`` has run (a float, even
        when ``backward(create_graph=True)`` made ``z.grad`` a Value)."""
        return number(self.z.grad)

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={_show(self.activation)})"


class Layer(PerSample):
    """``nout`` neurons that share their inputs. ``model(x)`` returns a list of ``nout`` Values,
    or a single Value when ``nout == 1`` (as micrograd does)."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Activation = "relu",
        *,
        init: Union[str, Initializer] = "auto",
        bias: bool = True,
        seed: Optional[int] = None,
        rng: Optional[RandomLike] = None,
        nonlin: Optional[bool] = None,
    ) -> None:
        nin = _check_size(nin, "Layer", "nin")
        nout = _check_size(nout, "Layer", "nout")
        bias = flag(bias, "Layer", "bias")
        gen = make_rng(seed, rng, "Layer")
        act = activation_name(activation, nonlin, "Layer")
        self._config = {"nin": nin, "nout": nout, "activation": act, "bias": bias}
        self.neurons = [Neuron(nin, act, init=init, bias=bias, fan_out=nout, rng=gen) for _ in range(nout)]
        self._set_scope(("layer",))

    def _set_scope(self, path: tuple[str, ...]) -> None:
        for i, n in enumerate(self.neurons):
            n._set_scope((*path, f"neuron {i + 1}"))

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def forward(self, x: Sequence[ValueLike]) -> Union[Value, list[Value]]:
        xs = _inputs(x, self.nin, "Layer")  # checked once for all its neurons
        out = [n._forward(xs) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={_show(self.neurons[0].activation)})"


class Dropout(PerSample):
    """Inverted dropout: in training mode each input is zeroed with probability p and the
    survivors are scaled by 1/(1 − p), so the expected output equals the input; in evaluation
    mode it is the identity."""

    def __init__(self, p: float = 0.5, *, seed: Optional[int] = None, rng: Optional[RandomLike] = None):
        self.p = real(p, "Dropout", "p", low=0.0, high=1.0)
        self._config = {"p": self.p}
        self._rng = make_rng(seed, rng, "Dropout")

    def forward(self, x: Any) -> Any:
        """x (a Value, a number, or a list of them) with each element dropped or scaled."""
        if not self.training or self.p == 0.0:
            return x
        if not isinstance(x, (list, tuple)):
            return self._drop(x)
        return [self._drop(xi) for xi in x]

    def _drop(self, x: Any) -> Value:
        keep = self._rng.random() >= self.p
        mask = 1.0 / (1.0 - self.p) if keep else 0.0
        return (x if isinstance(x, Value) else Value(x)) * mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b)(x) == b(a(x))``.

    A Sequential with a part that takes a batch (a :class:`BatchNorm`) takes a batch
    itself: ``model(batch)`` with a list of samples returns a list of outputs, one per
    sample. Each part that takes one sample (Neuron, Layer, MLP, Dropout, ...) runs on
    every sample in turn; each part that takes a batch, on the whole batch.
    """

    def __init__(self, *layers: Module) -> None:
        for i, m in enumerate(layers):
            if not isinstance(m, Module):
                type_error("Sequential", f"item {i}", "a Module", m)
        self.layers = list(layers)
        for i, m in enumerate(self.layers):
            if hasattr(m, "_set_scope"):  # a Neuron, Layer or convolution: drawn as "layer i"
                m._set_scope((f"layer {i + 1}",))

    def config(self) -> dict[str, Any]:
        """``{"layers": [...]}``: the modules it applies, as they are now (a part added later counts)."""
        return {"layers": list(self.layers)}

    def takes_batches(self) -> bool:
        """True when one of its parts takes a batch (a BatchNorm, or a Sequential holding one)."""
        return any(m.takes_batches() for m in self.layers)

    def forward(self, x: Any) -> Any:
        if self.takes_batches():
            return self._forward_batch(x)
        for layer in self.layers:
            x = layer(_as_list(x) if isinstance(layer, (Neuron, Layer, MLP)) else x)
        return x

    def _forward_batch(self, batch: Any) -> list[Any]:
        """A batch through the parts: batch-wise ones on the whole batch, the others sample by sample."""
        if isinstance(batch, (str, bytes)) or not isinstance(batch, Sequence):
            type_error("Sequential", "batch", "a list of samples (it holds a BatchNorm)", batch)
        rows = list(batch)
        for layer in self.layers:
            if layer.takes_batches():
                rows = layer(rows)
            else:
                one = isinstance(layer, (Neuron, Layer, MLP))
                rows = [layer(_as_list(x) if one else x) for x in rows]
        return rows

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(map(repr, self.layers)) + ")"


class MLP(PerSample):
    """A multi-layer perceptron: layers of sizes ``nouts`` after ``nin`` inputs.

    Hidden layers use ``activation`` (ReLU by default), the last layer
    ``output_activation`` (linear by default): micrograd's ``MLP(2, [16, 16, 1])``.
    ``dropout=p`` inserts inverted dropout after every hidden layer (active in
    training mode only). ``init``, ``seed`` and ``rng`` are as for
    :class:`Neuron`; one generator draws every weight, layer by layer.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "relu",
        output_activation: Activation = "linear",
        *,
        init: Union[str, Initializer] = "auto",
        bias: bool = True,
        dropout: float = 0.0,
        seed: Optional[int] = None,
        rng: Optional[RandomLike] = None,
    ) -> None:
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            type_error("MLP", "nouts", "a non-empty list of layer sizes", nouts)
        nin = _check_size(nin, "MLP", "nin")
        nouts = [_check_size(n, "MLP", f"nouts[{i}]") for i, n in enumerate(nouts)]
        bias = flag(bias, "MLP", "bias")
        dropout = real(dropout, "MLP", "dropout", low=0.0, high=1.0)
        activation = activation_name(activation, None, "MLP")  # checked even when there is no hidden layer
        output_activation = activation_name(output_activation, None, "MLP", "output_activation")
        self._config: dict[str, Any] = {
            "nin": nin,
            "nouts": nouts,
            "activation": activation,  # kept even when there is no hidden layer to use it
            "output_activation": output_activation,
            "bias": bias,
            "dropout": dropout if len(nouts) > 1 else 0.0,  # no hidden layer, nothing to drop
        }
        gen = make_rng(seed, rng, "MLP")
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], act, init=init, bias=bias, rng=gen)
            for i, act in enumerate([activation] * last + [output_activation])
        ]
        self.dropout = [Dropout(dropout, rng=gen) for _ in range(last)] if dropout else []
        for i, layer in enumerate(self.layers):
            layer._set_scope((f"layer {i + 1}",))

    def forward(self, x: Sequence[ValueLike]) -> Union[Value, list[Value]]:
        out: Any = _inputs(
            _as_list(x), self.layers[0].nin, "MLP"
        )  # a bad x is the MLP's error, not a layer's
        for i, layer in enumerate(self.layers):
            out = layer(_as_list(out))
            if self.dropout and i < len(self.dropout):
                out = self.dropout[i](out)
        return out  # type: ignore[no-any-return]

    def pre_activations(self) -> list[list[Value]]:
        """The pre-activations z of every neuron in the latest forward pass, layer by layer."""
        return [[n.z for n in layer.neurons] for layer in self.layers]

    def deltas(self) -> list[list[float]]:
        """δ⁽ˡ⁾ = ∂e/∂z⁽ˡ⁾ for every layer, after ``backward()`` (the textbook backprop vectors)."""
        return [[n.delta for n in layer.neurons] for layer in self.layers]

    def __repr__(self) -> str:
        sizes = [layer.nout for layer in self.layers]
        hidden = _show(self._config["activation"])
        out = _show(self.layers[-1].neurons[0].activation)
        drop = f", dropout={self.dropout[0].p}" if self.dropout else ""
        return f"MLP({self.layers[0].nin}, {sizes}, activation={hidden}, output_activation={out}{drop})"


def _check_size(n: Any, where: str, arg: str) -> int:
    return integer(n, where, arg, low=1, high=MAX_SIZE)


def _inputs(x: Any, nin: int, where: str) -> tuple[Any, ...]:
    """x as ``nin`` inputs: all Values (a layer's outputs), or all floats (the data, which stay
    numbers inside the Σ nodes); in a mix, the numbers become constant leaves."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        type_error(where, "x", f"a sequence of {nin} inputs", x)
    if len(x) != nin:
        raise ValueError(f"{where}: expected {nin} inputs, got {len(x)}")
    xs, kinds = tuple(x), set(map(type, x))
    if kinds == {Value} or kinds <= {float}:
        return xs
    if not any(isinstance(xi, Value) for xi in xs):
        return tuple(as_float(xi, where, f"x[{i}]") for i, xi in enumerate(xs))
    return tuple(
        xi if isinstance(xi, Value) else Value(as_float(xi, where, f"x[{i}]")) for i, xi in enumerate(xs)
    )


def _as_list(x: Any) -> Any:
    return [x] if isinstance(x, Value) else x


def _show(activation: Activation) -> str:
    if isinstance(activation, str):
        return repr(activation)
    return getattr(activation, "__name__", repr(activation))
