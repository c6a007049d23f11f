r"""Uniform affine fake quantisation (quantise, then dequantise) of tensors and of a model's
activation outputs, as in integer-only inference (Jacob et al., 2018), and the activation ranges
it needs.

* :func:`fake_quantize` -- Uniform affine quantisation followed by dequantisation (Jacob et al.,
  2018).
* :func:`activation_ranges` -- Calibration for :func:`quantize_activations`
* :func:`quantize_activations` -- Context manager: fake-quantise the output of every activation
  layer of ``model``.
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, check_tensor
from ..activations.registry import module_types
from ..utils import eval_mode

__all__ = ["fake_quantize", "activation_ranges", "quantize_activations"]



def fake_quantize(input: Tensor, num_bits: int = 8, low: float | None = None,
                  high: float | None = None) -> Tensor:
    r"""Uniform affine quantisation followed by dequantisation (Jacob et al., 2018).

    With :math:`2^b` levels spread over ``[low, high]`` the step (scale) is
    :math:`s = (\text{high} - \text{low}) / (2^b - 1)`; each value is clipped to the range and
    rounded to the nearest level, :math:`\hat{x} = \text{low} + s \,
    \mathrm{round}((\mathrm{clip}(x) - \text{low}) / s)`. Inside the range the error is at most
    :math:`s/2`; a wide range (an unbounded activation with a few large values) means a
    coarse step for all values.

    Args:
        input: a floating-point tensor.
        num_bits: :math:`b`, between 2 and 16 (default 8, as in int8 inference).
        low, high: the representable range; ``None`` takes the tensor's own minimum / maximum
            ("min-max calibration"). The range is widened to include 0, so that 0 is exact.

    Example:
        >>> fake_quantize(torch.tensor([0.0, 0.1, 0.26, 1.0]), num_bits=2)
        tensor([0.0000, 0.0000, 0.3333, 1.0000])
    """
    check_tensor("fake_quantize", input)
    bits = check_int("fake_quantize", "num_bits", num_bits, ge=2)
    if bits > 16:
        raise ValueError(f"fake_quantize() expects `num_bits` <= 16, got {bits}")
    lo = float(input.min()) if low is None else check_real("fake_quantize", "low", low)
    hi = float(input.max()) if high is None else check_real("fake_quantize", "high", high)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi <= lo:                                   # all zeros: nothing to round
        return input.clone()
    scale = (hi - lo) / (2 ** bits - 1)
    zero_point = round(-lo / scale)                # the integer that represents 0 exactly
    q = torch.round(input / scale + zero_point).clamp(0, 2 ** bits - 1)
    return (q - zero_point) * scale


def _activation_modules(fn_name: str, model: nn.Module, types) -> list[tuple[str, nn.Module]]:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{fn_name}() expects an nn.Module, got {type(model).__name__}")
    if types is None:
        types = module_types()
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, types)]
    if not layers:
        raise ValueError(f"{fn_name}(): the model has no activation layers")
    return layers


@torch.no_grad()
def activation_ranges(model: nn.Module, x: Tensor,
                      types: tuple[type, ...] | None = None) -> dict[str, tuple[float, float]]:
    r"""Calibration for :func:`quantize_activations`: the smallest and largest output of every
    activation layer of ``model`` on the batch ``x`` (in eval mode).

    Args:
        model: the network.
        x: a calibration batch (e.g. the training inputs).
        types: module types treated as activations (default as in :func:`quantize_activations`).

    Example:
        >>> from relu_course.activations.variants import ReLU6
        >>> net = nn.Sequential(nn.Linear(1, 1), ReLU6())
        >>> with torch.no_grad():
        ...     _ = net[0].weight.fill_(10.0), net[0].bias.fill_(0.0)
        >>> activation_ranges(net, torch.tensor([[-1.0], [0.2], [3.0]]))
        {'1': (0.0, 6.0)}
    """
    layers = _activation_modules("activation_ranges", model, types)
    check_tensor("activation_ranges", x, name="x")
    found: dict[str, tuple[float, float]] = {}
    with eval_mode(model), ExitStack() as hooks:                    # handles removed on exit
        for name, module in layers:
            def hook(_module, _inputs, output, name=name):
                found[name] = (float(output.min()), float(output.max()))
            hooks.enter_context(module.register_forward_hook(hook))
        model(x)
    return {name: found[name] for name, _ in layers if name in found}


@contextmanager
def quantize_activations(model: nn.Module, num_bits: int = 8,
                         ranges: dict[str, tuple[float, float]] | None = None,
                         types: tuple[type, ...] | None = None):
    r"""Context manager: fake-quantise the output of every activation layer of ``model``.

    Inside the ``with`` block each activation module's output is replaced by
    :func:`fake_quantize` of it -- simulating int8 (or ``num_bits``) activations.

    Args:
        model: the network.
        num_bits: bits per activation value.
        ranges: ``{layer name: (low, high)}`` fixed ranges, e.g. measured on calibration data
            or, for ReLU6, the known range ``(0, 6)``; layers not listed use each batch's own
            min/max.
        types: module types treated as activations (default: this module's variants, the
            course's activation modules and their ``torch.nn`` namesakes).

    Yields:
        the list of layer names being quantised.

    Example:
        >>> from relu_course.activations.variants import ReLU6
        >>> net = nn.Sequential(nn.Linear(2, 4), ReLU6(), nn.Linear(4, 1))
        >>> with quantize_activations(net, num_bits=4, ranges={"1": (0.0, 6.0)}) as names:
        ...     y = net(torch.zeros(3, 2))
        >>> names
        ['1']
    """
    bits = check_int("quantize_activations", "num_bits", num_bits, ge=2)
    layers = _activation_modules("quantize_activations", model, types)
    ranges = dict(ranges or {})
    unknown = set(ranges) - {name for name, _ in layers}
    if unknown:
        raise ValueError(f"quantize_activations(): no activation layer named {sorted(unknown)}")
    handles = []
    for name, module in layers:
        low, high = ranges.get(name, (None, None))

        def hook(_module, _inputs, output, low=low, high=high):
            return fake_quantize(output, bits, low, high)
        handles.append(module.register_forward_hook(hook))
    try:
        yield [name for name, _ in layers]
    finally:
        for h in handles:
            h.remove()
