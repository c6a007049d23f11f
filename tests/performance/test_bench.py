"""relu_course.performance.bench: the mechanics of timing (warm-up, synchronisation, medians,
interleaving),
the traffic arithmetic, the comparison table and argument checks -- never absolute speeds."""

from __future__ import annotations

import dataclasses
import doctest

import pytest
import torch

from relu_course.activations import functional as F
from relu_course.activations.registry import BUILTINS, FUNCTIONS
from relu_course.performance import bench


class FakeClock:
    """A clock that advances only when told to: ``tick(seconds)`` inside a timed function."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(bench, "_clock", fake)
    return fake


# ---- Timing ---------------------------------------------------------------------------------

def test_timing_median_spread_and_bandwidth():
    t = bench.Timing((5.0, 1.0, 3.0, 2.0, 4.0), warmup=2)
    assert t.repeats == 5 and t.warmup == 2
    assert t.median == 3.0                           # not the mean of a skewed sample
    assert t.spread == (2.0, 4.0)
    assert bench.Timing((0.25,), 0).spread == (0.25, 0.25)
    assert bench.Timing((1.0, 2.0), 0).median == 1.5
    assert bench.Timing((0.002,), 0).gbps(4_000_000) == pytest.approx(2.0)


def test_timing_median_ignores_one_slow_outlier():
    t = bench.Timing((1e-3, 1e-3, 1e-3, 1e-3, 5.0), warmup=0)
    assert t.median == 1e-3


def test_timing_needs_a_run():
    with pytest.raises(ValueError, match="at least one"):
        bench.Timing((), 0)


# ---- traffic model --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, itemsize", [(torch.float16, 2), (torch.bfloat16, 2),
                                             (torch.float32, 4), (torch.float64, 8)])
def test_forward_backward_bytes_is_five_passes(dtype, itemsize):
    assert bench.forward_backward_bytes(1000, dtype) == 5 * 1000 * itemsize
    assert bench.forward_backward_bytes(0, dtype) == 0


def test_forward_backward_bytes_checks_its_arguments():
    with pytest.raises(ValueError):
        bench.forward_backward_bytes(-1)
    with pytest.raises(TypeError):
        bench.forward_backward_bytes(10.0)
    with pytest.raises(TypeError):
        bench.forward_backward_bytes(10, torch.int32)
    with pytest.raises(TypeError):
        bench.forward_backward_bytes(10, "float32")


def test_row_ratio_and_bandwidth_arithmetic():
    nbytes = bench.forward_backward_bytes(2**20)              # 20,971,520 bytes
    row = bench.BenchRow("gelu", 2**20, "cpu", "float32", bench.Timing((0.006, 0.004, 0.005), 1),
                         bench.Timing((0.001,), 1), nbytes)
    assert row.ratio == pytest.approx(5.0)
    assert row.ours_gbps == pytest.approx(nbytes / 0.005 / 1e9)
    assert row.builtin_gbps == pytest.approx(20.97152)


# ---- time_interleaved -----------------------------------------------------------------------

def test_warmup_runs_happen_and_are_not_timed(clock):
    durations = iter([100.0, 100.0, 1.0, 2.0, 3.0, 4.0])     # 2 slow warm-up calls first
    calls = []

    def work():
        calls.append(1)
        clock.tick(next(durations))

    t = bench.time_interleaved({"work": work}, repeats=4, warmup=2)["work"]
    assert len(calls) == 6
    assert t.seconds == (1.0, 2.0, 3.0, 4.0)
    assert t.median == 2.5 and t.warmup == 2


def test_no_warmup(clock):
    t = bench.time_interleaved({"w": lambda: clock.tick(0.5)}, repeats=3, warmup=0)["w"]
    assert t.seconds == (0.5, 0.5, 0.5)


def test_candidates_take_turns_in_alternating_order(clock):
    order = []
    runs = {name: (lambda name=name: order.append(name)) for name in "abc"}
    timings = bench.time_interleaved(runs, repeats=3, warmup=1)
    assert "".join(order) == "abc" "cba" "abc" "cba"
    assert list(timings) == ["a", "b", "c"]
    assert all(t.repeats == 3 for t in timings.values())


def test_each_timing_belongs_to_its_own_candidate(clock):
    runs = {"fast": lambda: clock.tick(1.0), "slow": lambda: clock.tick(7.0)}
    timings = bench.time_interleaved(runs, repeats=5, warmup=1)
    assert timings["fast"].seconds == (1.0,) * 5
    assert timings["slow"].seconds == (7.0,) * 5


def test_every_timed_call_is_bracketed_by_synchronisation(monkeypatch, clock):
    events = []
    monkeypatch.setattr(bench, "_synchronize", lambda device: events.append(("sync", device)))
    bench.time_interleaved({"w": lambda: events.append(("run", None))}, repeats=2, warmup=1)
    kinds = [kind for kind, _ in events]
    assert kinds == ["sync", "run", "sync"] * 3               # warm-up calls too
    assert all(d == torch.device("cpu") for kind, d in events if kind == "sync")


def test_synchronize_waits_for_cuda_and_mps(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, "synchronize",
                        lambda device=None: calls.append(("cuda", device)))
    monkeypatch.setattr(torch.mps, "synchronize", lambda: calls.append(("mps", None)))
    bench._synchronize(torch.device("cpu"))
    assert calls == []
    bench._synchronize(torch.device("cuda", 0))
    bench._synchronize(torch.device("mps"))
    assert calls == [("cuda", torch.device("cuda", 0)), ("mps", None)]


def test_time_interleaved_checks_its_arguments():
    with pytest.raises(TypeError):
        bench.time_interleaved({}, repeats=1)
    with pytest.raises(TypeError):
        bench.time_interleaved([lambda: None], repeats=1)
    with pytest.raises(TypeError, match="not callable"):
        bench.time_interleaved({"x": 3}, repeats=1)
    with pytest.raises(ValueError, match="repeats"):
        bench.time_interleaved({"x": lambda: None}, repeats=0)
    with pytest.raises(ValueError, match="warmup"):
        bench.time_interleaved({"x": lambda: None}, repeats=1, warmup=-1)
    with pytest.raises(TypeError, match="repeats"):
        bench.time_interleaved({"x": lambda: None}, repeats=2.5)
    with pytest.raises(ValueError):
        bench.time_interleaved({"x": lambda: None}, repeats=1, device="tpu")


# ---- time_forward_backward ------------------------------------------------------------------

def test_time_forward_backward_runs_forward_and_backward(clock):
    seen = []

    def fn(x):
        seen.append(x.requires_grad)
        clock.tick(0.25)
        return x * 3

    x = torch.randn(5)
    t = bench.time_forward_backward(fn, x, repeats=3, warmup=2)
    assert len(seen) == 5 and all(seen)          # differentiable input, every call
    assert t.seconds == (0.25, 0.25, 0.25)
    assert not x.requires_grad                   # the caller's tensor is left alone


def test_time_forward_backward_uses_the_given_gradient():
    grads = []
    x = torch.randn(4)
    x_seen = []

    def fn(t):
        x_seen.append(t)
        t.register_hook(lambda g: grads.append(g.clone()))
        return t * 2

    g = torch.tensor([1.0, 2.0, 3.0, 4.0])
    bench.time_forward_backward(fn, x, repeats=1, warmup=0, grad_out=g)
    assert torch.equal(grads[-1], 2 * g)
    bench.time_forward_backward(fn, x, repeats=1, warmup=0)
    assert torch.equal(grads[-1], torch.full((4,), 2.0))           # ones by default


def test_time_forward_backward_checks_its_arguments():
    x = torch.randn(3)
    with pytest.raises(TypeError, match="callable"):
        bench.time_forward_backward("relu", x)
    with pytest.raises(TypeError):
        bench.time_forward_backward(torch.relu, [1.0, 2.0])
    with pytest.raises(TypeError):
        bench.time_forward_backward(torch.relu, torch.arange(3))      # integers
    with pytest.raises(TypeError):
        bench.time_forward_backward(torch.relu, x, grad_out=[1.0])
    with pytest.raises(ValueError):
        bench.time_forward_backward(torch.relu, x, repeats=0)


# ---- compare and format_table ---------------------------------------------------------------

def test_compare_returns_one_row_per_size_and_name():
    rows = bench.compare(["relu", "gelu"], sizes=[64, 256], device="cpu", repeats=2, warmup=1)
    assert [(r.name, r.numel) for r in rows] == [("relu", 64), ("gelu", 64),
                                                  ("relu", 256), ("gelu", 256)]
    for r in rows:
        assert r.device == "cpu" and r.dtype == "float32"
        assert r.nbytes == bench.forward_backward_bytes(r.numel)
        assert r.ours.repeats == r.builtin.repeats == 2 and r.ours.warmup == 1
        assert r.ours.median > 0 and r.builtin.median > 0


def test_compare_covers_every_activation_and_dtype():
    assert set(BUILTINS) == set(FUNCTIONS)
    rows = bench.compare(list(BUILTINS), sizes=32, device="cpu", dtype=torch.float64,
                         repeats=1, warmup=0)
    assert [r.name for r in rows] == list(BUILTINS)
    assert all(r.dtype == "float64" and r.nbytes == 5 * 32 * 8 for r in rows)


def test_compare_times_the_right_functions(monkeypatch):
    called = []
    fake_ours = {name: (lambda x, *a, name=name: (called.append(("ours", name)), x * 1)[1])
                 for name in FUNCTIONS}
    fake_torch = {name: (lambda x, *a, name=name: (called.append(("torch", name)), x * 1)[1])
                  for name in FUNCTIONS}
    monkeypatch.setattr(bench, "FUNCTIONS", fake_ours)
    monkeypatch.setattr(bench, "BUILTINS", fake_torch)
    bench.compare(["sigmoid", "tanh"], sizes=8, device="cpu", repeats=1, warmup=0)
    assert sorted(called) == [("ours", "sigmoid"), ("ours", "tanh"),
                              ("torch", "sigmoid"), ("torch", "tanh")]


def test_compare_checks_its_arguments():
    with pytest.raises(ValueError, match="unknown activation"):
        bench.compare(["relu", "swishy"], sizes=8, device="cpu")
    with pytest.raises(ValueError, match="twice"):
        bench.compare(["relu", "relu"], sizes=8, device="cpu")
    with pytest.raises(TypeError):
        bench.compare([], sizes=8, device="cpu")
    with pytest.raises(ValueError):
        bench.compare("relu", sizes=0, device="cpu")
    with pytest.raises(TypeError):
        bench.compare("relu", sizes=[8.0], device="cpu")
    with pytest.raises(TypeError):
        bench.compare("relu", sizes=[], device="cpu")
    with pytest.raises(ValueError):
        bench.compare("relu", sizes=8, device="tpu")          # unknown device
    with pytest.raises(TypeError):
        bench.compare("relu", sizes=8, device="cpu", dtype=torch.int64)
    with pytest.raises(ValueError):
        bench.compare("relu", sizes=8, device="cpu", seed=-1)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without CUDA")
def test_compare_rejects_an_unavailable_cuda():
    with pytest.raises(ValueError, match="CUDA"):
        bench.compare("relu", sizes=8, device="cuda")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_compare_on_cuda():
    rows = bench.compare(["relu", "gelu"], sizes=2**16, device="cuda", repeats=3, warmup=1)
    assert all(r.device.startswith("cuda") and r.ours.median > 0 for r in rows)


def _row(name, ours, theirs, numel=1000, device="cpu"):
    return bench.BenchRow(name, numel, device, "float32", bench.Timing((ours,), 0),
                          bench.Timing((theirs,), 0), bench.forward_backward_bytes(numel))


def test_format_table_columns_and_baseline():
    rows = [_row("relu", 0.002, 0.001), _row("gelu", 0.008, 0.003)]
    text = bench.format_table(rows)
    lines = text.splitlines()
    assert lines[0] == "cpu, float32, 1,000 elements (0.02 MB per forward + backward)"
    assert lines[1].split() == ["activation", "ours", "ms", "torch", "ms", "ours/torch",
                                "ours", "GB/s", "torch", "GB/s", "ours/relu", "torch/relu"]
    gelu = lines[3].split()
    assert gelu[0] == "gelu" and gelu[1:4] == ["8.000", "3.000", "2.67"]
    assert gelu[-2:] == ["4.00", "3.00"]                 # 8/2 and 3/1, relative to relu


def test_format_table_groups_settings_and_handles_a_missing_baseline():
    rows = [_row("relu", 0.002, 0.001), _row("tanh", 0.004, 0.002, numel=4000)]
    blocks = bench.format_table(rows).split("\n\n")
    assert len(blocks) == 2
    assert "ours/relu" in blocks[0] and "ours/relu" not in blocks[1]
    assert "ours/relu" not in bench.format_table(rows, baseline=None)
    assert bench.format_table(rows[0]) == bench.format_table([rows[0]])


def test_format_table_checks_its_arguments():
    with pytest.raises(ValueError):
        bench.format_table([])
    with pytest.raises(TypeError):
        bench.format_table(["relu"])
    with pytest.raises(TypeError):
        bench.format_table([_row("relu", 1.0, 1.0)], baseline=3)


def test_docstring_examples():
    result = doctest.testmod(bench, extraglobs={"torch": torch},
                             optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False, report=False)
    assert result.attempted > 10 and result.failed == 0


# ---- copy bandwidth, fused versions, the command line ----------------------------------------

def test_compare_times_a_copy_in_the_same_rounds():
    rows = bench.compare(["relu", "tanh"], sizes=256, device="cpu", repeats=3, warmup=1,
                         copy=True)
    assert all(r.copy is not None and r.copy.repeats == 3 for r in rows)
    assert rows[0].copy is not rows[1].copy              # timed in each activation's rounds
    assert rows[0].copy_gbps == pytest.approx(2 * 256 * 4 / rows[0].copy.median / 1e9)
    table = bench.format_table(rows)
    assert "copy (clone)" in table and "ours/copy" in table


def test_row_without_copy_or_fused_reports_none():
    row = bench.BenchRow("relu", 10, "cpu", "float32", bench.Timing((2.0,), 0),
                         bench.Timing((1.0,), 0), 200)
    assert row.copy_gbps is None and row.fused_ratio is None
    assert "fused" not in bench.format_table([row]) and "copy" not in bench.format_table([row])
    fused = bench.BenchRow("relu", 10, "cpu", "float32", bench.Timing((2.0,), 0),
                           bench.Timing((1.0,), 0), 200, fused=bench.Timing((1.5,), 0))
    assert fused.fused_ratio == 1.5
    assert "fused/torch" in bench.format_table([fused])
    # timed against the builtin in rounds of its own: that timing is the reference
    paired = dataclasses.replace(fused, fused_builtin=bench.Timing((3.0,), 0))
    assert paired.fused_ratio == 0.5


def test_format_table_counts_the_rows_within_the_goal():
    rows = [_row("relu", 0.00124, 0.001), _row("gelu", 0.0026, 0.002), _row("tanh", 0.003, 0.001)]
    last = bench.format_table(rows).splitlines()[-1]
    assert bench.GOAL_RATIO == 1.25 and bench.goal_ratio("tanh") == 1.35
    # 1.24 yes; 1.3 and 3.0 no
    assert last == "within 1.25x of torch (tanh 1.35x): ours 1 of 3"
    rows = [dataclasses.replace(r, fused=bench.Timing((0.0012,), 0)) for r in rows]
    table = bench.format_table(rows)
    last = table.splitlines()[-1]
    # the goal counts the fused versions: 1.2, 0.6 and 1.2
    assert last == "within 1.25x of torch (tanh 1.35x): fused 3 of 3 (eager 1 of 3)"
    assert table.splitlines()[1].split()[1:3] == ["eager", "ms"]     # "ours" is the fused one
    # tanh has a goal of its own: 1.3 counts for tanh, not for gelu
    rows = [_row("gelu", 0.0013, 0.001), _row("tanh", 0.0013, 0.001)]
    rows = [dataclasses.replace(r, fused=r.ours) for r in rows]
    last = bench.format_table(rows).splitlines()[-1]
    assert last == "within 1.25x of torch (tanh 1.35x): fused 1 of 2 (eager 1 of 2)"
    last = bench.format_table(rows[:1]).splitlines()[-1]
    assert last == "within 1.25x of torch: fused 0 of 1 (eager 0 of 1)"


def test_compare_checks_the_new_flags():
    with pytest.raises(TypeError, match="copy"):
        bench.compare("relu", 64, device="cpu", copy="yes")
    with pytest.raises(ValueError, match="warmup"):
        bench.compare("relu", 64, device="cpu", compiled=True, warmup=0)
    with pytest.raises(ValueError, match="unknown activation"):
        bench.fused("swish")


def test_fused_compiles_our_function_with_the_same_results():
    pytest.importorskip("torch._inductor")
    import shutil

    if shutil.which("c++") is None and shutil.which("g++") is None:
        pytest.skip("torch.compile needs a C++ compiler on the CPU")
    fn = bench.fused("relu")
    x = torch.randn(64, requires_grad=True)
    y = fn(x)
    (g,) = torch.autograd.grad(y.sum(), x)
    assert torch.equal(y, torch.relu(x)) and torch.equal(g, (x > 0).float())


def test_compare_times_the_fused_version_against_the_builtin_in_its_own_rounds():
    pytest.importorskip("torch._inductor")
    import shutil

    if shutil.which("c++") is None and shutil.which("g++") is None:
        pytest.skip("torch.compile needs a C++ compiler on the CPU")
    (row,) = bench.compare("sigmoid", sizes=512, device="cpu", repeats=3, warmup=1,
                           compiled=True)
    assert row.fused.repeats == row.fused_builtin.repeats == 3
    assert row.fused_builtin is not row.builtin                 # a second, paired timing
    assert row.fused_ratio == row.fused.median / row.fused_builtin.median
    assert "fused/torch" in bench.format_table([row])


def test_command_line_fast_mode_prints_every_table(capsys):
    assert bench.main(["--fast", "--device", "cpu", "--names", "relu", "gelu"]) == 0
    out = capsys.readouterr().out
    assert out.count("activation") == 2 + 1            # two sizes, then the memory table
    for size in bench.FAST_SIZES:
        assert f"{size:,} elements" in out
    assert "ours/copy" in out and "saved for backward" in out
    assert "gelu" in out and "sigmoid" not in out


def test_command_line_rejects_bad_input(capsys):
    with pytest.raises(ValueError, match="not a device|unknown|device"):
        bench.main(["--fast", "--device", "tpu"])
    with pytest.raises(ValueError, match="unknown activation"):
        bench.main(["--fast", "--names", "swish"])
    with pytest.raises(ValueError):
        bench.main(["--fast", "--sizes", "0"])
    with pytest.raises(SystemExit):
        bench.main(["--dtype", "int8"])


def test_command_line_module_runs_as_a_script():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "relu_course.performance", "--fast", "--names",
                           "relu", "--device", "cpu"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "relu" in done.stdout and "saved for backward" in done.stdout


@pytest.mark.parametrize("flag, expected", [(None, "malloc keeps freed memory"),
                                             ("--system-malloc", "malloc as configured")])
def test_command_line_keeps_freed_memory_unless_told_not_to(flag, expected):
    # In a process of its own: mallopt changes the whole process. Where the C library is
    # not glibc, the command says that malloc is left as configured.
    import subprocess
    import sys

    command = [sys.executable, "-m", "relu_course.performance", "--names", "relu", "--device", "cpu",
               "--sizes", "1024", "--repeats", "1", "--warmup", "0"]
    done = subprocess.run(command + ([flag] if flag else []), capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[1]
    glibc = sys.platform.startswith("linux") and _has_glibc()
    assert header.startswith(expected if glibc or flag else "malloc as configured")


def _has_glibc() -> bool:
    import ctypes

    try:
        return hasattr(ctypes.CDLL(None), "gnu_get_libc_version")
    except OSError:
        return False


def test_fast_mode_leaves_malloc_alone(capsys):
    bench.main(["--fast", "--device", "cpu", "--names", "relu"])
    assert capsys.readouterr().out.splitlines()[1] == "malloc as configured by the system"


def test_forward_backward_runs_both_passes_and_checks_its_arguments():
    x = torch.tensor([-1.0, 0.0, 3.0])
    (g,) = bench.forward_backward(F.relu, x)()
    assert g.tolist() == [0.0, 0.0, 1.0]
    (g,) = bench.forward_backward(F.leaky_relu, x, torch.full((3,), 2.0), (0.5,))()
    assert g.tolist() == [1.0, 1.0, 2.0]
    assert not x.requires_grad                               # the input is left alone
    with pytest.raises(TypeError, match="callable"):
        bench.forward_backward("relu", x)
    with pytest.raises(TypeError, match="torch.Tensor"):
        bench.forward_backward(F.relu, [1.0])
