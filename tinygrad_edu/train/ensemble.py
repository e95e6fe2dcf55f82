"""Bootstrap aggregating: ``bagging`` trains k models on resamples, and an :class:`Ensemble`
averages them."""

from __future__ import annotations

import inspect
from dataclasses import fields
from typing import Any, Callable, Optional, Sequence

from ..checks import RandomLike, function, instance, integer, random_source, type_error, value_error
from ..nn import Module
from .arguments import OptimizerLike, Rows, Targets, check_optimizer, checked_samples, is_sequence
from .history import History
from .options import FitOptions, checked_options, prepare
from .training import Training, fit


class Ensemble(Module):
    """The average of several models' outputs (element by element for several outputs)."""

    def __init__(self, models: Sequence[Module]) -> None:
        if not is_sequence(models):
            type_error("Ensemble", "models", "a non-empty list of Modules", models)
        if not models:
            value_error("Ensemble", "models", "a non-empty list of Modules", models)
        for i, m in enumerate(models):
            instance(m, "Ensemble", f"models[{i}]", Module, "a Module (e.g. an MLP)")
        self.models = list(models)

    def takes_batches(self) -> bool:
        """True when one of its models takes a batch (holds a BatchNorm): then so does the ensemble."""
        return any(m.takes_batches() for m in self.models)

    def forward(self, x: Sequence[Any]) -> Any:
        """(1/k)·Σ_i model_i(x): one Value, or a list of them when each model gives several outputs.
        An ensemble that takes batches averages sample by sample, giving one output per sample."""
        if not self.takes_batches():
            return self._average([m(x) for m in self.models])
        outs = [m(x) if m.takes_batches() else [m(s) for s in x] for m in self.models]
        return [self._average([o[i] for o in outs]) for i in range(len(x))]

    def _average(self, outs: list[Any]) -> Any:
        k = len(outs)
        first = outs[0]
        several = isinstance(first, (list, tuple))
        for i, o in enumerate(outs):  # outputs of different shapes cannot be averaged
            if isinstance(o, (list, tuple)) != several or (several and len(o) != len(first)):
                shape = f"a list of {len(first)} outputs" if several else "a single output"
                value_error("Ensemble", f"models[{i}](x)", f"{shape}, like models[0](x)", o)
        if several:
            return [sum(o[j] for o in outs) / k for j in range(len(first))]
        return sum(outs) / k

    def __repr__(self) -> str:
        return f"Ensemble({len(self.models)} × {self.models[0]!r})"


def bagging(
    make_model: Callable[[int], Module],
    X: Rows,
    y: Targets,
    k: int,
    *,
    seed: Optional[int] = None,
    rng: Optional[RandomLike] = None,
    make_optimizer: Optional[Callable[[Module], OptimizerLike]] = None,
    **fit_kwargs: Any,
) -> tuple[Ensemble, list[History]]:
    """Bootstrap aggregating (note 001): train k models, each on n samples drawn with
    replacement from (X, y), and average their predictions.

    ``make_model(i)`` builds the i-th model (give each its own seed), and
    ``make_optimizer(model)`` its optimizer (default: SGD with ``options.lr``).
    ``seed`` or ``rng`` is bagging's generator: it draws every resample, and a
    seed for each model's :func:`fit`. The remaining keyword arguments go to fit:
    ``loss``, ``epochs``, ``batch_size``, ``validation``, ``callbacks`` and
    ``options`` (a :class:`FitOptions`, whose ``rng`` must be None here). All k
    models and optimizers are built, and every argument checked, before the
    first one trains; an error names bagging.
    """
    where = "bagging"
    function(make_model, where, "make_model", "a function i -> a new model")
    rows, targets = checked_samples(X, y, where, "X", "y")
    k = integer(k, where, "k", low=1)
    gen = random_source(seed, rng, where)
    if make_optimizer is not None:
        function(make_optimizer, where, "make_optimizer", "None or a function model -> optimizer")
    _check_fit_keywords(fit_kwargs, where)
    n = len(rows)
    draws = []
    for _ in range(k):  # the same draws, in the same order, as training model by model
        idx = [int(gen.random() * n) for _ in range(n)]
        draws.append((idx, int(gen.random() * 2**31)))
    plans = []
    models: list[Module] = []
    for i, (idx, fit_seed) in enumerate(draws):
        model = make_model(i)
        instance(model, where, f"make_model({i})", Module, "a Module (e.g. an MLP)")
        if any(model is m for m in models):
            value_error(where, f"make_model({i})", "a new model (each is trained on its own)", model)
        opt = make_optimizer(model) if make_optimizer is not None else None
        if opt is not None:
            check_optimizer(opt, where, "make_optimizer(model)", model.parameters())
        models.append(model)
        # checked on all the data (a bad sample must be refused even if no resample draws it) ...
        plan = prepare(
            where,
            model,
            rows,
            targets,
            optimizer=opt,
            seed=fit_seed,
            label=f"bagging, model {i + 1} of {k}",
            **fit_kwargs,
        )
        plan.X, plan.y = [rows[j] for j in idx], [targets[j] for j in idx]  # ... trained on its resample
        plans.append(plan)
    histories = [Training(plan).run() for plan in plans]
    return Ensemble(models), histories


def _check_fit_keywords(fit_kwargs: dict[str, Any], where: str) -> None:
    """The keyword arguments bagging passes on to fit: fit's own, except those bagging sets itself."""
    if "optimizer" in fit_kwargs:  # one optimizer holds one model's parameters: it cannot train k models
        type_error(
            where,
            "optimizer",
            "given as make_optimizer=lambda model: ... (one per model)",
            fit_kwargs["optimizer"],
        )
    for name, value in fit_kwargs.items():  # as Python would say for a misspelt keyword, a TypeError
        if name in _OPTION_NAMES:
            type_error(where, f"keyword argument {name!r}", f"given in options=FitOptions({name}=...)", value)
        if name not in _FIT_KEYWORDS:
            expected = "one of fit's keyword arguments (" + ", ".join(_FIT_KEYWORDS) + ")"
            type_error(where, f"keyword argument {name!r}", expected, value)
    options = checked_options(fit_kwargs.get("options"), where)
    if options.rng is not None:  # every model's fit gets a seed drawn from bagging's own generator
        value_error(where, "options.rng", "None (give bagging's own seed= or rng=)", options.rng)


# fit's keyword arguments that bagging passes on (it sets optimizer and seed itself)
_FIT_KEYWORDS = [
    name
    for name, p in inspect.signature(fit).parameters.items()
    if p.kind is p.KEYWORD_ONLY and name not in ("optimizer", "seed")
]
_OPTION_NAMES = [f.name for f in fields(FitOptions)]
