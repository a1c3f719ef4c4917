"""``tf.debugging``: run-time checks that raise ``tf.errors.InvalidArgumentError``.

In eager TensorFlow each ``assert_*`` checks at once and returns ``None``; so do these.
"""

from __future__ import annotations

import numpy as np

from .engine.errors import InvalidArgumentError
from .engine.i18n import _
from .engine.tensor import TensorLike, convert_to_tensor
from .engine.trace import effect_only, replayed

__all__ = ["assert_all_finite", "assert_equal", "assert_greater", "assert_greater_equal",
           "assert_less", "assert_less_equal", "assert_near", "assert_negative",
           "assert_non_negative", "assert_non_positive", "assert_positive", "assert_rank",
           "assert_shapes", "check_numerics"]


def _values(x, y=None):
    tx = x if isinstance(x, TensorLike) else convert_to_tensor(x)
    if y is None:
        return tx._value, None
    ty = y if isinstance(y, TensorLike) else convert_to_tensor(y, dtype_hint=tx.dtype)
    if tx.dtype != ty.dtype:
        raise TypeError(_("the two tensors must have the same dtype, got {first} and "
                          "{second}; cast one of them first.").format(
                              first=tx.dtype.name, second=ty.dtype.name))
    try:
        np.broadcast_shapes(tx._value.shape, ty._value.shape)
    except ValueError:
        raise InvalidArgumentError(_(
            "shapes {first} and {second} are incompatible (they do not broadcast).").format(
                first=list(tx._value.shape), second=list(ty._value.shape)),
            op="Assert") from None
    return tx._value, ty._value


def _summary(v, summarize):
    n = 3 if summarize is None else int(summarize)
    flat = np.asarray(v).ravel()
    return str(flat.tolist() if n < 0 else flat[:n].tolist())


def _head(message) -> str:
    """The learner's own ``message`` on a line of its own before ours (or nothing)."""
    return f"{message}\n" if message else ""


def _fail(what, message, x, y, summarize, opname):
    if y is None:
        text = _("Condition x {what} did not hold. x = {x}").format(
            what=what, x=_summary(x, summarize))
    else:
        text = _("Condition x {what} did not hold. x = {x}, y = {y}").format(
            what=what, x=_summary(x, summarize), y=_summary(y, summarize))
    raise InvalidArgumentError(_head(message) + text, op=opname)


def _binary(what, test, opname):
    def check(x, y, message=None, summarize=None, name=None):
        vx, vy = _values(x, y)
        if not np.all(test(vx, vy)):
            _fail(what, message, vx, vy, summarize, opname)

    check.__name__ = check.__qualname__ = opname
    check.__doc__ = f"Raise InvalidArgumentError unless every ``x {what}``; returns None."
    return replayed(effect_only(check))  # (a traced function checks at every call)


def _unary(what, test, opname):
    def check(x, message=None, summarize=None, name=None):
        vx = _values(x)[0]
        if not np.all(test(vx)):
            _fail(what, message, vx, None, summarize, opname)

    check.__name__ = check.__qualname__ = opname
    check.__doc__ = f"Raise InvalidArgumentError unless every ``x {what}``; returns None."
    return replayed(effect_only(check))  # (a traced function checks at every call)


assert_equal = _binary("== y", np.equal, "assert_equal")
assert_less = _binary("< y", np.less, "assert_less")
assert_less_equal = _binary("<= y", np.less_equal, "assert_less_equal")
assert_greater = _binary("> y", np.greater, "assert_greater")
assert_greater_equal = _binary(">= y", np.greater_equal, "assert_greater_equal")
assert_positive = _unary("> 0", lambda v: v > 0, "assert_positive")
assert_negative = _unary("< 0", lambda v: v < 0, "assert_negative")
assert_non_negative = _unary(">= 0", lambda v: v >= 0, "assert_non_negative")
assert_non_positive = _unary("<= 0", lambda v: v <= 0, "assert_non_positive")


@replayed
@effect_only
def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raise InvalidArgumentError unless ``|x - y| <= atol + rtol * |y|`` everywhere.

    ``rtol`` and ``atol`` default to 10 times the dtype's epsilon, as in TensorFlow.
    """
    vx, vy = _values(x, y)
    eps = np.finfo(vx.dtype).eps if vx.dtype.kind in "fc" else 0
    rt = 10 * eps if rtol is None else float(np.asarray(
        rtol.numpy() if isinstance(rtol, TensorLike) else rtol))
    at = 10 * eps if atol is None else float(np.asarray(
        atol.numpy() if isinstance(atol, TensorLike) else atol))
    if not np.all(np.abs(vx - vy) <= at + rt * np.abs(vy)):
        _fail(f"~= y (atol={at:g}, rtol={rt:g})", message, vx, vy, summarize, "assert_near")


def assert_rank(x, rank, message=None, name=None):
    """Raise InvalidArgumentError unless ``x`` has rank ``rank``."""
    vx = _values(x)[0]
    r = int(rank.numpy() if isinstance(rank, TensorLike) else rank)
    if vx.ndim != r:
        raise InvalidArgumentError(_head(message) + _(
            "the tensor must have rank {rank}, but its shape {shape} has rank {actual}.").format(
                rank=r, shape=list(vx.shape), actual=vx.ndim), op="assert_rank")


@replayed
def check_numerics(tensor, message, name=None):
    """Return ``tensor`` unchanged; raise InvalidArgumentError if it holds NaN or inf."""
    t = tensor if isinstance(tensor, TensorLike) else convert_to_tensor(tensor)
    v = t._value
    if v.dtype.kind in "fc" and not np.all(np.isfinite(v)):
        nan, inf = bool(np.isnan(v).any()), bool(np.isinf(v).any())
        if nan and inf:
            text = _("{message} : Tensor had NaN and Inf values")
        elif nan:
            text = _("{message} : Tensor had NaN values")
        else:
            text = _("{message} : Tensor had Inf values")
        raise InvalidArgumentError(text.format(message=message), op="CheckNumerics")
    return t


def assert_all_finite(x, message, name=None):
    """``check_numerics`` under its other name: returns ``x`` or raises."""
    return check_numerics(x, message)


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Check that tensors have the listed shapes, with named dimensions agreeing.

    ``shapes`` is a list of ``(tensor, spec)`` pairs (or a dict). A spec lists one entry per
    axis: an int (that size), a string naming a dimension (every use of the name must have
    the same size; ``'.'`` or ``None``: any size), and may start with ``'...'`` (any
    leading axes). A scalar is ``()``; a size-1 entry also matches a scalar, as in TensorFlow.
    A mismatch raises ``ValueError`` (TensorFlow's type for this check in eager mode).
    """
    if data is not None:
        raise NotImplementedError(_(
            "tf.debugging.assert_shapes: the argument 'data' is not supported by adkernel "
            "(the error message already shows the shapes). Leave it out."))
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    sizes: dict[str, int] = {}
    head = _head(message)
    for tensor, spec in pairs:
        shape = list(np.shape(tensor._value if isinstance(tensor, TensorLike) else tensor))
        spec = [spec] if isinstance(spec, str) and spec != "..." else list(spec)
        if spec[:1] == ["..."]:
            rest = spec[1:]
            if len(shape) < len(rest):
                raise ValueError(head + _(
                    "a tensor of shape {shape} has fewer axes than the spec {spec}.").format(
                        shape=shape, spec=spec))
            shape, spec = shape[len(shape) - len(rest):], rest
        if len(spec) != len(shape) and not (not shape and spec in ([1], ["1"])):
            raise ValueError(head + _(
                "a tensor of shape {shape} should have rank {rank} (spec {spec}).").format(
                    shape=shape, rank=len(spec), spec=spec))
        for axis, (want, got) in enumerate(zip(spec, shape, strict=False)):
            if want is None or want == ".":
                continue
            if isinstance(want, str):
                if sizes.setdefault(want, got) != got:
                    raise ValueError(head + _(
                        "dimension {name!r} is {size} elsewhere but {got} in axis {axis} of a "
                        "tensor of shape {shape}.").format(
                            name=want, size=sizes[want], got=got, axis=axis, shape=shape))
            elif int(want) != got:
                raise ValueError(head + _(
                    "axis {axis} of a tensor of shape {shape} should have size {size}.").format(
                        axis=axis, shape=shape, size=int(want)))
