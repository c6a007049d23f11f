r"""Activation functions written from scratch, each with a hand-written backward pass.

Every activation is a :class:`torch.autograd.Function` in the style of PyTorch's
"Extending PyTorch" notes: ``forward`` takes no ``ctx`` and computes the formula;
``setup_context`` saves what the derivative needs through ``save_for_backward`` (and
``save_for_forward``); ``backward`` is the derivative you would write on paper, times the
incoming gradient; ``jvp`` is the same derivative times a tangent (forward-mode AD, for
``torch.func.jvp``). ``generate_vmap_rule = True`` lets ``torch.func.vmap`` batch them, since
their bodies are plain torch operations. No backward calls the torch op of the same name or
relies on autograd to differentiate the forward.

The public wrappers have the names and signatures of :mod:`torch.nn.functional` and reproduce
its behaviour: values, gradients (including the choice made at a kink, e.g. ``relu'(0) = 0``),
NaN propagation, ``relu(-0.0) == -0.0``, infinities, empty and 0-d tensors, any memory layout,
and the four floating-point dtypes. Like PyTorch's own kernels, float16 and bfloat16 inputs are
computed in float32 and rounded once at the end (``_up`` and ``_down``).

Each function ``f`` also has ``f_derivative`` with the same arguments, which returns
:math:`f'(x)` elementwise -- exactly the gradient that autograd returns for ``f(x).sum()``.

These are the readable versions: one formula per line, out of place. The fast path -- the same
functions reformulated for ``torch.compile`` and fused into one loop each way -- lives in
:mod:`relu_course.performance.fusion`, whose tests check it against these functions. The activation
registry (:mod:`relu_course.activations.registry`) lists them all by name.

The code is in one module per family, each short enough to read in one sitting; this package
is the namespace to import, like ``torch.nn.functional`` (``from relu_course.activations import
functional as F``):

=============  ==============================================================================
rectifiers     ReLU, Leaky ReLU, PReLU, and ReLU with a chosen derivative at the kink
exponential    ELU and SELU
smooth         GELU, SiLU, Mish, softplus
saturating     sigmoid and tanh
=============  ==============================================================================

Contents, by family (each ``f`` with ``f_derivative`` and its ``FFunction``):

* :func:`~relu_course.activations.functional.rectifiers.relu`
  (:class:`~relu_course.activations.functional.rectifiers.ReLUFunction`),
  :func:`~relu_course.activations.functional.rectifiers.leaky_relu`
  (:class:`~relu_course.activations.functional.rectifiers.LeakyReLUFunction`),
  :func:`~relu_course.activations.functional.rectifiers.prelu`
  (:class:`~relu_course.activations.functional.rectifiers.PReLUFunction`),
  :func:`~relu_course.activations.functional.rectifiers.relu_kink`
  (:class:`~relu_course.activations.functional.rectifiers.ReLUKinkFunction`) -- the rectifiers;
  :func:`~relu_course.activations.functional.rectifiers.relu_derivative`,
  :func:`~relu_course.activations.functional.rectifiers.leaky_relu_derivative`,
  :func:`~relu_course.activations.functional.rectifiers.prelu_derivative`,
  :func:`~relu_course.activations.functional.rectifiers.relu_kink_derivative`;
* :func:`~relu_course.activations.functional.exponential.elu` and
  :func:`~relu_course.activations.functional.exponential.selu`
  (:class:`~relu_course.activations.functional.exponential.ELUFunction`, constants
  :data:`~relu_course.activations.functional.exponential.SELU_ALPHA` and
  :data:`~relu_course.activations.functional.exponential.SELU_SCALE`);
  :func:`~relu_course.activations.functional.exponential.elu_derivative`,
  :func:`~relu_course.activations.functional.exponential.selu_derivative`;
* :func:`~relu_course.activations.functional.smooth.gelu`
  (:class:`~relu_course.activations.functional.smooth.GELUFunction`),
  :func:`~relu_course.activations.functional.smooth.silu`
  (:class:`~relu_course.activations.functional.smooth.SiLUFunction`),
  :func:`~relu_course.activations.functional.smooth.mish`
  (:class:`~relu_course.activations.functional.smooth.MishFunction`),
  :func:`~relu_course.activations.functional.smooth.softplus`
  (:class:`~relu_course.activations.functional.smooth.SoftplusFunction`) -- the smooth ones;
  :func:`~relu_course.activations.functional.smooth.gelu_derivative`,
  :func:`~relu_course.activations.functional.smooth.silu_derivative`,
  :func:`~relu_course.activations.functional.smooth.mish_derivative`,
  :func:`~relu_course.activations.functional.smooth.softplus_derivative`;
* :func:`~relu_course.activations.functional.saturating.sigmoid`
  (:class:`~relu_course.activations.functional.saturating.SigmoidFunction`) and
  :func:`~relu_course.activations.functional.saturating.tanh`
  (:class:`~relu_course.activations.functional.saturating.TanhFunction`) -- the saturating ones
  ReLU replaced; :func:`~relu_course.activations.functional.saturating.sigmoid_derivative`,
  :func:`~relu_course.activations.functional.saturating.tanh_derivative`.

Papers: ReLU (Nair & Hinton, 2010; Glorot, Bordes & Bengio, 2011), Leaky ReLU (Maas, Hannun &
Ng, 2013), PReLU (He et al., 2015), ELU (Clevert, Unterthiner & Hochreiter, 2016), SELU
(Klambauer et al., 2017), GELU (Hendrycks & Gimpel, 2016), SiLU (Hendrycks & Gimpel, 2016;
Elfwing, Uchibe & Doya, 2018; called Swish by Ramachandran, Zoph & Le, 2017), Mish (Misra, 2020).
"""

from __future__ import annotations

from .exponential import (  # noqa: F401
    SELU_ALPHA,
    SELU_SCALE,
    ELUFunction,
    elu,
    elu_derivative,
    selu,
    selu_derivative,
)
from .rectifiers import (  # noqa: F401
    LeakyReLUFunction,
    PReLUFunction,
    ReLUFunction,
    ReLUKinkFunction,
    leaky_relu,
    leaky_relu_derivative,
    prelu,
    prelu_derivative,
    relu,
    relu_derivative,
    relu_kink,
    relu_kink_derivative,
)
from .saturating import (  # noqa: F401
    SigmoidFunction,
    TanhFunction,
    sigmoid,
    sigmoid_derivative,
    tanh,
    tanh_derivative,
)
from .smooth import (  # noqa: F401
    GELUFunction,
    MishFunction,
    SiLUFunction,
    SoftplusFunction,
    gelu,
    gelu_derivative,
    mish,
    mish_derivative,
    silu,
    silu_derivative,
    softplus,
    softplus_derivative,
)

__all__ = [
    "relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "mish", "softplus", "sigmoid",
    "tanh", "relu_derivative", "leaky_relu_derivative", "prelu_derivative", "elu_derivative",
    "selu_derivative", "gelu_derivative", "silu_derivative", "mish_derivative",
    "softplus_derivative", "sigmoid_derivative", "tanh_derivative", "ReLUFunction",
    "LeakyReLUFunction", "PReLUFunction", "ELUFunction", "GELUFunction", "SiLUFunction",
    "MishFunction", "SoftplusFunction", "SigmoidFunction", "TanhFunction", "SELU_ALPHA",
    "SELU_SCALE", "ReLUKinkFunction", "relu_kink", "relu_kink_derivative",
]
