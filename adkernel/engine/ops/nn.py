"""Softmax family and the losses the course needs, each with a stable forward pass."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError, invalid_dtype
from ..i18n import _, lazy
from ..registry import REGISTRY, apply, defop, float_check, one, unify
from ..tensor import TensorLike, convert_to_tensor


def _log_softmax(x, axis):
    if np.size(x) == 0:  # nothing to normalise (TensorFlow returns the empty tensor); x - x
        return x - x  # keeps a recorded x connected, so an empty second derivative is not None
    m = np.max(x, axis=axis, keepdims=True)
    z = x - m
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


@defop("softmax", uses=("out",), tf=("nn.softmax", "math.softmax"),
       local=(lazy("softmax·(upstream - Σ upstream·softmax)"),))
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) over axis"""
    if x.size == 0:
        return np.empty_like(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


@softmax.defvjp
def softmax_vjp(g, out, need, x, axis=-1):
    """J^T g = out * (g - sum(g * out))"""
    return (out * (g - np.sum(g * out, axis=axis, keepdims=True)),)


@softmax.api
def softmax_api(logits, axis=None, name=None):
    """exp(x) / sum(exp(x)) along ``axis`` (default last)."""
    x, v = one(logits)
    params = None if axis in (None, -1) else {"axis": int(axis)}  # (TF: the axis type first)
    float_check("softmax", v)
    _rank_check("softmax", v)
    return apply(softmax, (x,), (v,), params)


@defop("log_softmax", uses=("out",), tf=("nn.log_softmax", "math.log_softmax"),
       local=(lazy("upstream - softmax·Σ upstream"),))
def log_softmax(x, axis=-1):
    """x - logsumexp(x) over axis"""
    return _log_softmax(x, axis)


@log_softmax.defvjp
def log_softmax_vjp(g, out, need, x, axis=-1):
    """J^T g = g - softmax(x) * sum(g)"""
    return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)


@log_softmax.api
def log_softmax_api(logits, axis=None, name=None):
    """x - logsumexp(x) along ``axis`` (default last)."""
    x, v = one(logits)
    params = None if axis in (None, -1) else {"axis": int(axis)}  # (TF: the axis type first)
    float_check("log_softmax", v)
    _rank_check("log_softmax", v)
    return apply(log_softmax, (x,), (v,), params)


def _rank_check(opname, v):
    """TensorFlow's InvalidArgumentError for a softmax over a single number (rank 0)."""
    if np.ndim(v) == 0:
        raise InvalidArgumentError(
            _("{op}: logits must have at least one dimension (a softmax runs over an axis), "
              "got a single number. Try a vector such as tf.reshape(x, [1]).").format(op=opname),
            op=opname)


def _labels_logits(opname, labels, logits):
    if labels is None or logits is None:
        raise ValueError(_("{op} needs both labels= and logits=.").format(
                             op=opname))
    args, vals = unify(opname, (logits, labels))
    float_check(opname, vals[0])
    if np.shape(vals[0]) != np.shape(vals[1]):
        raise InvalidArgumentError(
            _("{op}: logits and labels must have the same shape ({shape} vs {shape2})").format(
                op=opname, shape=tuple(np.shape(vals[0])), shape2=tuple(np.shape(vals[1]))),
            op=opname,
        )
    return (args[1], args[0]), (vals[1], vals[0])


@defop("sigmoid_cross_entropy_with_logits", uses=(0, 1),
       tf=("nn.sigmoid_cross_entropy_with_logits",), local=("-{1}", "σ({1}) - {0}"))
def sigmoid_cross_entropy_with_logits(labels, logits):
    """max(x, 0) - x*z + log(1 + exp(-|x|)) for logits x and labels z"""
    x = logits
    return np.maximum(x, 0) - x * labels + np.log1p(np.exp(-np.abs(x)))


@sigmoid_cross_entropy_with_logits.defvjp
def sigmoid_cross_entropy_with_logits_vjp(g, out, need, labels, logits):
    """d/dlogits = sigmoid(x) - z, d/dlabels = -x, summed term by term as TensorFlow does"""
    gz = -(g * logits) if need[0] else None
    gx = None
    if need[1]:
        # TensorFlow differentiates its formula relu(x) - x*z + log1p(exp(-|x|)) piece by
        # piece, with -|x| as where(x >= 0, -x, x): an infinite upstream gradient gives
        # inf - inf = NaN (as in TensorFlow), and the slope of -|x| at 0 is -1, not sign(0) = 0,
        # so the second derivative at x = 0 is sigmoid'(0) = 0.25
        pos = logits >= 0
        e = np.exp(np.where(pos, -logits, logits))
        d = g / (1 + e) * e
        gx = np.where(pos, g, np.zeros_like(g)) - g * labels + np.where(pos, -d, d)
    return gz, gx


@sigmoid_cross_entropy_with_logits.api
def sigmoid_cross_entropy_with_logits_api(labels=None, logits=None, name=None):
    """Per-element binary cross-entropy of ``sigmoid(logits)`` against ``labels``."""
    opname = "sigmoid_cross_entropy_with_logits"
    if labels is None or logits is None:
        raise ValueError(_("{op} needs both labels= and logits=.").format(op=opname))
    # TensorFlow converts each on its own, compares the shapes (a ValueError), then its
    # multiplication compares the dtypes: int labels with float logits are refused
    x, z = (t if isinstance(t, TensorLike) else convert_to_tensor(t) for t in (logits, labels))
    if x.shape != z.shape:
        raise ValueError(
            _("{op}: logits and labels must have the same shape ({shape} vs {shape2})").format(
                op=opname, shape=tuple(x.shape), shape2=tuple(z.shape)))
    args, vals = unify("Mul", (x, z))
    float_check(opname, vals[0])
    args, vals = (args[1], args[0]), (vals[1], vals[0])
    return apply(sigmoid_cross_entropy_with_logits, args, vals)


def _rows(v):
    """``v`` as TensorFlow's cross-entropy kernel sees it: one row per softmax (last axis)."""
    n = np.shape(v)[-1] if np.ndim(v) else 1
    return np.reshape(v, (-1, n))


def _broadcast_rows(labels, logits):
    """The rows of labels and of logits, broadcast against each other (as TensorFlow)."""
    z, x = _rows(labels), _rows(logits)
    rows = np.broadcast_shapes(np.shape(z), np.shape(x))
    return np.broadcast_to(z, rows), np.broadcast_to(x, rows)


@defop("softmax_cross_entropy_with_logits", uses=(0, 1),
       tf=("nn.softmax_cross_entropy_with_logits",),
       local=("-log_softmax({1})", "softmax({1})·Σ{0} - {0}"))
def softmax_cross_entropy_with_logits(labels, logits, axis=-1):
    """-sum(labels * log_softmax(logits)) over axis"""
    if np.shape(labels) != np.shape(logits):  # rows broadcast against rows, as TensorFlow
        if axis != -1:  # after moving the class axis of both to the end, as TensorFlow
            labels, logits = np.moveaxis(labels, axis, -1), np.moveaxis(logits, axis, -1)
        z, x = _broadcast_rows(labels, logits)
        loss = np.sum(z * (0 - _log_softmax(x, -1)), axis=-1)
        return np.reshape(loss, np.shape(logits)[:-1])
    # labels * (0 - log_softmax), as TensorFlow's kernel: a loss of 0 is +0, not -0
    return np.sum(labels * (0 - _log_softmax(logits, axis)), axis=axis)


@softmax_cross_entropy_with_logits.defvjp
def softmax_cross_entropy_with_logits_vjp(g, out, need, labels, logits, axis=-1):
    """d/dlogits = softmax*sum(labels) - labels (TF: softmax - labels), d/dlabels = -log_softmax"""
    shape, shape2 = np.shape(labels), np.shape(logits)
    moved = axis if shape != shape2 and axis != -1 else None
    if moved is not None:  # TensorFlow moved the class axis of both to the end first (same rank)
        labels, logits = np.moveaxis(labels, axis, -1), np.moveaxis(logits, axis, -1)
        shape, shape2 = np.shape(labels), np.shape(logits)
    if shape != shape2:
        _broadcast_gradient_check(need, shape, shape2)
        (labels, logits), g, axis = _broadcast_rows(labels, logits), np.reshape(g, (-1,)), -1
    ge = np.expand_dims(g, axis)
    logp = _log_softmax(logits, axis)
    gz = -ge * logp if need[0] else None
    gx = None
    if need[1]:
        total = np.sum(labels, axis=axis, keepdims=True)
        gx = ge * (np.exp(logp) * total - labels)
    if shape != shape2:
        gz = None if gz is None else np.reshape(gz, shape)
        gx = None if gx is None else np.reshape(gx, shape2)
    if moved is not None:
        gz = None if gz is None else np.moveaxis(gz, -1, moved)
        gx = None if gx is None else np.moveaxis(gx, -1, moved)
    return gz, gx


def _broadcast_gradient_check(need, shape, shape2):
    """TensorFlow's gradient fails for an input whose rows were broadcast in the forward pass."""
    rows = np.broadcast_shapes(np.shape(_rows(np.empty(shape))), np.shape(_rows(np.empty(shape2))))
    for needed, s, what in ((need[0], shape, "labels"), (need[1], shape2, "logits")):
        if needed and rows != np.shape(_rows(np.empty(s))):
            raise InvalidArgumentError(
                _("softmax_cross_entropy_with_logits: the {what} (shape {shape}) were broadcast "
                  "against the {what2} (shape {shape2}); the loss works, its gradient with "
                  "respect to the {what} does not (TensorFlow raises here too). Give labels and "
                  "logits the same shape, for example with tf.broadcast_to(labels, "
                  "tf.shape(logits)).").format(
                    what=what, what2="logits" if what == "labels" else "labels",
                    shape=list(s), shape2=list(shape2 if what == "labels" else shape)),
                op="SoftmaxCrossEntropyWithLogits")


def _sce_axis(opname, axis, ndim):
    """The class axis as TensorFlow 2.21 accepts it: -1, or 0 <= axis < rank."""
    if axis is None:
        return -1
    if isinstance(axis, list | tuple) or not isinstance(axis, int | np.integer):
        raise TypeError(_("{op}: axis must be one integer, got {axis!r}.").format(
            op=opname, axis=axis))
    axis = int(axis)
    if axis != -1 and not 0 <= axis < ndim:
        raise InvalidArgumentError(
            _("{op}: axis {axis} does not work here: TensorFlow 2.21 accepts -1 (the last "
              "axis) or a non-negative axis below the rank, {n}.").format(
                op=opname, axis=axis, n=ndim), op=opname)
    return -1 if axis == ndim - 1 else axis


def _sce_shapes(opname, zv, xv, axis):
    """TensorFlow flattens labels and logits to rows and broadcasts the rows; the losses must
    then fill the logits' shape without their last axis."""
    if np.shape(zv) == np.shape(xv):
        return
    try:
        zs, xs = np.shape(zv), np.shape(xv)
        if axis != -1:  # TensorFlow first moves the class axis of both to the end
            if len(zs) != len(xs):
                raise ValueError
            zs, xs = ((*s[:axis], *s[axis + 1:], s[axis]) for s in (zs, xs))
        rows = np.broadcast_shapes(np.shape(_rows(np.empty(zs, np.bool_))),
                                   np.shape(_rows(np.empty(xs, np.bool_))))
        if rows[0] != int(np.prod(xs[:-1])):
            raise ValueError
    except ValueError:
        raise InvalidArgumentError(
            _("{op}: the labels (shape {shape2}) must have the logits' shape {shape}, or "
              "broadcast to it.").format(
                op=opname, shape=list(np.shape(xv)), shape2=list(np.shape(zv))),
            op=opname) from None


@softmax_cross_entropy_with_logits.api
def softmax_cross_entropy_with_logits_api(labels=None, logits=None, axis=-1, name=None):
    """Cross-entropy of ``softmax(logits)`` against probability ``labels`` (one per row)."""
    opname = "softmax_cross_entropy_with_logits"
    if labels is None or logits is None:
        raise ValueError(_("{op} needs both labels= and logits=.").format(op=opname))
    x, xv = one(logits)
    given_axis, axis = axis, _sce_axis(opname, axis, np.ndim(xv))
    float_check(opname, xv)
    _rank_check(opname, xv)
    # TensorFlow casts the labels to the logits' dtype (integer labels get no gradient)
    if isinstance(labels, TensorLike) and labels.dtype != x.dtype:
        if labels._value.dtype.kind in "iub":
            # the cast cuts their path: no gradient, and no broadcast-gradient error
            labels = REGISTRY["cast"].public(labels, x.dtype)._value
        else:
            labels = REGISTRY["cast"].public(labels, x.dtype)
    args, vals = unify(opname, (x, labels))
    z, zv = args[1], vals[1]
    if np.ndim(zv) == 0:  # TensorFlow slices the labels' shape: a rank-0 label fails there
        raise InvalidArgumentError(
            _("{op}: labels must have at least one dimension, one probability per class like "
              "the logits; got a single number. Give a label for every class, e.g. "
              "tf.one_hot(index, depth).").format(op=opname), op=opname)
    _sce_shapes(opname, zv, xv, axis)
    if given_axis not in (None, -1) and np.ndim(zv) != np.ndim(xv):
        # TensorFlow moves any axis but a literal -1 to the end with a transpose of both
        # tensors by the logits' permutation: the labels need the logits' rank then
        _sce_shapes(opname, zv, xv, 0)
    return apply(softmax_cross_entropy_with_logits, (z, x), (zv, xv),
                 None if axis == -1 else {"axis": axis})


@defop("sparse_softmax_cross_entropy_with_logits", uses=(0, 1),
       tf=("nn.sparse_softmax_cross_entropy_with_logits",),
       local=("0", "softmax({1}) - one_hot({0})"))
def sparse_softmax_cross_entropy_with_logits(labels, logits):
    """-log_softmax(logits)[label] for integer labels"""
    logp = _log_softmax(logits, -1)
    return 0 - np.take_along_axis(logp, np.asarray(labels)[..., None], axis=-1)[..., 0]


@sparse_softmax_cross_entropy_with_logits.defvjp
def sparse_softmax_cross_entropy_with_logits_vjp(g, out, need, labels, logits):
    """d/dlogits = softmax - one_hot(labels); integer labels get no gradient"""
    p = np.exp(_log_softmax(logits, -1))
    # (numpy calls that tensors hand to ops: recorded, and traced, when the pass is)
    dtype = (p._value if isinstance(p, TensorLike) else p).dtype
    n = (logits._value if isinstance(logits, TensorLike) else logits).shape[-1]
    onehot = np.equal(np.expand_dims(labels, -1), np.arange(n))
    ind = np.where(onehot, np.ones((), dtype), np.zeros((), dtype))
    return None, np.expand_dims(g, -1) * (p - ind)


def _sparse_shape_check(label_shape, logit_shape) -> None:
    """TensorFlow's ValueErrors: logits need a class axis, and the labels are the logits'
    shape without it (one class index per row)."""
    if not logit_shape:
        raise ValueError(_("sparse_softmax_cross_entropy_with_logits: logits cannot be a scalar; "
                           "they need a last axis with one score per class."))
    if tuple(label_shape) != tuple(logit_shape[:-1]):
        raise ValueError(
            _("sparse_softmax_cross_entropy_with_logits: labels of shape {shape} do not fit logits "
              "of shape {shape2}: the labels must have the logits' shape without the last axis "
              "(one class index per row), here {shape3}.").format(
                shape=list(label_shape), shape2=list(logit_shape),
                shape3=list(logit_shape[:-1])))


@sparse_softmax_cross_entropy_with_logits.api
def sparse_softmax_cross_entropy_with_logits_api(labels=None, logits=None, name=None):
    """Cross-entropy of ``softmax(logits)`` against integer class ``labels``."""
    x, v = one(logits)
    if isinstance(labels, TensorLike):
        lab_arg, lab = labels, labels._value
    else:
        lab_arg, lab = None, np.asarray(labels)
    _sparse_shape_check(lab.shape, v.shape)
    float_check("sparse_softmax_cross_entropy_with_logits", v)
    if lab.dtype.kind not in "iu":
        raise invalid_dtype(
            _("sparse labels must be integers (class indices); for one-hot labels use "
              "softmax_cross_entropy_with_logits"), op="SparseSoftmaxCrossEntropyWithLogits")
    if np.any(lab < 0) or np.any(lab >= np.shape(v)[-1]):
        raise InvalidArgumentError(
            _("Received a label value outside the valid range of [0, {value}).").format(
                value=np.shape(v)[-1]),
            op="SparseSoftmaxCrossEntropyWithLogits",
        )
    return apply(sparse_softmax_cross_entropy_with_logits, (lab_arg, x), (lab, v))


@defop("mean_squared_error", uses=(0, 1),
       tf=("losses.mse", "losses.MSE"),  # (no tf.losses.mean_squared_error in TF 2.21)
       local=("-2·({1} - {0})/n", "2·({1} - {0})/n"))
def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)**2) over the last axis"""
    d = y_pred - y_true
    return np.mean(d * d, axis=-1)


@mean_squared_error.defvjp
def mean_squared_error_vjp(g, out, need, y_true, y_pred):
    """d/dy_pred = 2 (y_pred - y_true) / n, d/dy_true = the negative"""
    n = np.shape(y_pred)[-1] if np.ndim(y_pred) else 1
    gp = np.expand_dims(g, -1) * (y_pred - y_true) * (2.0 / n)
    return (-gp if need[0] else None), (gp if need[1] else None)


@mean_squared_error.api
def mean_squared_error_api(y_true, y_pred):
    """mean((y_pred - y_true)**2) over the last axis (Keras' ``mse``)."""
    args, vals = unify("mean_squared_error", (y_pred, y_true))
    return apply(mean_squared_error, (args[1], args[0]), (vals[1], vals[0]))
