"""The fast path of the elementwise binary ops gives what the general path gives.

``make_binary`` computes two tensors of one dtype, or a tensor beside an array of its dtype or
a Python float beside float64, without the conversion, bool and list checks. Here every such
pair goes both ways, and the results, the records and the gradients must be the same.
"""

import operator

import numpy as np
import pytest

from adkernel import tf
from adkernel.engine.ops.math import _add_binary, _atan2_binary, _mul_binary, _truediv, add_api

_FNS = {
    "add": add_api, "add (reflected +)": _add_binary, "mul (operators)": _mul_binary,
    "subtract": tf.subtract, "multiply": tf.multiply, "maximum": tf.maximum,
    "truediv (elementwise)": _truediv, "atan2": _atan2_binary,
}


def _pairs():
    for dtype in (np.float64, np.float32, np.int32):
        a = np.array([[1.5, -0.0, 2.0]], dtype)
        b = np.array([[0.5], [-3.0]], dtype)
        yield (f"{dtype.__name__} tensors", (lambda a=a: tf.Variable(a)),
               (lambda b=b: tf.constant(b)))
        yield f"{dtype.__name__} tensor, array", (lambda a=a: tf.Variable(a)), (lambda b=b: b)
        yield f"{dtype.__name__} array, tensor", (lambda b=b: b), (lambda a=a: tf.Variable(a))
    yield "float64 tensor, float", (lambda: tf.Variable(np.array([2.0, -0.0]))), (lambda: 0.25)
    yield "float, float64 tensor", (lambda: -1.5), (lambda: tf.Variable(np.array([2.0, -0.0])))


def _run(fn, make_x, make_y):
    with tf.GradientTape(persistent=True) as tape:
        x, y = make_x(), make_y()
        try:
            r = fn(x, y)
        except Exception as e:  # the error is what is compared
            return ("error", type(e), str(e))
    records = [(rec.op.name, rec.need, [np.asarray(v).dtype for v in rec.values])
               for rec in tape.view().records]
    grads = [tape.gradient(r, v) if isinstance(v, tf.Variable) else None for v in (x, y)]
    # (repr: NaN == NaN, and the sign of every zero counts)
    return repr((r.dtype, r.numpy().tolist(), records,
                 [None if g is None else g.numpy().tolist() for g in grads]))


@pytest.mark.parametrize("fn_name", list(_FNS))
@pytest.mark.parametrize("pair", list(_pairs()), ids=operator.itemgetter(0))
def test_the_fast_path_agrees_with_the_general_path(fn_name, pair):
    fn = _FNS[fn_name]
    _name, make_x, make_y = pair
    fast = _run(fn, make_x, make_y)
    general = _run(fn.general, make_x, make_y)
    assert fast == general
    # the float-only ops refuse integers, both ways alike; every other pair is computed
    assert not isinstance(fast, tuple) or (
        "int32" in pair[0] and fn_name in ("truediv (elementwise)", "atan2"))
