"""Tests of relu_course.data.text: the offline corpus, the character-level encoding and the
shifted training windows."""

from __future__ import annotations

import pytest
import torch

from relu_course.data import text as textdata


def test_corpus_is_offline_text():
    zen = textdata.corpus("zen")
    assert zen.startswith("The Zen of Python") and len(zen) == 856
    text = textdata.corpus("stdlib")
    assert text.startswith(zen) and len(text) > 15000
    with pytest.raises(ValueError):
        textdata.corpus("wikipedia")


def test_char_corpus_split_encode_decode():
    data = textdata.char_corpus("zen", valid_fraction=0.25)
    assert len(data.train) + len(data.valid) == 856
    assert data.decode(torch.cat([data.train, data.valid])) == textdata.corpus("zen")
    assert data.decode(data.encode("Simple")) == "Simple"
    with pytest.raises(ValueError, match="not in the alphabet"):
        data.encode("§")
    with pytest.raises(ValueError):
        textdata.char_corpus("zen", valid_fraction=1.0)


def test_batches_are_shifted_windows_and_seeded():
    data = textdata.char_corpus("zen")
    x1, y1 = data.batch("train", 8, 12, seed=3)
    x2, y2 = data.batch("train", 8, 12, seed=3)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert torch.equal(x1[:, 1:], y1[:, :-1])
    text = data.decode(data.train)
    for row_x, row_y in zip(x1, y1):
        window = data.decode(row_x) + data.decode(row_y[-1:])
        assert window in text
    xw, yw = data.windows("valid", 16)
    n = (len(data.valid) - 1) // 16
    assert xw.shape == yw.shape == (n, 16)
    assert torch.equal(xw.reshape(-1), data.valid[:n * 16])
    assert torch.equal(yw.reshape(-1), data.valid[1:n * 16 + 1])
