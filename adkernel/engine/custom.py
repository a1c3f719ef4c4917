"""``custom_gradient``: give a function your own gradient rule, as in TensorFlow."""

from __future__ import annotations

import functools

import numpy as np

from ._state import state
from .registry import OpDef, record
from .tensor import TensorLike, _wrap, convert_to_tensor


def cast(x, dtype):
    from .ops import cast as cast_op

    return cast_op(x, dtype)

__all__ = ["custom_gradient"]


def _vjp_for(grad_fn, n: int):
    def custom_vjp(g, out, need, *ins):
        upstream = g if isinstance(g, TensorLike) else _wrap(g)
        res = grad_fn(upstream)
        if not isinstance(res, list | tuple):
            res = (res,)
        if len(res) != n:
            raise ValueError(
                f"the gradient function of a custom_gradient returned {len(res)} gradients "
                f"for {n} inputs; return one per input (None for inputs without a gradient)."
            )
        grads = []
        for r, x in zip(res, ins, strict=True):
            if r is None:
                grads.append(None)
                continue
            dtype = x._value.dtype if isinstance(x, TensorLike) else np.result_type(x)
            if isinstance(r, TensorLike) and r._value.dtype != dtype:
                r = cast(r, dtype)
            r = convert_to_tensor(r, dtype=dtype)
            grads.append(r if isinstance(g, TensorLike) else r._value)
        return tuple(grads)

    return custom_vjp


def custom_gradient(f=None):
    """Decorate ``f(*x) -> (y, grad_fn)`` so tapes use ``grad_fn(upstream)`` as its gradient.

    The operations inside ``f`` are not recorded; ``grad_fn`` returns one gradient per
    input. It may itself use tf ops, so higher derivatives work through it.

    Examples
    --------
    >>> from adkernel import tf
    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -0.5, 0.5)
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        xs = [a if isinstance(a, TensorLike) else convert_to_tensor(a) for a in args]
        paused = list(state.recording)
        state.recording.clear()
        try:
            y, grad_fn = f(*xs, **kwargs)
        finally:
            state.recording[:] = paused
        if not isinstance(y, TensorLike):
            y = convert_to_tensor(y)
        out = _wrap(y._value)
        if state.recording:
            op = OpDef(f"custom_gradient:{getattr(f, '__name__', 'f')}", None)
            op.vjp = _vjp_for(grad_fn, len(xs))
            record(op, tuple(xs), tuple(x._serial for x in xs), tuple(x._value for x in xs), None,
                   out)
        return out

    return wrapper
