"""One row per registered primitive: how to call it, its numpy reference, its inputs.

``tests/test_ops.py`` runs every row: forward against numpy, first- and second-order
gradients against central differences (float64, nested tapes), a broadcasting shape
pair, and the gradient dtype in float32. ``test_registry_complete`` fails when an op
in the registry has no row here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from adkernel import tf
from adkernel.engine import ops


@dataclass
class Case:
    op: str  # name in REGISTRY
    fn: Callable  # adkernel call on tensors
    ref: Callable  # numpy reference on arrays
    shapes: tuple  # one shape per input
    domains: tuple = ((-2.0, 2.0),)  # (low, high) per input (the last one repeats)
    bshapes: tuple | None = None  # a broadcasting pair of shapes, if the op broadcasts
    differentiable: bool = True
    # Every row's second order is checked (test_ops.py); no row turns it off. TensorFlow
    # differentiates every op here twice. Where its second derivative is None, adkernel's is
    # too (the frozen "second_order_pattern" row of tests/tf_reference_cases.py checks the
    # None-ness op by op): the gradient does not depend on that input, because the op is
    # linear in it (add, sub, neg, identity, cast, reshape, transpose, concat, stack, pad,
    # tile, cumsum, gather, getitem, reduce_sum / reduce_mean, mul and matmul in their own
    # operand), or piecewise constant in it (sign; maximum, minimum, clip_by_value, where,
    # reduce_max / reduce_min and floormod route the gradient by a comparison). relu and
    # leaky_relu are the exceptions TensorFlow makes: their second derivative is zeros.
    order2: bool = True
    wrt: tuple | None = None  # which inputs are differentiated (default: all)
    make: Callable | None = None  # custom input maker: rng, dtype -> list of arrays
    eps: float = 1e-6
    rtol: float = 1e-5
    tags: dict = field(default_factory=dict)

    def inputs(self, rng, dtype=np.float64, shapes=None):
        if self.make is not None and shapes is None:
            return [
                np.asarray(a, dtype=dtype) if np.asarray(a).dtype.kind == "f" else a
                for a in self.make(rng, dtype)
            ]
        shapes = shapes or self.shapes
        out = []
        for i, s in enumerate(shapes):
            lo, hi = self.domains[min(i, len(self.domains) - 1)]
            out.append(rng.uniform(lo, hi, s).astype(dtype))
        return out


def _signed(lo, hi):
    """Inputs with |x| in [lo, hi] and random signs (away from kinks at 0)."""

    def make(rng, dtype, shape=(3, 4)):
        mag = rng.uniform(lo, hi, shape)
        return [(mag * rng.choice([-1.0, 1.0], shape)).astype(dtype)]

    return make


def _no_ties(rng, dtype):
    a = rng.uniform(-2, 2, (3, 4))
    b = a + rng.choice([-1.0, 1.0], (3, 4)) * rng.uniform(0.2, 1.0, (3, 4))
    return [a.astype(dtype), b.astype(dtype)]


def _distinct(rng, dtype, shape=(3, 4)):
    """Values with a clear maximum and minimum everywhere (no ties)."""
    x = rng.permutation(np.prod(shape)).reshape(shape) * 0.37 + rng.uniform(0, 0.1, shape)
    return [x.astype(dtype)]


def _probabilities(rng, dtype):
    labels = rng.uniform(0.1, 1.0, (4, 5))
    labels /= labels.sum(axis=1, keepdims=True)
    return [labels.astype(dtype), rng.uniform(-2, 2, (4, 5)).astype(dtype)]


def _sparse(rng, dtype):
    return [np.array([0, 3, 1, 4]), rng.uniform(-2, 2, (4, 5)).astype(dtype)]


def _where_inputs(rng, dtype):
    return [rng.uniform(-2, 2, (3, 4)).astype(dtype), rng.uniform(-2, 2, (3, 4)).astype(dtype)]


_COND = np.array(
    [[True, False, True, False], [False, False, True, True], [True, True, False, False]]
)
_KEY_FANCY = (np.array([0, 2, 0]), slice(1, None))


def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x, axis=-1):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _np_scatter(g, key, shape):
    z = np.zeros(shape, g.dtype)
    np.add.at(z, key, g)
    return z


CASES = [
    # ----- binary arithmetic (broadcasting) -----
    Case("add", tf.add, np.add, ((3, 4), (3, 4)), bshapes=((3, 4), (4,))),
    Case("sub", tf.subtract, np.subtract, ((3, 4), (3, 4)), bshapes=((2, 3, 4), (3, 1))),
    Case("mul", tf.multiply, np.multiply, ((3, 4), (3, 4)), bshapes=((3, 1), (1, 4))),
    Case(
        "truediv",
        tf.divide,
        np.divide,
        ((3, 4), (3, 4)),
        domains=((-2, 2), (0.5, 2)),
        bshapes=((3, 4), ()),
    ),
    Case(
        "pow",
        tf.pow,
        np.power,
        ((3, 4), (3, 4)),
        domains=((0.5, 2), (-1.5, 2.5)),
        bshapes=((3, 4), (4,)),
    ),
    Case("maximum", tf.maximum, np.maximum, ((3, 4), (3, 4)), make=_no_ties,
         bshapes=((3, 4), (4,))),
    Case("minimum", tf.minimum, np.minimum, ((3, 4), (3, 4)), make=_no_ties,
         bshapes=((3, 1), (1, 4))),
    Case("floormod", tf.math.floormod, np.mod, ((3, 4), (3, 4)), domains=((2.1, 2.9), (1.2, 2.0)),
         bshapes=((3, 4), (4,))),
    Case(
        "squared_difference",
        tf.math.squared_difference,
        lambda a, b: (a - b) ** 2,
        ((3, 4), (3, 4)),
        bshapes=((3, 4), (3, 1)),
    ),
    Case("atan2", tf.math.atan2, np.arctan2, ((3, 4), (3, 4)), domains=((-2, 2), (0.3, 2)),
         bshapes=((3, 4), (4,))),
    Case("divide_no_nan", tf.math.divide_no_nan, np.divide, ((3, 4), (3, 4)),
         domains=((-2, 2), (0.5, 2)), bshapes=((3, 1), (1, 4))),
    Case("xlogy", tf.math.xlogy, lambda x, y: x * np.log(y), ((3, 4), (3, 4)),
         domains=((-2, 2), (0.3, 3)), bshapes=((3, 4), (4,))),
    # ----- unary -----
    Case("neg", tf.negative, np.negative, ((3, 4),)),
    Case("exp", tf.exp, np.exp, ((3, 4),)),
    Case("log", tf.math.log, np.log, ((3, 4),), domains=((0.3, 3),)),
    Case("log1p", tf.math.log1p, np.log1p, ((3, 4),), domains=((-0.5, 2),)),
    Case("expm1", tf.math.expm1, np.expm1, ((3, 4),)),
    Case("sqrt", tf.sqrt, np.sqrt, ((3, 4),), domains=((0.3, 3),)),
    Case("rsqrt", tf.math.rsqrt, lambda x: 1 / np.sqrt(x), ((3, 4),), domains=((0.3, 3),)),
    Case("reciprocal", tf.math.reciprocal, np.reciprocal, ((3, 4),), make=_signed(0.3, 2)),
    Case("square", tf.square, np.square, ((3, 4),)),
    Case("abs", tf.abs, np.abs, ((3, 4),), make=_signed(0.2, 2)),
    Case("sign", tf.sign, np.sign, ((3, 4),), make=_signed(0.2, 2)),
    Case("sin", tf.sin, np.sin, ((3, 4),)),
    Case("cos", tf.cos, np.cos, ((3, 4),)),
    Case("cosh", tf.math.cosh, np.cosh, ((3, 4),)),
    Case("sinh", tf.math.sinh, np.sinh, ((3, 4),)),
    Case("tan", tf.tan, np.tan, ((3, 4),), domains=((-1.2, 1.2),)),
    Case("tanh", tf.tanh, np.tanh, ((3, 4),)),
    Case("sigmoid", tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), ((3, 4),)),
    Case("relu", tf.nn.relu, lambda x: np.maximum(x, 0), ((3, 4),), make=_signed(0.2, 2)),
    # |x| in [0.2, 5.5]: away from both kinks, 0 and 6
    Case("relu6", tf.nn.relu6, lambda x: np.minimum(np.maximum(x, 0), 6), ((3, 4),),
         make=_signed(0.2, 5.5)),
    Case("selu", tf.nn.selu,
         lambda x: np.where(x > 0, 1.0507009873554805 * x, 1.7580993408473766 * np.expm1(x)),
         ((3, 4),), make=_signed(0.2, 2)),
    Case(
        "leaky_relu",
        lambda x: tf.nn.leaky_relu(x, alpha=0.1),
        # TensorFlow keeps alpha as a float32, also for float64 features
        lambda x: np.where(x > 0, x, float(np.float32(0.1)) * x),
        ((3, 4),),
        make=_signed(0.2, 2),
    ),
    Case(
        "elu", tf.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x)), ((3, 4),), make=_signed(0.2, 2)
    ),
    Case("softplus", tf.nn.softplus, lambda x: np.log1p(np.exp(x)), ((3, 4),)),
    Case("silu", lambda x: tf.nn.silu(x, beta=1.5), lambda x: x / (1 + np.exp(-1.5 * x)),
         ((3, 4),)),
    Case("softsign", tf.nn.softsign, lambda x: x / (1 + np.abs(x)), ((3, 4),),
         make=_signed(0.2, 2)),
    Case(
        "clip_by_value",
        lambda x: tf.clip_by_value(x, -0.5, 0.5),
        lambda x: np.clip(x, -0.5, 0.5),
        ((3, 4),),
        make=_signed(0.2, 2),
        bshapes=((2, 3, 4),),  # the scalar bounds broadcast against every element
    ),
    Case(
        "where",
        lambda x, y: tf.where(_COND, x, y),
        lambda x, y: np.where(_COND, x, y),
        ((3, 4), (3, 4)),
        make=_where_inputs,
        bshapes=((3, 4), (4,)),
    ),
    Case("identity", tf.identity, lambda x: x, ((3, 4),)),
    Case(
        "cast",
        lambda x: tf.cast(tf.cast(x, tf.float32) * 3.0, tf.float64),
        lambda x: (x.astype(np.float32) * 3).astype(np.float64),
        ((3, 4),),
        eps=1e-2,
        rtol=1e-4,
    ),
    # ----- reductions -----
    Case("reduce_sum", lambda x: tf.reduce_sum(x, axis=1), lambda x: x.sum(axis=1), ((3, 4),)),
    Case(
        "reduce_mean",
        lambda x: tf.reduce_mean(x, axis=0, keepdims=True),
        lambda x: x.mean(axis=0, keepdims=True),
        ((3, 4),),
    ),
    Case(
        "reduce_max",
        lambda x: tf.reduce_max(x, axis=1),
        lambda x: x.max(axis=1),
        ((3, 4),),
        make=_distinct,
    ),
    Case("reduce_min", lambda x: tf.reduce_min(x), lambda x: x.min(), ((3, 4),), make=_distinct),
    Case(
        "reduce_prod",
        lambda x: tf.reduce_prod(x, axis=(0, 1)),
        lambda x: x.prod(axis=(0, 1)),
        ((2, 3),),
        domains=((0.5, 1.5),),
    ),
    Case(
        "logsumexp",
        lambda x: tf.reduce_logsumexp(x, axis=-1),
        lambda x: np.log(np.exp(x).sum(axis=-1)),
        ((3, 4),),
    ),
    # ----- shapes and indexing -----
    Case("reshape", lambda x: tf.reshape(x, (4, -1)), lambda x: x.reshape(4, -1), ((3, 4),)),
    Case(
        "broadcast_to",
        lambda x: tf.broadcast_to(x, (2, 3, 4)),
        lambda x: np.broadcast_to(x, (2, 3, 4)),
        ((3, 1),),
    ),
    Case(
        "transpose",
        lambda x: tf.transpose(x, (2, 0, 1)),
        lambda x: x.transpose(2, 0, 1),
        ((2, 3, 4),),
    ),
    Case("expand_dims", lambda x: tf.expand_dims(x, 1), lambda x: np.expand_dims(x, 1), ((3, 4),)),
    Case("squeeze", lambda x: tf.squeeze(x, 1), lambda x: x.squeeze(1), ((3, 1, 4),)),
    Case(
        "concat",
        lambda x, y: tf.concat([x, y], axis=1),
        lambda x, y: np.concatenate([x, y], 1),
        ((3, 2), (3, 4)),
    ),
    Case(
        "stack",
        lambda x, y: tf.stack([x, y], axis=1),
        lambda x, y: np.stack([x, y], 1),
        ((3, 4), (3, 4)),
    ),
    Case("getitem", lambda x: x[_KEY_FANCY], lambda x: x[_KEY_FANCY], ((3, 4),)),
    Case("upstream_times", lambda g, f: ops.math.upstream_times(g, f),
         lambda g, f: np.where(g == 0, 0, g * f), ((3, 4), (3, 4)), bshapes=((3, 4), (4,))),
    Case(
        "scatter_add",
        lambda g: ops.scatter_add(g, _KEY_FANCY, (3, 4)),
        lambda g: _np_scatter(g, _KEY_FANCY, (3, 4)),
        ((3, 3),),
    ),
    Case(
        "gather",
        lambda x: tf.gather(x, [2, 0, 2], axis=1),
        lambda x: np.take(x, [2, 0, 2], 1),
        ((3, 4),),
    ),
    # ----- linear algebra -----
    Case("matmul", tf.matmul, np.matmul, ((3, 4), (4, 2)), bshapes=((2, 3, 4), (4, 2))),
    Case("einsum", lambda a, b: tf.einsum("ij,jk->ik", a, b), lambda a, b: a @ b, ((3, 4), (4, 2))),
    Case(
        "solve",
        tf.linalg.solve,
        np.linalg.solve,
        ((3, 3), (3, 2)),
        make=lambda rng, dt: [
            (rng.uniform(-1, 1, (3, 3)) + 3 * np.eye(3)).astype(dt),
            rng.uniform(-1, 1, (3, 2)).astype(dt),
        ],
    ),
    # ----- neural-network functions -----
    Case("softmax", tf.nn.softmax, _np_softmax, ((3, 4),)),
    Case("log_softmax", tf.nn.log_softmax, _np_log_softmax, ((3, 4),)),
    Case(
        "sigmoid_cross_entropy_with_logits",
        lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
        lambda z, x: (
            -(z * np.log(1 / (1 + np.exp(-x))) + (1 - z) * np.log(1 - 1 / (1 + np.exp(-x))))
        ),
        ((3, 4), (3, 4)),
        domains=((0.0, 1.0), (-3, 3)),
    ),
    Case(
        "softmax_cross_entropy_with_logits",
        lambda z, x: tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x),
        lambda z, x: -(z * _np_log_softmax(x)).sum(-1),
        ((4, 5), (4, 5)),
        make=_probabilities,
    ),
    Case(
        "sparse_softmax_cross_entropy_with_logits",
        lambda z, x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=z, logits=x),
        lambda z, x: -np.take_along_axis(_np_log_softmax(x), z[:, None], -1)[:, 0],
        ((4,), (4, 5)),
        make=_sparse,
        wrt=(1,),
    ),
    Case(
        "mean_squared_error",
        tf.losses.mse,
        lambda t, p: ((p - t) ** 2).mean(-1),
        ((3, 4), (3, 4)),
        bshapes=((4,), (3, 4)),
    ),
    # ----- issue 10: padding, tiling, running sums, gather_nd, erf, inverse, determinant -----
    Case(
        "pad",
        lambda x: tf.pad(x, [[1, 0], [2, 1]], constant_values=0.5),
        lambda x: np.pad(x, [[1, 0], [2, 1]], constant_values=0.5),
        ((3, 4),),
    ),
    Case(
        "tile",
        lambda x: tf.tile(x, [2, 3]),
        lambda x: np.tile(x, (2, 3)),
        ((3, 4),),
    ),
    Case(
        "cumsum",
        lambda x: tf.cumsum(x, axis=1, exclusive=True),
        lambda x: np.cumsum(x, axis=1) - x,
        ((3, 4),),
    ),
    Case(
        "gather_nd",
        lambda x: tf.gather_nd(x, [[0, 1], [2, 3], [0, 1]]),
        lambda x: x[[0, 2, 0], [1, 3, 1]],
        ((3, 4),),
    ),
    Case("erf", tf.math.erf, np.vectorize(math.erf), ((3, 4),)),
    Case("erfc", tf.math.erfc, np.vectorize(math.erfc), ((3, 4),)),
    Case(
        "inv",
        tf.linalg.inv,
        np.linalg.inv,
        ((3, 3),),
        make=lambda rng, dt: [(rng.uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3)).astype(dt)],
    ),
    Case(
        "det",
        tf.linalg.det,
        np.linalg.det,
        ((3, 3),),
        make=lambda rng, dt: [(rng.uniform(-1, 1, (2, 3, 3)) + 2 * np.eye(3)).astype(dt)],
    ),
    # ----- reverse, roll, diag_part (an outside TensorFlow user looked for them) -----
    Case(
        "reverse",
        lambda x: tf.reverse(x, [0, -1]),
        lambda x: x[::-1, :, ::-1],
        ((2, 3, 4),),
    ),
    Case(
        "roll",
        lambda x: tf.roll(x, [1, -2, 3], [0, 2, 2]),
        lambda x: np.roll(x, (1, 1), (0, 2)),
        ((2, 3, 4),),
    ),
    Case(
        "diag_part",
        tf.linalg.diag_part,
        lambda x: np.diagonal(x, axis1=-2, axis2=-1),
        ((2, 3, 4),),
    ),
    # ----- declared non-differentiable -----
    Case(
        "cast_to_integer",
        lambda x: tf.cast(x, tf.int32),
        lambda x: x.astype(np.int32),
        ((3, 4),),
        differentiable=False,
    ),
    Case("stop_gradient", tf.stop_gradient, lambda x: x, ((3, 4),), differentiable=False),
    Case("round", tf.round, np.round, ((3, 4),), differentiable=False),
    Case("ones_like", tf.ones_like, np.ones_like, ((3, 4),), differentiable=False),
    Case("zeros_like", tf.zeros_like, np.zeros_like, ((3, 4),), differentiable=False),
    Case("floor", tf.floor, np.floor, ((3, 4),), differentiable=False),
    Case("ceil", tf.math.ceil, np.ceil, ((3, 4),), differentiable=False),
    Case(
        "floordiv",
        tf.math.floordiv,
        np.floor_divide,
        ((3, 4), (3, 4)),
        domains=((-3, 3), (0.5, 2)),
        differentiable=False,
    ),
    Case("equal", tf.equal, np.equal, ((3, 4), (3, 4)), differentiable=False),
    Case("not_equal", tf.not_equal, np.not_equal, ((3, 4), (3, 4)), differentiable=False),
    Case("less", tf.less, np.less, ((3, 4), (3, 4)), differentiable=False),
    Case("less_equal", tf.less_equal, np.less_equal, ((3, 4), (3, 4)), differentiable=False),
    Case("greater", tf.greater, np.greater, ((3, 4), (3, 4)), differentiable=False),
    Case(
        "greater_equal", tf.greater_equal, np.greater_equal, ((3, 4), (3, 4)), differentiable=False
    ),
    Case(
        "logical_and",
        lambda x, y: tf.logical_and(x > 0, y > 0),
        lambda x, y: np.logical_and(x > 0, y > 0),
        ((3, 4), (3, 4)),
        differentiable=False,
    ),
    Case(
        "logical_or",
        lambda x, y: tf.logical_or(x > 0, y > 0),
        lambda x, y: np.logical_or(x > 0, y > 0),
        ((3, 4), (3, 4)),
        differentiable=False,
    ),
    Case(
        "logical_xor",
        lambda x, y: tf.math.logical_xor(x > 0, y > 0),
        lambda x, y: np.logical_xor(x > 0, y > 0),
        ((3, 4), (3, 4)),
        differentiable=False,
    ),
    Case(
        "logical_not",
        lambda x: tf.logical_not(x > 0),
        lambda x: ~(x > 0),
        ((3, 4),),
        differentiable=False,
    ),
    Case(
        "bitwise_and",
        lambda x, y: tf.bitwise.bitwise_and(tf.cast(x, tf.int32), tf.cast(y, tf.int32)),
        lambda x, y: np.bitwise_and(x.astype(np.int32), y.astype(np.int32)),
        ((3, 4), (3, 4)),
        domains=((-9, 9),),
        differentiable=False,
    ),
    Case(
        "bitwise_or",
        lambda x, y: tf.bitwise.bitwise_or(tf.cast(x, tf.int32), tf.cast(y, tf.int32)),
        lambda x, y: np.bitwise_or(x.astype(np.int32), y.astype(np.int32)),
        ((3, 4), (3, 4)),
        domains=((-9, 9),),
        differentiable=False,
    ),
    Case(
        "bitwise_xor",
        lambda x, y: tf.bitwise.bitwise_xor(tf.cast(x, tf.int32), tf.cast(y, tf.int32)),
        lambda x, y: np.bitwise_xor(x.astype(np.int32), y.astype(np.int32)),
        ((3, 4), (3, 4)),
        domains=((-9, 9),),
        differentiable=False,
    ),
    Case(
        "invert",
        lambda x: tf.bitwise.invert(tf.cast(x, tf.int64)),
        lambda x: -x.astype(np.int64) - 1,
        ((3, 4),),
        domains=((-9, 9),),
        differentiable=False,
    ),
    Case(
        "left_shift",  # shift counts outside [0, 31] count as 0 or 31, as in TensorFlow
        lambda x, y: tf.bitwise.left_shift(tf.cast(x, tf.int32), tf.cast(y, tf.int32)),
        lambda x, y: np.array(
            [((int(a) << min(max(int(b), 0), 31)) + 2**31) % 2**32 - 2**31
             for a, b in zip(x.ravel(), y.ravel(), strict=True)]).reshape(x.shape),
        ((3, 4), (3, 4)),
        domains=((-9, 9), (-3, 40)),
        differentiable=False,
    ),
    Case(
        "right_shift",  # arithmetic shift: the sign is kept
        lambda x, y: tf.bitwise.right_shift(tf.cast(x, tf.int32), tf.cast(y, tf.int32)),
        lambda x, y: np.array(
            [int(a) >> min(max(int(b), 0), 31)
             for a, b in zip(x.ravel(), y.ravel(), strict=True)]).reshape(x.shape),
        ((3, 4), (3, 4)),
        domains=((-9, 9), (-3, 40)),
        differentiable=False,
    ),
    Case("is_finite", tf.math.is_finite, np.isfinite, ((3, 4),), differentiable=False),
    Case("is_nan", tf.math.is_nan, np.isnan, ((3, 4),), differentiable=False),
    Case(
        "one_hot",
        lambda x: tf.one_hot(tf.cast(x, tf.int32), 4, dtype=tf.float64),
        lambda x: np.eye(4)[x.astype(np.int32)],
        ((5,),),
        domains=((0, 3.9),),
        differentiable=False,
    ),
    Case(
        "argmax",
        lambda x: tf.argmax(x, axis=1),
        lambda x: x.argmax(1),
        ((3, 4),),
        differentiable=False,
    ),
    Case(
        "argmin",
        lambda x: tf.argmin(x, axis=0),
        lambda x: x.argmin(0),
        ((3, 4),),
        differentiable=False,
    ),
    Case(
        "reduce_any",
        lambda x: tf.reduce_any(x > 1, axis=1),
        lambda x: (x > 1).any(axis=1),
        ((3, 4),),
        differentiable=False,
    ),
    Case(
        "reduce_all",
        lambda x: tf.reduce_all(x > -1.5, axis=0, keepdims=True),
        lambda x: (x > -1.5).all(axis=0, keepdims=True),
        ((3, 4),),
        differentiable=False,
    ),
    Case("atanh", tf.math.atanh, np.arctanh, ((3, 4),), domains=((-0.8, 0.8),)),
]

BY_NAME = {c.op: c for c in CASES}
