"""``tf.keras.activations``: the activation functions a layer accepts by name."""

from __future__ import annotations

import weakref

from ..engine import ops
from ..engine.i18n import _
from ..engine.tensor import TensorLike, convert_to_tensor

__all__ = ["elu", "exponential", "gelu", "get", "leaky_relu", "linear", "log_softmax", "relu",
           "relu6", "selu", "sigmoid", "silu", "softmax", "softplus", "softsign", "swish",
           "tanh"]


def _t(x):
    return x if isinstance(x, TensorLike) else convert_to_tensor(x)


def linear(x):
    """The identity (no activation)."""
    return _t(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), with Keras' options ``negative_slope``, ``max_value``, ``threshold``."""
    x = _t(x)
    if threshold != 0.0:
        raise NotImplementedError(_("keras.activations.relu: the argument 'threshold' is "
                                    "not supported by adkernel; leave it at 0."))
    out = ops.relu(x) if negative_slope == 0.0 else ops.leaky_relu(x, alpha=negative_slope)
    if max_value is not None:
        out = ops.minimum(out, float(max_value))
    return out


def relu6(x):
    """min(max(x, 0), 6): tf.nn.relu6 (gradient 0 at 0 and 6, as TensorFlow's)."""
    return ops.relu6(_t(x))


def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, else negative_slope * x (Keras' default slope is 0.2)."""
    return ops.leaky_relu(_t(x), alpha=negative_slope)


# Keras 3 remembers the logits of a sigmoid or softmax activation's output, and its
# cross-entropy losses use them (with from_logits=True) when given that very tensor: the
# stable formula instead of clipping probabilities. adkernel does the same.
_LOGITS: dict[int, tuple] = {}


def _remember(out, logits):
    key = id(out)
    _LOGITS[key] = (weakref.ref(out, lambda _ref: _LOGITS.pop(key, None)), logits)
    return out


def logits_of(output):
    """The logits a Keras sigmoid/softmax activation made ``output`` from, or None."""
    entry = _LOGITS.get(id(output))
    if entry is not None and entry[0]() is output:
        return entry[1]
    return None


def sigmoid(x):
    x = _t(x)
    return _remember(ops.sigmoid(x), x)


def tanh(x):
    return ops.tanh(_t(x))


def softplus(x):
    return ops.softplus(_t(x))


def softsign(x):
    return ops.softsign(_t(x))


def elu(x, alpha=1.0):
    x = _t(x)
    if alpha == 1.0:
        return ops.elu(x)
    return ops.where(ops.greater(x, 0.0), x, ops.multiply(ops.elu(x), alpha))


def selu(x):
    """scale * elu(x, alpha) with Keras' constants: tf.nn.selu."""
    return ops.selu(_t(x))


def exponential(x):
    return ops.exp(_t(x))


def silu(x):
    """x * sigmoid(x) (a.k.a. swish)."""
    return ops.silu(_t(x))


swish = silu


def gelu(x, approximate=False):
    """x * Phi(x): exact with erf, or the tanh approximation with ``approximate=True``
    (tf.nn.gelu)."""
    return ops.gelu(_t(x), approximate=approximate)


def softmax(x, axis=-1):
    x = _t(x)
    return _remember(ops.softmax(x, axis=axis), x)


def log_softmax(x, axis=-1):
    return ops.log_softmax(_t(x), axis=axis)


_BY_NAME = {n: globals()[n] for n in __all__ if n != "get"}


def get(identifier):
    """An activation from its name (``'relu'``), a function, or None (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(_(
                "Could not interpret activation function identifier: {identifier!r}. "
                "adkernel knows {known}, or pass a function such as tf.nn.relu.").format(
                    identifier=identifier, known=sorted(_BY_NAME))) from None
    if callable(identifier):
        return identifier
    raise ValueError(_("Could not interpret activation function identifier: "
                       "{identifier!r}").format(identifier=identifier))
