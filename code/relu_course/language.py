r"""A tiny, offline character-level language-modelling lab with a pluggable feed-forward block.

* Text: :func:`corpus` returns text that ships with Python itself -- ``"zen"``, the Zen of
  Python (the ``this`` module, decoded from rot13; the same on every Python version), or
  ``"stdlib"`` (the default: the Zen followed by the docstrings of a fixed list of standard
  library modules, about 25,000 characters; it can differ slightly between Python versions).
  Nothing is downloaded.
* Data: :func:`char_corpus` turns the text into a :class:`CharCorpus` -- a character
  vocabulary and a train/validation split of character ids -- from which
  :meth:`CharCorpus.batch` samples next-character training windows.
* Model: :class:`TinyTransformerLM`, a GPT-style decoder in the spirit of nanoGPT
  (token + position embeddings, pre-norm residual blocks of causal self-attention and a
  feed-forward block; Vaswani et al., 2017). The feed-forward block, :class:`FeedForward`,
  is pluggable: a plain block :math:`W_2\,\phi(W_1 x)` with any activation in
  :data:`PLAIN_FFN_KINDS` (ReLU, GELU, SiLU, squared ReLU, ...) or a gated block
  :math:`W_2\,(\phi(W x) \odot V x)` from the GLU family (Dauphin et al., 2017;
  Shazeer, 2020) in :data:`GATED_FFN_KINDS` (ReGLU, GEGLU, SwiGLU, ...).
* Fair comparisons: a gated block has three weight matrices instead of two, so at the same
  hidden width it has 1.5 times the parameters. :func:`matched_hidden_width` picks the hidden
  width that gives a block the parameter count of a reference block, and
  :class:`TinyTransformerLM` uses it by default, so every kind has (almost exactly) the same
  number of parameters.
* Training and measurement: :func:`train_language_model` (AdamW, cosine schedule, seeded
  batches), :func:`evaluate_language_model` (mean cross-entropy in nats per character),
  :func:`compare_feedforward` (several kinds x several seeds), :func:`ffn_hidden_activations`
  (what each feed-forward block's down-projection multiplies), :func:`ffn_sparsity` (the
  share of exact zeros there and the multiply-adds they let a sparse kernel skip; Mirzadeh
  et al., 2024) and :func:`ffn_nonlinearity` (how far from linear the activation acts on the
  pre-activations it actually receives).

Example:
    >>> data = char_corpus("zen")
    >>> model = TinyTransformerLM(data.vocab_size, context=16, d_model=16, ffn="swiglu")
    >>> x, y = data.batch("train", batch_size=4, context=16, seed=0)
    >>> model(x).shape                 # (batch, time, vocabulary)
    torch.Size([4, 16, 45])
"""

from __future__ import annotations

import codecs
import contextlib
import importlib
import math
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from . import modules as M
from . import variants as V
from ._validation import check_int, check_real, check_seed, check_tensor, seed_or_base
from .utils import eval_mode, get_device
from .utils import seeds as _seeds

__all__ = [
    "CORPUS_NAMES", "STDLIB_MODULES", "zen_of_python", "corpus", "CharCorpus", "char_corpus",
    "PLAIN_FFN_KINDS", "GATED_FFN_KINDS", "FFN_KINDS", "is_gated", "ffn_parameter_count",
    "matched_hidden_width", "FeedForward", "CausalSelfAttention", "TransformerBlock",
    "TinyTransformerLM", "LMConfig", "LMHistory", "evaluate_language_model",
    "train_language_model", "compare_feedforward", "FFNSparsity", "ffn_hidden_activations",
    "ffn_sparsity", "FFNNonlinearity", "ffn_nonlinearity",
]

# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

#: The names :func:`corpus` accepts.
CORPUS_NAMES = ("zen", "stdlib")

#: Standard-library modules whose docstrings (mostly English prose) form the ``"stdlib"`` text.
STDLIB_MODULES = ("json", "statistics", "argparse", "csv", "unittest", "heapq", "copy",
                  "subprocess", "inspect", "doctest", "io", "collections", "difflib", "typing")


def zen_of_python() -> str:
    """The Zen of Python (PEP 20), 856 characters, as stored (in rot13) in the ``this`` module.

    Reading ``this.s`` and decoding it ourselves avoids ``import this``'s side effect of
    printing the poem.

    Example:
        >>> zen_of_python().splitlines()[0]
        'The Zen of Python, by Tim Peters'
    """
    import contextlib
    import io
    import sys
    if "this" in sys.modules:
        this = sys.modules["this"]
    else:
        with contextlib.redirect_stdout(io.StringIO()):     # `import this` prints the poem
            this = importlib.import_module("this")
    return codecs.decode(this.s, "rot13")


def corpus(name: str = "stdlib") -> str:
    """Return an offline text: ``"zen"`` or ``"stdlib"`` (see the module docstring).

    Args:
        name: one of :data:`CORPUS_NAMES`.

    Raises:
        ValueError: for an unknown name, or for ``"stdlib"`` when Python runs with ``-OO``
            (docstrings stripped).

    Example:
        >>> len(corpus("zen"))
        856
        >>> len(corpus("stdlib")) > 15_000
        True
    """
    if not isinstance(name, str):
        raise TypeError(f"corpus() expects `name` to be a str, got {type(name).__name__}")
    if name not in CORPUS_NAMES:
        raise ValueError(f"corpus(): unknown text {name!r}; choose one of {', '.join(CORPUS_NAMES)}")
    zen = zen_of_python()
    if name == "zen":
        return zen
    docs = [(importlib.import_module(m).__doc__ or "").strip() for m in STDLIB_MODULES]
    if not any(docs):
        raise ValueError("corpus('stdlib'): docstrings are missing (is Python running with -OO?)")
    return "\n\n".join([zen, *[d for d in docs if d]]) + "\n"


@dataclass(frozen=True)
class CharCorpus:
    """A text as character ids, split into a training part and the final validation part.

    Attributes:
        name: which text.
        alphabet: the distinct characters, sorted; character ``alphabet[i]`` has id ``i``.
        train, valid: ``int64`` id tensors (the validation part is the end of the text, so no
            validation window overlaps the training text).

    Example:
        >>> data = char_corpus("zen", valid_fraction=0.25)
        >>> data.vocab_size, len(data.train), len(data.valid)
        (45, 642, 214)
        >>> data.decode(data.encode("Beautiful"))
        'Beautiful'
    """

    name: str
    alphabet: str
    train: Tensor
    valid: Tensor

    @property
    def vocab_size(self) -> int:
        return len(self.alphabet)

    @property
    def device(self) -> torch.device:
        return self.train.device

    def encode(self, text: str) -> Tensor:
        """Character ids of ``text`` (every character must be in the alphabet)."""
        if not isinstance(text, str):
            raise TypeError(f"encode() expects a str, got {type(text).__name__}")
        index = {c: i for i, c in enumerate(self.alphabet)}
        missing = sorted(set(text) - set(index))
        if missing:
            raise ValueError(f"encode(): characters not in the alphabet: {missing}")
        return torch.tensor([index[c] for c in text], dtype=torch.int64, device=self.device)

    def decode(self, ids) -> str:
        """The text of a sequence of ids (a 1-D tensor or list)."""
        if isinstance(ids, Tensor):
            ids = ids.detach().cpu().reshape(-1).tolist()
        return "".join(self.alphabet[int(i)] for i in ids)

    def split(self, split: str) -> Tensor:
        """The ids of ``"train"`` or ``"valid"``."""
        if split not in ("train", "valid"):
            raise ValueError(f"split must be 'train' or 'valid', got {split!r}")
        return self.train if split == "train" else self.valid

    def batch(self, split: str, batch_size: int, context: int, seed: int | None = None,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """Random training windows: inputs ``x`` and next-character targets ``y``, both of
        shape ``(batch_size, context)``, with ``y[:, t] = x[:, t + 1]`` shifted by one.

        Args:
            split: ``"train"`` or ``"valid"``.
            batch_size, context: shape of the batch.
            seed: seeds a fresh generator (ignored when ``generator`` is given; default: the
                base seed, :func:`relu_course.utils.base_seed`).
            generator: a CPU ``torch.Generator`` to draw the window positions from.

        Example:
            >>> data = char_corpus("zen")
            >>> x, y = data.batch("train", batch_size=2, context=8, seed=0)
            >>> x.shape, bool((x[:, 1:] == y[:, :-1]).all())
            (torch.Size([2, 8]), True)
        """
        ids = self.split(split)
        check_int("batch", "batch_size", batch_size, minimum=1)
        check_int("batch", "context", context, minimum=1)
        if len(ids) < context + 1:
            raise ValueError(f"batch(): the {split} split has {len(ids)} characters, too few "
                             f"for context {context}")
        if generator is None:
            generator = torch.Generator().manual_seed(seed_or_base("batch", seed))
        starts = torch.randint(0, len(ids) - context, (batch_size,), generator=generator)
        offsets = starts[:, None] + torch.arange(context + 1)         # (batch, context + 1)
        windows = ids[offsets.to(ids.device)]
        return windows[:, :-1], windows[:, 1:]

    def windows(self, split: str, context: int) -> tuple[Tensor, Tensor]:
        """All non-overlapping windows of ``split`` (the last partial one dropped), as
        ``(x, y)`` of shape ``(num_windows, context)`` -- what :func:`evaluate_language_model`
        scores.

        Example:
            >>> x, y = char_corpus("zen").windows("valid", 16)
            >>> x.shape
            torch.Size([5, 16])
        """
        ids = self.split(split)
        check_int("windows", "context", context, minimum=1)
        n = (len(ids) - 1) // context
        if n == 0:
            raise ValueError(f"windows(): the {split} split is shorter than context {context} + 1")
        x = ids[: n * context].reshape(n, context)
        y = ids[1: n * context + 1].reshape(n, context)
        return x, y

    def to(self, device) -> CharCorpus:
        """A copy with the id tensors on ``device``."""
        device = get_device(device)
        return CharCorpus(self.name, self.alphabet, self.train.to(device), self.valid.to(device))

    def __repr__(self) -> str:
        return (f"CharCorpus({self.name!r}, vocab_size={self.vocab_size}, train={len(self.train)}, "
                f"valid={len(self.valid)})")


def char_corpus(name: str = "stdlib", valid_fraction: float = 0.1,
                device: str | torch.device | None = "cpu") -> CharCorpus:
    """Load :func:`corpus` ``name`` as a :class:`CharCorpus`; the last ``valid_fraction`` of
    the characters is the validation split.

    Args:
        name: one of :data:`CORPUS_NAMES` (default ``"stdlib"``).
        valid_fraction: share of the text held out, strictly between 0 and 1 (default 0.1).
        device: where the id tensors live (default ``"cpu"``; ``None`` picks
            :func:`relu_course.utils.get_device`).

    Example:
        >>> char_corpus("zen")
        CharCorpus('zen', vocab_size=45, train=770, valid=86)
    """
    fraction = check_real("char_corpus", "valid_fraction", valid_fraction, positive=True)
    if fraction >= 1:
        raise ValueError(f"char_corpus(): valid_fraction must be < 1, got {valid_fraction}")
    text = corpus(name)
    alphabet = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(alphabet)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    n_valid = max(2, round(len(ids) * fraction))
    return CharCorpus(name, alphabet, ids[:-n_valid], ids[-n_valid:]).to(get_device(device))


# --------------------------------------------------------------------------------------------
# Feed-forward blocks
# --------------------------------------------------------------------------------------------

_PLAIN = {
    "relu": lambda: M.ReLU(), "leaky_relu": lambda: M.LeakyReLU(), "gelu": lambda: M.GELU(),
    "silu": lambda: M.SiLU(), "mish": lambda: M.Mish(), "elu": lambda: M.ELU(),
    "tanh": lambda: M.Tanh(), "squared_relu": lambda: V.SquaredReLU(),
    "relu6": lambda: V.ReLU6(), "hard_swish": lambda: V.HardSwish(),
    "rational": lambda: V.RationalActivation(),
}
_GATED = {
    "glu": lambda: M.Sigmoid(), "bilinear": lambda: nn.Identity(), "reglu": lambda: M.ReLU(),
    "geglu": lambda: M.GELU(), "swiglu": lambda: M.SiLU(),
}

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
    d = check_int("ffn_parameter_count", "d_model", d_model, minimum=1)
    h = check_int("ffn_parameter_count", "hidden", hidden, minimum=1)
    matrices = 3 if kind in _GATED else 2
    count = matrices * d * h
    if bias:
        count += (matrices - 1) * h + d
    extra = sum(p.numel() for p in _PLAIN[kind]().parameters()) if kind in _PLAIN else 0
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
    d = check_int("matched_hidden_width", "d_model", d_model, minimum=1)
    ref_h = 4 * d if reference_hidden is None else check_int(
        "matched_hidden_width", "reference_hidden", reference_hidden, minimum=1)
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

    def __init__(self, d_model: int, hidden: int | None = None, kind: str = "relu",
                 bias: bool = True):
        super().__init__()
        self.kind = _check_kind("FeedForward", kind)
        self.d_model = check_int("FeedForward", "d_model", d_model, minimum=1)
        if not isinstance(bias, bool):
            raise TypeError(f"FeedForward: bias must be a bool, got {type(bias).__name__}")
        if hidden is None:
            hidden = matched_hidden_width(self.kind, self.d_model, bias=bias)
        self.hidden = check_int("FeedForward", "hidden", hidden, minimum=1)
        self.gated = self.kind in _GATED
        self.up = nn.Linear(self.d_model, self.hidden, bias=bias)
        self.value = nn.Linear(self.d_model, self.hidden, bias=bias) if self.gated else None
        self.act = (_GATED if self.gated else _PLAIN)[self.kind]()
        self.down = nn.Linear(self.hidden, self.d_model, bias=bias)

    def hidden_activations(self, x: Tensor) -> Tensor:
        r"""The hidden vector :math:`\phi(W_1 x)` (or :math:`\phi(Wx) \odot Vx`) that
        ``down`` multiplies, shape :math:`(*, h)`."""
        a = self.act(self.up(x))
        return a * self.value(x) if self.gated else a

    def forward(self, x: Tensor) -> Tensor:
        return self.down(self.hidden_activations(x))

    def extra_repr(self) -> str:
        return f"kind={self.kind!r}, d_model={self.d_model}, hidden={self.hidden}"


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------

class CausalSelfAttention(nn.Module):
    r"""Multi-head self-attention in which position :math:`t` only sees positions
    :math:`\le t` (uses ``torch.nn.functional.scaled_dot_product_attention``).

    Example:
        >>> CausalSelfAttention(16, n_heads=2)(torch.zeros(3, 7, 16)).shape
        torch.Size([3, 7, 16])
    """

    def __init__(self, d_model: int, n_heads: int = 2, bias: bool = True):
        super().__init__()
        self.d_model = check_int("CausalSelfAttention", "d_model", d_model, minimum=1)
        self.n_heads = check_int("CausalSelfAttention", "n_heads", n_heads, minimum=1)
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
        self.vocab_size = check_int("TinyTransformerLM", "vocab_size", vocab_size, minimum=2)
        self.context = check_int("TinyTransformerLM", "context", context, minimum=1)
        check_int("TinyTransformerLM", "n_layers", n_layers, minimum=1)
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


# --------------------------------------------------------------------------------------------
# Training and measurement
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LMConfig:
    """Hyper-parameters of :func:`train_language_model`.

    Attributes:
        steps: optimisation steps (default 300).
        batch_size: windows per step (default 32).
        lr: peak learning rate of AdamW (default 3e-3), decayed with a cosine schedule to
            ``lr / 10`` by the last step.
        weight_decay: AdamW's decoupled weight decay (default 0.01).
        eval_every: record losses every this many steps (default 50; the last step is always
            recorded).
        seed: seeds the batch sampling (seed the model's initialisation yourself, or use
            :func:`compare_feedforward`).

    Example:
        >>> LMConfig(steps=100).batch_size
        32
    """

    steps: int = 300
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 0.01
    eval_every: int = 50
    seed: int | None = None

    def __post_init__(self):
        check_int("LMConfig", "steps", self.steps, minimum=1)
        check_int("LMConfig", "batch_size", self.batch_size, minimum=1)
        check_real("LMConfig", "lr", self.lr, positive=True)
        if check_real("LMConfig", "weight_decay", self.weight_decay) < 0:
            raise ValueError(f"LMConfig: weight_decay must be >= 0, got {self.weight_decay}")
        check_int("LMConfig", "eval_every", self.eval_every, minimum=1)
        object.__setattr__(self, "seed", seed_or_base("LMConfig", self.seed))


@dataclass
class LMHistory:
    """Losses (nats per character) recorded during :func:`train_language_model`.

    ``train_loss[i]`` is the mean training loss of the steps since the previous record;
    ``valid_loss[i]`` the validation loss after step ``steps[i]``.

    Example:
        >>> h = LMHistory(steps=[50], train_loss=[2.1], valid_loss=[2.3])
        >>> round(h.final_valid_bits_per_char, 3)
        3.318
    """

    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)

    @property
    def final_valid_loss(self) -> float:
        """The last validation loss, in nats per character."""
        if not self.valid_loss:
            raise ValueError("LMHistory: nothing recorded yet")
        return self.valid_loss[-1]

    @property
    def final_valid_bits_per_char(self) -> float:
        """The last validation loss in bits per character (nats / ln 2)."""
        return self.final_valid_loss / math.log(2.0)


@torch.no_grad()
def evaluate_language_model(model: TinyTransformerLM, data: CharCorpus,
                            split: str = "valid") -> float:
    """Mean next-character cross-entropy (nats per character) over all non-overlapping
    windows of ``split`` (window length ``model.context``), in eval mode.

    A model that knows nothing scores :math:`\\ln(\\text{vocab size})`.

    Example:
        >>> data = char_corpus("zen")
        >>> _ = torch.manual_seed(0)
        >>> loss = evaluate_language_model(TinyTransformerLM(data.vocab_size, 16), data)
        >>> abs(loss - math.log(data.vocab_size)) < 0.05     # untrained: about ln 45
        True
    """
    if not isinstance(model, TinyTransformerLM):
        raise TypeError(f"evaluate_language_model() expects a TinyTransformerLM, "
                        f"got {type(model).__name__}")
    if not isinstance(data, CharCorpus):
        raise TypeError(f"evaluate_language_model() expects a CharCorpus, got {type(data).__name__}")
    x, y = data.windows(split, model.context)
    device = next(model.parameters()).device
    with eval_mode(model):
        logits = model(x.to(device))
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                       y.to(device).reshape(-1))
    return loss.item()


def train_language_model(model: TinyTransformerLM, data: CharCorpus,
                         config: LMConfig | None = None) -> LMHistory:
    """Train ``model`` on random windows of ``data``'s training split with AdamW and a cosine
    learning-rate schedule; return the :class:`LMHistory`.

    The model is moved to ``data``'s device. The batches depend only on ``config.seed``.

    Raises:
        FloatingPointError: if the training loss stops being finite.

    Example:
        >>> data = char_corpus("zen")
        >>> _ = torch.manual_seed(0)
        >>> model = TinyTransformerLM(data.vocab_size, context=16, d_model=16)
        >>> history = train_language_model(model, data, LMConfig(steps=60, eval_every=30))
        >>> history.steps, history.train_loss[-1] < history.train_loss[0]
        ([30, 60], True)
    """
    if not isinstance(model, TinyTransformerLM):
        raise TypeError(f"train_language_model() expects a TinyTransformerLM, "
                        f"got {type(model).__name__}")
    if not isinstance(data, CharCorpus):
        raise TypeError(f"train_language_model() expects a CharCorpus, got {type(data).__name__}")
    config = LMConfig() if config is None else config
    if not isinstance(config, LMConfig):
        raise TypeError(f"train_language_model() expects an LMConfig, got {type(config).__name__}")
    model.to(data.device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "embedding" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "embedding" not in n)]
    groups = [{"params": decay, "weight_decay": config.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    try:                             # fused AdamW (CPU support since torch 2.4): fastest
        optimizer = torch.optim.AdamW(groups, lr=config.lr, fused=True)
    except (RuntimeError, TypeError, ValueError):
        optimizer = torch.optim.AdamW(groups, lr=config.lr, foreach=True)
    generator = torch.Generator().manual_seed(config.seed)
    history, running, count = LMHistory(), 0.0, 0
    model.train()
    for step in range(1, config.steps + 1):
        progress = (step - 1) / max(1, config.steps - 1)
        lr = config.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = data.batch("train", config.batch_size, model.context, generator=generator)
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError(f"train_language_model(): loss became {value} at step {step}")
        running, count = running + value, count + 1
        if step % config.eval_every == 0 or step == config.steps:
            history.steps.append(step)
            history.train_loss.append(running / count)
            history.valid_loss.append(evaluate_language_model(model, data, "valid"))
            running, count = 0.0, 0
    return history


def compare_feedforward(kinds, data: CharCorpus, seeds=None, config: LMConfig | None = None,
                        *, return_models: bool = False, **model_kwargs):
    """Train one :class:`TinyTransformerLM` per feed-forward kind and seed; return the final
    validation losses, ``{kind: [loss for each seed]}`` (nats per character).

    For each seed the model's initialisation is seeded with that seed and the batches with it
    too, so kinds with the same seed see the same batches. With the default ``ffn_hidden`` all
    kinds have (almost) equal parameter counts.

    Args:
        kinds: feed-forward kinds (see :data:`FFN_KINDS`).
        data: the corpus.
        seeds: the seeds (default: ``relu_course.seeds(3)``, three from the base seed).
        config: training settings (its ``seed`` is replaced by each seed).
        return_models: also return the trained models, ``{kind: [model for each seed]}``
            (the result is then the pair ``(losses, models)``).
        **model_kwargs: passed to :class:`TinyTransformerLM` (``context``, ``d_model``, ...).

    Example:
        >>> data = char_corpus("zen")
        >>> losses = compare_feedforward(["relu", "reglu"], data, seeds=[0],
        ...                              config=LMConfig(steps=20), context=16, d_model=16)
        >>> sorted(losses), len(losses["relu"])
        (['reglu', 'relu'], 1)
    """
    kinds = [_check_kind("compare_feedforward", k) for k in kinds]
    seeds = [check_seed("compare_feedforward", s) for s in (_seeds(3) if seeds is None else seeds)]
    if not kinds or not seeds:
        raise ValueError("compare_feedforward(): give at least one kind and one seed")
    config = LMConfig() if config is None else config
    if not isinstance(return_models, bool):
        raise TypeError("compare_feedforward(): return_models must be a bool")
    results: dict[str, list[float]] = {}
    models: dict[str, list[TinyTransformerLM]] = {}
    for kind in kinds:
        results[kind], models[kind] = [], []
        for seed in seeds:
            torch.manual_seed(seed)
            model = TinyTransformerLM(data.vocab_size, ffn=kind, **model_kwargs)
            cfg = LMConfig(**{**config.__dict__, "seed": seed})
            results[kind].append(train_language_model(model, data, cfg).final_valid_loss)
            models[kind].append(model)
    return (results, models) if return_models else results


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
        model: a :class:`TinyTransformerLM`.
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
