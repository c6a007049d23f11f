"""Small, deterministic, offline datasets.

* ``"digits"``: real handwritten digits -- the 1,797 8x8 greyscale images that ship with
  scikit-learn (``sklearn.datasets.load_digits``), scaled to [0, 1], shape ``(N, 1, 8, 8)``.
* ``"moons"``, ``"xor"``, ``"spirals"``: 2-D toy problems generated here from a seed
  (synthetic data), shape ``(N, 2)``, centred near the origin.

Everything is generated on the CPU from a seeded ``torch.Generator`` (so the same seed gives
the same data on every machine) and then moved to the requested device. Nothing is downloaded.
A ``seed`` left out is the course's base seed (:func:`relu_course.utils.base_seed`).

* :func:`load` -- a :class:`Dataset` (train and test tensors) by one of the
  :data:`DATASET_NAMES`; :func:`two_moons`, :func:`xor`, :func:`spirals` and :func:`digits`
  generate or read the raw points;
* :func:`standardize_features` -- features scaled with the training split's statistics;
* :func:`validation_split` -- a validation set carved out of the training split.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from .._validation import check_int, check_real, seed_or_base
from ..utils import get_device

__all__ = ["Dataset", "DATASET_NAMES", "load", "two_moons", "xor", "spirals", "digits",
           "standardize_features", "validation_split"]


@dataclass(frozen=True)
class Dataset:
    """A train/test split of a classification problem; labels are ``int64`` class indices.

    Example:
        >>> data = load("xor", n_samples=40, seed=0)
        >>> data.input_shape, data.num_classes, len(data.y_train) + len(data.y_test)
        ((2,), 2, 40)
    """

    name: str
    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor
    num_classes: int

    def __post_init__(self):
        # A malformed dataset fails here, with the reason, instead of deep inside training.
        if not isinstance(self.name, str):
            raise TypeError(f"Dataset() expects `name` to be a str, got {type(self.name).__name__}")
        for field_name in ("x_train", "y_train", "x_test", "y_test"):
            value = getattr(self, field_name)
            if not isinstance(value, Tensor):
                raise TypeError(f"Dataset() expects `{field_name}` to be a torch.Tensor, "
                                f"got {type(value).__name__}")
        for split in ("train", "test"):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if not x.is_floating_point():
                raise TypeError(f"Dataset() expects floating-point inputs, but x_{split} has "
                                f"dtype {x.dtype}; convert it with .float()")
            if y.dtype != torch.int64:
                raise TypeError(f"Dataset() expects int64 class indices, but y_{split} has dtype "
                                f"{y.dtype}; convert it with .long()")
            if x.dim() < 1 or y.dim() != 1 or len(x) != len(y):
                raise ValueError(f"Dataset(): x_{split} has shape {tuple(x.shape)} and y_{split} "
                                 f"shape {tuple(y.shape)}; they need one label per example")
            if x.numel() and not bool(torch.isfinite(x).all()):
                raise ValueError(f"Dataset(): x_{split} contains NaN or infinite values")
        if len(self.y_train) == 0:
            raise ValueError("Dataset(): the training set is empty")
        if self.x_train.shape[1:] != self.x_test.shape[1:] and len(self.y_test):
            raise ValueError(f"Dataset(): train examples have shape {tuple(self.x_train.shape[1:])}"
                             f" but test examples {tuple(self.x_test.shape[1:])}")
        devices = {t.device for t in (self.x_train, self.y_train, self.x_test, self.y_test)}
        if len(devices) > 1:
            raise ValueError(f"Dataset(): the tensors are on different devices: {sorted(map(str, devices))}")
        num_classes = check_int("Dataset", "num_classes", self.num_classes, ge=1)
        labels = torch.cat([self.y_train, self.y_test])
        if int(labels.min()) < 0 or int(labels.max()) >= num_classes:
            raise ValueError(f"Dataset(): labels must lie in 0..{num_classes - 1} "
                             f"(num_classes={num_classes}); found {int(labels.min())} to "
                             f"{int(labels.max())}")

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one example, e.g. ``(2,)`` or ``(1, 8, 8)``."""
        return tuple(self.x_train.shape[1:])

    @property
    def num_features(self) -> int:
        """Number of input values per example (what an MLP's first layer receives)."""
        return math.prod(self.input_shape)

    @property
    def device(self) -> torch.device:
        return self.x_train.device

    def to(self, device: str | torch.device) -> Dataset:
        """Return a copy with every tensor on ``device`` (checked by
        :func:`relu_course.utils.get_device`: an unknown or unavailable device is a
        ``ValueError``)."""
        device = get_device(device)
        return Dataset(self.name, self.x_train.to(device), self.y_train.to(device),
                       self.x_test.to(device), self.y_test.to(device), self.num_classes)

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, train={len(self.y_train)}, test={len(self.y_test)}, "
                f"input_shape={self.input_shape}, num_classes={self.num_classes})")


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def two_moons(n_samples: int = 512, noise: float = 0.1,
              seed: int | None = None) -> tuple[Tensor, Tensor]:
    """Two interleaving half circles (synthetic), centred on the origin.

    Returns ``x`` of shape ``(n_samples, 2)`` (float32) and labels ``y`` (int64, 0 or 1).

    Example:
        >>> x, y = two_moons(100, seed=0); x.shape, y.shape
        (torch.Size([100, 2]), torch.Size([100]))
    """
    seed = seed_or_base("two_moons", seed)
    n_samples = check_int("two_moons", "n_samples", n_samples, ge=2)
    noise = check_real("two_moons", "noise", noise, ge=0)
    g = _generator(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = torch.rand(n_outer, generator=g) * math.pi
    t_inner = torch.rand(n_inner, generator=g) * math.pi
    outer = torch.stack([torch.cos(t_outer), torch.sin(t_outer)], dim=1)
    inner = torch.stack([1.0 - torch.cos(t_inner), 0.5 - torch.sin(t_inner)], dim=1)
    x = torch.cat([outer, inner]) - torch.tensor([0.5, 0.25])          # centre near (0, 0)
    x = x + noise * torch.randn(x.shape, generator=g)
    y = torch.cat([torch.zeros(n_outer), torch.ones(n_inner)]).long()
    return x, y


def xor(n_samples: int = 512, noise: float = 0.25,
        seed: int | None = None) -> tuple[Tensor, Tensor]:
    """Four Gaussian blobs at (+-1, +-1) (synthetic); the label is 1 where x1 * x2 < 0.

    Example:
        >>> x, y = xor(8, seed=0); x.shape
        torch.Size([8, 2])
    """
    seed = seed_or_base("xor", seed)
    n_samples = check_int("xor", "n_samples", n_samples, ge=4)
    noise = check_real("xor", "noise", noise, ge=0)
    g = _generator(seed)
    corners = torch.tensor([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    which = torch.arange(n_samples) % 4
    x = corners[which] + noise * torch.randn(n_samples, 2, generator=g)
    y = (which >= 2).long()                                           # opposite signs -> 1
    return x, y


def spirals(n_samples: int = 512, noise: float = 0.05, turns: float = 1.5,
            seed: int | None = None) -> tuple[Tensor, Tensor]:
    """Two interleaved spirals (synthetic), radius up to about 1.

    Example:
        >>> x, y = spirals(10, seed=0); int(y.sum())
        5
    """
    seed = seed_or_base("spirals", seed)
    n_samples = check_int("spirals", "n_samples", n_samples, ge=2)
    noise = check_real("spirals", "noise", noise, ge=0)
    turns = check_real("spirals", "turns", turns, gt=0)
    g = _generator(seed)
    n0 = n_samples // 2
    counts = (n0, n_samples - n0)
    xs, ys = [], []
    for label, n in enumerate(counts):
        r = torch.sqrt(torch.rand(n, generator=g)) * 0.95 + 0.05    # denser near the ends
        theta = r * turns * 2 * math.pi + label * math.pi
        pts = torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1)
        xs.append(pts + noise * torch.randn(n, 2, generator=g))
        ys.append(torch.full((n,), label))
    return torch.cat(xs), torch.cat(ys).long()


def digits() -> tuple[Tensor, Tensor]:
    """The handwritten digits bundled with scikit-learn: 1,797 images, 10 classes.

    Returns images ``x`` of shape ``(1797, 1, 8, 8)`` scaled to [0, 1] and labels ``y``.

    Example:
        >>> x, y = digits(); x.shape, int(y.max()) + 1
        (torch.Size([1797, 1, 8, 8]), 10)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        raise ImportError("the digits dataset needs scikit-learn: pip install scikit-learn") from exc
    bunch = load_digits()
    x = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(bunch.target, dtype=torch.long)
    return x, y


_TOY = {"moons": two_moons, "xor": xor, "spirals": spirals}

#: The names :func:`load` accepts.
DATASET_NAMES = ("digits", "moons", "xor", "spirals")


def _stratified_split(y: Tensor, test_fraction: float, seed: int) -> tuple[Tensor, Tensor]:
    """Indices of a split that keeps each class's share in both parts."""
    g = _generator(seed + 1)
    train_idx, test_idx = [], []
    for label in torch.unique(y):
        idx = torch.nonzero(y == label).flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        n_test = round(test_fraction * len(idx))
        n_test = min(max(n_test, 1), len(idx) - 1) if len(idx) > 1 else 0
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    train = torch.cat(train_idx)
    test = torch.cat(test_idx)
    # Mix the classes so that slices of the training set are not sorted by label.
    return train[torch.randperm(len(train), generator=g)], test[torch.randperm(len(test), generator=g)]


def load(name: str, *, n_samples: int | None = None, noise: float | None = None,
         test_fraction: float = 0.25, seed: int | None = None,
         device: str | torch.device | None = None) -> Dataset:
    """Load a dataset by name and split it (stratified) into train and test parts.

    Args:
        name: one of :data:`DATASET_NAMES`.
        n_samples, noise: size and noise of a toy set (defaults: 512 and the generator's
            default); not accepted for ``"digits"``.
        test_fraction: share of each class held out for testing, strictly between 0 and 1.
        seed: seeds both the data (toy sets) and the split.
        device: where to put the tensors (default: CPU).

    Raises:
        ValueError: for an unknown name, a bad fraction, or options the dataset doesn't take.

    Example:
        >>> load("moons", n_samples=200, seed=1)
        Dataset('moons', train=150, test=50, input_shape=(2,), num_classes=2)
    """
    if not isinstance(name, str):
        raise TypeError(f"load() expects `name` to be a str, got {type(name).__name__}")
    key = name.strip().lower()
    if key not in DATASET_NAMES:
        raise ValueError(f"load(): unknown dataset {name!r}; valid names are {', '.join(DATASET_NAMES)}")
    test_fraction = check_real("load", "test_fraction", test_fraction, gt=0, lt=1)
    seed = seed_or_base("load", seed)

    if key == "digits":
        if n_samples is not None or noise is not None:
            raise ValueError("load('digits') takes neither `n_samples` nor `noise`: it is a fixed real dataset")
        x, y = digits()
    else:
        kwargs = {"seed": seed, "n_samples": 512 if n_samples is None else n_samples}
        if noise is not None:
            kwargs["noise"] = noise
        x, y = _TOY[key](**kwargs)
    train, test = _stratified_split(y, test_fraction, seed)
    data = Dataset(key, x[train], y[train], x[test], y[test], int(y.max()) + 1)
    return data if device is None else data.to(device)   # Dataset.to validates the device


def standardize_features(data: Dataset, eps: float = 1e-6) -> Dataset:
    r"""Standardise every input feature with the *training* set's statistics.

    Each feature (for images: each pixel position) becomes

    .. math::
        x' = \frac{x - \mu}{\sigma},

    where :math:`\mu` and :math:`\sigma` are that feature's mean and standard deviation
    (population formula, dividing by :math:`N`) over the training examples. The test set is
    transformed with the same :math:`\mu` and :math:`\sigma`, so nothing is learnt from it.
    On the training set every feature then has mean 0 and variance 1 -- the "standardised
    inputs" that SELU's self-normalisation assumes (Klambauer et al., 2017) -- except
    features that are constant in the training set (:math:`\sigma \le` ``eps``), which become
    0 everywhere instead of being divided by zero.

    Args:
        data: a :class:`Dataset` (any input shape; the labels are kept as they are).
        eps: standard deviations at or below this count as constant features (default
            ``1e-6``); a finite number >= 0.

    Returns:
        A new :class:`Dataset` on the same device, with the same name, shapes and labels.

    Raises:
        TypeError: if ``data`` is not a :class:`Dataset`.
        ValueError: for an empty training set or a negative ``eps``.

    Example:
        >>> data = standardize_features(load("digits"))
        >>> x = data.x_train.flatten(1)                       # (N, 64): one column per pixel
        >>> constant = x.std(0) == 0                          # e.g. the always-blank corner
        >>> bool(x.mean(0).abs().max() < 1e-5), int(constant.sum())
        (True, 3)
        >>> bool((x.var(0, unbiased=False)[~constant] - 1).abs().max() < 1e-4)
        True
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"standardize_features() expects a relu_course.data.datasets.Dataset, "
                        f"got {type(data).__name__}")
    eps = check_real("standardize_features", "eps", eps, ge=0)
    if len(data.x_train) == 0:
        raise ValueError("standardize_features(): the training set is empty")
    if not data.x_train.is_floating_point():
        raise TypeError(f"standardize_features() expects floating-point inputs, "
                        f"got dtype {data.x_train.dtype}")
    mean = data.x_train.mean(dim=0, keepdim=True)                    # (1, *input_shape)
    std = data.x_train.std(dim=0, unbiased=False, keepdim=True)
    constant = std <= eps
    scale = torch.where(constant, torch.zeros_like(std), 1.0 / torch.where(constant, 1.0, std))

    def transform(x: Tensor) -> Tensor:
        return (x - mean) * scale                                    # constant features -> 0

    return Dataset(data.name, transform(data.x_train), data.y_train, transform(data.x_test),
                   data.y_test, data.num_classes)


def validation_split(data: Dataset, fraction: float = 0.25, seed: int | None = None) -> Dataset:
    """Hold out part of the *training* set for validation, leaving the test set untouched.

    Hyper-parameters (learning rate, initialisation, ...) must be chosen on data that the
    final evaluation does not use; otherwise the test accuracy is an optimistic estimate. The
    returned :class:`Dataset` trains on the rest of ``data``'s training set and its "test" part
    is the held-out validation set, so :func:`relu_course.training.loop.fit` reports validation
    metrics as ``history.test_loss`` / ``history.test_accuracy``. ``data``'s own test set is
    not in the result: keep ``data`` to evaluate the chosen configuration once at the end.

    The split is stratified (each class keeps its share in both parts) and depends only on
    ``seed``.

    Args:
        data: a :class:`Dataset`.
        fraction: share of each class of the training set held out, strictly between 0 and 1.
        seed: seeds the split.

    Returns:
        A new :class:`Dataset` named ``"<name> (validation split)"``, on ``data``'s device.

    Raises:
        TypeError: if ``data`` is not a :class:`Dataset`.
        ValueError: for a bad fraction or a training set too small to split.

    Example:
        >>> digits = load("digits")
        >>> dev = validation_split(digits)
        >>> len(dev.y_train), len(dev.y_test), len(digits.y_test)
        (1010, 337, 450)
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"validation_split() expects a relu_course.data.datasets.Dataset, "
                        f"got {type(data).__name__}")
    fraction = check_real("validation_split", "fraction", fraction, gt=0, lt=1)
    seed = seed_or_base("validation_split", seed)
    if len(data.y_train) < 2:
        raise ValueError(f"validation_split(): the training set has {len(data.y_train)} "
                         f"example(s); at least 2 are needed")
    train, valid = _stratified_split(data.y_train.cpu(), fraction, seed)
    train, valid = train.to(data.device), valid.to(data.device)
    return Dataset(f"{data.name} (validation split)", data.x_train[train], data.y_train[train],
                   data.x_train[valid], data.y_train[valid], data.num_classes)
