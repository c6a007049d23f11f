"""Tests of relu_course.analysis.metrics: confusion_matrix and char_ngram_loss."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pytest
import torch
from torch import nn

from relu_course.analysis import metrics


def _ngram_reference(data, order, k):
    counts = defaultdict(Counter)
    train, valid = data.train.tolist(), data.valid.tolist()
    for i in range(order - 1, len(train)):
        counts[tuple(train[i - order + 1:i])][train[i]] += 1
    total, n = 0.0, 0
    for i in range(order - 1, len(valid)):
        c = counts[tuple(valid[i - order + 1:i])]
        total -= math.log((c[valid[i]] + k) / (sum(c.values()) + k * data.vocab_size))
        n += 1
    return total / n


def test_confusion_matrix_counts_and_restores_mode():
    net = nn.Sequential(nn.Linear(3, 3, bias=False), nn.BatchNorm1d(3))
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(3))
    net.train()
    x = torch.eye(3).repeat(4, 1) * 5                     # every class predicted right
    y = torch.arange(3).repeat(4)
    c = metrics.confusion_matrix(net, x, y)
    assert c.dtype == torch.int64 and c.tolist() == [[4, 0, 0], [0, 4, 0], [0, 0, 4]]
    assert net.training                                   # mode restored
    wrong = metrics.confusion_matrix(net, x, (y + 1) % 3, num_classes=4)
    assert wrong.shape == (4, 4) and wrong.sum() == 12 and wrong.trace() == 0
    assert wrong[1, 0] == 4                                # true 1, predicted 0


@pytest.mark.parametrize("order", [1, 2, 3])
def test_char_ngram_loss_matches_a_direct_count(order):
    from relu_course.data import char_corpus

    data = char_corpus("zen", valid_fraction=0.2)
    assert metrics.char_ngram_loss(data, order, 0.5) == pytest.approx(
        _ngram_reference(data, order, 0.5), rel=1e-10)


def test_char_ngram_loss_orders_and_errors():
    from relu_course.data import char_corpus

    data = char_corpus("zen")
    losses = [metrics.char_ngram_loss(data, n) for n in (1, 2)]
    assert losses[1] < losses[0] < math.log(data.vocab_size)
    with pytest.raises(ValueError):
        metrics.char_ngram_loss(data, 0)
    with pytest.raises(ValueError):
        metrics.char_ngram_loss(data, 5)
    with pytest.raises(ValueError):
        metrics.char_ngram_loss(data, 2, smoothing=0.0)
    with pytest.raises(TypeError):
        metrics.char_ngram_loss("some text", 2)
