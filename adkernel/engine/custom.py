"""``custom_gradient``: give a function your own gradient rule, as in TensorFlow."""

from __future__ import annotations

import functools
import inspect

import numpy as np

from . import ops
from ._state import state
from .forward import carry
from .i18n import _
from .registry import OpDef, _emit
from .tape import GradientTape
from .tensor import TensorLike, _wrap, convert_to_tensor

__all__ = ["custom_gradient"]


def _takes_variables(grad_fn) -> bool:
    try:
        params = inspect.signature(grad_fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "variables" or p.kind is p.VAR_KEYWORD for p in params)


def _as_input_dtype(r, x, g):
    """A returned gradient as a value (or tensor, when ``g`` is one) of input ``x``'s dtype."""
    if r is None:
        return None
    dtype = x._value.dtype if isinstance(x, TensorLike) else np.result_type(x)
    if isinstance(r, TensorLike) and r._value.dtype != dtype:
        r = ops.cast(r, dtype)
    r = convert_to_tensor(r, dtype=dtype)
    return r if isinstance(g, TensorLike) else r._value


def _vjp_for(grad_fn, n: int, variables: list):
    def custom_vjp(g, out, need, *ins):
        upstream = g if isinstance(g, TensorLike) else _wrap(g)
        if variables:
            res, var_grads = grad_fn(upstream, variables=variables)
            var_grads = list(var_grads) if isinstance(var_grads, list | tuple) else [var_grads]
            if len(var_grads) != len(variables):
                raise ValueError(
                    _("the gradient function of a custom_gradient returned {n} "
                      "variable gradients for the {m} variables it uses; return "
                      "one per variable (None where there is none).").format(
                        n=len(var_grads), m=len(variables))
                )
        else:
            res, var_grads = grad_fn(upstream), []
        if not isinstance(res, list | tuple):
            res = (res,)
        if len(res) != n:
            raise ValueError(
                _("the gradient function of a custom_gradient returned {got} gradients "
                  "for {n} inputs; return one per input (None for inputs without a gradient)."
                  ).format(got=len(res), n=n)
            )
        return tuple(_as_input_dtype(r, x, g)
                     for r, x in zip([*res, *var_grads], ins, strict=True))

    return custom_vjp


def _no_tangent(tangents, out, *ins):
    return None


def custom_gradient(f=None):
    """Decorate ``f(*x) -> (y, grad_fn)`` so tapes use ``grad_fn(upstream)`` as its gradient.

    The operations inside ``f`` are not recorded; ``grad_fn`` returns one gradient per
    input. It may itself use tf ops, so higher derivatives work through it. When ``f``
    reads trainable ``tf.Variable`` s, ``grad_fn`` must accept ``variables=`` and return
    ``(input gradients, variable gradients)``, as in TensorFlow.

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
        spy = GradientTape()  # sees which trainable variables f reads
        state.recording[:] = [spy]
        try:
            y, grad_fn = f(*xs, **kwargs)
        finally:
            state.recording[:] = paused
        # the variables grad_fn answers for: those f read that are not its inputs
        variables = [v for v in spy.watched_variables() if all(v is not x for x in xs)]
        if variables and not _takes_variables(grad_fn):
            raise TypeError(
                _("@custom_gradient grad_fn must accept keyword argument 'variables', since "
                  "function uses variables: {names}. Give it the "
                  "signature grad_fn(upstream, variables=None) and return (input gradients, "
                  "variable gradients).").format(names=[v.name for v in variables])
            )
        if not isinstance(y, TensorLike):
            y = convert_to_tensor(y)
        op = OpDef(f"custom_gradient:{getattr(f, '__name__', 'f')}", None)
        op.vjp = _vjp_for(grad_fn, len(xs), variables)
        op.jvp = _no_tangent  # (carry gives the output the tangent of f's result)
        ins = (*xs, *variables)
        out = _emit(op, ins, tuple(x._serial for x in ins), tuple(x._value for x in ins), None,
                    y._value)
        if state.forward:  # forward mode differentiates f's own ops, as TensorFlow does
            carry(y, out)
        return out

    return wrapper
