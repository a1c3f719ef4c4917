"""Every numpy function and ufunc adkernel knows, called on a watched tensor, is either

* **recorded**: its value equals numpy's and its gradient matches central differences
  (``adkernel.check_gradients``, in float64),
* **refused**: it raises ``NotDifferentiableError`` with a hint, or
* **value-only**: its result carries no float value derived from the input.

The walk reads the tables of :mod:`adkernel.engine.numpy_interop`, so a function added
there fails ``test_every_known_function_has_cases`` until it gets its cases here; the
ufuncs need none (they are walked with generic inputs).
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import adkernel
from adkernel import tf
from adkernel.engine import numpy_interop as npi

A = np.array([[0.31, 0.72, 1.23], [1.64, 0.42, 0.97]])
B = np.array([[0.83, 0.28, 1.91], [0.57, 1.36, 0.24]])
C = np.random.default_rng(7).standard_normal((3, 4, 5))  # distinct values: no ties
V4 = np.array([3.0, 1.0, 2.0, 5.0])
M = np.array([[2.0, 0.5], [0.25, 1.5]])
NUMPY_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"  # np.var(mean=...)
NUMPY_2_1 = np.lib.NumpyVersion(np.__version__) >= "2.1.0"  # np.clip(min=..., max=...)


# ----- the three verdicts ---------------------------------------------------------------


def _leaves(out):
    if isinstance(out, list | tuple):
        for o in out:
            yield from _leaves(o)
    else:
        yield out


def _watched_call(f, inputs):
    ts = [tf.constant(a) for a in inputs]
    with tf.GradientTape(persistent=True) as tape:
        for t in ts:
            if t.dtype.is_floating:
                tape.watch(t)
        return f(*ts), tape


def recorded(f, inputs, order=1):
    """Forward equals numpy's; every output is a recorded tensor; gradients are right."""
    want = f(*inputs)
    got, tape = _watched_call(f, inputs)
    got_leaves, want_leaves = list(_leaves(got)), list(_leaves(want))
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves, strict=True):
        assert isinstance(g, tf.Tensor), f"{type(g).__name__} left the tape"
        assert g.shape == np.shape(w)
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-12, atol=1e-15)
    assert len(tape) > 0

    def joined(*ts):
        out = [np.reshape(o, (-1,)) for o in _leaves(f(*ts))]
        return out[0] if len(out) == 1 else np.concatenate(out)

    adkernel.check_gradients(joined, *inputs, order=order)


def refused(f, inputs):
    """Raises on watched inputs (with advice), computes numpy's values on unwatched ones."""
    ts = [tf.constant(a) for a in inputs]
    with tf.GradientTape() as tape:
        tape.watch(ts)
        with pytest.raises(adkernel.NotDifferentiableError, match=r"np\.\w+.*x\.numpy\(\)"):
            f(*ts)
    for g, w in zip(_leaves(f(*ts)), _leaves(f(*inputs)), strict=True):
        np.testing.assert_array_equal(np.asarray(g), w)


def value_only(f, inputs, same_as_numpy=True):
    """No float in the result depends on the input: non-float, or unchanged when it moves."""
    got, _ = _watched_call(f, inputs)
    moved, _ = _watched_call(f, [a * 1.5 + 0.25 if a.dtype.kind == "f" else a for a in inputs])
    want = f(*inputs)
    for g, m, w in zip(_leaves(got), _leaves(moved), _leaves(want), strict=True):
        if g is None or isinstance(g, str | bool | int | tuple | np.dtype | type):
            assert g == w or not same_as_numpy
            continue
        arr = np.asarray(g)
        if arr.dtype.kind in "fc":
            np.testing.assert_array_equal(arr, np.asarray(m))  # does not follow the input
        if same_as_numpy:
            np.testing.assert_array_equal(arr, w)
        else:
            assert arr.shape == np.shape(w) and arr.dtype == np.asarray(w).dtype


def R(f, *inputs, order=1):
    return ("recorded", f, inputs or (A,), order)


def X(f, *inputs):
    return ("refused", f, inputs or (A,), None)


def V(f, *inputs, same_as_numpy=True):
    return ("value_only", f, inputs or (A,), same_as_numpy)


def _run(case):
    kind, f, inputs, extra = case
    # C-ordered copies: check_gradients perturbs entries through reshape(-1), which
    # copies (and so loses the perturbation) for a transposed view
    inputs = [np.ascontiguousarray(a) for a in inputs]
    if kind == "recorded":
        recorded(f, inputs, order=extra)
    elif kind == "refused":
        refused(f, inputs)
    else:
        value_only(f, inputs, same_as_numpy=extra)


# ----- the cases, one list per function the interop knows --------------------------------

CASES = {
    # reductions
    np.sum: [R(lambda t: np.sum(t)), R(lambda t: np.sum(t, axis=1, keepdims=True)),
             R(lambda t: np.sum(t, axis=(0, 1), initial=2.0)),
             R(lambda t: np.sum(t, 0, np.float64))],
    np.mean: [R(lambda t: np.mean(t)), R(lambda t: np.mean(t, axis=0, keepdims=True))],
    np.max: [R(lambda t: np.max(t, axis=1)), R(lambda t: np.max(t, initial=1.5))],
    np.amax: [R(lambda t: np.amax(t, axis=0, keepdims=True))],
    np.min: [R(lambda t: np.min(t, axis=1)), R(lambda t: np.min(t, initial=0.5))],
    np.amin: [R(lambda t: np.amin(t))],
    np.prod: [R(lambda t: np.prod(t, axis=0)), R(lambda t: np.prod(t, initial=2.0))],
    np.var: [R(lambda t: np.var(t)), R(lambda t: np.var(t, axis=1, ddof=1, keepdims=True))],
    np.std: [R(lambda t: np.std(t, axis=0)), R(lambda t: np.std(t, ddof=1))],
    # shapes
    np.reshape: [R(lambda t: np.reshape(t, (3, 2))), R(lambda t: np.reshape(t, -1))],
    np.transpose: [R(lambda t: np.transpose(t)), R(lambda t: np.transpose(t, (1, 2, 0)), C)],
    np.swapaxes: [R(lambda t: np.swapaxes(t, 0, -1), C)],
    np.moveaxis: [R(lambda t: np.moveaxis(t, 0, -1), C)],
    np.expand_dims: [R(lambda t: np.expand_dims(t, 1)), R(lambda t: np.expand_dims(t, (0, 3)))],
    np.squeeze: [R(lambda t: np.squeeze(t), A[:1]), R(lambda t: np.squeeze(t, axis=0), A[:1])],
    np.atleast_1d: [R(lambda t: np.atleast_1d(t), 2.5), R(lambda t: np.atleast_1d(t, 2 * t))],
    np.atleast_2d: [R(lambda t: np.atleast_2d(t), A[0])],
    np.atleast_3d: [R(lambda t: np.atleast_3d(t)), R(lambda t: np.atleast_3d(t), A[0])],
    np.concatenate: [R(lambda t: np.concatenate([t, 2 * t], axis=1)),
                     R(lambda t: np.concatenate([t, t[0]], axis=None))],
    np.stack: [R(lambda t: np.stack([t, t * t], axis=1))],
    np.split: [R(lambda t: np.split(t, 3, axis=1)), R(lambda t: np.split(t, [1], axis=1))],
    np.array_split: [R(lambda t: np.array_split(t, 2, axis=1))],
    np.broadcast_to: [R(lambda t: np.broadcast_to(t[0], (4, 3)))],
    np.copy: [R(lambda t: np.copy(t))],
    # selection and arithmetic
    np.where: [R(lambda t: np.where(t > 0.8, t, 2 * t)), V(lambda t: np.where(t > 0.8))],
    np.clip: [R(lambda t: np.clip(t, 0.4, 1.5)), R(lambda t: np.clip(t, None, 1.0)),
              *([R(lambda t: np.clip(t, min=0.5))] if NUMPY_2_1 else [])],
    np.take: [R(lambda t: np.take(t, [2, 0, -1], axis=1)), R(lambda t: np.take(t, [5, 0]))],
    np.dot: [R(lambda a, b: np.dot(a, b), A[0], B[1]), R(lambda a, b: np.dot(a, b), A, B[1]),
             R(lambda a: np.dot(a, 2.0)), R(lambda a, b: np.dot(a, np.transpose(b)), A, B),
             R(lambda c: np.dot(c, np.arange(10.0).reshape(5, 2)), C),
             R(lambda c, d: np.dot(c, d), C, np.transpose(C[:2, :3], (0, 2, 1)))],
    np.einsum: [R(lambda a, b: np.einsum("ij,ij->i", a, b), A, B)],
    np.tensordot: [R(lambda a, b: np.tensordot(a, b, [[1], [1]]), A, B),
                   R(lambda a, b: np.tensordot(a, b), A, B),
                   R(np.tensordot, C, np.transpose(C, (1, 2, 0)))],
    np.linalg.solve: [R(lambda m, b: np.linalg.solve(m, b), M, B[0, :2]),
                      R(lambda m, b: np.linalg.solve(m, b), M, B[:, :2])],
    np.linalg.norm: [R(lambda t: np.linalg.norm(t)), R(lambda t: np.linalg.norm(t, axis=1)),
                     R(lambda t: np.linalg.norm(t, 1)), R(lambda t: np.linalg.norm(t, -np.inf)),
                     R(lambda t: np.linalg.norm(t, np.inf, keepdims=True)),
                     R(lambda t: np.linalg.norm(t, 3, axis=0)),
                     R(lambda t: np.linalg.norm(t, keepdims=True), C)],
    np.round: [R(lambda t: np.round(t * 10)), R(lambda t: np.round(t, 1)),
               R(lambda t: np.round(t * 100, -1))],
    np.around: [R(lambda t: np.around(t, 2))],
    # declared by an op block (numpy=np.cumsum, with numpy's own defaults)
    np.cumsum: [R(lambda t: np.cumsum(t), order=2), R(lambda t: np.cumsum(t, axis=1), C),
                R(lambda t: np.cumsum(t, -1, np.float64))],
    # declared by op blocks (numpy=np.flip, numpy=np.roll, with numpy's own defaults)
    np.flip: [R(lambda t: np.flip(t), C, order=2), R(lambda t: np.flip(t, 1)),
              R(lambda t: np.flip(t, (0, -1)), C)],
    np.roll: [R(lambda t: np.roll(t, 2), order=2), R(lambda t: np.roll(t, -1, axis=1), C),
              R(lambda t: np.roll(t, (1, 2), axis=(0, 2)), C),
              R(lambda t: np.roll(t, (1, 2), axis=1), C), R(lambda t: np.roll(t, 1, (0, 1)))],
    # order statistics
    np.sort: [R(lambda t: np.sort(t), C), R(lambda t: np.sort(t, axis=0), C),
              R(lambda t: np.sort(t, axis=None), C)],
    np.median: [R(lambda t: np.median(t), V4), R(lambda t: np.median(t), V4[:3]),
                R(lambda t: np.median(t, axis=1), C),
                R(lambda t: np.median(t, axis=(0, 2), keepdims=True), C)],
    np.percentile: [R(lambda t: np.percentile(t, 30), V4),
                    R(lambda t: np.percentile(t, [0, 10, 50, 90, 100], axis=1), C),
                    R(lambda t: np.percentile(t, [25, 75], axis=-1, keepdims=True), C)],
    np.quantile: [R(lambda t: np.quantile(t, 0.3), C),
                  R(lambda t: np.quantile(t, [[0.1, 0.9], [0.5, 1.0]], axis=0), C)],
    # new tensors shaped like the input
    np.full_like: [V(lambda t: np.full_like(t, 7.0)), R(lambda t: np.full_like(t, t[0, 1]))],
    np.zeros_like: [V(lambda t: np.zeros_like(t)), V(lambda t: np.zeros_like(t, shape=(4,)))],
    np.ones_like: [V(lambda t: np.ones_like(t, dtype=np.float32))],
    np.empty_like: [V(lambda t: np.empty_like(t), same_as_numpy=False)],
    np.shape: [V(lambda t: np.shape(t))],
    np.ndim: [V(lambda t: np.ndim(t))],
    np.size: [V(lambda t: np.size(t, 1))],
    np.result_type: [V(lambda t: np.result_type(t, 1.0))],
    np.histogram: [V(lambda t: np.histogram(t, bins=[0.0, 0.5, 1.0, 2.0])),
                   V(lambda t: np.histogram(t, bins=4, range=(0.0, 2.0))),
                   X(lambda t: np.histogram(t)),
                   X(lambda t: np.histogram(t, bins=[0.0, 1.0, 2.0], density=True))],
    # value-only by nature
    np.allclose: [V(lambda t: np.allclose(t, t * (1 + 1e-9)))],
    np.isclose: [V(lambda t: np.isclose(t, 0.42))],
    np.array_equal: [V(lambda t: np.array_equal(t, t))],
    np.array_equiv: [V(lambda t: np.array_equiv(t, t[0]))],
    np.any: [V(lambda t: np.any(t > 1.5, axis=0))],
    np.all: [V(lambda t: np.all(t > 0.3))],
    np.may_share_memory: [V(lambda t: np.may_share_memory(t, np.zeros(2)))],
    np.shares_memory: [V(lambda t: np.shares_memory(t, np.zeros(2)))],
    np.iscomplexobj: [V(lambda t: np.iscomplexobj(t))],
    np.isrealobj: [V(lambda t: np.isrealobj(t))],
    np.argmax: [V(lambda t: np.argmax(t, axis=1))],
    np.argmin: [V(lambda t: np.argmin(t))],
    np.argsort: [V(lambda t: np.argsort(t, axis=None))],
    np.nonzero: [V(lambda t: np.nonzero(t > 0.9))],
    np.searchsorted: [V(lambda t: np.searchsorted([0.0, 0.5, 1.0], t))],
    np.count_nonzero: [V(lambda t: np.count_nonzero(t > 0.9))],
    np.ravel_multi_index: [V(lambda i, j: np.ravel_multi_index((i, j), (2, 3)),
                             np.array([0, 1]), np.array([2, 0]))],
    np.unravel_index: [V(lambda i: np.unravel_index(i, (2, 3)), np.array([1, 4]))],
    np.array2string: [V(lambda t: np.array2string(t))],
    np.array_repr: [V(lambda t: np.array_repr(t))],
    np.array_str: [V(lambda t: np.array_str(t))],
    np.save: [V(lambda t: np.save(io.BytesIO(), t))],
    np.savez: [V(lambda t: np.savez(io.BytesIO(), t))],
    np.savetxt: [V(lambda t: np.savetxt(io.StringIO(), t))],
    # refused
    np.unique: [X(lambda t: np.unique(t)), X(lambda t: np.unique(t, return_index=True))],
}


def _known_functions() -> set:
    return (set(npi._array_function_table())
            | {getattr(np, name) for name in npi._VALUE_ONLY | set(npi._REFUSED)})


def _known_ufuncs() -> list:
    return sorted(set(npi._ufunc_table()) | npi._VALUE_ONLY_UFUNCS, key=lambda u: u.__name__)


def _label(fn) -> str:
    return npi._name(fn)


def test_every_known_function_has_cases():
    missing = sorted(_label(f) for f in _known_functions() - set(CASES))
    assert not missing, f"add cases to CASES for np.{', np.'.join(missing)}"
    assert not sorted(_label(f) for f in set(CASES) - _known_functions())


def test_value_only_and_refused_names_reach_the_interop():
    """Each listed name is a numpy function that hands tensors to __array_function__."""
    for name in npi._VALUE_ONLY | set(npi._REFUSED):
        fn = getattr(np, name)
        assert hasattr(fn, "_implementation"), f"np.{name} never reaches the interop"
        assert fn not in npi._array_function_table()
    assert not npi._VALUE_ONLY & set(npi._REFUSED)


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=f"{_label(f)}-{i}") for f, cases in CASES.items()
     for i, c in enumerate(cases)],
)
def test_known_function(case):
    _run(case)


# ----- ufuncs: walked with generic inputs -------------------------------------------------

_INTS = (np.array([[3, -2, 0], [7, 1, -5]]), np.array([[1, 6, -3], [2, 2, 4]]))
_UFUNC_INPUTS = {
    np.matmul: (A, np.transpose(B)),
    np.bitwise_and: _INTS, np.bitwise_or: _INTS, np.bitwise_xor: _INTS, np.invert: _INTS[:1],
    np.arctanh: (A / 2,),  # its domain is (-1, 1); A reaches 1.64
}


@pytest.mark.parametrize("ufunc", _known_ufuncs(), ids=lambda u: u.__name__)
def test_known_ufunc(ufunc):
    inputs = [np.ascontiguousarray(a) for a in _UFUNC_INPUTS.get(ufunc, (A, B)[: ufunc.nin])]
    want = ufunc(*inputs)
    f = lambda *ts: ufunc(*ts)  # noqa: E731
    if np.asarray(want).dtype.kind == "f":
        recorded(f, list(inputs))
    else:
        value_only(f, list(inputs))


@pytest.mark.parametrize(
    ("a", "b"),
    [(A[0], B[0]), (A[0], np.transpose(B)), (A, B[0]), (C, C[0, 0]), (C[0, 0], np.transpose(C[0]))],
    ids=["1d@1d", "1d@2d", "2d@1d", "3d@1d", "1d@2d-again"],
)
def test_np_matmul_follows_numpy_for_1d_operands(a, b):
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    recorded(lambda x, y: np.matmul(x, y), [a, b])
    recorded(lambda y: a @ y, [b])  # an ndarray on the left goes through the ufunc too


def test_ufunc_methods():
    recorded(lambda t: np.add.reduce(t), [A])
    recorded(lambda t: np.add.reduce(t, axis=1, keepdims=True), [A])
    x = tf.constant(A)
    with tf.GradientTape() as tape:
        tape.watch(x)
        for call in (lambda: np.multiply.reduce(x), lambda: np.add.accumulate(x),
                     lambda: np.add.reduce(x, initial=1.0), lambda: np.add.outer(x, x)):
            with pytest.raises(adkernel.NotDifferentiableError, match=r"np\.\w+\.\w+"):
                call()
    np.testing.assert_allclose(np.add.accumulate(x), np.add.accumulate(A))


# ----- the issue's scenario, ties, second order, dtypes ----------------------------------


def test_median_times_x_from_the_issue():
    x = tf.constant([3.0, 1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(np.median(x) * x)
    assert float(y) == 12.0
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 2.0, 8.0])


@pytest.mark.parametrize(
    "f",
    [lambda t: np.sort(t) ** 3 * np.arange(1.0, 5.0),
     lambda t: np.median(t) * t,
     lambda t: np.median(t[:3]) ** 2 * t,
     lambda t: np.percentile(t, [30, 80]) ** 2,
     lambda t: np.quantile(t, 0.4) * np.sum(t * t)],
    ids=["sort", "median-even", "median-odd", "percentile", "quantile"],
)
def test_second_order(f):
    adkernel.check_gradients(f, V4, order=2)


def test_second_order_along_an_axis():
    adkernel.check_gradients(lambda t: np.sort(t, axis=1) ** 2, C[0], order=2)
    adkernel.check_gradients(lambda t: np.median(t, axis=0) ** 3, C[0], order=2)
    adkernel.check_gradients(lambda t: np.percentile(t, [20, 60], axis=1) ** 2, C[0], order=2)


def test_ties_follow_the_stable_permutation():
    """At a tie there is no derivative; like tf.sort, the gradient follows the order
    chosen: equal values keep their input order (first occurrence first)."""
    x = tf.constant([2.0, 1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        s = np.sort(x)  # [1, 2 (x[0]), 2 (x[2])]
        weighted = tf.reduce_sum(s * tf.constant([1.0, 10.0, 100.0]))
        med = np.median(x)  # the middle of the sorted values: x[0]
    np.testing.assert_array_equal(s.numpy(), [1.0, 2.0, 2.0])
    np.testing.assert_array_equal(tape.gradient(weighted, x).numpy(), [10.0, 1.0, 100.0])
    np.testing.assert_array_equal(tape.gradient(med, x).numpy(), [1.0, 0.0, 0.0])


def test_nan_slices_give_numpy_values():
    b = np.array([[1.0, np.nan, 3.0, 0.5], [4.0, 2.0, 0.5, 1.0]])
    t = tf.constant(b)
    with np.errstate(invalid="ignore"):
        for f in (lambda a: np.median(a, axis=1), lambda a: np.percentile(a, [20, 70], axis=1),
                  lambda a: np.sort(a), lambda a: np.quantile(a, 0.5)):
            np.testing.assert_array_equal(f(t).numpy(), f(b))


def test_float32_stays_float32():
    a32 = C.astype(np.float32)
    x = tf.constant(a32)
    for f in (lambda a: np.sort(a, axis=1), lambda a: np.median(a, axis=2),
              lambda a: np.percentile(a, [5, 95], axis=0), lambda a: np.quantile(a, 0.25)):
        got = f(x)
        assert got.dtype == tf.float32
        np.testing.assert_allclose(got.numpy(), f(a32), rtol=1e-6)


def test_integers_are_computed_in_float64():
    x = tf.constant([3, 1, 4, 1, 5, 9])
    assert np.median(x).dtype == tf.float64 and float(np.median(x)) == np.median([3, 1, 4, 1, 5, 9])
    np.testing.assert_allclose(np.percentile(x, [10, 60]).numpy(),
                               np.percentile([3, 1, 4, 1, 5, 9], [10, 60]))
    np.testing.assert_array_equal(np.sort(x).numpy(), [1, 1, 3, 4, 5, 9])
    np.testing.assert_allclose(float(np.mean(x)), 23 / 6, rtol=1e-15)  # not TF's integer mean


def test_dot_of_two_vectors_is_the_inner_product():
    a, b = tf.constant([1.0, 2.0, 3.0]), tf.constant([4.0, 5.0, 6.0])
    r = np.dot(a, b)
    assert r.shape == () and float(r) == 32.0


# ----- arguments the tape cannot record --------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "call"),
    [("method", lambda t: np.percentile(t, 50, method="nearest")),
     ("method", lambda t: np.quantile(t, 0.5, method="lower")),
     ("order", lambda t: np.sort(t, order="a")),
     ("where", lambda t: np.sum(t, where=t > 1)),
     ("order", lambda t: np.reshape(t, (3, 2), order="F")),
     ("mode", lambda t: np.take(t, [7], mode="wrap")),
     ("ord", lambda t: np.linalg.norm(t, 2)),
     ("ord", lambda t: np.linalg.norm(t, 0, axis=1)),
     ("dtype", lambda t: np.concatenate([t, t], dtype=np.float32)),
     ("dtype", lambda t: np.exp(t, dtype=np.float64)),
     *([("mean", lambda t: np.var(t, mean=np.mean(t.numpy(), keepdims=True)))] if NUMPY_2 else [])],
)
def test_unsupported_argument_names_itself(arg, call):
    x = tf.constant(A)
    with tf.GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(NotImplementedError, match=repr(arg)):
            call(x)


def test_unsupported_argument_runs_in_numpy_when_nothing_is_watched():
    x = tf.constant(C[0])
    np.testing.assert_array_equal(np.percentile(x, 50, method="nearest", axis=1),
                                  np.percentile(C[0], 50, method="nearest", axis=1))
    np.testing.assert_array_equal(np.linalg.norm(x, 2), np.linalg.norm(C[0], 2))
    np.testing.assert_array_equal(np.sum(x, where=x > 0), np.sum(C[0], where=C[0] > 0))


def test_watched_q_is_refused():
    x, q = tf.constant(V4), tf.constant(30.0)
    with tf.GradientTape() as tape:
        tape.watch([x, q])
        with pytest.raises(adkernel.NotDifferentiableError, match="not q"):
            np.percentile(x, q)
    assert float(np.percentile(x, q)) == np.percentile(V4, np.float32(30.0))  # q's dtype


def test_out_is_refused_for_functions_too():
    with pytest.raises(TypeError, match="immutable"):
        np.sum(tf.constant(A), out=np.empty(()))


def test_errors_match_numpy():
    x = tf.constant(A)
    with pytest.raises(ValueError, match="equal division"):
        np.split(x, 2, axis=1)
    with pytest.raises(ValueError, match=r"range \[0, 100\]"):
        np.percentile(x, 120)
    with pytest.raises(ValueError, match="not aligned"):
        np.dot(x, x)
    with pytest.raises(IndexError, match="out of bounds"):
        np.take(x, [6])


def test_unknown_function_message_says_what_to_use():
    x = tf.constant([1.0, 2.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(adkernel.NotDifferentiableError) as err:
            np.diff(x)
    assert "x[1:] - x[:-1]" in str(err.value) and "x.numpy()" in str(err.value)
