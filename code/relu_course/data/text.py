r"""Offline text for character-level language modelling: text that ships with Python itself, turned
into a character vocabulary and train/validation splits.

* :data:`CORPUS_NAMES`
* :data:`STDLIB_MODULES`
* :func:`zen_of_python` -- The Zen of Python (PEP 20), 856 characters, as stored (in rot13) in
  the ``this`` module.
* :func:`corpus` -- Return an offline text: ``"zen"`` or ``"stdlib"`` (see the module
  docstring).
* :class:`CharCorpus` -- A text as character ids, split into a training part and the final
  validation part.
* :func:`char_corpus` -- Load :func:`corpus` ``name`` as a :class:`CharCorpus`; the last
  ``valid_fraction`` of the characters is the validation split.
"""

from __future__ import annotations

import codecs
import importlib
from dataclasses import dataclass

import torch
from torch import Tensor

from .._validation import check_int, check_real, seed_or_base
from ..utils import get_device

__all__ = ["CORPUS_NAMES", "STDLIB_MODULES", "zen_of_python", "corpus", "CharCorpus", "char_corpus"]


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
        check_int("batch", "batch_size", batch_size, ge=1)
        check_int("batch", "context", context, ge=1)
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
        ``(x, y)`` of shape ``(num_windows, context)`` -- what
        :func:`~relu_course.training.language_model.evaluate_language_model` scores.

        Example:
            >>> x, y = char_corpus("zen").windows("valid", 16)
            >>> x.shape
            torch.Size([5, 16])
        """
        ids = self.split(split)
        check_int("windows", "context", context, ge=1)
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
    fraction = check_real("char_corpus", "valid_fraction", valid_fraction, gt=0, lt=1)
    text = corpus(name)
    alphabet = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(alphabet)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    n_valid = max(2, round(len(ids) * fraction))
    return CharCorpus(name, alphabet, ids[:-n_valid], ids[-n_valid:]).to(get_device(device))
