"""relu_course.performance.ops: counting the tensor operations of a forward + backward (a cost
measure that does not depend on the machine), and sorting them by kind."""

from __future__ import annotations

import itertools

import pytest
import torch

from relu_course.activations import functional as F
from relu_course.activations.registry import BUILTINS
from relu_course.performance import bench, ops


def test_count_ops_of_relu_from_scratch_and_builtin():
    x = torch.randn(16)
    # forward: clamp_min; backward: select the incoming gradient where out > 0 (le, where)
    assert ops.count_ops(F.relu, x) == {"clamp_min": 1, "le": 1, "where": 1}
    assert ops.count_ops(torch.relu, x) == {"relu": 1, "threshold_backward": 1}


def test_count_ops_counts_every_full_size_operation_and_skips_views():
    def fn(x):
        y = (x * 2).exp()                         # mul, exp
        return y.view(4, 4).reshape(16) + 1        # views are not counted; add is

    counts = ops.count_ops(fn, torch.randn(16))
    # forward: mul, exp, add; backward: grad * y (exp'), grad * 2 (mul'); add' passes grad on
    assert counts == {"mul": 3, "exp": 1, "add": 1}


def test_count_ops_builtins_are_one_kernel_each_way():
    x = torch.randn(32)
    for name, fn in BUILTINS.items():
        args = bench._extra_args(name, x)
        assert sum(ops.count_ops(fn, x, *args).values()) == 2, name


def test_count_ops_checks_its_arguments():
    with pytest.raises(TypeError):
        ops.count_ops("relu", torch.randn(3))
    with pytest.raises(TypeError):
        ops.count_ops(torch.relu, [1.0])


def test_classify_ops():
    kinds = ops.classify_ops({"gt": 2, "where": 1, "mul": 3, "erf": 1, "gelu_backward": 1})
    assert kinds == {"compare/select": 3, "arithmetic": 3, "exp/log/erf/tanh": 1, "other": 1,
                     "total": 8}
    assert ops.classify_ops({})["total"] == 0
    with pytest.raises(TypeError):
        ops.classify_ops([("gt", 1)])
    with pytest.raises(ValueError):
        ops.classify_ops({"gt": -1})


def test_op_kinds_do_not_overlap():
    for (_, a), (_, b) in itertools.combinations(ops.OP_KINDS.items(), 2):
        assert not set(a) & set(b)


def test_count_ops_merges_in_place_variants_and_skips_allocation():
    def fn(t):
        u = torch.empty_like(t)
        return u.copy_(t).mul_(2.0).mul(3.0)
    assert ops.count_ops(fn, torch.randn(16)) == {"copy": 1, "mul": 2 + 2}
