"""Numerical gradient checking: the engine's VJPs against central differences in float64.

``check_gradients(f, *inputs)`` runs ``f`` on float64 tensors, takes its gradient with
a tape, and compares it with ``(f(x + h v) - f(x - h v)) / 2h``. Small problems get the
full Jacobian compared entry by entry; larger ones are compared along random directions
(the inner-product test ``<u, J v>`` of HIPS autograd and JAX). ``order=2`` also checks
the gradient of the gradient, computed with nested tapes.
"""

from __future__ import annotations

import numpy as np

from . import ops
from .errors import GradientCheckError
from .i18n import _
from .tape import GradientTape
from .tensor import TensorLike, constant

__all__ = ["check_gradients"]

_FULL_LIMIT = 4096  # input size x output size below which the whole Jacobian is compared


def _value(y) -> np.ndarray:
    if isinstance(y, TensorLike):
        return np.asarray(y._value, dtype=np.float64)
    return np.asarray(y, dtype=np.float64)


def _analytic_vjp(f, xs, u):
    ts = [constant(x) for x in xs]
    with GradientTape() as tape:
        tape.watch(ts)
        y = f(*ts)
    if not isinstance(y, TensorLike):
        raise TypeError(_("check_gradients: f must return a tensor, got {type}").format(
            type=type(y).__name__))
    grads = tape.gradient(
        y, ts, output_gradients=u.astype(y._value.dtype), unconnected_gradients="zero"
    )
    return [np.asarray(g._value, dtype=np.float64) for g in grads]


def _numeric_jvp(f, xs, vs, eps):
    plus = [constant(x + eps * v) for x, v in zip(xs, vs, strict=True)]
    minus = [constant(x - eps * v) for x, v in zip(xs, vs, strict=True)]
    return (_value(f(*plus)) - _value(f(*minus))) / (2 * eps)


def _check_first_order(f, xs, eps, rtol, atol, rng, second: bool):
    y0 = _value(f(*[constant(x) for x in xs]))
    n_in = sum(x.size for x in xs)
    if n_in * max(y0.size, 1) <= _FULL_LIMIT:
        # Row by row of the Jacobian (one VJP per output element) against column by
        # column of central differences (one perturbation per input element).
        for i, x in enumerate(xs):
            num = np.empty((y0.size, x.size))
            for j in range(x.size):
                vs = [np.zeros_like(z) for z in xs]
                vs[i].reshape(-1)[j] = 1.0
                num[:, j] = _numeric_jvp(f, xs, vs, eps).reshape(-1)
            ana = np.empty_like(num)
            for r in range(y0.size):
                u = np.zeros(y0.size)
                u[r] = 1.0
                ana[r] = _analytic_vjp(f, xs, u.reshape(y0.shape))[i].reshape(-1)
            bad = ~np.isclose(ana, num, rtol=rtol, atol=atol, equal_nan=True)
            if bad.any():
                r, c = np.argwhere(bad)[0]
                msg = (_("second-order gradient check failed for input {i}: d out[{r}] / d x[{c}] "
                         "is {tape:.10g} by the tape but {numeric:.10g} by central differences "
                         "({bad} of {size} entries differ; rtol={rtol}, atol={atol}).")
                       if second else
                       _("gradient check failed for input {i}: d out[{r}] / d x[{c}] is "
                         "{tape:.10g} by the tape but {numeric:.10g} by central differences "
                         "({bad} of {size} entries differ; rtol={rtol}, atol={atol})."))
                raise GradientCheckError(msg.format(
                    i=i, r=r, c=c, tape=ana[r, c], numeric=num[r, c], bad=int(bad.sum()),
                    size=bad.size, rtol=rtol, atol=atol))
        return
    for _trial in range(3):
        vs = [rng.standard_normal(x.shape) for x in xs]
        u = rng.standard_normal(y0.shape)
        ana = sum(float(np.sum(g * v)) for g, v in zip(_analytic_vjp(f, xs, u), vs, strict=True))
        num = float(np.sum(u * _numeric_jvp(f, xs, vs, eps)))
        if not np.isclose(ana, num, rtol=rtol, atol=atol * max(1, y0.size)):
            msg = (_("second-order gradient check failed along a random direction: <u, J v> "
                     "is {tape:.10g} by the tape but {numeric:.10g} by central differences.")
                   if second else
                   _("gradient check failed along a random direction: <u, J v> is "
                     "{tape:.10g} by the tape but {numeric:.10g} by central differences."))
            raise GradientCheckError(msg.format(tape=ana, numeric=num))


def check_gradients(
    f,
    *inputs,
    order: int = 1,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    seed: int = 0,
) -> None:
    """Raise :class:`GradientCheckError` unless ``f``'s tape gradients match finite differences.

    Parameters
    ----------
    f : callable
        Takes one tensor per input and returns a tensor, using adkernel ops.
    *inputs : array-like
        Points at which to check; converted to float64.
    order : int
        1 checks first derivatives; 2 also checks second derivatives (nested tapes).

    Examples
    --------
    >>> import adkernel
    >>> from adkernel import tf
    >>> adkernel.check_gradients(lambda x: tf.sin(x) * x, [0.5, 1.0], order=2)
    """
    if not callable(f):
        raise TypeError(_("check_gradients(f, *inputs) needs a function f first, got a "
                          "{type}; e.g. check_gradients(lambda x: x ** 2, [3.0])").format(
                            type=type(f).__name__))
    if not inputs:
        raise TypeError(_("check_gradients(f, *inputs) needs at least one input point, e.g. "
                          "check_gradients(f, [3.0])"))
    if order not in (1, 2):
        raise ValueError(_("order must be 1 or 2"))
    xs = [np.array(x, dtype=np.float64, order="C") for x in inputs]  # reshape(-1) must be a view
    rng = np.random.default_rng(seed)
    _check_first_order(f, xs, eps, rtol, atol, rng, False)
    if order == 2:
        y0 = _value(f(*[constant(x) for x in xs]))
        u = constant(rng.standard_normal(y0.shape))

        def grad_of_f(*ts):
            with GradientTape() as inner:
                inner.watch(list(ts))
                y = f(*ts)
            grads = inner.gradient(y, list(ts), output_gradients=u, unconnected_gradients="zero")
            return ops.concat([ops.reshape(g, (-1,)) for g in grads], axis=0)

        _check_first_order(
            grad_of_f, xs, 1e-5, max(rtol, 1e-5), max(atol, 1e-5), rng, True
        )
