"""Every keyword argument the ``tf`` namespace accepts is honoured as in TensorFlow, or
refused with a ``NotImplementedError`` that names it (issue 6, item 2).

The audit walks every public callable of ``adkernel.tf`` and its namespaces (``tf.math``,
``tf.nn``, ``tf.linalg``, ``tf.losses``, ``tf.random``, ``tf.dtypes``) and the methods of
``GradientTape`` and ``Variable``, and inspects their signatures:

* ``TF_SIGNATURES`` holds TensorFlow 2.21's parameter list of each function. adkernel's
  positional parameters must sit where TensorFlow has them (a positional call means the
  same thing), and each of its parameter names must exist in TensorFlow (a keyword call
  means the same thing).
* ``OPTIONS`` holds, for every parameter with a default value and every ``**kwargs``, a
  check: *honoured* (a tiny program where a non-default value changes the result the way it
  does in TensorFlow, or, for a hint TensorFlow ignores in eager mode too, leaves it the
  same) or *refused* (the call raises ``NotImplementedError`` naming the parameter).
  ``name`` is left out: it has no observable effect in eager TensorFlow.

A new function, or a new parameter, without a row here makes ``test_every_public_callable_
is_audited`` fail.
"""

from __future__ import annotations

import inspect
import io
import tempfile
import types
from pathlib import Path

import numpy as np
import pytest

from adkernel import NonFiniteGradientError, tf
from adkernel.engine.registry import REGISTRY
from adkernel.engine.tensor import TensorLike

pytestmark = pytest.mark.filterwarnings("ignore::adkernel.NoneGradientWarning")

# =========================================================================================
# What is public
# =========================================================================================

_NAMESPACES = ("math", "nn", "linalg", "losses", "random", "dtypes", "debugging", "bitwise")
_CLASSES_WITH_METHODS = {"GradientTape": tf.GradientTape, "Variable": tf.Variable}


def public_callables() -> dict[str, object]:
    """``{"math.add": fn, ..., "GradientTape.gradient": fn}``: everything to audit.

    Classes are audited through ``_CLASSES_WITH_METHODS`` (their constructor and public
    methods); the other classes (dtypes, ``TensorShape``, error types) take no options.
    """
    found: dict[str, object] = {}

    def walk(prefix, space):
        for attr in dir(space):
            if attr.startswith("_"):
                continue
            obj = getattr(space, attr)
            if isinstance(obj, types.ModuleType) or inspect.isclass(obj):
                continue
            if not prefix and attr in _NAMESPACES:
                walk(attr + ".", obj)
            elif callable(obj):
                found[prefix + attr] = obj

    walk("", tf)
    for cls_name, cls in _CLASSES_WITH_METHODS.items():
        found[f"{cls_name}.__init__"] = cls.__init__
        for attr in dir(cls):
            obj = inspect.getattr_static(cls, attr)
            if attr.startswith("_") or not inspect.isfunction(obj):
                continue
            found[f"{cls_name}.{attr}"] = getattr(cls, attr)
    return found


def _params(fn) -> list[inspect.Parameter]:
    params = list(inspect.signature(fn).parameters.values())
    if params and params[0].name == "self":
        params = params[1:]
    return [p for p in params if not p.name.startswith("_")]


def _label(p: inspect.Parameter) -> str:
    if p.kind is p.VAR_POSITIONAL:
        return "*" + p.name
    if p.kind is p.VAR_KEYWORD:
        return "**" + p.name
    return p.name


# =========================================================================================
# TensorFlow's signatures
# =========================================================================================

# The ops whose public function the registry makes from a standard calling convention
# (``call=`` in their ``defop`` block) take TensorFlow's parameter list for that convention:
# every TensorFlow 2.21 op of the kind has it. Their rows come from the op blocks, so a new
# op of this kind needs no edit here; a function written by hand (``@op.api``, a composite)
# needs its row below (test_every_public_callable_has_a_signature_row says which).
_CONVENTIONS = {
    "unary": "{arg}, name",
    "unary_any": "{arg}, name",
    "unary_all": "{arg}, name",
    "binary": "x, y, name",
    "binary_all": "x, y, name",
    "reduce": "input_tensor, axis, keepdims, name",
    "reduce_float": "input_tensor, axis, keepdims, name",
}
FROM_OP_BLOCKS: dict[str, str] = {
    op.tf[0]: _CONVENTIONS[op.call].format(arg=op.arg)
    for op in REGISTRY.values() if op.call in _CONVENTIONS and op.tf
}
_UNARY_X = ["math.reciprocal", "math.expm1", "math.log_sigmoid",  # written by hand
            "logical_not", "bitwise.invert"]
_BINARY_XY = ["add", "divide", "truediv", "math.divide_no_nan", "math.xlogy", "logical_and",
              "logical_or", "math.logical_xor", "bitwise.bitwise_and", "bitwise.bitwise_or",
              "bitwise.bitwise_xor", "bitwise.left_shift", "bitwise.right_shift"]
_REDUCTIONS = ["reduce_any", "reduce_all", "reduce_variance", "reduce_std"]

TF_SIGNATURES: dict[str, str | None] = {
    **FROM_OP_BLOCKS,
    **{n: "x, name" for n in _UNARY_X},
    **{n: "x, y, name" for n in _BINARY_XY},
    **{n: "input_tensor, axis, keepdims, name" for n in _REDUCTIONS},
    "argmax": "input, axis, output_type, name",
    "math.atan2": "y, x, name",
    "tensordot": "a, b, axes, name",
    "argmin": "input, axis, output_type, name",
    "add_n": "inputs, name",
    "broadcast_to": "input, shape, name",
    "cast": "x, dtype, name",
    "clip_by_norm": "t, clip_norm, axes, name",
    "clip_by_value": "t, clip_value_min, clip_value_max, name",
    "concat": "values, axis, name",
    "constant": "value, dtype, shape, name",
    "convert_to_tensor": "value, dtype, dtype_hint, name",
    "custom_gradient": "f",
    "einsum": "equation, *inputs, optimize, name, **kwargs",  # optimize, name in **kwargs
    "executing_eagerly": "",
    "expand_dims": "input, axis, name",
    "eye": "num_rows, num_columns, batch_shape, dtype, name",
    "fill": "dims, value, name, layout",
    "gather": "params, indices, validate_indices, axis, batch_dims, name",
    "is_tensor": "x",
    "as_dtype": "type_value",
    "linalg.solve": "matrix, rhs, adjoint, name",
    "linspace": "start, stop, num, name, axis",
    "matmul": "a, b, transpose_a, transpose_b, adjoint_a, adjoint_b, a_is_sparse, "
              "b_is_sparse, output_type, grad_a, grad_b, name",
    "norm": "tensor, ord, axis, keepdims, name",
    "one_hot": "indices, depth, on_value, off_value, axis, dtype, name",
    "ones": "shape, dtype, name, layout",
    "ones_like": "input, dtype, name, layout",
    "zeros": "shape, dtype, name, layout",
    "zeros_like": "input, dtype, name, layout",
    "print": "*inputs, output_stream, summarize, sep, end, name, **kwargs",  # all in **kwargs
    "range": "start, limit, delta, dtype, name",
    "rank": "input, name",
    "reshape": "tensor, shape, name",
    "shape": "input, out_type, name",
    "size": "input, out_type, name",
    "squeeze": "input, axis, name",
    "stack": "values, axis, name",
    "transpose": "a, perm, conjugate, name",
    "unstack": "value, num, axis, name",
    "where": "condition, x, y, name",
    "losses.mse": "y_true, y_pred",
    "nn.embedding_lookup": "params, ids, max_norm, name",
    "nn.l2_loss": "t, name",
    "nn.leaky_relu": "features, alpha, name",
    "nn.log_softmax": "logits, axis, name",
    "nn.softmax": "logits, axis, name",
    "nn.sigmoid_cross_entropy_with_logits": "labels, logits, name",
    "nn.softmax_cross_entropy_with_logits": "labels, logits, axis, name",
    "nn.sparse_softmax_cross_entropy_with_logits": "labels, logits, name",
    "nn.silu": "features, beta, name",
    "nn.gelu": "features, approximate, name",
    "random.normal": "shape, mean, stddev, dtype, seed, name",
    "random.truncated_normal": "shape, mean, stddev, dtype, seed, name",
    "random.uniform": "shape, minval, maxval, dtype, seed, name",
    "random.shuffle": "value, seed, name",
    "random.set_seed": "seed",
    # issue 10 (measured with inspect.signature on TensorFlow 2.21.0)
    "argsort": "values, axis, direction, stable, name",
    "meshgrid": "*args, **kwargs",  # indexing, name in **kwargs
    "sort": "values, axis, direction, name",
    "split": "value, num_or_size_splits, axis, num, name",
    "pad": "tensor, paddings, mode, constant_values, name",
    "tile": "input, multiples, name",
    "cumsum": "x, axis, exclusive, reverse, name",
    "gather_nd": "params, indices, batch_dims, name, bad_indices_policy",
    "boolean_mask": "tensor, mask, axis, name",
    "linalg.matvec": "a, b, transpose_a, adjoint_a, a_is_sparse, b_is_sparse, name",
    "linalg.inv": "input, adjoint, name",
    "linalg.det": "input, name",
    "linalg.global_norm": "t_list, name",
    "clip_by_global_norm": "t_list, clip_norm, use_norm, name",
    # functions an outside TensorFlow user looked for (inspect.signature, TensorFlow 2.21.0)
    "reverse": "tensor, axis, name",
    "roll": "input, shift, axis, name",
    "linalg.diag_part": "input, name, k, padding_value, align",
    "linalg.trace": "x, name",
    "linalg.l2_normalize": "x, axis, epsilon, name, dim",  # = tf.nn / tf.math.l2_normalize
    "nn.dropout": "x, rate, noise_shape, seed, name",
    "nn.moments": "x, axes, shift, keepdims, name",
    # issue 23 (measured with inspect.signature on TensorFlow 2.21.0)
    "cond": "pred, true_fn, false_fn, name",
    "while_loop": "cond, body, loop_vars, shape_invariants, parallel_iterations, back_prop, "
                  "swap_memory, maximum_iterations, name",
    "map_fn": "fn, elems, dtype, parallel_iterations, back_prop, swap_memory, infer_shape, "
              "name, fn_output_signature",
    "vectorized_map": "fn, elems, fallback_to_while_loop, warn",
    "math.top_k": "input, k, sorted, index_type, name",
    "random.categorical": "logits, num_samples, dtype, seed, name",
    "function": "func, input_signature, autograph, jit_compile, reduce_retracing, "
                "experimental_implements, experimental_autograph_options, "
                "experimental_attributes, experimental_relax_shapes, experimental_compile, "
                "experimental_follow_type_hints",
    "debugging.assert_equal": "x, y, message, summarize, name",
    "debugging.assert_near": "x, y, rtol, atol, message, summarize, name",
    "debugging.assert_less": "x, y, message, summarize, name",
    "debugging.assert_less_equal": "x, y, message, summarize, name",
    "debugging.assert_greater": "x, y, message, summarize, name",
    "debugging.assert_greater_equal": "x, y, message, summarize, name",
    "debugging.assert_positive": "x, message, summarize, name",
    "debugging.assert_negative": "x, message, summarize, name",
    "debugging.assert_non_negative": "x, message, summarize, name",
    "debugging.assert_non_positive": "x, message, summarize, name",
    "debugging.assert_rank": "x, rank, message, name",
    "debugging.check_numerics": "tensor, message, name",
    "debugging.assert_all_finite": "x, message, name",
    "debugging.assert_shapes": "shapes, data, summarize, message, name",
    "GradientTape.__init__": "persistent, watch_accessed_variables",
    "GradientTape.gradient": "target, sources, output_gradients, unconnected_gradients",
    "GradientTape.jacobian": "target, sources, unconnected_gradients, parallel_iterations, "
                             "experimental_use_pfor",
    "GradientTape.batch_jacobian": "target, source, unconnected_gradients, "
                                   "parallel_iterations, experimental_use_pfor",
    "GradientTape.watch": "tensor",
    "GradientTape.stop_recording": "",
    "GradientTape.reset": "",
    "GradientTape.watched_variables": "",
    "GradientTape.explain": None,  # adkernel only
    "GradientTape.view": None,  # adkernel only
    "Variable.__init__": "initial_value, trainable, validate_shape, caching_device, name, "
                         "variable_def, dtype, import_scope, constraint, synchronization, "
                         "aggregation, shape, experimental_enable_variable_lifting",
    "Variable.assign": "value, use_locking, name, read_value",
    "Variable.assign_add": "delta, use_locking, name, read_value",
    "Variable.assign_sub": "delta, use_locking, name, read_value",
    "Variable.read_value": "",
    "Variable.numpy": "",
    "Variable.ref": "",
    "Variable.get_shape": "",
}

# Parameters adkernel adds to a TensorFlow function (documented in docs/tf-compat.md).
ADKERNEL_EXTRAS = {"GradientTape.__init__": {"check_numerics"}}


def _tf_params(key: str) -> list[str]:
    text = TF_SIGNATURES[key]
    return [p.strip() for p in text.split(",") if p.strip()] if text else []


def _table_keys(names: list[str]) -> list[str]:
    return [n for n in names if n in TF_SIGNATURES]


def _by_function() -> dict[int, tuple[object, list[str]]]:
    groups: dict[int, tuple[object, list[str]]] = {}
    for name, fn in public_callables().items():
        groups.setdefault(id(fn), (fn, []))[1].append(name)
    return groups


# (a function with no row, or with two, is reported by a test, not at collection)
_FUNCTION = {keys[0]: fn for fn, names in _by_function().values()
             if len(keys := _table_keys(names)) == 1}
AUDITED = sorted(_FUNCTION)

# =========================================================================================
# The options table: honoured or refused, with a check each
# =========================================================================================

OPTIONS: dict[str, dict[str, list]] = {}


def honoured(fn_name: str, *params: str):
    """Register ``check()`` as the proof that ``params`` of ``fn_name`` work as in TF."""

    def register(check):
        for p in params:
            OPTIONS.setdefault(fn_name, {}).setdefault(p, []).append(("honoured", check))
        return check

    return register


def refused(fn_name: str, param: str, call) -> None:
    """Register ``call()``, which must raise NotImplementedError naming ``param``."""
    OPTIONS.setdefault(fn_name, {}).setdefault(param, []).append(("refused", call))


def _eq(actual, expected, rtol=1e-6):
    a = actual.numpy() if isinstance(actual, TensorLike) else np.asarray(actual)
    np.testing.assert_allclose(a, np.asarray(expected), rtol=rtol, atol=1e-7)


X = np.array([[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]])
_NP_REDUCE = {
    "reduce_sum": np.sum, "reduce_mean": np.mean, "reduce_max": np.max,
    "reduce_min": np.min, "reduce_prod": np.prod, "reduce_variance": np.var,
    "reduce_std": np.std,
    "reduce_any": lambda a, axis=None, keepdims=False: np.any(a > 1, axis=axis,
                                                                keepdims=keepdims),
    "reduce_all": lambda a, axis=None, keepdims=False: np.all(a > 1, axis=axis,
                                                                keepdims=keepdims),
    "reduce_logsumexp": lambda a, axis=None, keepdims=False: np.log(
        np.sum(np.exp(a), axis=axis, keepdims=keepdims)),
}


def _reduction_checks(key, op=None):
    """axis and keepdims reach the reduction: against numpy, or (for a reduction only its
    op block knows) against the block's own forward function, which test_ops.py checks
    against numpy."""
    fn = _FUNCTION[key]
    if key in ("reduce_any", "reduce_all"):  # bool reductions: of X > 1
        fn = (lambda f: lambda a, **kw: f(tf.constant(a) > 1, **kw))(fn)
    ref = _NP_REDUCE.get(key) or (lambda a, axis=None, keepdims=False: op.forward(
        a, axis=axis, keepdims=keepdims))

    @honoured(key, "axis")
    def axis():
        for ax in (0, 1, -1, (0, 1), [1]):
            _eq(fn(X, axis=ax), ref(X, axis=tuple(ax) if isinstance(ax, list) else ax))

    @honoured(key, "keepdims")
    def keepdims():
        out = fn(X, axis=1, keepdims=True)
        assert out.shape == (2, 1)
        _eq(out, ref(X, axis=1, keepdims=True))
        assert fn(X, keepdims=True).shape == (1, 1)


for _key in _REDUCTIONS:
    _reduction_checks(_key)
for _op in REGISTRY.values():
    if _op.call in ("reduce", "reduce_float") and _op.tf:
        _reduction_checks(_op.tf[0], _op)


def _arg_checks(key, np_fn):
    fn = getattr(tf, key)

    @honoured(key, "axis")
    def axis():
        assert fn(X).numpy().tolist() == np_fn(X, axis=0).tolist()  # default: axis 0
        assert fn(X, axis=1).numpy().tolist() == np_fn(X, axis=1).tolist()

    @honoured(key, "output_type")
    def output_type():
        assert fn(X).dtype == tf.int64
        assert fn(X, axis=1, output_type=tf.int32).dtype == tf.int32


_arg_checks("argmax", np.argmax)
_arg_checks("argmin", np.argmin)


def _softmax_checks(key, np_fn):
    fn = getattr(tf, key) if "." not in key else getattr(tf.nn, key.split(".")[1])

    @honoured(key, "axis")
    def axis():
        _eq(fn(X), np_fn(X, -1))
        _eq(fn(X, axis=0), np_fn(X, 0))


def _np_softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_softmax_checks("nn.softmax", _np_softmax)
_softmax_checks("nn.log_softmax", lambda a, axis: np.log(_np_softmax(a, axis)))


@honoured("nn.leaky_relu", "alpha")
def _leaky_alpha():
    _eq(tf.nn.leaky_relu([-2.0, 3.0]), [-0.4, 3.0])
    _eq(tf.nn.leaky_relu([-2.0, 3.0], alpha=0.5), [-1.0, 3.0])


@honoured("nn.silu", "beta")
def _silu_beta():
    _eq(tf.nn.silu(1.0, beta=2.0), 1.0 / (1.0 + np.exp(-2.0)))


@honoured("nn.gelu", "approximate")
def _gelu_approximate():
    from math import erf, sqrt, tanh
    _eq(tf.nn.gelu(1.0), 0.5 * (1.0 + erf(1.0 / sqrt(2.0))))
    _eq(tf.nn.gelu(1.0, approximate=True),
        0.5 * (1.0 + tanh(sqrt(2.0 / np.pi) * (1.0 + 0.044715))))


@honoured("nn.sigmoid_cross_entropy_with_logits", "labels", "logits")
def _sigmoid_ce():
    z, x = np.array([0.0, 1.0, 0.3]), np.array([-1.0, 2.0, 0.5])
    p = 1 / (1 + np.exp(-x))
    _eq(tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
        -(z * np.log(p) + (1 - z) * np.log(1 - p)))
    with pytest.raises(ValueError):
        tf.nn.sigmoid_cross_entropy_with_logits(logits=x)


@honoured("nn.softmax_cross_entropy_with_logits", "labels", "logits", "axis")
def _softmax_ce():
    labels = np.array([[0.2, 0.8, 0.0], [1.0, 0.0, 0.0]])
    expected = -(labels * np.log(_np_softmax(X, -1))).sum(-1)
    _eq(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=X), expected)
    _eq(tf.nn.softmax_cross_entropy_with_logits(labels=labels.T, logits=X.T, axis=0),
        expected)


@honoured("nn.sparse_softmax_cross_entropy_with_logits", "labels", "logits")
def _sparse_ce():
    expected = -np.log(_np_softmax(X, -1))[[0, 1], [2, 0]]
    _eq(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2, 0], logits=X), expected)


A = np.array([[1.0, 2.0], [3.0, 4.0], [0.5, -1.0]])
B = np.array([[2.0, -1.0, 0.0], [1.0, 0.5, 3.0]])


@honoured("matmul", "transpose_a", "transpose_b", "adjoint_a", "adjoint_b")
def _matmul_transposes():
    _eq(tf.matmul(A, B.T, transpose_b=True), A @ B)
    _eq(tf.matmul(A.T, B, transpose_a=True), A @ B)
    _eq(tf.matmul(B, A, transpose_a=True, transpose_b=True), B.T @ A.T)
    # for real tensors the adjoint is the transpose
    _eq(tf.matmul(A.T, B.T, adjoint_a=True, adjoint_b=True), A @ B)


refused("matmul", "adjoint_a",
        lambda: tf.matmul(tf.constant([[1 + 1j]]), tf.constant([[1 + 0j]]), adjoint_a=True))
refused("matmul", "adjoint_b",
        lambda: tf.matmul(tf.constant([[1 + 1j]]), tf.constant([[1 + 0j]]), adjoint_b=True))
refused("matmul", "output_type", lambda: tf.matmul(A, B, output_type=tf.float64))


@honoured("matmul", "a_is_sparse", "b_is_sparse", "grad_a", "grad_b")
def _matmul_hints():
    # performance hints: TensorFlow's result does not change, nor does ours
    for hint in ("a_is_sparse", "b_is_sparse", "grad_a", "grad_b"):
        _eq(tf.matmul(A, B, **{hint: True}), A @ B)


@honoured("einsum", "optimize")
def _einsum_optimize():
    for how in ("greedy", "optimal", "branch-2"):
        _eq(tf.einsum("ij,jk->ik", A, B, optimize=how), A @ B)


@honoured("einsum", "kwargs")
def _einsum_kwargs():
    with pytest.raises(TypeError):
        tf.einsum("ij,jk->ik", A, B, bogus=1)


@honoured("linalg.solve", "adjoint")
def _solve_adjoint():
    m = np.array([[3.0, 1.0], [0.5, 2.0]])
    rhs = np.array([[1.0], [2.0]])
    _eq(tf.linalg.solve(m, rhs), np.linalg.solve(m, rhs))
    _eq(tf.linalg.solve(m, rhs, adjoint=True), np.linalg.solve(m.T, rhs))


@honoured("norm", "ord", "axis", "keepdims")
def _norm():
    v = np.array([3.0, -4.0, 12.0])
    _eq(tf.norm(v), 13.0)
    _eq(tf.norm(v, ord=1), 19.0)
    _eq(tf.norm(v, ord=np.inf), 12.0)
    _eq(tf.norm(v, ord=3), np.sum(np.abs(v) ** 3) ** (1 / 3))
    _eq(tf.norm(X, axis=1), np.linalg.norm(X, axis=1))
    _eq(tf.norm(X, ord=1, axis=0), np.abs(X).sum(0))
    # a pair of axes: matrix norms (1: largest column sum, inf: largest row sum)
    _eq(tf.norm(X, ord="fro", axis=[0, 1]), np.linalg.norm(X, "fro"))
    _eq(tf.norm(X, ord=1, axis=(0, 1)), np.linalg.norm(X, 1))
    _eq(tf.norm(X, ord=np.inf, axis=(0, 1)), np.linalg.norm(X, np.inf))
    assert tf.norm(X, axis=1, keepdims=True).shape == (2, 1)
    assert tf.norm(X, keepdims=True).shape == (1, 1)
    assert tf.norm(X, ord=1, axis=(0, 1), keepdims=True).shape == (1, 1)
    with pytest.raises(ValueError, match="ord"):
        tf.norm(v, ord="fro")  # 'fro' is a matrix norm, as in TensorFlow
    with pytest.raises(ValueError, match="ord"):
        tf.norm(X, ord=3, axis=(0, 1))


refused("norm", "ord", lambda: tf.norm(X, ord=2, axis=(0, 1)))  # the spectral norm


@honoured("clip_by_norm", "axes")
def _clip_by_norm_axes():
    t = np.array([[3.0, 4.0], [0.6, 0.8]])
    _eq(tf.clip_by_norm(t, 2.0), t * 2.0 / np.linalg.norm(t))
    _eq(tf.clip_by_norm(t, 2.0, axes=[1]), [[1.2, 1.6], [0.6, 0.8]])


@honoured("transpose", "perm")
def _transpose_perm():
    t = np.arange(24.0).reshape(2, 3, 4)
    assert tf.transpose(t).shape == (4, 3, 2)
    _eq(tf.transpose(t, perm=[1, 0, 2]), t.transpose(1, 0, 2))


@honoured("transpose", "conjugate")
def _transpose_conjugate_real():
    _eq(tf.transpose(X, conjugate=True), X.T)  # no effect on real tensors, as in TF


refused("transpose", "conjugate", lambda: tf.transpose(tf.constant([[1 + 1j]]), conjugate=True))


@honoured("squeeze", "axis")
def _squeeze_axis():
    z = np.zeros((1, 2, 1))
    assert tf.squeeze(z).shape == (2,)
    assert tf.squeeze(z, axis=0).shape == (2, 1)
    assert tf.squeeze(z, axis=[-1]).shape == (1, 2)


@honoured("stack", "axis")
def _stack_axis():
    _eq(tf.stack([[1.0, 2.0], [3.0, 4.0]], axis=1), [[1.0, 3.0], [2.0, 4.0]])


@honoured("unstack", "num", "axis")
def _unstack():
    parts = tf.unstack(X, axis=1)
    assert len(parts) == 3
    _eq(parts[2], X[:, 2])
    assert len(tf.unstack(X, num=2)) == 2
    with pytest.raises(ValueError):
        tf.unstack(X, num=3)


@honoured("gather", "axis", "batch_dims")
def _gather():
    _eq(tf.gather(X, [2, 0], axis=1), X[:, [2, 0]])
    _eq(tf.gather(X, [2, 0], axis=-1), X[:, [2, 0]])
    _eq(tf.gather(X, [[2], [0]], batch_dims=1), [[4.0], [3.0]])


@honoured("gather", "validate_indices")
def _gather_validate_indices():
    # deprecated in TensorFlow, where it does nothing; indices are always checked
    _eq(tf.gather(X, [1], validate_indices=False), X[[1]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(X, [5], validate_indices=False)


@honoured("one_hot", "on_value", "off_value", "dtype")
def _one_hot_values():
    out = tf.one_hot([0, 2], 3, on_value=5.0, off_value=-1.0)
    _eq(out, [[5, -1, -1], [-1, -1, 5]])
    assert out.dtype == tf.float32
    assert tf.one_hot([1], 2).dtype == tf.float32
    assert tf.one_hot([1], 2, on_value=3, off_value=0).dtype == tf.int32  # from the values
    assert tf.one_hot([1], 2, dtype=tf.float64).dtype == tf.float64
    with pytest.raises(TypeError):
        tf.one_hot([1], 2, on_value=1, off_value=0.5)


@honoured("one_hot", "axis")
def _one_hot_axis():
    _eq(tf.one_hot([0, 2], 3, axis=0), [[1, 0], [0, 0], [0, 1]])
    _eq(tf.one_hot([0, 2], 3, axis=-1), [[1, 0, 0], [0, 0, 1]])


refused("nn.embedding_lookup", "max_norm",
        lambda: tf.nn.embedding_lookup(tf.constant(X), [0], max_norm=1.0))


@honoured("where", "x", "y")
def _where_xy():
    cond = np.array([True, False, True])
    _eq(tf.where(cond, [1.0, 2.0, 3.0], [9.0, 8.0, 7.0]), [1.0, 8.0, 3.0])
    assert tf.where(cond).numpy().tolist() == [[0], [2]]  # neither: the indices


@honoured("range", "limit", "delta", "dtype")
def _range():
    assert tf.range(4).numpy().tolist() == [0, 1, 2, 3]
    assert tf.range(2, 11, 3).numpy().tolist() == [2, 5, 8]
    assert tf.range(3, limit=5).numpy().tolist() == [3, 4]
    assert tf.range(4, dtype=tf.float32).dtype == tf.float32
    assert tf.range(4).dtype == tf.int32
    assert tf.range(0.0, 1.0, 0.25).dtype == tf.float32


@honoured("linspace", "axis")
def _linspace_axis():
    _eq(tf.linspace(0.0, 1.0, 5), [0.0, 0.25, 0.5, 0.75, 1.0])
    _eq(tf.linspace([0.0, 10.0], [1.0, 20.0], 3), [[0.0, 10.0], [0.5, 15.0], [1.0, 20.0]])
    _eq(tf.linspace([0.0, 10.0], [1.0, 20.0], 3, axis=1),
        [[0.0, 0.5, 1.0], [10.0, 15.0, 20.0]])
    _eq(tf.linspace([0.0, 10.0], [1.0, 20.0], 3, axis=-1),
        np.linspace([0.0, 10.0], [1.0, 20.0], 3, axis=-1))


@honoured("eye", "num_columns", "batch_shape", "dtype")
def _eye():
    _eq(tf.eye(2, 3), np.eye(2, 3))
    batch = tf.eye(2, batch_shape=[4])
    assert batch.shape == (4, 2, 2)
    _eq(batch[3], np.eye(2))
    assert tf.eye(2, dtype=tf.int32).dtype == tf.int32


def _dtype_check(key, make):
    @honoured(key, "dtype")
    def dtype():
        assert make(None).dtype == (tf.float32 if key in ("zeros", "ones") else tf.int32)
        assert make(tf.float64).dtype == tf.float64


_dtype_check("zeros", lambda d: tf.zeros([2]) if d is None else tf.zeros([2], dtype=d))
_dtype_check("ones", lambda d: tf.ones([2]) if d is None else tf.ones([2], dtype=d))
_dtype_check("zeros_like",
             lambda d: tf.zeros_like([1, 2]) if d is None else tf.zeros_like([1, 2], dtype=d))
_dtype_check("ones_like",
             lambda d: tf.ones_like([1, 2]) if d is None else tf.ones_like([1, 2], dtype=d))


def _out_type_check(key):
    @honoured(key, "out_type")
    def out_type():
        fn = getattr(tf, key)
        assert fn(X).dtype == tf.int32
        assert fn(X, out_type=tf.int64).dtype == tf.int64


_out_type_check("shape")
_out_type_check("size")


@honoured("print", "sep", "end", "output_stream")
def _print_format():
    out = io.StringIO()
    tf.print(tf.constant(2.5), "a", sep="|", end="!\n", output_stream=out)
    assert out.getvalue() == "2.5|a!\n"


@honoured("print", "output_stream")
def _print_to_a_file():
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "log.txt"
        tf.print("first", output_stream=f"file://{path}")
        tf.print("second", output_stream=f"file://{path}")
        assert path.read_text() == "first\nsecond\n"
    seen = []
    tf.print("via a logging function", output_stream=seen.append)
    assert seen == ["via a logging function"]


refused("print", "output_stream", lambda: tf.print("x", output_stream=20))


@honoured("print", "summarize")
def _print_summarize():
    out = io.StringIO()
    tf.print(tf.range(10), summarize=2, output_stream=out)
    assert out.getvalue() == "[0 1 ... 8 9]\n"
    out = io.StringIO()
    tf.print(tf.range(4), summarize=2, output_stream=out)  # no more than 2 x 2: whole
    assert out.getvalue() == "[0 1 2 3]\n"
    out = io.StringIO()
    tf.print(tf.reshape(tf.range(12), (3, 4)), summarize=1, output_stream=out)
    assert out.getvalue().replace(" ", "") == "[[0...3]\n...\n[8...11]]\n"
    out = io.StringIO()
    tf.print(tf.range(2000), summarize=-1, output_stream=out)  # -1: everything
    assert "..." not in out.getvalue() and "1999" in out.getvalue()


@honoured("print", "kwargs")
def _print_kwargs():
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        tf.print("x", bogus=1)


def _random_checks(key, call, low=None, high=None):
    @honoured(key, "dtype", "seed")
    def dtype_seed():
        assert call((3,)).dtype == tf.float32
        assert call((3,), dtype=tf.float64).dtype == tf.float64
        tf.random.set_seed(7)
        first = call((5,), seed=3).numpy()
        tf.random.set_seed(7)
        again = call((5,), seed=3).numpy()
        np.testing.assert_array_equal(first, again)  # reproducible, as in TensorFlow
        tf.random.set_seed(7)
        other = call((5,), seed=4).numpy()
        assert not np.array_equal(first, other)


_random_checks("random.normal", tf.random.normal)
_random_checks("random.truncated_normal", tf.random.truncated_normal)
_random_checks("random.uniform", tf.random.uniform)


def _moment_checks(key, call, bound):
    @honoured(key, "mean", "stddev")
    def moments():
        x = call((20000,), mean=5.0, stddev=0.5, seed=1).numpy()
        assert abs(x.mean() - 5.0) < 0.02
        assert abs(x.std() - 0.5 * bound) < 0.02
        if key == "random.truncated_normal":
            assert np.all(np.abs(x - 5.0) <= 2 * 0.5)


_moment_checks("random.normal", tf.random.normal, 1.0)
_moment_checks("random.truncated_normal", tf.random.truncated_normal, 0.8796)


@honoured("random.uniform", "minval", "maxval")
def _uniform_bounds():
    x = tf.random.uniform((1000,), minval=2.0, maxval=3.0, seed=1).numpy()
    assert x.min() >= 2.0 and x.max() < 3.0
    x = tf.random.uniform((1000,)).numpy()
    assert x.min() >= 0.0 and x.max() < 1.0  # maxval defaults to 1 for floats
    k = tf.random.uniform((1000,), minval=-2, maxval=3, dtype=tf.int32).numpy()
    assert set(k.tolist()) == {-2, -1, 0, 1, 2}
    with pytest.raises(ValueError):
        tf.random.uniform((3,), dtype=tf.int32)  # an integer range needs maxval


@honoured("random.shuffle", "seed")
def _shuffle_seed():
    tf.random.set_seed(2)
    a = tf.random.shuffle(tf.range(20), seed=5).numpy()
    tf.random.set_seed(2)
    b = tf.random.shuffle(tf.range(20), seed=5).numpy()
    np.testing.assert_array_equal(a, b)
    assert sorted(a.tolist()) == list(range(20))


@honoured("constant", "dtype", "shape")
def _constant():
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(1, dtype=tf.float64).dtype == tf.float64
    _eq(tf.constant([1.0, 2.0, 3.0, 4.0], shape=(2, 2)), [[1.0, 2.0], [3.0, 4.0]])
    _eq(tf.constant(7.0, shape=(2, 3)), np.full((2, 3), 7.0))


@honoured("constant", "shape")
def _constant_shape_mismatch():
    with pytest.raises(TypeError):
        tf.constant([1.0, 2.0], shape=(2, 2))


@honoured("convert_to_tensor", "dtype", "dtype_hint")
def _convert_to_tensor():
    assert tf.convert_to_tensor(1).dtype == tf.int32
    assert tf.convert_to_tensor(1, dtype=tf.float64).dtype == tf.float64
    assert tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype == tf.float32
    # a hint is only a hint: a value that cannot take it keeps its own dtype
    assert tf.convert_to_tensor(1.5, dtype_hint=tf.int32).dtype == tf.float32
    with pytest.raises(ValueError):
        tf.convert_to_tensor(tf.constant(1.0), dtype=tf.float64)


@honoured("custom_gradient", "f")
def _custom_gradient_without_f():
    @tf.custom_gradient()  # called with no function: a decorator, as in TensorFlow
    def clipped(x):
        return x * 1.0, lambda dy: dy * 0.5

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clipped(x)
    assert float(tape.gradient(y, x)) == 0.5


# ----- GradientTape ------------------------------------------------------------------


@honoured("GradientTape.__init__", "persistent")
def _tape_persistent():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
    assert float(tape.gradient(y, x)) == float(tape.gradient(y, x)) == 6.0
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError):
        tape.gradient(y, x)


@honoured("GradientTape.__init__", "watch_accessed_variables")
def _tape_auto_watch():
    x = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = x * x
    assert tape.gradient(y, x) is None


@honoured("GradientTape.__init__", "check_numerics")
def _tape_check_numerics():
    x = tf.Variable(0.0)
    with tf.GradientTape(check_numerics=True) as tape:
        y = tf.sqrt(x)
    with pytest.raises(NonFiniteGradientError):
        tape.gradient(y, x)


@honoured("GradientTape.gradient", "output_gradients")
def _tape_output_gradients():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = x * x
    _eq(tape.gradient(y, x, output_gradients=tf.constant([1.0, 0.0, 10.0])), [2.0, 0.0, 60.0])


def _unconnected_check(key):
    @honoured(key, "unconnected_gradients")
    def unconnected():
        x = tf.Variable([[1.0, 2.0]])
        z = tf.Variable([[3.0, 4.0]])
        with tf.GradientTape(persistent=True) as tape:
            y = z * 2.0
        method = getattr(tape, key.split(".")[1])
        if key == "GradientTape.batch_jacobian":  # zeros either way, as in TensorFlow
            assert method(y, x).numpy().tolist() == [[[0.0, 0.0], [0.0, 0.0]]]
            assert method(y, x, unconnected_gradients="zero").shape == (1, 2, 2)
        else:
            assert method(y, x) is None
            zeros = method(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            assert not np.any(zeros.numpy())
        with pytest.raises(ValueError, match="unconnected_gradients"):
            method(y, x, unconnected_gradients="nonsense")


for _key in ("GradientTape.gradient", "GradientTape.jacobian", "GradientTape.batch_jacobian"):
    _unconnected_check(_key)


def _jacobian_option_checks(key):
    @honoured(key, "parallel_iterations", "experimental_use_pfor")
    def options():
        x = tf.Variable([[1.0, 2.0]])
        with tf.GradientTape(persistent=True) as tape:
            y = x * x
        method = getattr(tape, key.split(".")[1])
        expected = method(y, x).numpy()
        # how TensorFlow vectorises the loop, not what it computes
        _eq(method(y, x, parallel_iterations=2), expected)
        _eq(method(y, x, experimental_use_pfor=False), expected)
        with tf.GradientTape() as plain:
            y = x * x
        with pytest.raises(RuntimeError, match="persistent"):
            getattr(plain, key.split(".")[1])(y, x, experimental_use_pfor=False)


_jacobian_option_checks("GradientTape.jacobian")
_jacobian_option_checks("GradientTape.batch_jacobian")


# ----- Variable ----------------------------------------------------------------------


@honoured("Variable.__init__", "initial_value", "trainable", "dtype")
def _variable_basics():
    with pytest.raises(ValueError):
        tf.Variable()
    assert float(tf.Variable(lambda: 2.0)) == 2.0  # a callable initial value
    assert tf.Variable(1.0, trainable=False).trainable is False
    assert tf.Variable(1, dtype=tf.float64).dtype == tf.float64


@honoured("Variable.__init__", "shape")
def _variable_shape():
    v = tf.Variable([1.0], shape=tf.TensorShape(None))
    v.assign([1.0, 2.0, 3.0])  # an unknown shape lets the value change shape
    assert v.shape == (3,)
    with pytest.raises(ValueError):
        tf.Variable([1.0, 2.0], shape=(3,))


@honoured("Variable.__init__", "validate_shape")
def _variable_validate_shape():
    v = tf.Variable([1.0], validate_shape=False)  # the shape may change on assign
    v.assign([1.0, 2.0])
    assert v.shape == (2,)
    with pytest.raises(ValueError):
        tf.Variable([1.0]).assign([1.0, 2.0])


@honoured("Variable.__init__", "constraint")
def _variable_constraint():
    clip = lambda t: tf.clip_by_value(t, 0.0, 1.0)  # noqa: E731
    assert tf.Variable(2.0, constraint=clip).constraint is clip  # optimizers apply it
    assert tf.Variable(2.0).constraint is None
    with pytest.raises(ValueError):
        tf.Variable(2.0, constraint="not callable")


@honoured("Variable.__init__", "experimental_enable_variable_lifting")
def _variable_lifting():  # only matters inside tf.function graphs
    assert float(tf.Variable(2.0, experimental_enable_variable_lifting=False)) == 2.0


for _p, _v in (("caching_device", "/cpu:0"), ("variable_def", object()),
               ("import_scope", "scope"), ("synchronization", "ON_READ"),
               ("aggregation", "SUM")):
    refused("Variable.__init__", _p, lambda _p=_p, _v=_v: tf.Variable(1.0, **{_p: _v}))


def _assign_checks(key, method, value, expected):
    @honoured(key, "read_value")
    def read_value():
        v = tf.Variable(1.0)
        assert getattr(v, method)(value) is v
        assert getattr(v, method)(value, read_value=False) is None
        assert float(v) == expected

    @honoured(key, "use_locking")
    def use_locking():
        v = tf.Variable(1.0)
        getattr(v, method)(value, use_locking=True)  # a concurrency hint in TensorFlow
        assert float(v) == {"assign": 5.0, "assign_add": 6.0, "assign_sub": -4.0}[method]


_assign_checks("Variable.assign", "assign", 5.0, 5.0)
_assign_checks("Variable.assign_add", "assign_add", 5.0, 11.0)
_assign_checks("Variable.assign_sub", "assign_sub", 5.0, -9.0)


# ----- issue 10 -----------------------------------------------------------------------------
V = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])


@honoured("cond", "true_fn", "false_fn")
def _cond_options():
    assert tf.cond(True, true_fn=lambda: 1, false_fn=lambda: 2) == 1
    assert tf.cond(tf.constant(False), lambda: 1, false_fn=lambda: 2) == 2
    with pytest.raises(TypeError, match="true_fn"):
        tf.cond(True, false_fn=lambda: 2)


@honoured("while_loop", "maximum_iterations", "shape_invariants", "parallel_iterations",
          "back_prop", "swap_memory")
def _while_loop_options():
    def loop(**kw):
        return tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 2.0), (0, 1.0), **kw)

    assert [float(t) for t in loop()] == [5.0, 32.0]
    assert [float(t) for t in loop(maximum_iterations=2)] == [2.0, 4.0]
    # hints eager TensorFlow ignores too: the same result
    same = loop(shape_invariants=(tf.TensorShape([]), tf.TensorShape([])),
                parallel_iterations=1, back_prop=False, swap_memory=True)
    assert [float(t) for t in same] == [5.0, 32.0]
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:  # back_prop=False does not stop an eager gradient
        tape.watch(x)
        (y,) = tf.while_loop(lambda a: a < 20.0, lambda a: (a * x,), (x,), back_prop=False)
    assert float(tape.gradient(y, x)) == 27.0


@honoured("map_fn", "dtype", "fn_output_signature", "back_prop", "parallel_iterations",
          "swap_memory", "infer_shape")
def _map_fn_options():
    x = tf.constant([[1.5, 2.0], [3.0, -1.0]])
    to_int = lambda r: tf.cast(r, tf.int32)  # noqa: E731
    assert tf.map_fn(to_int, x, dtype=tf.int32).dtype == tf.int32
    assert tf.map_fn(to_int, x, fn_output_signature=tf.int32).numpy().tolist() == [[1, 2],
                                                                                  [3, -1]]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        kept = tf.map_fn(lambda r: r * r, x)
        cut = tf.map_fn(lambda r: r * r, x, back_prop=False)
    _eq(tape.gradient(kept, x), 2 * x.numpy())
    assert tape.gradient(cut, x) is None
    same = tf.map_fn(lambda r: r * r, x, parallel_iterations=1, swap_memory=True,
                     infer_shape=False)
    _eq(same, x.numpy() ** 2)


@honoured("vectorized_map", "fallback_to_while_loop", "warn")
def _vectorized_map_options():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    _eq(tf.vectorized_map(lambda r: r * 2.0, x, fallback_to_while_loop=False, warn=False),
        x.numpy() * 2)


@honoured("math.top_k", "k", "sorted", "index_type")
def _top_k_options():
    r = tf.math.top_k([1.0, 5.0, 3.0])
    assert r.values.numpy().tolist() == [5.0] and r.indices.numpy().tolist() == [1]
    assert tf.math.top_k([1.0, 5.0, 3.0], k=2).indices.numpy().tolist() == [1, 2]
    assert tf.math.top_k([1.0, 5.0, 3.0], k=2, sorted=False).indices.numpy().tolist() == [1, 2]
    assert tf.math.top_k([4.0, 1.0, 5.0], k=2, sorted=False).values.numpy().tolist() == [4.0,
                                                                                         5.0]
    assert tf.math.top_k([1.0, 5.0], index_type=tf.int64).indices.dtype == tf.int64


@honoured("sort", "axis", "direction")
@honoured("argsort", "axis", "direction")
def _sort_options():
    _eq(tf.sort(V), np.sort(V, axis=-1))
    _eq(tf.sort(V, axis=0), np.sort(V, axis=0))
    _eq(tf.sort(V, direction="DESCENDING"), -np.sort(-V, axis=-1))
    assert tf.argsort(V).numpy().tolist() == np.argsort(V, axis=-1).tolist()
    assert tf.argsort(V, axis=0, direction="DESCENDING").numpy().tolist() == [[0, 1, 1],
                                                                              [1, 0, 0]]
    with pytest.raises(ValueError, match="direction"):
        tf.sort(V, direction="up")


@honoured("argsort", "stable")
def _argsort_stable():
    ties = [2.0, 1.0, 2.0, 1.0]
    assert tf.argsort(ties, stable=True).numpy().tolist() == [1, 3, 0, 2]
    assert tf.argsort(ties, direction="DESCENDING", stable=True).numpy().tolist() == [0, 2, 1, 3]


@honoured("meshgrid", "kwargs")
def _meshgrid_indexing():
    x, y = [1.0, 2.0, 3.0], [4.0, 5.0]
    gx, gy = tf.meshgrid(x, y)
    _eq(gx, np.meshgrid(x, y)[0])
    _eq(gy, np.meshgrid(x, y)[1])
    gx, gy = tf.meshgrid(x, y, indexing="ij")
    _eq(gx, np.meshgrid(x, y, indexing="ij")[0])
    with pytest.raises(TypeError, match="bogus"):
        tf.meshgrid(x, y, bogus=1)


@honoured("split", "axis", "num")
def _split_options():
    parts = tf.split(V, 3, axis=1)
    assert [p.shape for p in parts] == [(2, 1)] * 3
    _eq(parts[1], V[:, 1:2])
    parts = tf.split(V, [1, 2], axis=-1, num=2)
    _eq(parts[1], V[:, 1:])
    with pytest.raises(ValueError):
        tf.split(V, [1, 2], axis=1, num=3)


@honoured("pad", "mode", "constant_values")
def _pad_options():
    v = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    p = [[1, 1], [2, 2]]
    _eq(tf.pad(v, p), np.pad(v, p))
    _eq(tf.pad(v, p, constant_values=7.0), np.pad(v, p, constant_values=7.0))
    _eq(tf.pad(v, p, mode="REFLECT"), np.pad(v, p, mode="reflect"))
    _eq(tf.pad(v, p, mode="symmetric"), np.pad(v, p, mode="symmetric"))


@honoured("cumsum", "axis", "exclusive", "reverse")
def _cumsum_options():
    _eq(tf.cumsum(V), np.cumsum(V, axis=0))
    _eq(tf.cumsum(V, axis=1), np.cumsum(V, axis=1))
    _eq(tf.cumsum([1.0, 2.0, 3.0], exclusive=True), [0.0, 1.0, 3.0])
    _eq(tf.cumsum([1.0, 2.0, 3.0], reverse=True), [6.0, 5.0, 3.0])
    _eq(tf.cumsum([1.0, 2.0, 3.0], exclusive=True, reverse=True), [5.0, 3.0, 0.0])


@honoured("gather_nd", "batch_dims")
def _gather_nd_default():
    _eq(tf.gather_nd(V, [[1, 2], [0, 0]]), [4.0, 3.0])
    _eq(tf.gather_nd(V, [[1]]), [[0.0, 5.0, 4.0]])


refused("gather_nd", "batch_dims", lambda: tf.gather_nd(V, [[1], [0]], batch_dims=1))


@honoured("boolean_mask", "axis")
def _boolean_mask_axis():
    _eq(tf.boolean_mask(V, V > 2), [3.0, 5.0, 4.0])
    _eq(tf.boolean_mask(V, [True, False, True], axis=1), V[:, [0, 2]])
    _eq(tf.boolean_mask(V, [False, True]), V[[1]])


@honoured("linalg.matvec", "transpose_a", "adjoint_a", "a_is_sparse", "b_is_sparse")
def _matvec_options():
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([1.0, -1.0])
    _eq(tf.linalg.matvec(m, b), m @ b)
    _eq(tf.linalg.matvec(m, b, transpose_a=True), m.T @ b)
    _eq(tf.linalg.matvec(m, b, adjoint_a=True), m.T @ b)
    _eq(tf.linalg.matvec(m, b, a_is_sparse=True, b_is_sparse=True), m @ b)


@honoured("linalg.inv", "adjoint")
def _inv_adjoint():
    m = np.array([[2.0, 1.0], [0.5, 3.0]])
    _eq(tf.linalg.inv(m), np.linalg.inv(m))
    _eq(tf.linalg.inv(m, adjoint=True), np.linalg.inv(m.T))


refused("linalg.inv", "adjoint",
        lambda: tf.linalg.inv(tf.constant([[1 + 1j, 0], [0, 1 + 0j]]), adjoint=True))


@honoured("linalg.diag_part", "k", "padding_value", "align")
def _diag_part_options():
    # k=0 (or the band (0, 0)) is the main diagonal; padding_value and align only place
    # the shorter diagonals of a band, so with k=0 they change nothing (as in TensorFlow)
    _eq(tf.linalg.diag_part(V), [3.0, 5.0])
    _eq(tf.linalg.diag_part(V, k=(0, 0)), [3.0, 5.0])
    _eq(tf.linalg.diag_part(V, padding_value=9.0, align="LEFT_RIGHT"), [3.0, 5.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="align"):
        tf.linalg.diag_part(V, align="CENTER")


refused("linalg.diag_part", "k", lambda: tf.linalg.diag_part(V, k=1))
refused("linalg.diag_part", "k", lambda: tf.linalg.diag_part(V, k=(-1, 0)))


@honoured("linalg.l2_normalize", "axis", "epsilon", "dim")
def _l2_normalize_options():
    v = np.array([[3.0, 0.0], [4.0, 1.0]])
    for fn in (tf.nn.l2_normalize, tf.math.l2_normalize, tf.linalg.l2_normalize):
        _eq(fn(v), v / np.sqrt(26.0))
        _eq(fn(v, axis=0), v / np.array([5.0, 1.0]))
        _eq(fn(v, dim=1), v / np.array([[3.0], [np.sqrt(17.0)]]))
        _eq(fn(v, axis=0, epsilon=100.0), v / 10.0)
        with pytest.raises(ValueError, match="dim"):
            fn(v, axis=0, dim=0)


@honoured("clip_by_global_norm", "use_norm")
def _clip_global():
    a, b = np.array([3.0, 0.0]), np.array([[4.0]])
    clipped, norm = tf.clip_by_global_norm([a, None, b], 1.0)
    _eq(norm, 5.0)
    assert clipped[1] is None
    _eq(clipped[0], a / 5)
    _eq(clipped[2], b / 5)
    clipped, norm = tf.clip_by_global_norm([a, b], 1.0, use_norm=10.0)
    _eq(norm, 10.0)
    _eq(clipped[0], a / 10)
    clipped, _ = tf.clip_by_global_norm([a, b], 20.0)
    _eq(clipped[0], a)


@honoured("nn.dropout", "noise_shape", "seed")
def _dropout_options():
    x = tf.ones((50, 40))
    y = tf.nn.dropout(x, 0.25, seed=3).numpy()
    assert set(np.unique(y).tolist()) == {0.0, float(np.float32(1 / 0.75))}
    assert 0.15 < (y == 0).mean() < 0.35
    rows = tf.nn.dropout(x, 0.5, noise_shape=[50, 1], seed=1).numpy()
    assert all(len(set(r.tolist())) == 1 for r in rows)  # one decision per row
    tf.random.set_seed(4)
    first, second = tf.nn.dropout(x, 0.5, seed=2), tf.nn.dropout(x, 0.5, seed=2)
    assert not np.array_equal(first.numpy(), second.numpy())  # a new mask each call
    tf.random.set_seed(4)
    np.testing.assert_array_equal(tf.nn.dropout(x, 0.5, seed=2).numpy(), first.numpy())


@honoured("nn.moments", "shift", "keepdims")
def _moments_options():
    mean, var = tf.nn.moments(V, axes=[0])
    _eq(mean, V.mean(0))
    _eq(var, V.var(0))
    mean, var = tf.nn.moments(V, axes=[0, 1], keepdims=True, shift=100.0)  # shift: unused
    assert mean.shape == (1, 1)
    _eq(var, V.var(keepdims=True))


@honoured("random.categorical", "dtype", "seed")
def _categorical_options():
    logits = np.log([[0.1, 0.9], [1.0, 1e-12]])
    s = tf.random.categorical(logits, 2000, seed=1)
    assert s.dtype == tf.int64 and s.shape == (2, 2000)
    assert 0.85 < s.numpy()[0].mean() < 0.95 and s.numpy()[1].max() == 0
    assert tf.random.categorical(logits, 3, dtype=tf.int32).dtype == tf.int32
    tf.random.set_seed(9)
    a = tf.random.categorical(logits, 50, seed=5).numpy()
    tf.random.set_seed(9)
    np.testing.assert_array_equal(tf.random.categorical(logits, 50, seed=5).numpy(), a)


@honoured("function", "func", "input_signature")
def _function_signature():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def double(x):
        return 2 * x

    _eq(double(tf.constant([1.0, 2.0])), [2.0, 4.0])
    with pytest.raises(TypeError, match="input_signature"):
        double(tf.constant([[1.0]]))
    assert tf.function(lambda x: x + 1)(1.0) == 2.0


@honoured("function", "autograph", "jit_compile", "reduce_retracing",
          "experimental_implements", "experimental_autograph_options",
          "experimental_attributes", "experimental_relax_shapes", "experimental_compile",
          "experimental_follow_type_hints")
def _function_graph_options():
    # graph-building and compilation options: TensorFlow computes the same values with
    # them, and adkernel builds no graph, so they do not change the result either
    calls = []

    def f(x):
        calls.append(1)
        return x * x

    for opts in ({"autograph": False}, {"jit_compile": True}, {"reduce_retracing": True},
                 {"experimental_implements": "name"}, {"experimental_autograph_options": ()},
                 {"experimental_attributes": {}}, {"experimental_relax_shapes": True},
                 {"experimental_compile": True}, {"experimental_follow_type_hints": True}):
        _eq(tf.function(f, **opts)(3.0), 9.0)
    assert len(calls) == 9  # the body ran on each call (no tracing, no graph)


def _debug_message_checks(key, bad_call, good_call):
    @honoured(key, "message")
    def message():
        good_call()
        with pytest.raises(tf.errors.InvalidArgumentError, match="my note"):
            bad_call(message="my note")


def _debug_summarize_checks(key, bad_call):
    @honoured(key, "summarize")
    def summarize():
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            bad_call(summarize=1)
        assert "x = [-1.0]" in str(info.value)
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            bad_call(summarize=-1)
        assert "-1.0, -2.0, -3.0, -4.0" in str(info.value)


_NEG = [-1.0, -2.0, -3.0, -4.0]
_DEBUG_BINARY = {"assert_equal": (_NEG, [0.0] * 4), "assert_less": (_NEG, [-9.0] * 4),
                 "assert_less_equal": (_NEG, [-9.0] * 4),
                 "assert_greater": (_NEG, [9.0] * 4), "assert_greater_equal": (_NEG, [9.0] * 4),
                 "assert_near": (_NEG, [0.0] * 4)}
_DEBUG_UNARY = {"assert_positive": _NEG, "assert_non_negative": _NEG,
                "assert_negative": [-x for x in _NEG], "assert_non_positive": [-x for x in _NEG]}
for _k, (_x, _y) in _DEBUG_BINARY.items():
    _f = getattr(tf.debugging, _k)
    _bad = (lambda f, x, y: lambda **kw: f(x, y, **kw))(_f, _x, _y)
    if _k in ("assert_equal", "assert_near"):
        _good = (lambda f, x: lambda: f(x, x))(_f, _x)
    else:  # the pair the other way round holds
        _good = (lambda f, x, y: lambda: f(y, x))(_f, _x, _y)
    _debug_message_checks("debugging." + _k, _bad, _good)
    _debug_summarize_checks("debugging." + _k, _bad)
for _k, _x in _DEBUG_UNARY.items():
    _f = getattr(tf.debugging, _k)
    _bad = (lambda f, x: lambda **kw: f(x, **kw))(_f, _x)
    _debug_message_checks("debugging." + _k, _bad,
                          (lambda f, x: lambda: f([-v for v in x]))(_f, _x))
    if _x is _NEG:
        _debug_summarize_checks("debugging." + _k, _bad)


@honoured("debugging.assert_negative", "summarize")
@honoured("debugging.assert_non_positive", "summarize")
def _debug_summarize_positive_values():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.debugging.assert_negative([1.0, 2.0, 3.0, 4.0], summarize=2)
    assert "x = [1.0, 2.0]" in str(info.value)


@honoured("debugging.assert_near", "rtol", "atol")
def _assert_near_tolerances():
    tf.debugging.assert_near(1.0, 1.0 + 1e-6)  # 10 * float32 epsilon is about 1.2e-6
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.assert_near(1.0, 1.0 + 1e-5)
    tf.debugging.assert_near(1.0, 1.1, atol=0.2)
    tf.debugging.assert_near(100.0, 101.0, rtol=0.02)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.assert_near(100.0, 101.0, rtol=0.001)


@honoured("debugging.assert_rank", "message")
def _assert_rank_message():
    tf.debugging.assert_rank(V, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="my note"):
        tf.debugging.assert_rank(V, 1, message="my note")


@honoured("debugging.assert_shapes", "message", "summarize")
def _assert_shapes_options():
    a, b = tf.zeros((2, 3)), tf.zeros((3, 4))
    tf.debugging.assert_shapes([(a, ("N", "K")), (b, ("K", 4))])
    tf.debugging.assert_shapes([(a, (2, ".")), (b, ("...", 4))], summarize=3)
    with pytest.raises(ValueError, match="my note"):  # ValueError, as TensorFlow's
        tf.debugging.assert_shapes([(a, ("N", "K")), (b, ("N", 4))], message="my note")
    with pytest.raises(ValueError):
        tf.debugging.assert_shapes([(a, (2, 3, 1))])


refused("debugging.assert_shapes", "data",
        lambda: tf.debugging.assert_shapes([(tf.zeros(2), (3,))], data=["x"]))


# =========================================================================================
# The tests
# =========================================================================================


def _optional(fn) -> list[str]:
    """The parameters that need a row in OPTIONS: those with a default, and **kwargs."""
    return [p.name for p in _params(fn)
            if p.name != "name" and (p.default is not p.empty or p.kind is p.VAR_KEYWORD)]


def test_every_public_callable_has_a_signature_row():
    """One row per public function; rows come from the op blocks for standard ``call=``s."""
    problems = []
    for _fn, names in _by_function().values():
        keys = _table_keys(names)
        if not keys:
            problems.append(
                f"tf.{names[0]} has no row: add {names[0]!r}: \"<TensorFlow's parameter "
                f"list, e.g. x, name>\" to TF_SIGNATURES in tests/test_tf_signatures.py "
                f"(None if TensorFlow has no such function), and honoured/refused rows "
                f"for its optional parameters")
        elif len(keys) > 1:
            problems.append(f"tf.{names[0]} has rows under several names {keys}: keep one")
    assert not problems, "\n".join(problems)


def test_every_public_callable_is_audited():
    missing = []
    stale = []
    for key in AUDITED:
        fn = _FUNCTION[key]
        wanted = set(_optional(fn))
        have = set(OPTIONS.get(key, {}))
        missing += [f"{key}({p}=...)" for p in sorted(wanted - have)]
        stale += [f"{key}({p}=...)" for p in sorted(have - wanted)]
    assert not missing, f"parameters with no honoured/refused row: {missing}"
    assert not stale, f"rows for parameters that do not exist: {stale}"
    assert not set(OPTIONS) - set(AUDITED), sorted(set(OPTIONS) - set(AUDITED))


def test_every_row_names_a_public_function():
    unknown = sorted(set(TF_SIGNATURES) - set(AUDITED))
    assert not unknown, f"TF_SIGNATURES rows for functions adkernel does not have: {unknown}"


_NAME_BUGS: dict = {}  # parameters whose names or positions differ from TensorFlow's


@pytest.mark.parametrize(
    "key",
    [pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=_NAME_BUGS[k]))
     if k in _NAME_BUGS else k for k in AUDITED if TF_SIGNATURES[k] is not None],
)
def test_parameter_names_and_positions_match_tensorflow(key):
    ours = [_label(p) for p in _params(_FUNCTION[key])]
    theirs = _tf_params(key)
    extras = ADKERNEL_EXTRAS.get(key, set())
    unknown = [p for p in ours if p not in theirs and p not in extras]
    assert not unknown, f"{key}: parameters TensorFlow does not have: {unknown} (TF: {theirs})"
    positional = [_label(p) for p in _params(_FUNCTION[key])
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.name not in extras]
    assert positional == theirs[: len(positional)], (
        f"{key}: positional parameters {positional}, TensorFlow {theirs[:len(positional)]}")


_ROWS = [(key, param, i) for key in sorted(OPTIONS) for param in sorted(OPTIONS[key])
         for i in range(len(OPTIONS[key][param]))]


def _row_param(key, param, i):
    kind, check = OPTIONS[key][param][i]
    marks = getattr(check, "pytestmark", [])
    return pytest.param(key, param, i, marks=marks, id=f"{key}-{param}-{kind}{i or ''}")


@pytest.mark.parametrize(
    ("key", "param", "i"),
    [_row_param(*r) for r in _ROWS],
)
def test_option(key, param, i):
    kind, check = OPTIONS[key][param][i]
    if kind == "honoured":
        check()
    else:
        with pytest.raises(NotImplementedError, match=param):
            check()


def test_refused_messages_say_what_to_do():
    with pytest.raises(NotImplementedError) as info:
        tf.matmul(A, B, output_type=tf.float64)
    msg = str(info.value)
    assert "tf.matmul" in msg and "'output_type'" in msg and "not supported" in msg


def test_tf_namespace_exposes_no_registry_helpers():
    # the registry's helpers are not TensorFlow names
    for helper in ("composite", "exports", "refuse"):
        assert not hasattr(tf, helper), helper
