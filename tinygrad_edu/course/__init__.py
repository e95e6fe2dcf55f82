"""Checks for the exercises of the course in ``course/``: each takes a learner's answer and says,
in one sentence, whether it is right, or what was expected and what was found.

A check returns a :class:`Verdict`, true for a right answer, which a notebook shows as its
sentence. It never raises: an answer that is not written yet (``...``, or a function that
returns nothing) gets "not answered yet", and one that raises gets the error's name. The
course's notebooks call them in their check cells (``course.check_...``); ``tests/test_course.py``
runs them against the solutions in ``course/solutions/``.

- ``verdicts.py``: the :class:`Verdict`, and the helpers every check uses to run an answer safely;
- ``basics.py``: chapters 1–4 (a neuron, backprop, an MLP, losses);
- ``training.py``: chapters 5–9 (optimizers, initialisation, regularisation, second order, real data);
- ``deeper.py``: chapter 10 (exploding gradients and clipping, batch normalization, convolution);
- ``landscape.py``: chapter 11 (learning-rate schedules, batch sizes, minima and saddles, width).
- ``data.py``: chapter 12 (whitening, and initialisation: zero weights, saturated tanh).
"""

from __future__ import annotations

from .basics import (
    check_backprop_order,
    check_cross_entropy_gradient,
    check_hinge,
    check_max_margin,
    check_my_backward,
    check_neuron_delta,
    check_op_by_hand,
    check_parameter_count,
    check_second_situation,
    check_sgd_step,
    check_sigmoid_local,
    check_two_consumers,
)
from .data import check_saturated_at, check_tanh_init, check_whitened_length
from .deeper import check_batch_normalised, check_clipped_gradient, check_kernel_gradient
from .landscape import (
    check_critical_kind,
    check_inverse_time_rate,
    check_monotone_bound,
    check_updates_per_budget,
)
from .training import (
    check_accuracy,
    check_dropout_scale,
    check_he_std,
    check_hessian_by_hand,
    check_largest_stable_rate,
    check_momentum_step,
    check_newton_step,
    check_standardised,
    check_step_decay,
    check_test_point,
    check_vanishing_bound,
    check_weight_decay_step,
    check_weight_elimination_gradient,
    check_xavier_bound,
)
from .verdicts import Verdict

__all__ = [
    "Verdict",
    "check_accuracy",
    "check_backprop_order",
    "check_batch_normalised",
    "check_clipped_gradient",
    "check_critical_kind",
    "check_cross_entropy_gradient",
    "check_dropout_scale",
    "check_he_std",
    "check_hessian_by_hand",
    "check_hinge",
    "check_inverse_time_rate",
    "check_kernel_gradient",
    "check_largest_stable_rate",
    "check_max_margin",
    "check_momentum_step",
    "check_monotone_bound",
    "check_my_backward",
    "check_neuron_delta",
    "check_newton_step",
    "check_op_by_hand",
    "check_parameter_count",
    "check_saturated_at",
    "check_second_situation",
    "check_sgd_step",
    "check_sigmoid_local",
    "check_standardised",
    "check_step_decay",
    "check_tanh_init",
    "check_test_point",
    "check_two_consumers",
    "check_updates_per_budget",
    "check_vanishing_bound",
    "check_weight_decay_step",
    "check_weight_elimination_gradient",
    "check_whitened_length",
    "check_xavier_bound",
]
