r"""Timing activation functions fairly: forward + backward, warm-up, medians, GB/s.

A benchmark of a function that takes a millisecond is easy to get wrong. This module does the
four things that make such numbers meaningful:

* **warm-up** -- the first calls of a function pay for one-off work (allocating memory,
  loading GPU kernels, filling caches); they are run but not timed;
* **synchronisation** -- GPU work is queued and runs asynchronously, so the clock is read only
  after ``torch.cuda.synchronize()`` (``torch.mps.synchronize()`` on Apple GPUs);
* **medians of interleaved runs** -- the candidates take turns, round after round (in
  alternating order), so that a slow spell of a shared machine hits all of them alike; the
  median ignores the occasional interrupted run;
* **a traffic model** -- an elementwise activation does almost no arithmetic per byte, so its
  speed is limited by memory. Forward and backward together move at least

  .. math:: B = 5\,n\,s \text{ bytes}

  for :math:`n` elements of :math:`s` bytes: the forward reads :math:`x` and writes :math:`y`;
  the backward reads the incoming gradient and one saved tensor (:math:`x` or :math:`y`) and
  writes the outgoing gradient. :math:`B / t` is the *effective* bandwidth in GB/s
  (:math:`10^9` bytes per second). An implementation that makes extra passes over memory
  moves more than :math:`B` and shows a lower effective bandwidth.

The main entry points:

* :func:`time_forward_backward` -- one function on one input (:class:`Timing`);
* :func:`time_interleaved` -- several zero-argument callables, taking turns;
  :func:`forward_backward` makes such a callable from a function and an input;
* :func:`compare` -- the course's from-scratch activations (eager, and with ``compiled=True``
  the fused fast path of :mod:`relu_course.performance.fusion`,
  :func:`~relu_course.performance.fusion.fused`) against the matching ``torch`` builtins
  (:data:`relu_course.activations.registry.BUILTINS`), returning :class:`BenchRow`\ s that
  :func:`format_table` prints; :func:`forward_backward_bytes` is the traffic model above;
* :func:`main` -- the command line, ``python -m relu_course.performance``: the full
  table for every activation on the CPU (and CUDA when present), sizes :math:`2^{10}` to
  :math:`2^{24}` (:data:`FULL_SIZES`; ``--fast``: :data:`FAST_SIZES`), with each version's
  share of the machine's copy bandwidth (a ``clone`` of the same tensor, timed in the same
  rounds) and, with ``--fused``, the fused versions, each timed against the builtin in rounds of
  its own. Under each table a line counts the activations within :data:`GOAL_RATIO` of torch's
  builtin (tanh: :data:`GOAL_RATIOS`, see :func:`goal_ratio`) -- the fused versions when they
  were timed: they are the course's fast path; the eager versions are judged on clarity.

Operation counts are in :mod:`relu_course.performance.ops`, saved memory in
:mod:`relu_course.performance.saved`.

Timings depend on the machine and on whatever else runs on it: compare numbers only within one
run, never against numbers stored from another machine.
"""

from __future__ import annotations

import contextlib
import numbers
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import torch
from torch import Tensor

from .._validation import FLOAT_DTYPES, check_int, check_seed, check_tensor
from ..activations.registry import BUILTINS, FUNCTIONS
from ..utils import get_device
from .fusion import fused

__all__ = ["GOAL_RATIO", "GOAL_RATIOS", "goal_ratio", "Timing", "BenchRow", "forward_backward_bytes",
           "time_interleaved", "forward_backward", "time_forward_backward", "compare",
           "format_table", "FULL_SIZES", "FAST_SIZES", "main"]


#: Forward + backward within this factor of the torch builtin is the course's goal for large
#: tensors (the summary line under each table of :func:`format_table` counts them).
GOAL_RATIO = 1.25

#: The activations with a goal of their own, read-only. Tanh's builtin is a single vectorised
#: kernel that our formula from exponentials cannot quite match.
GOAL_RATIOS = MappingProxyType({"tanh": 1.35})


def goal_ratio(name: str) -> float:
    """The goal for activation ``name``: :data:`GOAL_RATIOS` or else :data:`GOAL_RATIO`.

    Example:
        >>> goal_ratio("relu"), goal_ratio("tanh")
        (1.25, 1.35)
    """
    return GOAL_RATIOS.get(name, GOAL_RATIO)




#: The clock (a monotonic one with the best available resolution); tests replace it.
_clock = time.perf_counter


def _synchronize(device: torch.device) -> None:
    """Wait until all queued work on ``device`` has finished (a no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


@dataclass(frozen=True)
class Timing:
    """Seconds per call of one timed function, warm-up runs excluded.

    Attributes:
        seconds: one entry per timed repeat, in the order they ran.
        warmup: how many untimed calls came first.

    Example:
        >>> t = Timing(seconds=(0.003, 0.001, 0.002), warmup=2)
        >>> t.median, t.repeats
        (0.002, 3)
        >>> round(t.gbps(4_000_000), 6)     # 4 MB in 2 ms
        2.0
    """

    seconds: tuple[float, ...]
    warmup: int

    def __post_init__(self):
        if len(self.seconds) == 0:
            raise ValueError("Timing needs at least one timed run")

    @property
    def repeats(self) -> int:
        """Number of timed runs."""
        return len(self.seconds)

    @property
    def median(self) -> float:
        """The median of the seconds per call, robust to the odd run slowed down by something
        else."""
        return statistics.median(self.seconds)

    @property
    def spread(self) -> tuple[float, float]:
        """``(lower quartile, upper quartile)`` of the seconds per call (both equal the single
        value when there is one run)."""
        if len(self.seconds) == 1:
            return (self.seconds[0], self.seconds[0])
        q = statistics.quantiles(self.seconds, n=4, method="inclusive")
        return (q[0], q[2])

    def gbps(self, nbytes: int) -> float:
        """Effective bandwidth, ``nbytes / median`` in GB/s (:math:`10^9` bytes per second)."""
        return nbytes / self.median / 1e9


@dataclass(frozen=True)
class BenchRow:
    """One activation at one size: the from-scratch version against torch's builtin.

    Attributes:
        name: the activation's name (a key of :data:`~relu_course.activations.registry.BUILTINS`).
        numel: elements in the input tensor.
        device: where it ran, e.g. ``"cpu"`` or ``"cuda:0"``.
        dtype: e.g. ``"float32"``.
        ours: timing of ``relu_course.activations.functional``'s version (forward + backward).
        builtin: timing of the ``torch`` builtin (forward + backward).
        nbytes: bytes moved by forward + backward under the traffic model,
            :func:`forward_backward_bytes`.
        copy: timing of ``x.clone()`` in the same rounds, or ``None``.
        fused: timing of the :func:`~relu_course.performance.fusion.fused` version, or ``None``.
        fused_builtin: timing of the builtin in the fused version's rounds, or ``None``.

    Example:
        >>> row = BenchRow("gelu", 10**6, "cpu", "float32", ours=Timing((0.008,), 3),
        ...                builtin=Timing((0.002,), 3), nbytes=forward_backward_bytes(10**6))
        >>> row.ratio, row.ours_gbps, row.builtin_gbps
        (4.0, 2.5, 10.0)
    """

    name: str
    numel: int
    device: str
    dtype: str
    ours: Timing
    builtin: Timing
    nbytes: int
    copy: Timing | None = None
    fused: Timing | None = None
    fused_builtin: Timing | None = None

    @property
    def ratio(self) -> float:
        """How many times longer the from-scratch version takes, ``ours.median /
        builtin.median`` (1 means equally fast)."""
        return self.ours.median / self.builtin.median

    @property
    def ours_gbps(self) -> float:
        """Effective bandwidth of the from-scratch version, GB/s."""
        return self.ours.gbps(self.nbytes)

    @property
    def builtin_gbps(self) -> float:
        """Effective bandwidth of the builtin, GB/s."""
        return self.builtin.gbps(self.nbytes)

    @property
    def copy_gbps(self) -> float | None:
        """Bandwidth of a plain copy (``clone``: read :math:`n s` bytes, write :math:`n s`) of
        the same input, timed in the same rounds, GB/s; ``None`` if it was not timed.

        The effective bandwidths divided by this one say how close each version comes to
        the machine's practical memory limit for this size.
        """
        if self.copy is None:
            return None
        return self.copy.gbps(2 * self.nbytes // 5)

    @property
    def fused_ratio(self) -> float | None:
        """``fused.median / builtin.median`` when the fused version was timed, else ``None``.

        When the builtin was timed again in the fused version's own rounds
        (``fused_builtin``, as :func:`compare` does), that timing is the reference.
        """
        if self.fused is None:
            return None
        reference = self.builtin if self.fused_builtin is None else self.fused_builtin
        return self.fused.median / reference.median


def _check_dtype(fn_name: str, dtype) -> torch.dtype:
    if not isinstance(dtype, torch.dtype) or dtype not in FLOAT_DTYPES:
        raise TypeError(f"{fn_name}() expects `dtype` to be torch.float16, torch.bfloat16, "
                        f"torch.float32 or torch.float64, got {dtype!r}")
    return dtype


def forward_backward_bytes(numel: int, dtype: torch.dtype = torch.float32) -> int:
    r"""Bytes an elementwise activation's forward + backward must move at least:
    :math:`5\,n\,s` for ``numel`` :math:`= n` elements of :math:`s` bytes each.

    Forward: read :math:`x`, write :math:`y` (2 passes). Backward: read the incoming gradient
    and one saved tensor, write the outgoing gradient (3 passes). A learnable parameter such as
    PReLU's slope adds a negligible amount and is not counted.

    Example:
        >>> forward_backward_bytes(1_000_000)              # float32: 4 bytes each
        20000000
        >>> forward_backward_bytes(1_000_000, torch.bfloat16)
        10000000
    """
    numel = check_int("forward_backward_bytes", "numel", numel, ge=0)
    dtype = _check_dtype("forward_backward_bytes", dtype)
    itemsize = torch.empty((), dtype=dtype).element_size()
    return 5 * numel * itemsize


def _check_counts(fn_name: str, repeats, warmup) -> tuple[int, int]:
    return (check_int(fn_name, "repeats", repeats, ge=1),
            check_int(fn_name, "warmup", warmup, ge=0))


def time_interleaved(runs: Mapping[str, Callable[[], object]], *, repeats: int = 20,
                     warmup: int = 3, device: str | torch.device | None = "cpu",
                     ) -> dict[str, Timing]:
    """Time several zero-argument callables that take turns.

    There are ``warmup + repeats`` rounds; in each, every callable runs once -- in the given
    order in even rounds and in reverse order in odd ones, so that none always runs right after
    the same neighbour. The first ``warmup`` rounds are not timed. Each timed call is bracketed
    by a device synchronisation, so asynchronous GPU work is counted in full.

    Args:
        runs: ``{label: callable}``; each callable does one complete piece of work.
        repeats: timed rounds (at least 1).
        warmup: untimed rounds first (at least 0).
        device: the device the work runs on (validated by
            :func:`relu_course.utils.get_device`; ``None`` picks the default device).

    Returns:
        ``{label: Timing}`` in the order of ``runs``.

    Example:
        >>> calls = []
        >>> t = time_interleaved({"a": lambda: calls.append("a"),
        ...                       "b": lambda: calls.append("b")}, repeats=2, warmup=1)
        >>> "".join(calls), t["a"].repeats, t["a"].warmup
        ('abbaab', 2, 1)
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError("time_interleaved() expects a non-empty mapping {label: callable}")
    for label, run in runs.items():
        if not callable(run):
            raise TypeError(f"time_interleaved(): runs[{label!r}] is not callable "
                            f"(got {type(run).__name__})")
    repeats, warmup = _check_counts("time_interleaved", repeats, warmup)
    device = get_device(device)
    labels = list(runs)
    seconds: dict[str, list[float]] = {label: [] for label in labels}
    for round_ in range(warmup + repeats):
        order = labels if round_ % 2 == 0 else labels[::-1]
        for label in order:
            _synchronize(device)
            start = _clock()
            runs[label]()
            _synchronize(device)
            elapsed = _clock() - start
            if round_ >= warmup:
                seconds[label].append(elapsed)
    return {label: Timing(tuple(seconds[label]), warmup) for label in labels}


def forward_backward(fn: Callable, x: Tensor, grad_out: Tensor | None = None,
                     args: tuple = ()) -> Callable[[], object]:
    """A zero-argument callable that runs ``fn(x, *args)`` and its backward with respect to
    ``x`` (the incoming gradient is ``grad_out``, ones by default): one unit of work for
    :func:`time_interleaved`.

    Example:
        >>> run = forward_backward(torch.relu, torch.tensor([-1.0, 2.0]))
        >>> run()
        (tensor([0., 1.]),)
    """
    if not callable(fn):
        raise TypeError(f"forward_backward() expects a callable `fn`, got {type(fn).__name__}")
    check_tensor("forward_backward", x, name="x")
    leaf = x.detach().requires_grad_(True)
    grad = torch.ones_like(leaf) if grad_out is None else grad_out

    def run():
        y = fn(leaf, *args)
        return torch.autograd.grad(y, leaf, grad)
    return run


def time_forward_backward(fn: Callable[[Tensor], Tensor], x: Tensor, *, repeats: int = 20,
                          warmup: int = 3, grad_out: Tensor | None = None) -> Timing:
    """Time ``fn``'s forward and backward pass on ``x`` (the gradient with respect to ``x``).

    Each call computes ``y = fn(x)`` and ``torch.autograd.grad(y, x, grad_out)``, on ``x``'s
    device, with warm-up and synchronisation as in :func:`time_interleaved`.

    Args:
        fn: a differentiable function of one tensor, e.g.
            ``relu_course.activations.functional.gelu``.
        x: a floating-point input tensor (it is not modified).
        repeats: timed calls (at least 1).
        warmup: untimed calls first (at least 0).
        grad_out: the gradient arriving from above, shaped like ``fn(x)``; ones by default.

    Example:
        >>> t = time_forward_backward(torch.relu, torch.randn(1000), repeats=5, warmup=1)
        >>> t.repeats, t.warmup, t.median > 0
        (5, 1, True)
    """
    if not callable(fn):
        raise TypeError(f"time_forward_backward() expects a callable `fn`, got {type(fn).__name__}")
    check_tensor("time_forward_backward", x, name="x")
    if grad_out is not None:
        check_tensor("time_forward_backward", grad_out, name="grad_out")
    repeats, warmup = _check_counts("time_forward_backward", repeats, warmup)
    run = forward_backward(fn, x, grad_out)
    return time_interleaved({"fn": run}, repeats=repeats, warmup=warmup, device=x.device)["fn"]


def _row_list(fn_name: str, rows, row_type: type, source: str) -> list:
    """``rows`` (one row or a sequence of them) as a non-empty list of ``row_type``."""
    rows = [rows] if isinstance(rows, row_type) else rows
    if not isinstance(rows, Sequence) or not rows:
        raise ValueError(f"{fn_name}() needs a non-empty list of {row_type.__name__} (from "
                         f"{source})")
    wrong = [type(row).__name__ for row in rows if not isinstance(row, row_type)]
    if wrong:
        raise TypeError(f"{fn_name}() expects {row_type.__name__} objects, got {wrong[0]}")
    return list(rows)


def _names(fn_name: str, names) -> list[str]:
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, Sequence) or not names:
        raise TypeError(f"{fn_name}() expects `names` to be an activation name or a non-empty "
                        f"list of names")
    for name in names:
        if not isinstance(name, str) or name not in BUILTINS:
            raise ValueError(f"{fn_name}(): unknown activation {name!r}; valid: "
                             f"{', '.join(BUILTINS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"{fn_name}(): `names` lists an activation twice: {list(names)}")
    return list(names)


def _sizes(fn_name: str, sizes) -> list[int]:
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = [sizes]
    if not isinstance(sizes, Sequence) or not sizes:
        raise TypeError(f"{fn_name}() expects `sizes` to be an int or a non-empty list of ints")
    return [check_int(fn_name, "size", s, ge=1) for s in sizes]


def _extra_args(name: str, x: Tensor) -> tuple:
    """Arguments after the input: PReLU needs its slope (PyTorch's initial 0.25, shared)."""
    if name == "prelu":
        return (torch.full((1,), 0.25, dtype=x.dtype, device=x.device),)
    return ()


def _compile_quietly(run: Callable[[], object]) -> None:
    """Call ``run`` once -- compiling it -- with the compiler working in this process.

    By default the compiler starts a pool of worker processes on its first compilation; they
    keep the CPU busy for a second or more afterwards, which slows the timings that follow
    several-fold (OpenMP threads then wait for each other). One compile thread avoids that.
    The recompile limit is raised for this call, so that every size of a benchmark gets its
    own compiled kernels.
    """
    import torch._dynamo.config
    import torch._inductor.config

    with contextlib.ExitStack() as stack:
        for config, setting, value in ((torch._inductor.config, "compile_threads", 1),
                                       (torch._dynamo.config, "recompile_limit", 64)):
            if hasattr(config, setting):
                stack.enter_context(config.patch({setting: value}))
        run()


def compare(names: str | Sequence[str] = ("relu", "sigmoid", "tanh", "elu", "gelu"),
            sizes: int | Sequence[int] = 2**20, *, device: str | torch.device | None = None,
            dtype: torch.dtype = torch.float32, repeats: int = 20, warmup: int = 3,
            seed: int = 0, copy: bool = False, compiled: bool = False) -> list[BenchRow]:
    """Time forward + backward of the from-scratch activations against torch's builtins.

    For each size, one standard-normal input (from ``seed``) is timed with every activation in
    ``names``, with the default hyper-parameters (PReLU with one slope of 0.25). Each
    activation's versions (ours, the builtin, and the fused and copy timings when asked for)
    take turns in rounds of their own (:func:`time_interleaved`).

    Args:
        names: activation names from :data:`~relu_course.activations.registry.BUILTINS`.
        sizes: number of elements of the input, one or several.
        device: ``"cpu"``, ``"cuda"``, ...; ``None`` picks the default
            (:func:`relu_course.utils.get_device`; an unknown or unavailable device is a
            ``ValueError``).
        dtype: a floating-point dtype.
        repeats, warmup: timed and untimed rounds.
        seed: seeds the input.
        copy: also time ``x.clone()`` in the same rounds (:attr:`BenchRow.copy_gbps`).
        compiled: also time :func:`~relu_course.performance.fusion.fused` versions. Each is
            compiled first (one call), then timed against the builtin in rounds of their own,
            recorded as ``BenchRow.fused`` and ``BenchRow.fused_builtin``; needs
            ``warmup >= 1``, since the first calls after compiling still pay one-off costs.

    Returns:
        One :class:`BenchRow` per size and name, sizes in the outer loop.

    Example:
        >>> rows = compare(["relu", "gelu"], sizes=1024, device="cpu", repeats=3, warmup=1)
        >>> [(r.name, r.numel, r.device, r.nbytes) for r in rows]
        [('relu', 1024, 'cpu', 20480), ('gelu', 1024, 'cpu', 20480)]
    """
    names = _names("compare", names)
    sizes = _sizes("compare", sizes)
    device = get_device(device)
    dtype = _check_dtype("compare", dtype)
    repeats, warmup = _check_counts("compare", repeats, warmup)
    seed = check_seed("compare", seed)
    for flag, value in (("copy", copy), ("compiled", compiled)):
        if not isinstance(value, bool):
            raise TypeError(f"compare() expects `{flag}` to be a bool, got {type(value).__name__}")
    if compiled and warmup < 1:
        raise ValueError("compare(): compiled=True needs warmup >= 1 (the first call compiles)")
    compiled_fns = {name: fused(name) for name in names} if compiled else {}
    rows = []
    for numel in sizes:
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn(numel, generator=gen).to(device=device, dtype=dtype)
        nbytes = forward_backward_bytes(numel, dtype)
        for name in names:
            # Each activation is timed against its own builtin (and the copy) in rounds of its
            # own: the candidates that are compared take turns, and the memory allocator sees
            # the same sizes come back, as in a training loop.
            args = _extra_args(name, x)
            builtin = forward_backward(BUILTINS[name], x, None, args)
            runs = {"ours": forward_backward(FUNCTIONS[name], x, None, args),
                    "builtin": builtin}
            if copy:
                runs["copy"] = x.clone
            timings = time_interleaved(runs, repeats=repeats, warmup=warmup, device=device)
            paired = {}
            if compiled:
                # The fused version takes turns with the builtin in rounds of their own: the
                # eager version's temporaries would otherwise change what the allocator and
                # the caches hand to the two it is compared with.
                fused_run = forward_backward(compiled_fns[name], x, None, args)
                _compile_quietly(fused_run)
                paired = time_interleaved({"fused": fused_run, "builtin": builtin},
                                          repeats=repeats, warmup=warmup, device=device)
            rows.append(BenchRow(name, numel, str(device), str(dtype).replace("torch.", ""),
                                 timings["ours"], timings["builtin"], nbytes,
                                 copy=timings.get("copy"), fused=paired.get("fused"),
                                 fused_builtin=paired.get("builtin")))
    return rows


def format_table(rows: Sequence[BenchRow], baseline: str | None = "relu") -> str:
    """The rows of :func:`compare` as a text table, one block per setting (device, dtype,
    size): median milliseconds per forward + backward, the ratio ours / torch, the effective
    bandwidth in GB/s and -- where the ``baseline`` activation was timed in the same setting --
    each version's time relative to the same version of the baseline. When the fused versions
    were timed, they are the course's own for speed: the eager columns are then labelled
    "eager", and the last line counts the fused versions within their goal
    (:func:`goal_ratio`).

    Example:
        >>> row = BenchRow("relu", 1000, "cpu", "float32", Timing((0.002,), 0),
        ...                Timing((0.001,), 0), 20000)
        >>> print(format_table([row]))
        cpu, float32, 1,000 elements (0.02 MB per forward + backward)
        activation  ours ms  torch ms  ours/torch  ours GB/s  torch GB/s  ours/relu  torch/relu
        relu          2.000     1.000        2.00       0.01        0.02       1.00        1.00
        within 1.25x of torch: ours 0 of 1
    """
    rows = _row_list("format_table", rows, BenchRow, "compare()")
    if baseline is not None and not isinstance(baseline, str):
        raise TypeError(f"format_table() expects `baseline` to be a name or None, "
                        f"got {type(baseline).__name__}")
    groups: dict[tuple, list[BenchRow]] = {}
    for r in rows:
        groups.setdefault((r.device, r.dtype, r.numel), []).append(r)
    blocks = []
    for (device, dtype, numel), group in groups.items():
        base = next((r for r in group if r.name == baseline), None)
        lines = [(f"{device}, {dtype}, {numel:,} elements "
                  f"({group[0].nbytes / 1e6:.2f} MB per forward + backward)")]
        has_fused = all(r.fused is not None for r in group)
        has_copy = all(r.copy is not None for r in group)
        if has_copy:
            copy_gbps = statistics.median(r.copy_gbps for r in group)
            lines[0] += f"; copy (clone) {copy_gbps:.2f} GB/s, median over the rows"
        # With fused versions, those are "ours" for speed; the eager columns are labelled so.
        eager = "eager" if has_fused else "ours"
        header = (f"{'activation':<10} {eager + ' ms':>8} {'torch ms':>9} {eager + '/torch':>11} "
                  f"{eager + ' GB/s':>10} {'torch GB/s':>11}")
        if has_copy:
            header += f" {eager + '/copy':>10} {'torch/copy':>11}"
        if has_fused:
            header += f" {'fused ms':>9} {'fused/torch':>12}"
        if base is not None:
            header += f" {eager + '/' + baseline:>10} {'torch/' + baseline:>11}"
        lines.append(header)
        for r in group:
            line = (f"{r.name:<10} {r.ours.median * 1e3:>8.3f} {r.builtin.median * 1e3:>9.3f} "
                    f"{r.ratio:>11.2f} {r.ours_gbps:>10.2f} {r.builtin_gbps:>11.2f}")
            if has_copy:
                line += (f" {r.ours_gbps / r.copy_gbps:>10.0%}"
                         f" {r.builtin_gbps / r.copy_gbps:>11.0%}")
            if has_fused:
                line += f" {r.fused.median * 1e3:>9.3f} {r.fused_ratio:>12.2f}"
            if base is not None:
                line += (f" {r.ours.median / base.ours.median:>10.2f}"
                         f" {r.builtin.median / base.builtin.median:>11.2f}")
            lines.append(line)
        lines.append(_goal_line(group, has_fused))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _goal_line(group: Sequence[BenchRow], has_fused: bool) -> str:
    """How many rows are within their goal ratio: the fused versions, when timed (the goal),
    else the eager ones."""
    limits = "".join(f" ({name} {GOAL_RATIOS[name]}x)" for name in GOAL_RATIOS
                     if any(r.name == name for r in group))
    line = f"within {GOAL_RATIO}x of torch{limits}: "
    eager = sum(r.ratio <= goal_ratio(r.name) for r in group)
    if not has_fused:
        return line + f"ours {eager} of {len(group)}"
    within = sum(r.fused_ratio <= goal_ratio(r.name) for r in group)
    return line + f"fused {within} of {len(group)} (eager {eager} of {len(group)})"


#: The sizes of the full command-line benchmark, 2^10, 2^12, ..., 2^24 elements.
FULL_SIZES = tuple(2**k for k in range(10, 25, 2))

#: Sizes of ``--fast``, the quick check of the mechanics that the tests run.
FAST_SIZES = (2**10, 2**12)


def _keep_freed_memory() -> bool:
    """Ask the C library's ``malloc`` to keep freed memory for reuse; ``True`` if it agreed.

    For the command line only (it changes the whole process). By default glibc returns large
    freed blocks to the operating system, and the next allocation of the same size then
    pays a page fault per 4 KiB page -- about as long as the activation itself on the
    tensors the benchmark uses, and more or less often depending on what ran before (a
    function timed right after the first compilation was measured paying them on every
    call). Keeping the memory, as PyTorch's GPU caching allocator does, times the kernels
    instead. Blocks above glibc's largest mmap threshold (32 MiB: tensors of more than 2^23
    float32 values) are still returned. Returns ``False`` where there is no glibc.
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)                               # the process's C library
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    if not hasattr(libc, "gnu_get_libc_version"):              # musl and others: leave it
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3                  # glibc's malloc.h
    kept = mallopt(m_trim_threshold, 2**31 - 1) == 1             # never trim the heap
    return mallopt(m_mmap_threshold, 32 * 2**20) == 1 and kept  # heap up to 32 MiB blocks


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m relu_course.performance``: time every activation, ours against torch's.

    Prints one table per device and size (median of interleaved forward + backward runs after
    warm-up, CUDA-synchronised), each version's effective bandwidth and its share of the copy
    bandwidth, then the bytes each activation saves for its backward. ``--fast`` runs two small
    sizes with few repeats: it checks the mechanics (the test suite uses it), not the speed.
    Except with ``--fast`` or ``--system-malloc``, glibc's ``malloc`` is first asked to keep
    freed memory (``_keep_freed_memory()``). Returns the exit status (0).

    Example:
        >>> import contextlib, io
        >>> with contextlib.redirect_stdout(io.StringIO()) as out:
        ...     status = main(["--fast", "--names", "relu", "--device", "cpu"])
        >>> status, "relu" in out.getvalue()
        (0, True)
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m relu_course.performance",
        description="Forward + backward time of relu_course's activations against torch's.")
    parser.add_argument("--names", nargs="+", default=list(BUILTINS), metavar="NAME",
                        help=f"activations to time (default: all of {', '.join(BUILTINS)})")
    parser.add_argument("--sizes", nargs="+", type=int, default=None, metavar="N",
                        help="numbers of elements (default: 2^10, 2^12, ..., 2^24)")
    parser.add_argument("--device", action="append", default=None,
                        help="cpu, cuda, cuda:N or mps; repeat it for several (default: the "
                             "CPU, and CUDA when available)")
    parser.add_argument("--dtype", default="float32",
                        choices=["float16", "bfloat16", "float32", "float64"])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--fused", action="store_true",
                        help="also time torch.compile'd versions of our functions (slow to "
                             "start: compiles each function for each size)")
    parser.add_argument("--fast", action="store_true",
                        help="small sizes, few repeats: checks that everything runs")
    parser.add_argument("--system-malloc", action="store_true",
                        help="leave the C library's malloc as it is (by default it is asked "
                             "to keep freed memory, so that timings are not page faults)")
    args = parser.parse_args(argv)

    names = _names("bench", args.names)
    sizes = list(FAST_SIZES if args.fast else FULL_SIZES) if args.sizes is None else args.sizes
    sizes = _sizes("bench", sizes)
    repeats, warmup = (3, 1) if args.fast else (args.repeats, args.warmup)
    dtype = getattr(torch, args.dtype)
    if args.device is None:
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    else:
        devices = args.device
    devices = [get_device(d) for d in devices]            # a clear error for unknown devices
    kept = not (args.fast or args.system_malloc) and _keep_freed_memory()
    print(f"relu_course.performance.bench: torch {torch.__version__}, {torch.get_num_threads()} CPU "
          f"threads; median of {repeats} interleaved rounds after {warmup} warm-up rounds")
    print("malloc keeps freed memory (blocks up to 32 MiB)" if kept else
          "malloc as configured by the system")
    for device in devices:
        if device.type == "cuda":
            print(f"device {device}: {torch.cuda.get_device_name(device)}")
        for numel in sizes:
            rows = compare(names, numel, device=device, dtype=dtype, repeats=repeats,
                           warmup=warmup, copy=True, compiled=args.fused)
            print()
            print(format_table(rows))
    from .saved import format_memory_table, saved_bytes

    print()
    print(format_memory_table(saved_bytes(names, numel=min(sizes), dtype=dtype,
                                          device=devices[0])))
    return 0
