r"""Training and evaluating the tiny language models: AdamW with a cosine schedule on seeded
batches, and comparisons of feed-forward kinds over seeds.

* :class:`LMConfig` -- Hyper-parameters of :func:`train_language_model`.
* :class:`LMHistory` -- Losses (nats per character) recorded during
  :func:`train_language_model`.
* :func:`evaluate_language_model` -- Mean next-character cross-entropy (nats per character) over
  all non-overlapping windows of ``split``
* :func:`train_language_model` -- Train ``model`` on random windows of ``data``'s training split
  with AdamW and a cosine learning-rate schedule
* :func:`compare_feedforward` -- Train one tiny transformer per feed-forward kind and seed;
  return the final validation losses
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from .._validation import check_int, check_real, check_seed, seed_or_base
from ..data.text import CharCorpus
from ..models.transformer import TinyTransformerLM, _check_kind
from ..utils import eval_mode
from ..utils import seeds as _seeds

__all__ = ["LMConfig", "LMHistory", "evaluate_language_model", "train_language_model",
           "compare_feedforward"]


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
        check_int("LMConfig", "steps", self.steps, ge=1)
        check_int("LMConfig", "batch_size", self.batch_size, ge=1)
        check_real("LMConfig", "lr", self.lr, gt=0)
        if check_real("LMConfig", "weight_decay", self.weight_decay) < 0:
            raise ValueError(f"LMConfig: weight_decay must be >= 0, got {self.weight_decay}")
        check_int("LMConfig", "eval_every", self.eval_every, ge=1)
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
        >>> import math
        >>> from relu_course.data import char_corpus
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
        >>> from relu_course.data import char_corpus
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
    """Train one :class:`~relu_course.models.transformer.TinyTransformerLM` per feed-forward
    kind and seed; return the final validation losses, ``{kind: [loss for each seed]}`` (nats
    per character).

    For each seed the model's initialisation is seeded with that seed and the batches with it
    too, so kinds with the same seed see the same batches. With the default ``ffn_hidden`` all
    kinds have (almost) equal parameter counts.

    Args:
        kinds: feed-forward kinds (see :data:`~relu_course.models.transformer.FFN_KINDS`).
        data: the corpus.
        seeds: the seeds (default: ``relu_course.seeds(3)``, three from the base seed).
        config: training settings (its ``seed`` is replaced by each seed).
        return_models: also return the trained models, ``{kind: [model for each seed]}``
            (the result is then the pair ``(losses, models)``).
        **model_kwargs: passed to :class:`~relu_course.models.transformer.TinyTransformerLM`
            (``context``, ``d_model``, ...).

    Example:
        >>> from relu_course.data import char_corpus
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
