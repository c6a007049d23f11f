r"""Evaluation measures beyond accuracy: a confusion matrix, and the validation loss of a character
n-gram count model (the baseline the small transformers are compared with).

* :func:`confusion_matrix` -- Counts :math:`C_{ij}` of examples of true class :math:`i` that
  ``model`` predicts as class :math:`j` (the arg-max of its logits)
* :func:`char_ngram_loss` -- Validation loss (nats per character) of a character :math:`n`-gram
  *count* model
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, check_tensor
from ..utils import eval_mode

__all__ = ["confusion_matrix", "char_ngram_loss"]


@torch.no_grad()
def confusion_matrix(model: nn.Module, x: Tensor, y: Tensor, num_classes: int | None = None,
                     batch_size: int = 2048) -> Tensor:
    r"""Counts :math:`C_{ij}` of examples of true class :math:`i` that ``model`` predicts as
    class :math:`j` (the arg-max of its logits), evaluated in eval mode.

    The diagonal holds the correct predictions; :math:`\sum_j C_{ij}` is the number of examples
    of class :math:`i`.

    Args:
        model: maps ``x`` to logits ``(N, classes)``.
        x, y: inputs and integer labels.
        num_classes: the size of the matrix (default: the number of logits).
        batch_size: examples per forward pass.

    Returns:
        An ``int64`` tensor of shape ``(num_classes, num_classes)`` on the CPU.

    Example:
        >>> net = torch.nn.Linear(2, 2, bias=False)
        >>> with torch.no_grad():
        ...     _ = net.weight.copy_(torch.eye(2))       # predicts the larger coordinate
        >>> x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
        >>> confusion_matrix(net, x, torch.tensor([0, 1, 1])).tolist()
        [[1, 0], [1, 1]]
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"confusion_matrix() expects an nn.Module, got {type(model).__name__}")
    check_tensor("confusion_matrix", x, name="x")
    if not isinstance(y, Tensor) or y.dtype.is_floating_point or y.dtype == torch.bool:
        raise TypeError("confusion_matrix() expects `y` to be an integer tensor of labels")
    if y.dim() != 1 or len(x) != len(y) or len(y) == 0:
        raise ValueError(f"confusion_matrix(): x and y need the same, non-zero number of "
                         f"examples and y must be 1-D (got {len(x)} and {tuple(y.shape)})")
    batch_size = check_int("confusion_matrix", "batch_size", batch_size, ge=1)
    with eval_mode(model):
        logits = [model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    predicted = torch.cat([out.argmax(dim=1).cpu() for out in logits])
    if num_classes is None:
        num_classes = int(logits[0].shape[1])
    num_classes = check_int("confusion_matrix", "num_classes", num_classes, ge=1)
    labels = y.cpu().long()
    if labels.min() < 0 or labels.max() >= num_classes or predicted.max() >= num_classes:
        raise ValueError(f"confusion_matrix(): labels or predictions outside 0..{num_classes - 1}")
    flat = labels * num_classes + predicted
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def char_ngram_loss(data, order: int = 2, smoothing: float = 0.1) -> float:
    r"""Validation loss (nats per character) of a character :math:`n`-gram *count* model -- the
    baseline a neural language model should beat.

    The model predicts character :math:`c` after the :math:`n - 1` characters :math:`u` from
    counts on the training split, with add-:math:`k` smoothing over the vocabulary of size
    :math:`V`:

    .. math::
        p(c \mid u) = \frac{\mathrm{count}(u\,c) + k}{\mathrm{count}(u) + k V},

    and the loss is the mean of :math:`-\ln p` over the validation split (every position with
    a full context). ``order=1`` ignores the context (character frequencies only); a model that
    knows nothing at all scores :math:`\ln V`.

    Args:
        data: a :class:`relu_course.data.text.CharCorpus`.
        order: :math:`n`, from 1 to 4 (at most :math:`10^8` table cells).
        smoothing: :math:`k > 0`.

    Example:
        >>> import math
        >>> from relu_course.data import char_corpus
        >>> text = char_corpus("zen")
        >>> unigram, bigram = char_ngram_loss(text, 1), char_ngram_loss(text, 2)
        >>> bigram < unigram < math.log(text.vocab_size)
        True
    """
    from ..data.text import CharCorpus

    if not isinstance(data, CharCorpus):
        raise TypeError(f"char_ngram_loss() expects a relu_course.data.text.CharCorpus, "
                        f"got {type(data).__name__}")
    order = check_int("char_ngram_loss", "order", order, ge=1)
    smoothing = check_real("char_ngram_loss", "smoothing", smoothing, gt=0)
    v = data.vocab_size
    if order > 4 or v ** order > 10**8:
        raise ValueError(f"char_ngram_loss(): order {order} needs a table of {v}^{order} "
                         f"cells; use order <= 4 and at most 10**8 cells")

    def codes(ids: Tensor) -> Tensor:                      # one integer per n-gram
        ids = ids.cpu().long()
        if len(ids) < order:
            raise ValueError(f"char_ngram_loss(): a split is shorter than order {order}")
        windows = ids.unfold(0, order, 1)                 # (positions, order)
        powers = v ** torch.arange(order - 1, -1, -1)
        return (windows * powers).sum(dim=1)

    counts = torch.bincount(codes(data.train), minlength=v ** order).double()
    counts = counts.reshape(-1, v)                        # (contexts, next character)
    totals = counts.sum(dim=1)
    valid = codes(data.valid)
    context, char = valid // v, valid % v
    p = (counts[context, char] + smoothing) / (totals[context] + smoothing * v)
    return -p.log().mean().item()
