r"""What happens inside a transformer's feed-forward blocks: the hidden activations, their share of
exact zeros and the multiply-adds a sparse kernel could skip (Mirzadeh et al., 2024), and how
far from linear the activation acts.

* :class:`FFNSparsity` -- Exact zeros in one feed-forward block's hidden layer, for a batch of
  tokens.
* :func:`ffn_hidden_activations` -- The hidden vectors of every feed-forward block (first layer
  first) for the tokens of ``idx``, in eval mode
* :func:`ffn_sparsity`
* :class:`FFNNonlinearity` -- How nonlinearly one feed-forward activation acts on the pre-
  activations it receives.
* :func:`ffn_nonlinearity`
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import Tensor

from .._validation import check_tensor
from ..models.transformer import TinyTransformerLM
from ..utils import eval_mode

__all__ = ["FFNSparsity", "ffn_hidden_activations", "ffn_sparsity", "FFNNonlinearity",
           "ffn_nonlinearity"]


@dataclass(frozen=True)
class FFNSparsity:
    """Exact zeros in one feed-forward block's hidden layer, for a batch of tokens.

    Attributes:
        zero_fraction: share of hidden values that are exactly 0.
        dead_fraction: share of hidden units that are 0 for every token in the batch.
        macs_per_token: multiply-adds per token of the block's down-projection (:math:`h d`).
        skippable_macs_per_token: those multiplying an exact zero (mean over tokens), which a
            sparsity-aware kernel need not do; it equals ``zero_fraction * macs_per_token``.

    Example:
        >>> FFNSparsity(0.9, 0.1, 4096, 3686.4).skippable_fraction
        0.9
    """

    zero_fraction: float
    dead_fraction: float
    macs_per_token: int
    skippable_macs_per_token: float

    @property
    def skippable_fraction(self) -> float:
        """Share of the down-projection's multiply-adds that meet a zero."""
        return self.skippable_macs_per_token / self.macs_per_token


@torch.no_grad()
def ffn_hidden_activations(model: TinyTransformerLM, idx: Tensor) -> list[Tensor]:
    r"""The hidden vectors of every feed-forward block (first layer first) for the tokens of
    ``idx``, in eval mode: one tensor of shape ``(batch, time, hidden)`` per layer -- what each
    block's down-projection multiplies.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> model = TinyTransformerLM(45, context=16, d_model=16, ffn="reglu")
        >>> [h.shape for h in ffn_hidden_activations(model, torch.zeros(2, 5, dtype=torch.long))]
        [torch.Size([2, 5, 42])]
    """
    if not isinstance(model, TinyTransformerLM):
        raise TypeError(f"ffn_hidden_activations() expects a TinyTransformerLM, "
                        f"got {type(model).__name__}")
    check_tensor("ffn_hidden_activations", idx, name="idx", allow_integer=True)
    hidden: list[Tensor] = []

    def hook(module, inputs, _output):
        hidden.append(module.hidden_activations(inputs[0]))

    with eval_mode(model), contextlib.ExitStack() as hooks:        # handles removed on exit
        for ffn in model.feedforward_blocks():
            hooks.enter_context(ffn.register_forward_hook(hook))
        model(idx)
    return hidden


@torch.no_grad()
def ffn_sparsity(model: TinyTransformerLM, idx: Tensor) -> list[FFNSparsity]:
    r"""For each layer's feed-forward block, how sparse its hidden vector is on the tokens of
    ``idx`` and how many of the down-projection's :math:`h \times d` multiply-adds per token
    multiply an exact zero (Mirzadeh et al., 2024, count the same quantity in large models).

    A ReLU, squared-ReLU or ReGLU block produces exact zeros; GELU or SiLU blocks almost never
    do (their outputs are small but not zero).

    Args:
        model: a :class:`~relu_course.models.transformer.TinyTransformerLM`.
        idx: character ids, shape ``(batch, time)``.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> model = TinyTransformerLM(45, context=16, d_model=16, ffn="relu")
        >>> s = ffn_sparsity(model, torch.randint(0, 45, (8, 16)))[0]
        >>> 0.3 < s.zero_fraction < 0.7, s.macs_per_token
        (True, 1024)
    """
    if not isinstance(model, TinyTransformerLM):
        raise TypeError(f"ffn_sparsity() expects a TinyTransformerLM, got {type(model).__name__}")
    hidden = ffn_hidden_activations(model, idx)
    result = []
    for ffn, h in zip(model.feedforward_blocks(), hidden):
        zeros = (h == 0).reshape(-1, h.shape[-1])                     # (tokens, hidden)
        macs = ffn.hidden * ffn.d_model
        zero_fraction = zeros.sum().item() / zeros.numel()            # exact integer counts
        result.append(FFNSparsity(zero_fraction=zero_fraction,
                                  dead_fraction=zeros.all(dim=0).sum().item() / zeros.shape[1],
                                  macs_per_token=macs,
                                  skippable_macs_per_token=zero_fraction * macs))
    return result


@dataclass(frozen=True)
class FFNNonlinearity:
    """How nonlinearly one feed-forward activation acts on the pre-activations it receives.

    Attributes:
        preactivation_std: standard deviation of the activation's inputs :math:`z` (for a
            gated block, the gate's inputs).
        nonlinear_share: the share of the variance of :math:`\\phi(z)` that the best straight
            line :math:`a + b z` (least squares) cannot explain: 0 for a linear map, larger the
            more the activation bends over the range of :math:`z` actually seen.

    Example:
        >>> FFNNonlinearity(0.3, 0.4).nonlinear_share
        0.4
    """

    preactivation_std: float
    nonlinear_share: float


@torch.no_grad()
def ffn_nonlinearity(model: TinyTransformerLM, idx: Tensor) -> list[FFNNonlinearity]:
    r"""For each layer's feed-forward block, measure on the tokens of ``idx`` the spread of the
    pre-activations :math:`z` and the *nonlinear share* of the activation's output,

    .. math::
        1 - R^2 = \frac{\operatorname{Var}\big(\phi(z) - a - b z\big)}{\operatorname{Var}\,\phi(z)},
        \qquad (a, b) = \arg\min \textstyle\sum (\phi(z) - a - b z)^2 .

    Near :math:`z = 0`, GELU and SiLU are almost straight lines, so with small
    pre-activations their share is small; ReLU bends equally at every scale.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> idx = torch.randint(0, 45, (8, 16))
        >>> relu = ffn_nonlinearity(TinyTransformerLM(45, 16, 16, ffn="relu"), idx)[0]
        >>> gelu = ffn_nonlinearity(TinyTransformerLM(45, 16, 16, ffn="gelu"), idx)[0]
        >>> relu.nonlinear_share > 5 * gelu.nonlinear_share
        True
    """
    if not isinstance(model, TinyTransformerLM):
        raise TypeError(f"ffn_nonlinearity() expects a TinyTransformerLM, got {type(model).__name__}")
    check_tensor("ffn_nonlinearity", idx, name="idx", allow_integer=True)
    inputs: list[Tensor] = []
    with eval_mode(model), contextlib.ExitStack() as hooks:        # handles removed on exit
        for ffn in model.feedforward_blocks():
            hooks.enter_context(
                ffn.up.register_forward_hook(lambda _m, _i, out: inputs.append(out)))
        model(idx)
    result = []
    for ffn, z in zip(model.feedforward_blocks(), inputs):
        phi = ffn.act(z).reshape(-1).cpu().double()     # on the CPU: MPS has no float64
        z = z.reshape(-1).cpu().double()
        line = torch.stack([torch.ones_like(z), z], dim=1)            # (values, 2)
        fit = torch.linalg.lstsq(line, phi[:, None]).solution
        residual = phi - (line @ fit)[:, 0]
        variance = phi.var()
        share = (residual.var() / variance).item() if variance > 0 else 0.0
        result.append(FFNNonlinearity(preactivation_std=z.std().item(), nonlinear_share=share))
    return result
