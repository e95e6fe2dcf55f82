"""A model's architecture, as a checkpoint stores it: what each module was built with.

:func:`describe` gives the architecture of a model: ``{"type": ..., **module.config()}`` for
each module (a Sequential's parts in turn), after an audit of what the modules hold now
proves that rebuilding from it (:func:`build`) gives the model back. :func:`difference`
names the first place where two architectures differ.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from .. import checks
from ..engine import Value
from ..nn import MLP, Dropout, Layer, Module, Neuron, Sequential
from ..nn.activations import ACTIVATION_NAMES
from .registry import SELF_DESCRIBED, Architecture

MAX_DEPTH = 100  #: how deep modules may nest in Sequentials in a checkpoint (the model itself is level 1)

MODULE_TYPES: dict[str, Any] = {  # audited field by field; the others are in .registry (BatchNorm, ...)
    "Neuron": Neuron,
    "Layer": Layer,
    "MLP": MLP,
    "Dropout": Dropout,
    "Sequential": Sequential,
}


def describe(model: Module, op: str, check_modes: bool) -> Architecture:
    """The architecture of ``model``: what each of its modules was built with (``Module.config``).

    Saved only if rebuilding it gives the model back: the audit reads what the modules hold now
    and must find exactly that architecture, and the rebuilt model must have the same parameters.
    """
    _check_nesting(model, op)  # first: the walks below recurse once per level of Sequentials
    found = _Audit(op, check_modes, bool(model.training)).module(model, "")
    built = _configuration(model)
    difference = first_difference(found, built, "architecture", ("now", "as built"))
    if difference is not None:
        raise ValueError(
            f"{op}: the model has changed since it was built: {difference} (a checkpoint rebuilds each "
            "module from what it was built with; build the model you want to save with those arguments)"
        )
    # Whatever the audit missed (a Value attribute added after construction, reordered
    # attributes, a running statistic cut short) shows up as a difference from the rebuilt model.
    rebuilt = build(built)
    for kind, ours, theirs in (
        ("parameter", model.named_parameters(), rebuilt.named_parameters()),
        ("buffer", model.named_buffers(), rebuilt.named_buffers()),
    ):
        names, rebuilt_names = [name for name, _ in ours], [name for name, _ in theirs]
        if names != rebuilt_names:
            extra, missing = diff(names, rebuilt_names)
            problem = "in a different order" if not extra and not missing else listing(extra, missing, kind)
            raise ValueError(
                f"{op}: the model's {kind}s differ from those its architecture rebuilds: {problem} "
                "(attributes added or removed after construction can't be saved)"
            )
    return built


def _configuration(m: Module) -> Architecture:
    """``{"type": ..., **m.config()}``, with a Sequential's parts described in turn (audited first)."""
    config = m.config()
    if type(m) is Sequential:
        config["layers"] = [_configuration(x) for x in config["layers"]]
    return {"type": type(m).__name__, **config}


class _Audit:
    """What a model's modules hold now, as an architecture, checking on the way that each module
    is one a checkpoint can rebuild: a built-in type, named activations, no shared parameters,
    neurons alike within a layer, one train/eval mode."""

    def __init__(self, op: str, check_modes: bool, mode: bool) -> None:
        self.op, self.check_modes, self.mode = op, check_modes, mode
        self.seen: dict[int, str] = {}  # id(parameter) -> its name, to refuse shared parameters

    def param(self, v: Any, name: str) -> None:
        if not isinstance(v, Value):
            checks.type_error(self.op, f"parameter {name}", "a Value", v)
        if id(v) in self.seen:
            raise ValueError(
                f"{self.op}: parameter {name} is the same Value as {self.seen[id(v)]} (shared weights); a "
                "checkpoint rebuilds every parameter separately, so shared ones can't be saved"
            )
        self.seen[id(v)] = name

    def of_type(self, m: Any, classes: tuple[type, ...], path: str) -> None:
        if type(m) not in classes:
            names = [c.__name__ for c in classes]
            wanted = " or ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} or {names[-1]}"
            got = f"a {type(m).__qualname__}" + (
                ", a user-defined Module subclass" if isinstance(m, Module) else ", not a Module"
            )
            raise TypeError(
                f"{self.op}: {_where(path)} is {got}; only {wanted} modules can be described "
                "(the classes themselves, not subclasses)"
            )
        if self.check_modes and bool(m.training) != self.mode:
            raise ValueError(
                f"{self.op}: mixed train/eval modes: the model is in {_mode(self.mode)} mode but "
                f"{_where(path)} is in {_mode(not self.mode)} mode; call model.train() or "
                "model.eval() first so that the whole model is in one mode"
            )

    def items(self, m: Any, attribute: str, path: str, what: str, empty: bool = False) -> list[Any]:
        """``m.<attribute>``, which must be a list (non-empty unless ``empty``): a module's parts."""
        found = getattr(m, attribute, None)  # None too when a user deleted it: refused just below
        if not isinstance(found, list) or not (found or empty):
            kind = "a list" if empty else "a non-empty list"
            error = TypeError if not isinstance(found, list) else ValueError
            raise error(
                f"{self.op}: {type(m).__name__} {_where(path)} should have {kind} of {what} as its "
                f".{attribute}, got {checks.received(found)}"
            )
        return found

    def neuron(self, n: Any, path: str) -> tuple[int, str, bool]:
        self.of_type(n, (Neuron,), path)
        act = getattr(n, "activation", None)
        if callable(act):
            name = getattr(act, "__name__", None)
            raise TypeError(
                f"{self.op}: neuron {_where(path)} uses a custom activation function "
                f"{name if isinstance(name, str) else checks.short(act)}; only "
                f"named activations can be saved ({', '.join(ACTIVATION_NAMES)})"
            )
        if not isinstance(act, str) or act not in ACTIVATION_NAMES:
            raise ValueError(f"{self.op}: neuron {_where(path)} has unknown activation {checks.short(act)}")
        weights = self.items(n, "w", path, "Values")
        for i, w in enumerate(weights):
            self.param(w, _join(path, "w", i))
        b = getattr(n, "b", None)  # None: no bias
        if b is not None:
            self.param(b, _join(path, "b"))
        if act == "prelu":
            self.param(getattr(n, "a", None), _join(path, "a"))
        return len(weights), act, b is not None

    def layer(self, m: Any, path: str) -> tuple[int, int, str, bool]:
        self.of_type(m, (Layer,), path)
        neurons = self.items(m, "neurons", path, "neurons")
        found = [self.neuron(n, _join(path, "neurons", i)) for i, n in enumerate(neurons)]
        for what, k in (("input counts", 0), ("activations", 1), ("bias and no bias", 2)):
            problem = f"{self.op}: layer {_where(path)} mixes {what} across its neurons"
            _same(found, k, problem, "neuron", "a Layer builds all its neurons alike")
        return found[0][0], len(found), found[0][1], found[0][2]

    def module(self, m: Any, path: str) -> Architecture:
        self.of_type(m, (*MODULE_TYPES.values(), *(kind.cls for kind in SELF_DESCRIBED.values())), path)
        if type(m) is Neuron:
            nin, act, bias = self.neuron(m, path)
            return {"type": "Neuron", "nin": nin, "activation": act, "bias": bias}
        if type(m) is Layer:
            nin, nout, act, bias = self.layer(m, path)
            return {"type": "Layer", "nin": nin, "nout": nout, "activation": act, "bias": bias}
        if type(m) is Dropout:
            return {"type": "Dropout", "p": _probability(getattr(m, "p", None), self.op, path)}
        if type(m) is Sequential:
            parts = self.items(m, "layers", path, "modules", empty=True)
            return {
                "type": "Sequential",
                "layers": [self.module(x, _join(path, "layers", i)) for i, x in enumerate(parts)],
            }
        if type(m) is MLP:
            return self.mlp(m, path)
        return self.self_described(m, path)

    def self_described(self, m: Module, path: str) -> Architecture:
        """A module type of the registry: its config() is its architecture; its parameters are
        checked as any others (Values, none shared). The rebuilt model is compared in describe."""
        for name, v in m.named_parameters():
            self.param(v, _join(path, name))
        return {"type": type(m).__name__, **m.config()}

    def mlp(self, m: MLP, path: str) -> Architecture:
        where = f"{self.op}: MLP {_where(path)}"
        layers = self.items(m, "layers", path, "Layers")
        found = [self.layer(x, _join(path, "layers", i)) for i, x in enumerate(layers)]
        for i in range(len(found) - 1):
            if found[i][1] != found[i + 1][0]:
                raise ValueError(
                    f"{where}: layer {i} has {found[i][1]} outputs but layer {i + 1} takes "
                    f"{found[i + 1][0]} inputs"
                )
        hidden = f"MLP {_where(path)} uses one activation for every hidden layer; use a Sequential of Layers"
        _same(found[:-1], 2, f"{where} mixes activations across its hidden layers", "layer", hidden)
        alike = "an MLP builds all its layers alike"
        _same(found, 3, f"{where} mixes bias and no bias across its layers", "layer", alike)
        p = self.dropout(m, path, len(found) - 1)
        return {
            "type": "MLP",
            "nin": found[0][0],
            "nouts": [f[1] for f in found],
            # a one-layer MLP has no hidden layer to read it from: what it was built with
            "activation": found[0][2] if len(found) > 1 else m.config()["activation"],
            "output_activation": found[-1][2],
            "bias": found[0][3],
            "dropout": p,
        }

    def dropout(self, m: MLP, path: str, hidden: int) -> float:
        """The p of an MLP's Dropout modules, one after each of its ``hidden`` layers (0.0 for none)."""
        drops = getattr(m, "dropout", None)
        if not isinstance(drops, list) or len(drops) not in (0, hidden):
            raise ValueError(
                f"{self.op}: MLP {_where(path)} should have 0 or {hidden} Dropout modules "
                f"(one after each hidden layer), got {checks.received(drops)}"
            )
        ps = []
        for i, d in enumerate(drops):
            self.of_type(d, (Dropout,), _join(path, "dropout", i))
            ps.append((_probability(getattr(d, "p", None), self.op, _join(path, "dropout", i)),))
        problem = f"{self.op}: MLP {_where(path)} has different dropout probabilities"
        _same(ps, 0, problem, "dropout", "an MLP uses one p after every hidden layer")
        return ps[0][0] if ps else 0.0


def _check_nesting(model: Module, op: str) -> None:
    """Refuse modules nested more than MAX_DEPTH levels deep in Sequentials, or a Sequential in itself.

    Iterative (the point is to avoid deep recursion), depth first, with each module's height
    (1 + its tallest part's for a Sequential, 1 for any other module) computed once, however
    often the module is shared: Sequential(s, s) nested n times has 2**n paths but n modules.
    """
    height: dict[int, int] = {}  # id(module) -> its height, once known
    open_: set[int] = set()  # the Sequentials on the current path from the model down
    stack: list[tuple[Any, bool]] = [(model, False)]  # (module, all its parts are done)
    while stack:
        m, done = stack.pop()
        parts = getattr(m, "layers", None) if type(m) is Sequential else None
        parts = parts if isinstance(parts, list) else []  # anything else: describe says what is wrong
        if done:
            open_.discard(id(m))
            height[id(m)] = 1 + max((height[id(x)] for x in parts), default=0)
            if height[id(m)] > MAX_DEPTH:
                raise ValueError(
                    f"{op}: the model nests modules more than {MAX_DEPTH} levels deep in Sequentials "
                    "(the model itself is level 1, the parts of a Sequential one level below it); a "
                    f"checkpoint holds at most {MAX_DEPTH} levels, so that a model's repr and forward pass, "
                    "which recurse through them, stay well inside Python's recursion limit"
                )
        elif id(m) in open_:
            raise ValueError(f"{op}: the model contains itself: a Sequential is one of its own parts")
        elif id(m) not in height:
            open_.add(id(m))
            stack.append((m, True))
            stack.extend((x, False) for x in reversed(parts))


def _same(found: list[Any], k: int, problem: str, item: str, why: str) -> None:
    """Raise ValueError if the k-th field of ``found`` (one tuple per item) is not the same throughout."""
    for i, f in enumerate(found):
        if f[k] != found[0][k]:
            raise ValueError(f"{problem}: {item} 0 has {found[0][k]!r} but {item} {i} has {f[k]!r}; {why}")


def _probability(p: Any, op: str, path: str) -> float:
    return checks.real(p, op, f"the p of dropout {_where(path)}", low=0.0, high=1.0)


def build(arch: Architecture) -> Module:
    """A fresh module with this (checked) architecture: each module's constructor called with the
    arguments it was built with. Zero init: no draws from any generator."""
    kind, args = arch["type"], {k: v for k, v in arch.items() if k != "type"}
    if kind == "Sequential":
        return Sequential(*[build(a) for a in args["layers"]])
    if kind == "Dropout":
        return Dropout(**args)
    if kind in SELF_DESCRIBED:
        return SELF_DESCRIBED[kind].cls(**args, **dict(SELF_DESCRIBED[kind].rebuild))
    built: Module = MODULE_TYPES[kind](**args, init="zeros")
    return built


def first_difference(
    ours: Any, theirs: Any, where: str, sides: tuple[str, str] = ("in the model", "in the file")
) -> Optional[str]:
    """The first difference between two architectures, in words; None if they are equal."""
    a, b = sides
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if ours["type"] != theirs["type"]:
            return f"{where} is a {ours['type']} {a} but a {theirs['type']} {b}"
        for k in ours:
            found = first_difference(ours[k], theirs.get(k), f"{where}.{k}", sides)
            if found is not None:
                return found
        return None
    if isinstance(ours, list) and any(isinstance(x, dict) for x in [*ours, *theirs]):  # Sequential.layers
        if len(ours) != len(theirs):
            return f"{where} has {len(ours)} modules {a} but {len(theirs)} {b}"
        found_all = (
            first_difference(x, y, f"{where}[{i}]", sides) for i, (x, y) in enumerate(zip(ours, theirs))
        )
        return next((f for f in found_all if f is not None), None)
    if ours != theirs:
        label = _LABELS.get(where.rsplit(".", 1)[-1], "")
        return f"{where}{label} is {checks.short(ours)} {a} but {checks.short(theirs)} {b}"
    return None


_LABELS = {
    "nin": " (input count)",
    "nout": " (neuron count)",
    "nouts": " (layer sizes)",
    "p": " (dropout p)",
    "dropout": " (dropout p)",
    "num_features": " (feature count)",
}


def _join(path: str, *parts: Union[str, int]) -> str:
    return ".".join([*([path] if path else []), *map(str, parts)])


def _where(path: str) -> str:
    return path if path else "(the model itself)"


def _mode(training: bool) -> str:
    return "training" if training else "eval"


def diff(have: list[str], want: list[str]) -> tuple[list[str], list[str]]:
    """(names in ``have`` but not ``want``, names in ``want`` but not ``have``), each in order."""
    have_set, want_set = set(have), set(want)
    return [n for n in have if n not in want_set], [n for n in want if n not in have_set]


def listing(extra: list[str], missing: list[str], item: str = "parameter") -> str:
    def some(names: list[str]) -> str:
        shown = ", ".join(checks.short(n) for n in names[:5])
        return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")

    parts = [
        f"missing {item}s {some(missing)}" if missing else "",
        f"unexpected {item}s {some(extra)}" if extra else "",
    ]
    return "; ".join(x for x in parts if x)
