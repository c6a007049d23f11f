"""Tests of relu_course.training.language_model: training the tiny language model and comparing
feed-forward kinds."""

from __future__ import annotations

import math

import pytest
import torch

from relu_course.data import text as textdata
from relu_course.models import transformer
from relu_course.training import language_model as lm_training


def test_training_learns_and_is_reproducible():
    data = textdata.char_corpus("zen")
    cfg = lm_training.LMConfig(steps=60, batch_size=16, lr=1e-2, eval_every=30)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = transformer.TinyTransformerLM(data.vocab_size, context=16, d_model=16)
        start = lm_training.evaluate_language_model(model, data, "train")
        runs.append(lm_training.train_language_model(model, data, cfg))
    assert abs(start - math.log(data.vocab_size)) < 0.05
    assert runs[0].steps == [30, 60]
    assert runs[0].valid_loss == runs[1].valid_loss
    assert lm_training.evaluate_language_model(model, data, "train") < start - 0.5


def test_compare_feedforward_shapes_and_models():
    data = textdata.char_corpus("zen")
    losses, models = lm_training.compare_feedforward(["relu", "swiglu"], data, seeds=(0, 1),
                                           config=lm_training.LMConfig(steps=5), return_models=True,
                                           context=8, d_model=8)
    assert set(losses) == {"relu", "swiglu"} and all(len(v) == 2 for v in losses.values())
    assert models["swiglu"][0].ffn_kind == "swiglu"
    assert losses["relu"][0] == pytest.approx(
        lm_training.evaluate_language_model(models["relu"][0], data))
    with pytest.raises(TypeError):
        lm_training.compare_feedforward(["relu"], data, seeds=(0,), return_models="yes")
