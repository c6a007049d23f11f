r"""A tiny GPT-style decoder (in the spirit of nanoGPT; Vaswani et al., 2017) with a pluggable feed-
forward block: plain or gated (GLU family; Dauphin et al., 2017; Shazeer, 2020), matched in
parameter count.

* :data:`PLAIN_FFN_KINDS`
* :data:`GATED_FFN_KINDS`
* :data:`FFN_KINDS`
* :func:`is_gated` -- Whether ``kind`` is a gated (GLU-family) block.
* :func:`ffn_parameter_count` -- Number of parameters of a :class:`FeedForward` block.
* :func:`matched_hidden_width` -- The hidden width that gives a ``kind`` block
* :class:`FeedForward` -- A transformer feed-forward block, plain or gated.
* :class:`CausalSelfAttention` -- Multi-head self-attention in which position :math:`t` only
  sees positions :math:`\le t`
* :class:`TransformerBlock` -- Pre-norm residual block: :math:`x +
  \mathrm{Attn}(\mathrm{LN}(x))`, then :math:`x + \mathrm{FFN}(\mathrm{LN}(x))`.
* :class:`TinyTransformerLM` -- A small GPT-style character model: embeddings, ``n_layers``
  :class:`TransformerBlock` s
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_int, check_tensor
from ..activations.registry import get_activation

__all__ = ["PLAIN_FFN_KINDS", "GATED_FFN_KINDS", "FFN_KINDS", "is_gated", "ffn_parameter_count",
           "matched_hidden_width", "FeedForward", "CausalSelfAttention", "TransformerBlock",
           "TinyTransformerLM"]


#: The activation of each plain block: a name of the activation registry.
_PLAIN = ("relu", "leaky_relu", "gelu", "silu", "mish", "elu", "tanh", "squared_relu", "relu6",
          "hard_swish", "rational")


#: The activation of each gated block's gate (``"identity"``: no activation).
_GATED = {"glu": "sigmoid", "bilinear": "identity", "reglu": "relu", "geglu": "gelu",
          "swiglu": "silu"}


#: Plain blocks :math:`W_2\,\phi(W_1 x)`, named after their activation :math:`\phi`.
PLAIN_FFN_KINDS = tuple(_PLAIN)


#: Gated blocks :math:`W_2\,(\phi(W x) \odot V x)`: GLU (sigmoid gate; Dauphin et al., 2017),
#: bilinear (no activation), ReGLU, GEGLU and SwiGLU (Shazeer, 2020).
GATED_FFN_KINDS = tuple(_GATED)


#: Every kind :class:`FeedForward` accepts.
FFN_KINDS = PLAIN_FFN_KINDS + GATED_FFN_KINDS


def _check_kind(fn_name: str, kind) -> str:
    if not isinstance(kind, str):
        raise TypeError(f"{fn_name}() expects the block kind to be a str, got {type(kind).__name__}")
    key = kind.strip().lower().replace("-", "_")
    if key not in FFN_KINDS:
        raise ValueError(f"{fn_name}(): unknown feed-forward kind {kind!r}; valid kinds are "
                         f"{', '.join(FFN_KINDS)}")
    return key


def is_gated(kind: str) -> bool:
    """Whether ``kind`` is a gated (GLU-family) block.

    Example:
        >>> is_gated("swiglu"), is_gated("relu")
        (True, False)
    """
    return _check_kind("is_gated", kind) in _GATED


def ffn_parameter_count(kind: str, d_model: int, hidden: int, bias: bool = True) -> int:
    r"""Number of parameters of a :class:`FeedForward` block.

    A plain block has :math:`2 d h` weights (plus :math:`h + d` biases); a gated one
    :math:`3 d h` (plus :math:`2h + d`). A learnable activation adds its own few parameters.

    Args:
        kind: one of :data:`FFN_KINDS`.
        d_model: :math:`d`, the width of the residual stream.
        hidden: :math:`h`, the hidden width.
        bias: whether the linear layers have biases.

    Example:
        >>> ffn_parameter_count("relu", 32, 128), ffn_parameter_count("swiglu", 32, 85)
        (8352, 8362)
    """
    kind = _check_kind("ffn_parameter_count", kind)
    d = check_int("ffn_parameter_count", "d_model", d_model, ge=1)
    h = check_int("ffn_parameter_count", "hidden", hidden, ge=1)
    matrices = 3 if kind in _GATED else 2
    count = matrices * d * h
    if bias:
        count += (matrices - 1) * h + d
    extra = sum(p.numel() for p in get_activation(kind).parameters()) if kind in _PLAIN else 0
    return count + extra


def matched_hidden_width(kind: str, d_model: int, reference_hidden: int | None = None,
                         reference_kind: str = "relu", bias: bool = True) -> int:
    r"""The hidden width that gives a ``kind`` block (about) the parameter count of a
    ``reference_kind`` block of width ``reference_hidden`` -- the fair way to compare
    feed-forward blocks (Shazeer, 2020, shrinks the GLU blocks' width by 2/3 for this reason).

    Among all widths, the one whose count is closest to the reference (ties: the smaller).

    Args:
        kind: the block to size.
        d_model: the residual width :math:`d`.
        reference_hidden: the reference block's width (default :math:`4d`, the usual choice).
        reference_kind: the reference block (default ``"relu"``).
        bias: whether the linear layers have biases.

    Example:
        >>> matched_hidden_width("swiglu", 32), matched_hidden_width("gelu", 32)
        (85, 128)
    """
    d = check_int("matched_hidden_width", "d_model", d_model, ge=1)
    ref_h = 4 * d if reference_hidden is None else check_int(
        "matched_hidden_width", "reference_hidden", reference_hidden, ge=1)
    target = ffn_parameter_count(reference_kind, d, ref_h, bias)
    kind = _check_kind("matched_hidden_width", kind)
    per_unit = ffn_parameter_count(kind, d, 2, bias) - ffn_parameter_count(kind, d, 1, bias)
    fixed = ffn_parameter_count(kind, d, 1, bias) - per_unit
    guess = max(1, round((target - fixed) / per_unit))
    candidates = [h for h in (guess - 1, guess, guess + 1) if h >= 1]
    return min(candidates, key=lambda h: (abs(ffn_parameter_count(kind, d, h, bias) - target), h))


class FeedForward(nn.Module):
    r"""A transformer feed-forward block, plain or gated.

    * plain (``"relu"``, ``"gelu"``, ``"squared_relu"``, ...):
      :math:`\mathrm{FFN}(x) = W_2\,\phi(W_1 x + b_1) + b_2`;
    * gated (``"reglu"``, ``"geglu"``, ``"swiglu"``, ``"glu"``, ``"bilinear"``):
      :math:`\mathrm{FFN}(x) = W_2\,\big(\phi(W x + b) \odot (V x + c)\big) + b_2`.

    Args:
        d_model: input and output width :math:`d`.
        hidden: hidden width :math:`h` (default: :math:`4d` for plain blocks and
            :func:`matched_hidden_width` for gated ones, i.e. equal parameter counts).
        kind: one of :data:`FFN_KINDS` (default ``"relu"``).
        bias: biases in the linear layers (default ``True``).

    Attributes:
        up: ``Linear(d, h)`` (the gate :math:`W` in a gated block). value: ``Linear(d, h)``,
        the :math:`V` of a gated block (``None`` in a plain one). act: the activation module.
        down: ``Linear(h, d)``.

    Shape:
        Input: :math:`(*, d)`. Output: :math:`(*, d)`.

    Example:
        >>> ffn = FeedForward(8, kind="reglu")
        >>> ffn.hidden, ffn(torch.zeros(2, 5, 8)).shape
        (21, torch.Size([2, 5, 8]))
    """
    def __init__(self, d_model, hidden=None, kind="relu", bias=True):
        super().__init__()
        kind, d, h = _checked_ffn_args(kind, d_model, hidden, bias)
        self.kind, self.d_model, self.hidden = kind, d, h
        self.gated = is_gated(kind)
        self.up = nn.Linear(d, h, bias=bias)           # W_1, or the gate's W
        if self.gated:
            self.value = nn.Linear(d, h, bias=bias)    # V
            self.act = get_activation(_GATED[kind])    # e.g. "silu" for SwiGLU
        else:
            self.value, self.act = None, get_activation(kind)
        self.down = nn.Linear(h, d, bias=bias)         # W_2

    def hidden_activations(self, x):
        r"""The hidden vector :math:`\phi(W_1 x)` (or :math:`\phi(Wx) \odot Vx`) that
        ``down`` multiplies, shape :math:`(*, h)`."""
        a = self.act(self.up(x))                       # phi(W_1 x) or phi(W x)
        return a * self.value(x) if self.gated else a  # gated: times V x

    def forward(self, x):
        return self.down(self.hidden_activations(x))

    def extra_repr(self):
        return (f"kind={self.kind!r}, d_model={self.d_model}, "
                f"hidden={self.hidden}")


def _checked_ffn_args(kind, d_model, hidden, bias) -> tuple[str, int, int]:
    """:class:`FeedForward`'s arguments checked: the kind, :math:`d` and :math:`h` (``None``: the
    default width, :math:`4d` or the matched width of a gated block)."""
    kind = _check_kind("FeedForward", kind)
    d_model = check_int("FeedForward", "d_model", d_model, ge=1)
    if not isinstance(bias, bool):
        raise TypeError(f"FeedForward: bias must be a bool, got {type(bias).__name__}")
    if hidden is None:
        hidden = matched_hidden_width(kind, d_model, bias=bias)
    return kind, d_model, check_int("FeedForward", "hidden", hidden, ge=1)


class CausalSelfAttention(nn.Module):
    r"""Multi-head self-attention in which position :math:`t` only sees positions
    :math:`\le t` (uses ``torch.nn.functional.scaled_dot_product_attention``).

    Example:
        >>> CausalSelfAttention(16, n_heads=2)(torch.zeros(3, 7, 16)).shape
        torch.Size([3, 7, 16])
    """

    def __init__(self, d_model: int, n_heads: int = 2, bias: bool = True):
        super().__init__()
        self.d_model = check_int("CausalSelfAttention", "d_model", d_model, ge=1)
        self.n_heads = check_int("CausalSelfAttention", "n_heads", n_heads, ge=1)
        if d_model % n_heads:
            raise ValueError(f"CausalSelfAttention: d_model={d_model} is not divisible by "
                             f"n_heads={n_heads}")
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=bias)
        self.proj = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        b, t, d = x.shape                                             # (batch, time, d)
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.n_heads, d // self.n_heads).transpose(1, 2)
                   for z in (q, k, v))                                # (batch, heads, time, d/h)
        y = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, d))


class TransformerBlock(nn.Module):
    r"""Pre-norm residual block: :math:`x + \mathrm{Attn}(\mathrm{LN}(x))`, then
    :math:`x + \mathrm{FFN}(\mathrm{LN}(x))`.

    Example:
        >>> TransformerBlock(16, n_heads=2, ffn="geglu")(torch.zeros(1, 4, 16)).shape
        torch.Size([1, 4, 16])
    """

    def __init__(self, d_model: int, n_heads: int = 2, ffn: str = "relu",
                 ffn_hidden: int | None = None, bias: bool = True):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_heads, bias)
        self.ln2 = nn.LayerNorm(d_model)
        self.ffn = FeedForward(d_model, ffn_hidden, ffn, bias)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.ffn(self.ln2(x))


class TinyTransformerLM(nn.Module):
    r"""A small GPT-style character model: embeddings, ``n_layers`` :class:`TransformerBlock`
    s, a final LayerNorm and a linear read-out of next-character logits.

    Args:
        vocab_size: number of characters.
        context: longest input (positions that have an embedding); default 32.
        d_model: residual width (default 32).
        n_heads: attention heads (default 2).
        n_layers: blocks (default 1).
        ffn: the feed-forward kind, one of :data:`FFN_KINDS` (default ``"relu"``).
        ffn_hidden: hidden width; default :math:`4d` for plain kinds and the width of equal
            parameter count (:func:`matched_hidden_width`) for gated kinds.
        bias: biases in the linear layers of the blocks.

    Shape:
        Input: ``(batch, time)`` character ids, ``time <= context``.
        Output: ``(batch, time, vocab_size)`` logits for the next character.

    Example:
        >>> relu_lm = TinyTransformerLM(45, ffn="relu")
        >>> swiglu_lm = TinyTransformerLM(45, ffn="swiglu")
        >>> relu_lm.num_parameters(), swiglu_lm.num_parameters()
        (16717, 16727)
    """

    def __init__(self, vocab_size: int, context: int = 32, d_model: int = 32, n_heads: int = 2,
                 n_layers: int = 1, ffn: str = "relu", ffn_hidden: int | None = None,
                 bias: bool = True):
        super().__init__()
        self.vocab_size = check_int("TinyTransformerLM", "vocab_size", vocab_size, ge=2)
        self.context = check_int("TinyTransformerLM", "context", context, ge=1)
        check_int("TinyTransformerLM", "n_layers", n_layers, ge=1)
        self.ffn_kind = _check_kind("TinyTransformerLM", ffn)
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(TransformerBlock(d_model, n_heads, self.ffn_kind, ffn_hidden,
                                                     bias) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)
        for module in self.modules():                        # GPT-2 style small init
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if getattr(module, "bias", None) is not None:
                    nn.init.zeros_(module.bias)

    def num_parameters(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def feedforward_blocks(self) -> list[FeedForward]:
        """The :class:`FeedForward` block of every layer, first layer first."""
        return [block.ffn for block in self.blocks]

    def forward(self, idx: Tensor) -> Tensor:
        check_tensor("TinyTransformerLM", idx, name="idx", allow_integer=True)
        if idx.dim() != 2:
            raise ValueError(f"TinyTransformerLM expects ids of shape (batch, time), "
                             f"got {tuple(idx.shape)}")
        t = idx.shape[1]
        if t > self.context:
            raise ValueError(f"TinyTransformerLM: sequence length {t} > context {self.context}")
        pos = torch.arange(t, device=idx.device)
        x = self.token_embedding(idx) + self.position_embedding(pos)   # (batch, time, d)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))                                 # (batch, time, vocab)
