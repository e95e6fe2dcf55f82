"""The door to PyTorch for batch normalization and convolutions: ``BatchNorm`` ↔ ``nn.BatchNorm1d``,
``Conv1d``/``Conv2d`` ↔ ``nn.Conv1d``/``nn.Conv2d`` (and the activation module after it), and
``Flatten`` ↔ ``nn.Flatten()``.

- BatchNorm: γ and β are PyTorch's ``weight`` and ``bias``; ``running_mean``, ``running_var`` and
  ``num_batches_tracked`` are its buffers of the same names; ``eps``, ``momentum`` (None too),
  ``affine``, ``track_running_stats`` and the train/eval mode cross as they are. Ours takes a
  batch, a list of N samples of C features; PyTorch's an (N, C) tensor.
- A convolution's kernel w[o][c][q] (Conv2d: w[o][c][u][v]) is PyTorch's ``weight`` layout, and
  b[o] its ``bias``; ``kernel_size``, ``stride`` and ``padding`` cross as they are. Ours takes one
  sample, C × L (or C × H × W); PyTorch's a batch, (N, C, L) (or (N, C, H, W)).
- Flatten orders one sample channel by channel, then row by row: ``nn.Flatten(start_dim=1)``.
"""

from __future__ import annotations

from typing import Any, Union

from ..nn.conv import Conv1d, Conv2d, Flatten
from ..nn.module import Module
from ..nn.normalization import BatchNorm
from .common import activation_after, activation_to_torch, floats, refuse, tensor

# ------------------------------------------------------------------- ours → PyTorch


def batch_norm_to_torch(torch: Any, norm: BatchNorm, path: str) -> list[Any]:
    """``nn.BatchNorm1d`` with the same settings, γ, β and running statistics, in float64."""
    module = torch.nn.BatchNorm1d(
        norm.num_features,
        eps=norm.eps,
        momentum=norm.momentum,
        affine=norm.gamma is not None,
        track_running_stats=norm.running_mean is not None,
        dtype=torch.float64,
    )  # its initial values are constants (1, 0): PyTorch's random generator is left alone
    with torch.no_grad():
        if norm.gamma is not None and norm.beta is not None:
            module.weight.copy_(tensor(torch, [g.data for g in norm.gamma]))
            module.bias.copy_(tensor(torch, [b.data for b in norm.beta]))
        if norm.running_mean is not None and norm.running_var is not None:
            module.running_mean.copy_(tensor(torch, norm.running_mean))
            module.running_var.copy_(tensor(torch, norm.running_var))
            module.num_batches_tracked.fill_(norm.num_batches_tracked or 0)
    return [module]


def conv_to_torch(torch: Any, conv: Union[Conv1d, Conv2d], path: str) -> list[Any]:
    """``nn.Conv1d``/``nn.Conv2d`` with the same sizes and kernel, then the activation's module."""
    kind = torch.nn.Conv1d if conv.dims == 1 else torch.nn.Conv2d
    activation = activation_to_torch(torch, conv.activation, conv.out_channels, path)
    module = torch.nn.utils.skip_init(  # no random draw: the weights are ours
        kind,
        conv.in_channels,
        conv.out_channels,
        conv.kernel_size,
        stride=conv.stride,
        padding=conv.padding,
        bias=conv.b is not None,
        dtype=torch.float64,
    )
    with torch.no_grad():
        module.weight.copy_(tensor(torch, _kernel_numbers(conv.w)))
        if conv.b is not None:
            module.bias.copy_(tensor(torch, [b.data for b in conv.b]))
    return [module] if activation is None else [module, activation]


def flatten_to_torch(torch: Any, flatten: Flatten, path: str) -> list[Any]:
    """``nn.Flatten()``: each sample's entries, channel by channel and row by row."""
    return [torch.nn.Flatten()]


def _kernel_numbers(x: Any) -> Any:
    """Nested lists of Values as the same nesting of their floats."""
    return [_kernel_numbers(v) for v in x] if isinstance(x, list) else x.data


# ------------------------------------------------------------------- PyTorch → ours


def batch_norm_from_torch(torch: Any, leaves: list[tuple[str, Any]], i: int) -> tuple[Module, int]:
    """``nn.BatchNorm1d`` as ``BatchNorm``, its weight, bias and buffers copied exactly."""
    place, module = leaves[i]
    eps, momentum = float(module.eps), module.momentum
    if not eps > 0.0 or (momentum is not None and not 0.0 <= float(momentum) <= 1.0):
        refuse(
            place, module, f"has eps={eps}, momentum={momentum}; ours needs eps > 0 and momentum in [0, 1]"
        )
    if module.affine and module.bias is None:  # PyTorch's bias=False: a learned γ without β
        refuse(place, module, "has a weight but no bias (bias=False), which ours lacks: γ and β go together")
    norm = BatchNorm(
        module.num_features,
        eps=eps,
        momentum=None if momentum is None else float(momentum),
        affine=bool(module.affine),
        track_running_stats=module.running_mean is not None,
    )
    if norm.gamma is not None and norm.beta is not None:
        for mine, x in zip(
            [*norm.gamma, *norm.beta],
            [*floats(module.weight, place, module), *floats(module.bias, place, module)],
        ):
            mine.data = x
    if module.running_mean is not None:
        norm.running_mean = floats(module.running_mean, place, module)
        norm.running_var = floats(module.running_var, place, module)
        norm.num_batches_tracked = int(module.num_batches_tracked.item())
    norm.train(module.training)
    return norm, i + 1


def conv_from_torch(torch: Any, leaves: list[tuple[str, Any]], i: int) -> tuple[Module, int]:
    """``nn.Conv1d``/``nn.Conv2d`` (and the activation module after it, if any) as ours."""
    place, module = leaves[i]
    dims = len(module.kernel_size)
    padding = _padding(place, module)
    if module.in_channels < 1 or module.out_channels < 1:
        raise ValueError(
            f"from_torch: {place} ({type(module).__name__}) must have input and output channels, "
            f"got in_channels={module.in_channels}, out_channels={module.out_channels}"
        )
    activation, _, after = activation_after(torch, leaves, i, module.out_channels, prelu=False)
    kind = Conv1d if dims == 1 else Conv2d
    conv = kind(
        module.in_channels,
        module.out_channels,
        tuple(module.kernel_size),
        tuple(module.stride),
        padding,
        bias=module.bias is not None,
        activation=activation,
        init="zeros",
    )
    weights = floats(module.weight, place, module)
    for mine, x in zip(_kernel_entries(conv.w), _kernel_entries(weights)):
        mine.data = x
    if conv.b is not None:
        for b, x in zip(conv.b, floats(module.bias, place, module)):
            b.data = x
    conv.train(module.training)
    return conv, after


def _padding(place: str, module: Any) -> tuple[int, ...]:
    """The zero padding on each side, per axis; what ours lacks is refused naming the setting."""
    dims = len(module.kernel_size)
    for name, plain in (("dilation", (1,) * dims), ("groups", 1), ("padding_mode", "zeros")):
        if getattr(module, name) != plain:
            refuse(place, module, f"has {name}={getattr(module, name)!r}, which ours lacks (ours: {plain!r})")
    padding = module.padding
    if padding == "valid":
        return (0,) * dims
    if padding == "same":  # PyTorch pads (k − 1)/2 on each side; an even kernel pads unevenly
        if any(k % 2 == 0 for k in module.kernel_size):
            refuse(
                place,
                module,
                "has padding='same' with an even kernel_size (uneven padding), which ours lacks",
            )
        return tuple((k - 1) // 2 for k in module.kernel_size)
    return tuple(int(p) for p in padding)


def flatten_from_torch(torch: Any, leaves: list[tuple[str, Any]], i: int) -> tuple[Module, int]:
    """``nn.Flatten()`` (start_dim=1, end_dim=-1: one whole sample flat) as ``Flatten``."""
    place, module = leaves[i]
    if (module.start_dim, module.end_dim) != (1, -1):
        refuse(
            place,
            module,
            f"has start_dim={module.start_dim}, end_dim={module.end_dim}; "
            "ours flattens a whole sample: nn.Flatten(start_dim=1, end_dim=-1)",
        )
    flatten = Flatten()
    flatten.train(module.training)
    return flatten, i + 1


def _kernel_entries(x: Any) -> list[Any]:
    """The entries of nested lists, in order."""
    return [y for v in x for y in _kernel_entries(v)] if isinstance(x, list) else [x]
