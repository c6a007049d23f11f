"""Package additions for chapter 13 ("Future trends"): relu_course.variants (squared ReLU,
ReLU6, hard-swish, learnable activations, fake quantisation), relu_course.language (offline
corpus, tiny transformer with a pluggable feed-forward block, training and measurements),
plotting.plot_seed_points and the chapter's exercise checks."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as TF
from matplotlib.figure import Figure
from torch import nn

from relu_course import exercises as E
from relu_course import plotting as P
from relu_course.activations import learnable, registry
from relu_course.activations import variants as V
from relu_course.analysis import ffn
from relu_course.analysis import quantization as quant
from relu_course.data import text as textdata
from relu_course.models import transformer
from relu_course.training import language_model as lm_training


def grid(lo=-8.0, hi=8.0, n=4001, dtype=torch.float64):
    return torch.linspace(lo, hi, n, dtype=dtype)


def away_from(x, kinks, eps=1e-3):
    mask = torch.ones_like(x, dtype=torch.bool)
    for k in kinks:
        mask &= (x - k).abs() > eps
    return x[mask]


# ---------------------------------------------------------------------------------------------
# variants: fixed-shape activations
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ours, theirs, kinks", [
    (V.relu6, TF.relu6, (0.0, 6.0)),
    (V.hard_swish, TF.hardswish, (-3.0, 3.0)),
    (V.squared_relu, lambda x: torch.relu(x) ** 2, (0.0,)),
])
def test_values_and_gradients_match_torch(ours, theirs, kinks):
    x = away_from(grid(), kinks).requires_grad_(True)
    a, b = ours(x), theirs(x)
    assert torch.allclose(a, b, atol=1e-12, rtol=0)
    ga, = torch.autograd.grad(a.sum(), x)
    gb, = torch.autograd.grad(b.sum(), x)
    assert torch.allclose(ga, gb, atol=1e-12, rtol=0)


def test_relu6_kink_gradients_are_zero_like_torch():
    x = torch.tensor([0.0, 6.0], requires_grad=True)
    V.relu6(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_gradcheck_in_float64():
    x = away_from(grid(-5, 8, 61), (-3.0, 0.0, 3.0, 6.0)).requires_grad_(True)
    for f in (V.squared_relu, V.relu6, V.hard_swish):
        assert torch.autograd.gradcheck(f, (x,))


def test_squared_relu_keeps_relu_zeros_and_relu6_is_bounded():
    x = grid()
    assert torch.equal(V.squared_relu(x) == 0, torch.relu(x) == 0)
    y = V.relu6(x * 10)
    assert y.min() == 0 and y.max() == 6


@pytest.mark.parametrize("cls, fn", [(V.SquaredReLU, V.squared_relu), (V.ReLU6, V.relu6),
                                     (V.HardSwish, V.hard_swish)])
def test_modules_apply_their_function(cls, fn):
    x = torch.randn(3, 4, 5)
    assert torch.equal(cls()(x), fn(x))


@pytest.mark.parametrize("fn", [V.squared_relu, V.relu6, V.hard_swish])
def test_functions_reject_non_tensors(fn):
    with pytest.raises(TypeError):
        fn([1.0, 2.0])
    with pytest.raises(TypeError):
        fn(torch.tensor([1, 2]))


def test_get_variant_names_and_aliases():
    assert isinstance(registry.get_activation("relu2"), V.SquaredReLU)
    assert isinstance(registry.get_activation("Hard-Swish"), V.HardSwish)
    assert isinstance(registry.get_activation("pau"), learnable.RationalActivation)
    assert registry.get_activation("spline", num_knots=5).num_knots == 5
    with pytest.raises(ValueError, match="valid names"):
        registry.get_activation("relu7")
    with pytest.raises(TypeError):
        registry.get_activation(3)


# ---------------------------------------------------------------------------------------------
# variants: learnable activations
# ---------------------------------------------------------------------------------------------

def test_rational_formula_by_hand():
    x = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64)
    a = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    b = torch.tensor([-0.5, 0.25], dtype=torch.float64)        # |b| is used
    expected = (1 + 2 * x + 3 * x**2) / (1 + 0.5 * x.abs() + 0.25 * x**2)
    assert torch.allclose(learnable.rational(x, a, b), expected)


def test_rational_relu_init_is_close_to_relu_on_the_fitted_range():
    act = learnable.RationalActivation()
    x = torch.linspace(-3, 3, 601)
    with torch.no_grad():
        err = (act(x) - torch.relu(x)).abs().max().item()
    assert err < 0.035
    assert sum(p.numel() for p in act.parameters()) == 10


def test_rational_identity_init_and_training_changes_shape():
    act = learnable.RationalActivation(3, 2, init="identity")
    x = torch.linspace(-2, 2, 101)
    assert torch.allclose(act(x), x)
    opt = torch.optim.Adam(act.parameters(), lr=0.05)
    start = ((act(x) - x.abs()) ** 2).mean().item()
    for _ in range(200):
        loss = ((act(x) - x.abs()) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.02 * start    # learned something close to |x|


def test_rational_validation():
    with pytest.raises(ValueError, match="default degrees"):
        learnable.RationalActivation(3, 3)
    with pytest.raises(ValueError):
        learnable.RationalActivation(init="tanh")
    with pytest.raises(ValueError, match="1-D"):
        learnable.rational(torch.zeros(3), torch.zeros(2, 2), torch.zeros(1))
    with pytest.raises(ValueError):
        learnable.rational(torch.zeros(3), torch.zeros(0), torch.zeros(1))


def test_piecewise_linear_interpolates_and_extends():
    knots = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64)
    values = torch.tensor([1.0, 0.0, 4.0], dtype=torch.float64)
    x = torch.tensor([-3.0, -0.5, 1.0, 2.0, 5.0], dtype=torch.float64)
    # left segment slope -1, right segment slope 2
    assert learnable.piecewise_linear(x, knots, values).tolist() == [3.0, 0.5, 2.0, 4.0, 10.0]


def test_piecewise_linear_activation_starts_as_relu_and_gets_gradients():
    act = learnable.PiecewiseLinearActivation(num_knots=7)
    x = torch.linspace(-6, 6, 241)
    assert torch.allclose(act(x), torch.relu(x), atol=1e-6)
    act(x).sum().backward()
    assert act.values.grad is not None and act.values.grad.abs().sum() > 0


def test_piecewise_linear_validation():
    with pytest.raises(ValueError):
        learnable.PiecewiseLinearActivation(low=1.0, high=1.0)
    with pytest.raises(ValueError, match="increasing"):
        learnable.piecewise_linear(torch.zeros(2), torch.tensor([1.0, 0.0]), torch.zeros(2))
    with pytest.raises(ValueError):
        learnable.piecewise_linear(torch.zeros(2), torch.tensor([0.0, 1.0]), torch.zeros(3))


# ---------------------------------------------------------------------------------------------
# variants: quantisation
# ---------------------------------------------------------------------------------------------

def test_fake_quantize_levels_and_error_bound():
    x = torch.linspace(0, 6, 10001, dtype=torch.float64)
    q = quant.fake_quantize(x, 8, 0.0, 6.0)
    assert len(torch.unique(q)) == 256
    assert (q - x).abs().max() <= 6 / 255 / 2 + 1e-12
    assert quant.fake_quantize(torch.tensor([0.0]), 4, -1.0, 3.0).item() == 0.0   # 0 is exact


def test_fake_quantize_clips_and_calibrates():
    x = torch.tensor([-1.0, 0.5, 7.0])
    assert quant.fake_quantize(x, 8, 0.0, 6.0).tolist()[::2] == [0.0, 6.0]
    y = torch.tensor([0.0, 1.0, 3.0])
    assert torch.equal(quant.fake_quantize(y, 8), quant.fake_quantize(y, 8, 0.0, 3.0))
    assert torch.equal(quant.fake_quantize(torch.zeros(3)), torch.zeros(3))
    with pytest.raises(ValueError):
        quant.fake_quantize(x, 1)
    with pytest.raises(ValueError):
        quant.fake_quantize(x, 17)


def test_error_halves_per_bit():
    x = torch.rand(20000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    errors = [(quant.fake_quantize(x, b, 0.0, 1.0) - x).pow(2).mean().sqrt().item()
              for b in (4, 5, 6, 7, 8)]
    ratios = [errors[i] / errors[i + 1] for i in range(4)]
    assert all(1.8 < r < 2.2 for r in ratios)


def test_quantize_activations_hooks_are_applied_and_removed():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 8), V.ReLU6(), nn.Linear(8, 2))
    x = torch.randn(16, 3)
    exact = net(x)
    ranges = quant.activation_ranges(net, x)
    assert list(ranges) == ["1"] and ranges["1"][0] == 0.0
    with quant.quantize_activations(net, 2, {"1": (0.0, 6.0)}) as names:
        coarse = net(x)
        hidden = net[1](net[0](x))
    assert names == ["1"]
    assert len(torch.unique(hidden)) <= 4                       # 2 bits: 4 levels
    assert not torch.allclose(coarse, exact)
    assert torch.equal(net(x), exact)                           # hooks gone
    assert sum(len(m._forward_hooks) for m in net.modules()) == 0
    with pytest.raises(ValueError, match="no activation layer named"):
        with quant.quantize_activations(net, 8, {"7": (0.0, 1.0)}):
            pass
    with pytest.raises(ValueError):
        quant.activation_ranges(nn.Linear(2, 2), torch.zeros(1, 2))


# ---------------------------------------------------------------------------------------------
# language: corpus and data
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# language: blocks, widths, model
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", transformer.FFN_KINDS)
def test_parameter_count_formula_matches_the_module(kind):
    for bias in (True, False):
        ffn = transformer.FeedForward(12, 20, kind, bias=bias)
        assert sum(p.numel() for p in ffn.parameters()) == transformer.ffn_parameter_count(kind, 12, 20, bias)


@pytest.mark.parametrize("kind", transformer.FFN_KINDS)
def test_matched_widths_give_equal_sizes(kind):
    target = transformer.ffn_parameter_count("relu", 32, 128)
    h = transformer.matched_hidden_width(kind, 32)
    best = min(abs(transformer.ffn_parameter_count(kind, 32, w) - target) for w in range(1, 400))
    assert abs(transformer.ffn_parameter_count(kind, 32, h) - target) == best
    assert abs(transformer.ffn_parameter_count(kind, 32, h) - target) / target < 0.01


def test_shazeer_width():
    assert transformer.matched_hidden_width("swiglu", 768, 3072, bias=False) == 2048


def test_gated_block_formula_by_hand():
    torch.manual_seed(0)
    ffn = transformer.FeedForward(6, 5, "swiglu")
    x = torch.randn(4, 6)
    expected = ffn.down(TF.silu(ffn.up(x)) * ffn.value(x))
    assert torch.allclose(ffn(x), expected, atol=1e-6)
    plain = transformer.FeedForward(6, 5, "squared_relu")
    assert torch.allclose(plain(x), plain.down(torch.relu(plain.up(x)) ** 2), atol=1e-6)


def test_model_is_causal():
    torch.manual_seed(0)
    model = transformer.TinyTransformerLM(20, context=8, d_model=16, ffn="geglu").eval()
    x = torch.randint(0, 20, (2, 8))
    y = x.clone()
    y[:, 5:] = (y[:, 5:] + 1) % 20                 # change the future
    with torch.no_grad():
        assert torch.allclose(model(x)[:, :5], model(y)[:, :5], atol=1e-6)
        assert not torch.allclose(model(x)[:, 5:], model(y)[:, 5:])


def test_model_validation():
    model = transformer.TinyTransformerLM(20, context=8, d_model=16)
    with pytest.raises(ValueError, match="context"):
        model(torch.zeros(1, 9, dtype=torch.long))
    with pytest.raises(ValueError):
        model(torch.zeros(9, dtype=torch.long))
    with pytest.raises(ValueError, match="unknown feed-forward kind"):
        transformer.TinyTransformerLM(20, ffn="relu7")
    with pytest.raises(ValueError, match="divisible"):
        transformer.TinyTransformerLM(20, d_model=10, n_heads=3)


def test_equal_model_sizes_by_default():
    sizes = [transformer.TinyTransformerLM(50, ffn=k).num_parameters() for k in transformer.FFN_KINDS]
    assert (max(sizes) - min(sizes)) / min(sizes) < 0.01


# ---------------------------------------------------------------------------------------------
# language: training and measurements
# ---------------------------------------------------------------------------------------------

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


def test_sparsity_counts_exact_zeros():
    torch.manual_seed(0)
    x = torch.randint(0, 30, (4, 8))
    relu = transformer.TinyTransformerLM(30, 8, 16, ffn="relu")
    s = ffn.ffn_sparsity(relu, x)[0]
    hidden = ffn.ffn_hidden_activations(relu, x)[0]
    assert s.zero_fraction == pytest.approx((hidden == 0).double().mean().item())
    assert s.macs_per_token == 64 * 16
    assert s.skippable_fraction == pytest.approx(s.zero_fraction)
    with torch.no_grad():
        relu.blocks[0].ffn.up.bias.fill_(-100.0)                # every unit off
    assert ffn.ffn_sparsity(relu, x)[0].dead_fraction == 1.0
    gelu = transformer.TinyTransformerLM(30, 8, 16, ffn="gelu")
    assert ffn.ffn_sparsity(gelu, x)[0].zero_fraction == 0.0


def test_nonlinearity_is_zero_for_a_linear_map_and_large_for_relu():
    torch.manual_seed(0)
    x = torch.randint(0, 30, (4, 8))
    bilinear = transformer.TinyTransformerLM(30, 8, 16, ffn="bilinear")     # identity "gate"
    assert ffn.ffn_nonlinearity(bilinear, x)[0].nonlinear_share < 1e-10
    relu = transformer.TinyTransformerLM(30, 8, 16, ffn="relu")
    assert ffn.ffn_nonlinearity(relu, x)[0].nonlinear_share > 0.2


# ---------------------------------------------------------------------------------------------
# plotting.plot_seed_points
# ---------------------------------------------------------------------------------------------

def test_plot_seed_points():
    fig = P.plot_seed_points({"a": [1.0, 2.0, 3.0], "b": torch.tensor([2.0, 2.5])},
                             reference="a", xlabel="loss")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    means = [line.get_xdata()[0] for line in ax.get_lines()[:1]]
    assert means == [2.0]
    with pytest.raises(ValueError):
        P.plot_seed_points({"a": [1.0]}, reference="b")
    with pytest.raises(ValueError):
        P.plot_seed_points({"a": [math.nan]})
    with pytest.raises(ValueError):
        P.plot_seed_points({})


# ---------------------------------------------------------------------------------------------
# exercise checks
# ---------------------------------------------------------------------------------------------

def stub(*args):
    raise NotImplementedError


def test_check_glu_matched_width():
    assert E.check_glu_matched_width(lambda d, h: round(2 * h / 3)).passed
    assert E.check_glu_matched_width(stub).status == "not attempted"
    wrong = E.check_glu_matched_width(lambda d, h: h)
    assert not wrong and "closer" in wrong.message
    assert not E.check_glu_matched_width(lambda d, h: 2 * h / 3)      # not an int


def test_check_sparse_ffn_macs():
    good = lambda hid, d: (hid == 0).sum().item() * d / hid.shape[0]
    assert E.check_sparse_ffn_macs(good).passed
    assert E.check_sparse_ffn_macs(stub).status == "not attempted"
    total = E.check_sparse_ffn_macs(lambda hid, d: (hid == 0).sum().item() * d)
    assert not total and "per token" in total.message
    fraction = E.check_sparse_ffn_macs(lambda hid, d: (hid == 0).sum().item() / hid.shape[0])
    assert not fraction and "d_model" in fraction.message


def test_check_relu6_uint8_quantizer():
    s = 6 / 255
    assert E.check_relu6_uint8_quantizer(lambda x: torch.round(x / s).clamp(0, 255) * s).passed
    assert E.check_relu6_uint8_quantizer(stub).status == "not attempted"
    unclipped = E.check_relu6_uint8_quantizer(lambda x: torch.round(x / s) * s)
    assert not unclipped and "outside" in unclipped.message
    wrong_step = E.check_relu6_uint8_quantizer(lambda x: torch.round(x / 6 * 256).clamp(0, 255) * 6 / 256)
    assert not wrong_step
