"""adkernel's tape engine: tensors, variables, ops with named VJPs, ``GradientTape``.

Imports numpy and the standard library only.
"""

from __future__ import annotations

from . import numpy_interop, ops, tape, tensor, trace
from ._malloc import tune_malloc
from ._quiet import quiet_float_warnings
from .custom import custom_gradient
from .dtypes import DType, as_dtype
from .errors import (
    AdkernelError,
    DTypeError,
    GradientCheckError,
    InvalidArgumentError,
    NoneGradientWarning,
    NonFiniteGradientError,
    NotDifferentiableError,
    NotPersistentError,
    OpError,
    ShapeError,
)
from .forward import ForwardAccumulator
from .gradcheck import check_gradients
from .numpy_interop import get_numpy_leaves_tape, numpy_leaves_tape, set_numpy_leaves_tape
from .registry import REGISTRY, OpDef, defop
from .tape import GradientTape, UnconnectedGradients, explain_none
from .tensor import Tensor, TensorShape, Variable, constant, convert_to_tensor, is_tensor

# Tensors sit below the layers they call into: plug those in (the one place it happens).
tensor.connect(
    identity=ops.identity,
    stack=ops.stack,
    getitem=ops.getitem,
    on_assign=tape.note_assignment,
    array_ufunc=numpy_interop.array_ufunc,
    array_function=numpy_interop.array_function,
    replayed=trace.replayed,
)

# numpy's overflow and NaN warnings from adkernel's own code are off, as TensorFlow's kernels
# give inf and NaN silently (the learner's own numpy code still warns): see _quiet.py.
quiet_float_warnings()

__all__ = [
    "REGISTRY",
    "AdkernelError",
    "DType",
    "DTypeError",
    "ForwardAccumulator",
    "GradientCheckError",
    "GradientTape",
    "InvalidArgumentError",
    "NonFiniteGradientError",
    "NoneGradientWarning",
    "NotDifferentiableError",
    "NotPersistentError",
    "OpDef",
    "OpError",
    "ShapeError",
    "Tensor",
    "TensorShape",
    "UnconnectedGradients",
    "Variable",
    "as_dtype",
    "check_gradients",
    "constant",
    "convert_to_tensor",
    "custom_gradient",
    "defop",
    "explain_none",
    "get_numpy_leaves_tape",
    "is_tensor",
    "numpy_leaves_tape",
    "ops",
    "quiet_float_warnings",
    "set_numpy_leaves_tape",
    "tune_malloc",
]
