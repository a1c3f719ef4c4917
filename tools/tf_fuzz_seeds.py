"""Hand-written programs for the regression table: every program of issue 20's text.

``python tools/tf_fuzz.py --freeze tools/tf_fuzz_seeds.py`` runs each on TensorFlow and appends
it, with TensorFlow's outcome, to ``tests/tf_fuzz_regressions.py`` (programs already there are
left alone). ``open`` names the issue item whose fix makes the row pass; ``tf_is_wrong`` rows keep
adkernel's answer (frozen as ``expected`` from adkernel at freeze time).
"""

from __future__ import annotations

import numpy as np


def inp(values, shape=None, dtype="float32", kind="watched"):
    arr = np.asarray(values)
    return {"shape": list(arr.shape) if shape is None else shape, "dtype": dtype,
            "kind": kind, "values": [v.item() if hasattr(v, "item") else v
                                     for v in arr.ravel()]}


def op(fn, *args, **kwargs):
    return {"fn": fn, "args": list(args), "kwargs": kwargs}


def ref(i, item=None):
    return {"ref": i} if item is None else {"ref": i, "item": item}


def prog(inputs, ops, mode="grad", weights="ones", unconnected=None):
    return {"inputs": inputs, "ops": ops,
            "grad": {"mode": mode, "weights": weights, "unconnected": unconnected}}


def row(note, program, open=None, tf_is_wrong=None):
    out = {"program": program, "note": note}
    if open:
        out["open"] = f"issue 20 item {open}" if isinstance(open, int) else f"issue 20: {open}"
    if tf_is_wrong:
        out["tf_is_wrong"] = tf_is_wrong
    return out


NAN, INF = float("nan"), float("inf")
TOPK_NAN = (
    "TensorFlow 2.21's top_k compares with NaN one comparison at a time, with a different "
    'algorithm for k = 1, k = n and other k, so what it returns depends on where the NaN '
    'sits: top_k([1, 2, nan], k=1) gives 1, not 2, and top_k([2.37, nan, -0.34], k=1) gives '
    '-0.34; adkernel takes the k largest numbers with NaN as the smallest (as sort puts NaN '
    'last), so every number it returns is a true top-k entry'
)
TOPK_EMPTY_JACOBIAN = (
    "TensorFlow 2.21's Jacobian (pfor) of top_k on an empty (0, 1) input fails stacking an "
    'empty list of unknown shape; the Jacobian is empty, shape (0, 1, 0, 1), which adkernel '
    'gives'
)
INT_WATCHED = inp([1, 2, 3], dtype="int32")

PROGRAMS = [
    row("softplus'' at 0 is 0.25 (nested tapes)",
        prog([inp([-2.0, 0.0, 3.0])], [op("math.softplus", ref(0))], "second"), 1),
    *[row(f"a gradient through an integer path ({fn}, then a cast to float) is None, "
          "it does not raise",
          prog([INT_WATCHED], [op(fn, ref(0)), op("cast", ref(1), {"dtype": "float32"})]), 2)
      for fn in ("reduce_max", "reduce_mean", "reduce_min", "reduce_prod")],
    *[row(f"a gradient through an integer path ({fn}, then a cast to float) is None",
          prog([INT_WATCHED], [op(fn, ref(0), ref(0)), op("cast", ref(1), {"dtype": "float32"})]),
          2)
      for fn in ("pow", "subtract")],
    row("a gradient through an integer path (tile, then a cast to float) is None",
        prog([INT_WATCHED], [op("tile", ref(0), [2]), op("cast", ref(1), {"dtype": "float32"})]),
        2),
    row("a gradient through an integer path (int / int is float64) is None",
        prog([INT_WATCHED], [op("divide", ref(0), ref(0))]), 2),
    row("jacobian of reduce_mean of an int32 variable is [None]",
        prog([inp([1, 2, 3], dtype="int32", kind="var")], [op("reduce_mean", ref(0))],
             "jacobian"), 2),
    row("rsqrt's gradient is 0 where the upstream gradient is 0 (also at a negative input)",
        prog([inp([-1.0, 4.0])], [op("math.rsqrt", ref(0))], "grad_og", "ramp0"), 3),
    row("rsqrt's Jacobian rows stay finite where the upstream gradient is 0",
        prog([inp([-1.0, 4.0])], [op("math.rsqrt", ref(0))], "jacobian"), 3),
    row("reduce_min spreads NaN over the reduced row",
        prog([inp([[0.64, 0.69, -0.28]])],
             [op("reduce_min", ref(0), -1, keepdims=True), op("sqrt", ref(1))]), 4),
    row("reduce_max spreads NaN over the reduced row",
        prog([inp([[-0.64, -0.69, -0.28]])],
             [op("reduce_max", ref(0), -1, keepdims=True), op("sqrt", ref(1))]), 4),
    row("pow d/dy is NaN for a negative base and a non-integer exponent",
        prog([inp([-2.0]), inp([0.5])], [op("pow", ref(0), ref(1))]), 5),
    row("pow d/dy at 0 ** -1 is NaN (z is inf: log(0) times inf)",
        prog([inp([0.0]), inp([-1.0])], [op("pow", ref(0), ref(1))]), 5),
    row("relu'' is zeros, not None",
        prog([inp([-1.0, 2.0])], [op("nn.relu", ref(0))], "second"), 6),
    row("leaky_relu'' is zeros, not None",
        prog([inp([-1.0, 2.0])], [op("nn.leaky_relu", ref(0))], "second"), 6),
    row("clip_by_value(nan, -|x|, |x|): the gradient goes to the upper bound",
        prog([inp([NAN], kind="const"), inp([2.0])],
             [op("abs", ref(1)), op("negative", ref(2)), op("clip_by_value", ref(0), ref(3),
                                                             ref(2))]), 7),
    row("clip_by_value at ties with the bounds: TensorFlow's minimum(maximum(t, lo), hi) routing",
        prog([inp([0.5, 1.0, 0.7]), inp([0.5]), inp([1.0])],
             [op("clip_by_value", ref(0), ref(1), ref(2))]), 7),
    row("reduce_prod second order with one zero is finite",
        prog([inp([0.0, 2.0, 3.0])], [op("reduce_prod", ref(0))], "second"), 8),
    row("reduce_prod second order with two zeros is finite",
        prog([inp([0.0, 0.0, 3.0])], [op("reduce_prod", ref(0))], "second"), 8),
    row("elu second order: a NaN input does not make the other elements NaN",
        prog([inp([-1.0, -5.0, NAN])], [op("nn.elu", ref(0))], "second"), 9),
    row("cast to the same dtype returns x itself: a non-trainable variable is still the source",
        prog([inp([1.0, 2.0, 3.0], dtype="float64", kind="var_frozen")],
             [op("cast", ref(0), {"dtype": "float64"})], "grad_og"), 10),
    row("cumsum(exclusive, reverse) on an empty (0, 3) tensor",
        prog([inp(np.zeros((0, 3)))],
             [op("cumsum", ref(0), axis=0, exclusive=True, reverse=True)]), 11),
    row("softmax(axis=0) on an empty (0, 3) tensor",
        prog([inp(np.zeros((0, 3)))], [op("nn.softmax", ref(0), axis=0)]), 11),
    row("reduce_logsumexp(axis=0) on an empty (0, 3) tensor is -inf",
        prog([inp(np.zeros((0, 3)))], [op("reduce_logsumexp", ref(0), axis=0)]), 11),
    row("argmax skips NaN: [[0.98], [nan]] gives [0]",
        prog([inp([[0.98], [NAN]], kind="const")], [op("argmax", ref(0))], "none"), 12),
    row("reduce_logsumexp's gradient at equal inputs is exactly 0.5",
        prog([inp([0.98, 0.98])], [op("reduce_logsumexp", ref(0))]), 12),
    *[row(f"{fn} on int32 raises InvalidArgumentError",
          prog([inp([1, 2, 3], dtype="int32", kind="const")], [op(fn, ref(0))], "none"), 13)
      for fn in ("exp", "tanh", "sqrt", "cos", "tan", "math.cosh", "math.erf", "math.expm1",
                 "math.log1p", "math.softplus", "math.log_sigmoid", "nn.log_softmax",
                 "reduce_logsumexp", "norm", "floor", "math.is_nan", "nn.elu", "math.rsqrt")],
    row("softmax_cross_entropy_with_logits on int32 raises InvalidArgumentError",
        prog([inp([[1, 2]], dtype="int32", kind="const")],
             [op("nn.softmax_cross_entropy_with_logits", labels=ref(0), logits=ref(0))],
             "none"), 13),
    row("int_tensor + 0.5 raises InvalidArgumentError",
        prog([inp([1, 2], dtype="int32", kind="const")], [op("__add__", ref(0), 0.5)], "none"),
        14),
    row("silu on int32 raises InvalidArgumentError",
        prog([inp([1, 2], dtype="int32", kind="const")], [op("nn.silu", ref(0))], "none"), 14),
    row("int32 @ float32 raises InvalidArgumentError",
        prog([inp([[1, 2]], dtype="int32", kind="const"), inp([[1.0], [2.0]], kind="const")],
             [op("__matmul__", ref(0), ref(1))], "none"), 14),
    row("softmax of a rank-0 tensor is refused",
        prog([inp(1.5, kind="const")], [op("nn.softmax", ref(0))], "none"), 15),
    row("log_softmax of a rank-0 tensor is refused",
        prog([inp(1.5, kind="const")], [op("nn.log_softmax", ref(0))], "none"), 15),
    row("softmax_cross_entropy_with_logits on rank-0 tensors is refused",
        prog([inp(1.5, kind="const")],
             [op("nn.softmax_cross_entropy_with_logits", labels=ref(0), logits=ref(0))],
             "none"), 15),
    row("sigmoid_cross_entropy_with_logits on int32 is refused",
        prog([inp([1, 0], dtype="int32", kind="const")],
             [op("nn.sigmoid_cross_entropy_with_logits", labels=ref(0), logits=ref(0))],
             "none"), 15),
    row("det of an int32 matrix is refused",
        prog([inp([[1, 2], [3, 4]], dtype="int32", kind="const")], [op("linalg.det", ref(0))],
             "none"), 15),
    row("reciprocal of int64 is refused",
        prog([inp([1, 2], dtype="int64", kind="const")], [op("math.reciprocal", ref(0))],
             "none"), 15),
    row("int64 / 4.0 raises TypeError",
        prog([inp([1, 2], dtype="int64", kind="const")], [op("__truediv__", ref(0), 4.0)],
             "none"), 15),
    row("1.0 / int32 raises TypeError",
        prog([inp([1, 2], dtype="int32", kind="const")], [op("__rtruediv__", ref(0), 1.0)],
             "none"), 15),
    row("reduce_variance of int32 is refused",
        prog([inp([1, 2], dtype="int32", kind="const")], [op("math.reduce_variance", ref(0))],
             "none"), 15),
    row("clip_by_value whose bounds would make the output larger than t is refused",
        prog([inp([1.0, 2.0], kind="const"), inp([[0.0, 0.0], [0.5, 0.5]], kind="const")],
             [op("clip_by_value", ref(0), ref(1), 3.0)], "none"), 15),
    row("leaky_relu on int32 casts to float32",
        prog([inp([-2, 3], dtype="int32", kind="const")], [op("nn.leaky_relu", ref(0))],
             "none"), 16),
    row("leaky_relu in float64 rounds alpha to float32",
        prog([inp([-1.0, 2.0], dtype="float64")], [op("nn.leaky_relu", ref(0), alpha=0.1)]), 16),
    row("where(cond, int64, float numpy array) converts the array to int64",
        prog([inp([1, 2], dtype="int64", kind="const")],
             [op("where", {"array": [True, False], "dtype": "bool", "shape": [2]}, ref(0),
                 {"array": [1.5, 2.5], "dtype": "float64", "shape": [2]})], "none"), 17),
    row("squared_difference(int64, float numpy array) truncates the array",
        prog([inp([1, 2], dtype="int64", kind="const")],
             [op("math.squared_difference", ref(0),
                 {"array": [1.5, 0.5], "dtype": "float64", "shape": [2]})], "none"), 17),
    row("int64 - float numpy array truncates the array",
        prog([inp([1, 2], dtype="int64", kind="const")],
             [op("__sub__", ref(0), {"array": [1.5, 0.5], "dtype": "float64", "shape": [2]})],
             "none"), 17),
    row("int64 / float numpy array truncates the array",
        prog([inp([3, 4], dtype="int64", kind="const")],
             [op("__truediv__", ref(0), {"array": [2.5, 1.5], "dtype": "float64", "shape": [2]})],
             "none"), 17),
    row("tf.tensordot exists (with gradients)",
        prog([inp([[1.0, 2.0], [3.0, 4.0]]), inp([[0.5], [1.5]])],
             [op("tensordot", ref(0), ref(1), 1)]), "missing names"),
    row("tf.math.divide_no_nan exists (0 where the divisor is 0)",
        prog([inp([1.0, 2.0]), inp([0.0, 4.0])], [op("math.divide_no_nan", ref(0), ref(1))]),
        "missing names"),
    row("tf.math.xlogy exists (0 where x is 0)",
        prog([inp([0.0, 2.0]), inp([0.0, 3.0])], [op("math.xlogy", ref(0), ref(1))]),
        "missing names"),
    row("tf.math.atan2 exists (with gradients)",
        prog([inp([1.0, -2.0]), inp([0.5, 3.0])], [op("math.atan2", ref(0), ref(1))]),
        "missing names"),
    row("erf(inf) in float64: TensorFlow gives NaN, adkernel 1.0",
        prog([inp([INF, -INF, 0.5], dtype="float64", kind="const")], [op("math.erf", ref(0))],
             "none"),
        tf_is_wrong="TensorFlow 2.21's float64 erf kernel returns NaN at +-inf; the limit is "
                    "+-1 and float32 gives it, so adkernel keeps +-1 (docs/tf-compat.md)"),
    row("softmax_cross_entropy_with_logits second derivative when the labels depend on the "
        "sources: adkernel matches central differences",
        prog([inp([[0.2, -0.4, 1.0], [0.5, 0.1, -0.3]], dtype="float64")],
             [op("nn.softmax", ref(0)), op("square", ref(0)),
              op("nn.softmax_cross_entropy_with_logits", labels=ref(1), logits=ref(2))],
             "second", "ramp"),
        tf_is_wrong="TensorFlow's gradient of the loss treats its own gradient's dependence on "
                    "the labels as absent (it stops the labels' path in the second pass), so "
                    "its second derivative differs from central differences; adkernel keeps "
                    "the true second derivative"),
]

# ----- issue 20 round 3 (fuzz run seed 202): xlogy second order, relu with NaN ------------
PROGRAMS += [
    row("xlogy second order with a Python-number y: TensorFlow's second derivative is None "
        "(d/dx = log(y) does not depend on x); adkernel raised InvalidArgumentError",
        prog([inp([1.0])], [op("math.xlogy", ref(0), 1.5)], "second")),
    row("xlogy second order, x with a zero, y a Python number, float64",
        prog([inp([1.0, 0.0, 2.0], dtype="float64")], [op("math.xlogy", ref(0), 1.5)],
             "second")),
    row("xlogy second order, both watched, zeros and NaN",
        prog([inp([NAN, 0.0, 1.0]), inp([0.0, NAN, -1.0])],
             [op("math.xlogy", ref(0), ref(1))], "second")),
    row("divide_no_nan second order with a Python-number y",
        prog([inp([1.0, 0.0, -2.0])], [op("math.divide_no_nan", ref(0), 1.5)], "second")),
    row("atan2 second order with a Python-number x",
        prog([inp([1.0, 0.0, -2.0])], [op("math.atan2", ref(0), 1.5)], "second")),
    row("relu's gradient multiplies the upstream gradient by the 0/1 mask: a NaN upstream "
        "gradient where x <= 0 gives NaN (sqrt -> relu -> tanh)",
        prog([inp([[0.0, 0.53, -0.89]])],
             [op("sqrt", ref(0)), op("nn.relu", ref(1)), op("tanh", ref(2))])),
    row("relu of NaN, -inf, inf under sqrt: the mask multiplies (NaN where sqrt's gradient is)",
        prog([inp([-1.0, 0.0, 2.0, NAN, -INF, INF], dtype="float64")],
             [op("sqrt", ref(0)), op("nn.relu", ref(1)), op("sqrt", ref(2))])),
    row("relu second order with a NaN upstream gradient: zeros where x is finite",
        prog([inp([-1.0, 0.0, 2.0, NAN])],
             [op("sqrt", ref(0)), op("nn.relu", ref(0)), op("multiply", ref(1), ref(2))],
             "second")),
    row("leaky_relu with a NaN upstream gradient selects (TensorFlow's kernel): alpha * NaN",
        prog([inp([-1.0, 0.0, 2.0, NAN])],
             [op("sqrt", ref(0)), op("nn.leaky_relu", ref(1)), op("tanh", ref(2))])),
    row("elu with a NaN upstream gradient",
        prog([inp([-1.0, 0.0, 2.0, NAN])],
             [op("sqrt", ref(0)), op("nn.elu", ref(1)), op("tanh", ref(2))])),
    row("abs and maximum with a NaN upstream gradient",
        prog([inp([-1.0, 0.0, 2.0, NAN])],
             [op("sqrt", ref(0)), op("abs", ref(1)), op("maximum", ref(2), 0.0),
              op("tanh", ref(3))])),
    row("reduce_prod second order with a NaN input: TensorFlow spreads the NaN over the "
        "whole row, adkernel gives the true second derivative x1 + x2 where the NaN is",
        prog([inp([[1.0], [0.39], [NAN]])], [op("reduce_prod", ref(0), axis=0)], "second"),
        tf_is_wrong="TensorFlow's second derivative of reduce_prod goes through cumprod and "
                    "div_no_nan, so a NaN input reaches every element; d/dx3 of the gradient's "
                    "sum is x1 + x2 = 1.39, which adkernel gives (central differences, "
                    "docs/tf-compat.md)"),
    row("softmax_cross_entropy_with_logits over one class, then pow(., 0.5): the loss is 0 "
        "for every x; TensorFlow's d/dlogits (softmax - labels) is not 0 when a label is not 1, "
        "so pow's infinite slope at 0 gives inf; adkernel's true d/dlogits is 0, and 0 * inf "
        "is NaN",
        prog([inp([[1.0], [1.28], [1.36]])],
             [op("nn.softmax_cross_entropy_with_logits",
                 labels={"array": [0.5, 1.0, 0.25], "dtype": "float32", "shape": [3, 1]},
                 logits=ref(0), axis=None),
              op("pow", ref(1), 0.5)]),
        tf_is_wrong="the labels do not sum to 1: TensorFlow's gradient with respect to the "
                    "logits is softmax - labels, the derivative only when every row of labels "
                    "sums to 1; adkernel's true derivative (0 here, the loss being constant) "
                    "times pow's infinite slope at 0 is NaN, TensorFlow's inf (docs/tf-compat.md)"),
]
PROGRAMS += [
    row("xlogy of an int32 tensor and 1.5: TensorFlow converts 1.5 to int32 first (TypeError), "
        "before the float-only check",
        prog([inp([-2, 1], dtype="int32")], [op("math.xlogy", ref(0), 1.5)], "none")),
    row("atan2 of 0.5 and an int32 tensor: TypeError converting 0.5",
        prog([inp([-2, 1], dtype="int32")], [op("math.atan2", 0.5, ref(0))], "none")),
    row("xlogy of an int64 tensor and a float numpy array: the array is converted "
        "(truncated), then the float-only check (InvalidArgumentError)",
        prog([inp([1, 2], dtype="int64")],
             [op("math.xlogy", ref(0), {"array": [0.5, 1.5], "dtype": "float64",
                                        "shape": [2]})], "none")),
]
PROGRAMS += [
    row("divide_no_nan of a float64 and an int64 tensor: TypeError (TensorFlow checks the "
        "dtypes in Python), not InvalidArgumentError",
        prog([inp([-1.0, 0.5], dtype="float64", kind="const"),
              inp(-2, dtype="int64", kind="const")],
             [op("math.divide_no_nan", ref(0), ref(1))], "none")),
    row("divide_no_nan of int32 and int64 tensors: TypeError, not a float64 result",
        prog([inp([2, 0], dtype="int32"), inp([0, 3], dtype="int64")],
             [op("math.divide_no_nan", ref(0), ref(1))], "none")),
]
PROGRAMS += [
    row("softmax_cross_entropy_with_logits with rank-0 labels and rank-1 logits: TensorFlow "
        "raises InvalidArgumentError (slicing the labels' shape)",
        prog([inp([1.5, 2.0]), inp(1.0, kind="const")],
             [op("nn.softmax_cross_entropy_with_logits", labels=ref(1), logits=ref(0))])),
    row("softmax_cross_entropy_with_logits whose labels are an earlier loss (rank 0): "
        "InvalidArgumentError at the forward pass",
        prog([inp([0.5, -1.0]), inp([[0.2, 0.8]], kind="const")],
             [op("nn.softmax_cross_entropy_with_logits", labels=ref(1), logits=ref(1)),
              op("nn.softmax_cross_entropy_with_logits", labels=ref(2), logits=ref(0))],
             "none")),
]
PROGRAMS += [
    row("softmax_cross_entropy_with_logits with axis=0 (not a literal -1) and labels of "
        "another rank than the logits: InvalidArgumentError (TensorFlow transposes both by the "
        "logits' permutation)",
        prog([inp([-2.18, 0.49]), inp([[0.5, 0.5]], kind="const")],
             [op("nn.softmax_cross_entropy_with_logits", labels=ref(1), logits=ref(0), axis=0)],
             "none")),
    row("softmax_cross_entropy_with_logits with axis=1, labels of rank 3, logits of rank 2",
        prog([inp([[1.0, 2.0], [0.5, -1.0]]), inp([[[0.5, 0.5]]], kind="const")],
             [op("nn.softmax_cross_entropy_with_logits", labels=ref(1), logits=ref(0), axis=1)],
             "none")),
]
PROGRAMS += [
    row("pow(-inf, 0.5) is inf in TensorFlow (C's pow); numpy's x ** 0.5 is sqrt, NaN",
        prog([inp([1.16, -INF, -0.0])], [op("pow", ref(0), 0.5)], "none")),
    row("pow(x, 1.5) at -inf: d/dx = 1.5 * pow(-inf, 0.5) = inf, as TensorFlow",
        prog([inp([1.0, -INF, -1.09], dtype="float64")], [op("pow", ref(0), 1.5)], "second")),
]
PROGRAMS += [
    row("a cross-entropy of 0 is +0, not -0: rsqrt of it is inf, not -inf",
        prog([inp([-0.65], kind="const")],
             [op("nn.sparse_softmax_cross_entropy_with_logits",
                 labels={"array": [0], "dtype": "int32", "shape": []}, logits=ref(0)),
              op("math.rsqrt", ref(1))], "none")),
    row("softmax cross-entropy over one class is +0: reciprocal gives inf",
        prog([inp([[1.0], [2.0]], kind="const")],
             [op("nn.softmax_cross_entropy_with_logits",
                 labels={"array": [0.5, 1.0], "dtype": "float32", "shape": [2, 1]},
                 logits=ref(0)),
              op("math.reciprocal", ref(1))], "none")),
    # issue 20 final fuzz run (helper f3)
    row("math.log→math.top_k with a NaN in the input: TensorFlow's NaN placement",
        {'inputs': [{'shape': [2, 3],
                     'dtype': 'float32',
                     'kind': 'const',
                     'values': [NAN, 1.44, -0.48, 1.67, INF, -0.41]}],
         'ops': [{'fn': 'math.log', 'args': [{'ref': 0}], 'kwargs': {}},
                 {'fn': 'math.top_k', 'args': [{'ref': 1}], 'kwargs': {}}],
         'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        tf_is_wrong=TOPK_NAN),
    row("sqrt→math.top_k→nn.softmax_cross_entropy_with_logits: TensorFlow's NaN placement",
        {'inputs': [{'shape': [3],
                     'dtype': 'float64',
                     'kind': 'watched',
                     'values': [-1.0, 1.0, -1.0]}],
         'ops': [{'fn': 'sqrt', 'args': [{'ref': 0}], 'kwargs': {}},
                 {'fn': 'math.top_k', 'args': [{'ref': 1}], 'kwargs': {}},
                 {'fn': 'nn.softmax_cross_entropy_with_logits',
                  'args': [],
                  'kwargs': {'labels': {'array': [1], 'dtype': 'int32', 'shape': [1]},
                             'logits': {'ref': 2, 'item': 0},
                             'axis': -1}}],
         'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        tf_is_wrong=TOPK_NAN),
    row("math.xlogy→math.top_k with a NaN in the input: TensorFlow's NaN placement",
        {'inputs': [{'shape': [3],
                     'dtype': 'float64',
                     'kind': 'const',
                     'values': [2.54, -0.09, 0.52]}],
         'ops': [{'fn': 'math.xlogy', 'args': [{'ref': 0}, {'ref': 0}], 'kwargs': {}},
                 {'fn': 'math.top_k', 'args': [{'ref': 1}], 'kwargs': {}}],
         'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        tf_is_wrong=TOPK_NAN),
    row('math.top_k of an empty (0, 1) tensor, Jacobian: TensorFlow raises',
        {'inputs': [{'shape': [0, 1], 'dtype': 'float64', 'kind': 'watched', 'values': []}],
         'ops': [{'fn': 'math.top_k', 'args': [{'ref': 0}], 'kwargs': {}}],
         'grad': {'mode': 'jacobian', 'weights': 'ones', 'unconnected': None}},
        tf_is_wrong=TOPK_EMPTY_JACOBIAN),
    row("__rmod__→math.rsqrt: 3 % -0.5 is +0 in TensorFlow (fmod's sign), so rsqrt gives inf",
        {'inputs': [{'shape': [2, 2],
                     'dtype': 'float32',
                     'kind': 'watched',
                     'values': [1.6, -0.5, -0.98, 0.01]}],
         'ops': [{'fn': '__rmod__', 'args': [{'ref': 0}, 3], 'kwargs': {}},
                 {'fn': 'math.rsqrt', 'args': [{'ref': 1}], 'kwargs': {}}],
         'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}}),
    row("pow→math.top_k with a NaN in the input: TensorFlow's NaN placement",
        {'inputs': [{'shape': [2, 1, 3],
                     'dtype': 'float32',
                     'kind': 'const',
                     'values': [1.72, 0.14, 1.5, -2.5, 1.84, -1.61]},
                    {'shape': [2, 1, 3],
                     'dtype': 'float32',
                     'kind': 'watched',
                     'values': [0.8, -0.5, -0.67, 0.35, -2.69, -1.8]}],
         'ops': [{'fn': 'pow', 'args': [{'ref': 0}, {'ref': 1}], 'kwargs': {}},
                 {'fn': 'math.top_k', 'args': [{'ref': 2}], 'kwargs': {}}],
         'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        tf_is_wrong=TOPK_NAN),
]
# fuzz_final1 (seed 2026): a Python list beside a logical op, a list meeting == and |, the mean
# of an empty integer tensor over every axis
_BOOL1 = {"array": [True], "dtype": "bool", "shape": [1]}
PROGRAMS += [
    row("logical_or(unstack(float), float tensor): with a list among the arguments TensorFlow "
        "converts each to bool first, so the float tensor is a ValueError",
        prog([inp([0.53], kind="const")],
             [op("unstack", ref(0)), op("logical_or", ref(1), ref(0))], "none")),
    row("logical_or(split(float), float tensor): ValueError (the list makes TensorFlow convert)",
        prog([inp([-1.98, 1.5, -0.12]), inp([0.1, 0.68, -1.26], kind="const")],
             [op("split", ref(0), 1), op("logical_or", ref(2), ref(1))], "none")),
    row("logical_and(top_k(float), float tensor): ValueError",
        prog([inp([0.5, -1.0, -1.0], kind="const"), inp([[1.0]], kind="const")],
             [op("math.top_k", ref(0)), op("logical_and", ref(2), ref(1))], "none")),
    row("math.logical_xor(split(float64), int64 tensor): ValueError",
        prog([inp([[0.16], [-0.1], [-0.38]], dtype="float64"),
              inp([[0], [-2], [3]], dtype="int64", kind="const")],
             [op("split", ref(0), 1, axis=-1), op("math.logical_xor", ref(2), ref(1))], "none")),
    row("logical_or(bool tensor, [float tensors]): the list of float tensors becomes bools, "
        "no error",
        prog([inp([0.5, 0.0], kind="const")],
             [op("unstack", ref(0)), op("logical_or", _BOOL1, ref(1))], "none")),
    row("logical_or([bool tensor, float tensor], bool): packing a list led by a bool tensor "
        "wants bools after it: InvalidArgumentError",
        prog([inp([True], dtype="bool", kind="const"), inp([1.0], kind="const")],
             [op("logical_or", [ref(0), ref(1)], _BOOL1)], "none")),
    row("clip_by_global_norm's (list, norm) == tensor: the pair does not pack into one tensor, "
        "InvalidArgumentError (not a Python False)",
        prog([inp([3.52], kind="const"), inp([[-0.43], [0.26]])],
             [op("clip_by_global_norm", [ref(0), ref(0)], 2.0), op("__eq__", ref(2), ref(1))],
             "none")),
    row("tensor | clip_by_global_norm's (list, norm): InvalidArgumentError from packing, not "
        "AttributeError",
        prog([inp([-0.65, -1.22]), inp([-1.97, 1.34]), inp([-2.41, 1.49], kind="var_frozen")],
             [op("clip_by_global_norm", [ref(0), ref(1)], 2.0), op("__ror__", ref(3), ref(2))],
             "none")),
    row("reduce_mean of an empty int32 tensor over all axes (axis None): TensorFlow gives 0",
        prog([inp([], shape=[0, 3], dtype="int32", kind="const")],
             [op("reduce_mean", ref(0), keepdims=False)], "none"),
        tf_is_wrong="TensorFlow 2.21 gives 0 for the integer mean of no elements (its integer "
        "division by a count of 0 gives 0); the mean of nothing is undefined and an integer has "
        "no NaN, so adkernel raises InvalidArgumentError (for every axis form) and says to cast "
        "to float first"),
]
PROGRAMS += [
    row("clip_by_global_norm second order: the norm output and the clipped list together "
        "(d2 = 0; sqrt's '0 where the upstream gradient is 0' select drops d/dg at g = 0)",
        prog([inp([[1.0]])],
             [op("clip_by_global_norm", [ref(0, 0), ref(0)], 1.0)], "second"),
        open="sqrt/rsqrt/reciprocal second order where the first-order upstream is exactly 0"),
]
PROGRAMS += [
    row("n = sqrt(x); 1/n + n at x = 1: the first-order upstream of sqrt is exactly 0, the "
        "second derivative is 0.5 (adkernel 0: the select on g == 0 has no d/dg there)",
        prog([inp([1.0, 2.0])],
             [op("sqrt", ref(0)), op("math.reciprocal", ref(1)), op("add", ref(2), ref(1))],
             "second"),
        open="sqrt/rsqrt/reciprocal second order where the first-order upstream is exactly 0"),
]
# ----- session 18: the 50,000-program run with seed 2028 -------------------------------------
_F28 = (
    {"inputs": [{"shape": [1, 1], "dtype": "float32", "kind": "watched", "values": [1.0]},
                {"shape": [1], "dtype": "float32", "kind": "watched", "values": [-1.24]}],
     "ops": [{"fn": "unstack", "args": [{"ref": 0}], "kwargs": {"axis": 0}},
             {"fn": "where", "args": [{"array": [True], "dtype": "bool", "shape": [1]}],
              "kwargs": {"x": {"ref": 2}, "y": {"ref": 1}}}],
     "grad": {"mode": "grad", "weights": "ones", "unconnected": None}},
    {"inputs": [{"shape": [1, 1], "dtype": "float64", "kind": "watched", "values": [0.66]},
                {"shape": [3], "dtype": "float64", "kind": "const", "values": [1.2, 1.26, 3.99]}],
     "ops": [{"fn": "unstack", "args": [{"ref": 0}], "kwargs": {}},
             {"fn": "math.xlogy", "args": [{"ref": 2}, {"ref": 1}], "kwargs": {}}],
     "grad": {"mode": "grad", "weights": "ones", "unconnected": "zero"}},
    {"inputs": [{"shape": [1], "dtype": "float32", "kind": "watched", "values": [1.67]},
                {"shape": [1], "dtype": "float32", "kind": "var_frozen", "values": [0.5]}],
     "ops": [{"fn": "clip_by_norm", "args": [{"ref": 0}, 0.5], "kwargs": {"axes": [0]}},
             {"fn": "__ge__", "args": [{"ref": 2}, {"ref": 1}], "kwargs": {}}],
     "grad": {"mode": "none", "weights": "ones", "unconnected": None}},
    {"inputs": [{"shape": [3, 3, 3], "dtype": "float64", "kind": "watched",
                 "values": [0.0, -1.93, -0.29, 1.65, 1.44, -0.82, -0.17, 1.0, 0.52, 1.61, -2.19,
                            1.24, -np.inf, 2.0, -0.5, -0.39, -0.24, np.inf, 2.0, 0.91, 1.94,
                            np.inf, -0.23, 0.01, 0.68, 0.68, 2.61]}],
     "ops": [{"fn": "linalg.det", "args": [{"ref": 0}], "kwargs": {}}],
     "grad": {"mode": "grad", "weights": "ones", "unconnected": None}},
    {"inputs": [{"shape": [2, 1], "dtype": "float64", "kind": "watched", "values": [1.0, -1.34]}],
     "ops": [{"fn": "nn.softmax_cross_entropy_with_logits", "args": [],
              "kwargs": {"labels": {"array": [1, -1], "dtype": "int32", "shape": [2, 1]},
                         "logits": {"ref": 0}}},
             {"fn": "math.cosh", "args": [{"ref": 1}], "kwargs": {}}],
     "grad": {"mode": "second", "weights": "ones", "unconnected": None}},
    {"inputs": [{"shape": [1, 3], "dtype": "float64", "kind": "watched",
                 "values": [-np.inf, 1.0, -1.43]},
                {"shape": [1, 3], "dtype": "float64", "kind": "var", "values": [0.08, 0.92, 0.0]}],
     "ops": [{"fn": "nn.softmax_cross_entropy_with_logits", "args": [],
              "kwargs": {"labels": {"ref": 1}, "logits": {"ref": 0}, "axis": None}}],
     "grad": {"mode": "second", "weights": "ramp0", "unconnected": None}},
)
PROGRAMS += [
    row("unstack's list as where's x: TensorFlow packs it on the tape (gradient 1 to the "
        "unstacked input); adkernel's where converted it off the tape (None)", _F28[0]),
    row("unstack's list as xlogy's x: packed on the tape as in TensorFlow (gradient 1.797), "
        "not converted to a constant (0 with unconnected_gradients='zero')", _F28[1]),
    row("clip_by_norm(1.67, 0.5) >= 0.5: TensorFlow computes (t * clip) / max(norm, clip), "
        "exactly 0.5, so True; adkernel's t * (clip / max(norm, clip)) gave 0.49999997",
        _F28[2]),
    row("det's gradient of a matrix holding inf: TensorFlow inverts the transpose "
        "(matrix_inverse(adjoint=True)) with its own LU, whose NaN then fills the whole "
        "gradient; adkernel inverted the matrix by LAPACK and transposed (inf and NaN mixed)",
        _F28[3]),
    row("cosh(softmax_cross_entropy_with_logits) over one class with labels 1 and -1: the "
        "loss is 0 for every logit, so every derivative is 0; TensorFlow's gradient "
        "softmax - labels (2 for the label -1) gives a second derivative of 4",
        _F28[4],
        tf_is_wrong="over one class the loss is identically 0 (log_softmax is 0), so cosh(loss) "
        "is the constant 1 and its second derivative is 0, as adkernel gives (central "
        "differences: 0); TensorFlow's gradient softmax - labels is the derivative only when "
        "each row of labels sums to 1 (docs/tf-compat.md, deliberate differences)"),
    row("softmax_cross_entropy_with_logits with a -inf logit and trainable labels, second "
        "order: TensorFlow gives NaN for the labels' entry at the -inf logit, adkernel 0",
        _F28[5],
        tf_is_wrong="TensorFlow's second pass reaches the labels only through its labels "
        "gradient upstream * -log_softmax(logits), with a zero upstream there, so a -inf "
        "logit makes 0 * inf = NaN (the same labels path it otherwise treats as absent, "
        "docs/tf-compat.md); the first derivative's entries that depend on the labels, "
        "g * (softmax * sum(labels) - labels), are finite and their derivative is "
        "g * (softmax - 1), 0 here with the weight g = 0, as adkernel gives"),
]

# ----- session 18: the 50,000-program run with seed 2029 -------------------------------------
nan, inf = float("nan"), float("inf")
_F29 = {'clip': {'inputs': [{'shape': [1, 1], 'dtype': 'int32', 'kind': 'const', 'values': [-3]}],
                 'ops': [{'fn': 'clip_by_value',
                          'args': [{'ref': 0, 'item': 0}, 0.0, {'ref': 0}],
                          'kwargs': {}}],
                 'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        'emb': {'inputs': [{'shape': [], 'dtype': 'float32', 'kind': 'watched', 'values': [1.38]}],
                'ops': [{'fn': 'clip_by_global_norm',
                         'args': [[{'ref': 0}, {'ref': 0}], 1.0],
                         'kwargs': {}},
                        {'fn': 'nn.embedding_lookup',
                         'args': [{'ref': 1, 'item': 0}, [0]],
                         'kwargs': {}}],
                'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        'jac': {'inputs': [{'shape': [], 'dtype': 'float32', 'kind': 'const', 'values': [1.0]},
                           {'shape': [], 'dtype': 'float32', 'kind': 'var', 'values': [-1.77]}],
                'ops': [{'fn': 'clip_by_global_norm',
                         'args': [[{'ref': 0}, {'ref': 1}], 1.0],
                         'kwargs': {}},
                        {'fn': '__sub__',
                         'args': [{'ref': 2, 'item': 0},
                                  {'array': [1], 'dtype': 'int64', 'shape': []}],
                         'kwargs': {}}],
                'grad': {'mode': 'jacobian', 'weights': 'ones', 'unconnected': None}},
        'floordiv': {'inputs': [{'shape': [3, 2, 3],
                                 'dtype': 'float64',
                                 'kind': 'watched',
                                 'values': [1.25, 0.5, 1.13, -0.94, 2.35, 0.47, 0.54, -0.31, 0.09,
                                            -1.25, 0.57, 0.02, 1.08, 1.0, -0.28, 2.47, -0.27,
                                            0.51]},
                                {'shape': [3, 2, 3],
                                 'dtype': 'float64',
                                 'kind': 'watched',
                                 'values': [0.1, 0.25, -1.08, -0.6, 2.86, 1.27, 0.31, -0.21, -2.0,
                                            -0.46, -0.24, 3.41, -1.49, 0.31, -0.25, 0.63, 1.16,
                                            -0.44]}],
                     'ops': [{'fn': 'pow',
                              'args': [{'ref': 0},
                                       {'array': [3], 'dtype': 'int64', 'shape': [1, 1, 1]}],
                              'kwargs': {}},
                             {'fn': '__rfloordiv__',
                              'args': [{'ref': 2}, {'ref': 1}],
                              'kwargs': {}}],
                     'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        'inv': {'inputs': [{'shape': [3, 2],
                            'dtype': 'float64',
                            'kind': 'const',
                            'values': [-0.34, -0.51, -0.49, -1.78, -0.39, -2.64]}],
                'ops': [{'fn': '__matmul__',
                         'args': [{'ref': 0},
                                  {'array': [0.04, -1.25, 1.55, -0.64, -0.39, -1.77],
                                   'dtype': 'float32',
                                   'shape': [2, 3]}],
                         'kwargs': {}},
                        {'fn': 'linalg.inv', 'args': [{'ref': 1}], 'kwargs': {}}],
                'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        'cosh': {'inputs': [{'shape': [1, 1],
                             'dtype': 'float64',
                             'kind': 'watched',
                             'values': [-1.0]}],
                 'ops': [{'fn': '__truediv__',
                          'args': [{'ref': 0},
                                   {'array': [0, 2, -1, 0, 3, 2],
                                    'dtype': 'int32',
                                    'shape': [3, 2]}],
                          'kwargs': {}},
                         {'fn': 'math.cosh', 'args': [{'ref': 1}], 'kwargs': {}}],
                 'grad': {'mode': 'second', 'weights': 'ones', 'unconnected': None}},
        'dnn': {'inputs': [{'shape': [3, 2],
                            'dtype': 'float32',
                            'kind': 'const',
                            'values': [-0.02, 1.58, -inf, 0.33, 1.0, 0.34]},
                           {'shape': [3, 2],
                            'dtype': 'float32',
                            'kind': 'watched',
                            'values': [0.0, -1.52, -1.38, 1.05, -2.07, -0.21]}],
                'ops': [{'fn': 'math.divide_no_nan',
                         'args': [{'ref': 0}, {'ref': 1}],
                         'kwargs': {}},
                        {'fn': '__rmod__',
                         'args': [{'ref': 2},
                                  {'array': [3, -1, 2, -2, -1, 0],
                                   'dtype': 'int64',
                                   'shape': [3, 2]}],
                         'kwargs': {}}],
                'grad': {'mode': 'second', 'weights': 'ones', 'unconnected': None}},
        'ce': {'inputs': [{'shape': [1, 3, 1],
                           'dtype': 'float64',
                           'kind': 'watched',
                           'values': [0.0, -0.78, 0.45]},
                          {'shape': [1, 1, 1],
                           'dtype': 'int64',
                           'kind': 'watched',
                           'values': [-1]}],
               'ops': [{'fn': 'nn.softmax_cross_entropy_with_logits',
                        'args': [],
                        'kwargs': {'labels': {'ref': 1}, 'logits': {'ref': 0}}}],
               'grad': {'mode': 'second', 'weights': 'ones', 'unconnected': 'zero'}}}
PROGRAMS += [
    row("clip_by_value(int [-3], 0.0, [[-3]]): TensorFlow takes minimum(t, max) first and "
        "refuses the bigger result (ValueError) before converting 0.0 to int32 (TypeError)",
        _F29["clip"]),
    row("embedding_lookup on clip_by_global_norm's list of two scalars: TensorFlow reads each "
        "shard's number of rows and raises IndexError",
        _F29["emb"]),
    row("the Jacobian of a numpy array (clip_by_global_norm's list minus a numpy int, which "
        "numpy computes): TensorFlow takes it as a constant and returns None",
        _F29["jac"]),
    row("3.41 // 0.02**3 sits within one ulp of 426250: TensorFlow's vectorised pow rounds "
        "0.02**3 down and gets 426250, adkernel 426249 (documented rounding, through //)",
        _F29["floordiv"]),
    row("inv of a singular 3x3 (a 3x2 @ 2x3 product): rounding noise of order 1e16 on both "
        "sides, with other digits (documented, through linalg.inv)",
        _F29["inv"]),
    row("x / [0, 2, -1, 0, 3, 2] then cosh, second order at x = -1: TensorFlow inf, adkernel "
        "NaN (inf and 0 * inf terms meet differently in the second pass)",
        _F29["cosh"], open="a fuzzer class no item names yet"),
    row("divide_no_nan(x, y) at y = 0, then an int array % it, second order: TensorFlow NaN "
        "(its grad * div_no_nan(div_no_nan(-x, y), y) multiplies the NaN that the mod's "
        "inf quotient brings back), adkernel 0",
        _F29["dnn"], open="a fuzzer class no item names yet"),
    row("softmax_cross_entropy_with_logits with watched int64 labels broadcast against the "
        "logits: TensorFlow's first derivative works (the cast cuts the labels) and the second "
        "raises; adkernel raises at the first (its broadcast-labels gradient check)",
        _F29["ce"], open="a fuzzer class no item names yet"),
]

# ----- session 18: the 50,000-program run with seed 2030 -------------------------------------
_F30 = {'l2cosh': {'inputs': [{'shape': [3, 3],
                               'dtype': 'float32',
                               'kind': 'watched',
                               'values': [1.0, 2.0, -3.5, -0.55, -inf, -0.86, 2.99, 1.59, 0.01]}],
                   'ops': [{'fn': 'nn.l2_loss', 'args': [{'ref': 0}], 'kwargs': {}},
                           {'fn': 'math.cosh', 'args': [{'ref': 1}], 'kwargs': {}}],
                   'grad': {'mode': 'second', 'weights': 'ones', 'unconnected': None}},
        'xlogycosh': {'inputs': [{'shape': [1],
                                  'dtype': 'float32',
                                  'kind': 'watched',
                                  'values': [-1.0]}],
                      'ops': [{'fn': 'math.xlogy',
                               'args': [{'ref': 0},
                                        {'array': [1, 2, 0], 'dtype': 'int32', 'shape': [3]}],
                               'kwargs': {}},
                              {'fn': 'math.cosh', 'args': [{'ref': 1}], 'kwargs': {}}],
                      'grad': {'mode': 'second', 'weights': 'ones', 'unconnected': None}},
        'topkdiv': {'inputs': [{'shape': [3],
                                'dtype': 'float32',
                                'kind': 'const',
                                'values': [1.26, 0.49, -1.85]},
                               {'shape': [1],
                                'dtype': 'int32',
                                'kind': 'var_frozen',
                                'values': [3]}],
                    'ops': [{'fn': 'math.top_k', 'args': [{'ref': 0}], 'kwargs': {}},
                            {'fn': 'divide', 'args': [{'ref': 2}, {'ref': 1}], 'kwargs': {}}],
                    'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        'det': {'inputs': [{'shape': [2, 3, 3],
                            'dtype': 'float32',
                            'kind': 'watched',
                            'values': [0.0, -0.25, -0.69, 0.0, -1.35, inf, 0.79, -1.18, -0.06,
                                       0.63, 0.62, 0.33, -inf, -0.24, -0.46, -inf, -1.49,
                                       -0.82]}],
                'ops': [{'fn': 'linalg.det', 'args': [{'ref': 0}], 'kwargs': {}}],
                'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}}}
PROGRAMS += [
    row("l2_loss then cosh, second order with an inf input: TensorFlow inf (cosh's gradient "
        "is g * sinh(x), whose own gradient is cosh(x)), adkernel NaN (its sinh was "
        "(exp(x) - exp(-x)) / 2, and inf * exp(-inf) is NaN)", _F30["l2cosh"]),
    row("xlogy(-1, [1, 2, 0]) then cosh, second order: inf as in TensorFlow (cosh's VJP "
        "through the sinh op)", _F30["xlogycosh"]),
    row("top_k's (values, indices) divided by an int32 variable: TensorFlow converts the "
        "tuple with the variable's dtype, casting the float32 values to int32 (1.26 -> 1), "
        "and divides ([0.333, 0]); adkernel refuses to pack tensors of two dtypes",
        _F30["topkdiv"], open="a fuzzer class no item names yet"),
    row("det of matrices holding inf: TensorFlow multiplies the pivots of its own LU, so an "
        "inf pivot met before another inf gives inf / inf = NaN ([-inf, nan]); adkernel's "
        "LAPACK gave [-inf, -inf]", _F30["det"]),
]

# ----- session 18: the 50,000-program run with seed 2031 -------------------------------------
_F31 = {'topkge': {'inputs': [{'shape': [2, 2],
                               'dtype': 'float32',
                               'kind': 'const',
                               'values': [1.0, -1.26, -0.5, -2.28]},
                              {'shape': [1, 1],
                               'dtype': 'float64',
                               'kind': 'watched',
                               'values': [-0.5]}],
                   'ops': [{'fn': 'math.top_k', 'args': [{'ref': 0}], 'kwargs': {}},
                           {'fn': 'greater_equal',
                            'args': [{'ref': 2}, {'ref': 1}],
                            'kwargs': {}}],
                   'grad': {'mode': 'grad', 'weights': 'ones', 'unconnected': None}},
        'topkdiv64': {'inputs': [{'shape': [1, 1],
                                  'dtype': 'float32',
                                  'kind': 'watched',
                                  'values': [-3.04]},
                                 {'shape': [1, 1],
                                  'dtype': 'int64',
                                  'kind': 'const',
                                  'values': [-3]}],
                      'ops': [{'fn': 'math.top_k', 'args': [{'ref': 0}], 'kwargs': {}},
                              {'fn': 'divide', 'args': [{'ref': 2}, {'ref': 1}], 'kwargs': {}}],
                      'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        'ceint': {'inputs': [{'shape': [3, 1],
                              'dtype': 'float64',
                              'kind': 'const',
                              'values': [1.26, 1.59, 0.82]},
                             {'shape': [1], 'dtype': 'int64', 'kind': 'watched', 'values': [0]}],
                  'ops': [{'fn': 'nn.softmax_cross_entropy_with_logits',
                           'args': [],
                           'kwargs': {'labels': {'ref': 1}, 'logits': {'ref': 0}}}],
                  'grad': {'mode': 'grad', 'weights': 'ones', 'unconnected': None}},
        'castjac': {'inputs': [{'shape': [0, 1],
                                'dtype': 'float32',
                                'kind': 'var_frozen',
                                'values': []}],
                    'ops': [{'fn': 'cast',
                             'args': [{'ref': 0}, {'dtype': 'float32'}],
                             'kwargs': {}}],
                    'grad': {'mode': 'jacobian', 'weights': 'ones', 'unconnected': None}},
        'momentsmatmul': {'inputs': [{'shape': [1, 1],
                                      'dtype': 'int64',
                                      'kind': 'const',
                                      'values': [-3]},
                                     {'shape': [1, 1],
                                      'dtype': 'int64',
                                      'kind': 'var',
                                      'values': [2]},
                                     {'shape': [1, 2],
                                      'dtype': 'float64',
                                      'kind': 'var',
                                      'values': [1.75, 0.06]}],
                          'ops': [{'fn': 'nn.moments',
                                   'args': [{'ref': 0}, [0]],
                                   'kwargs': {'keepdims': True}},
                                  {'fn': 'where',
                                   'args': [{'array': [False], 'dtype': 'bool', 'shape': [1, 1]}],
                                   'kwargs': {'x': {'ref': 1, 'item': 0}, 'y': {'ref': 1}}},
                                  {'fn': 'matmul',
                                   'args': [{'ref': 3}, {'ref': 2}],
                                   'kwargs': {'transpose_b': False}}],
                          'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}},
        'concat': {'inputs': [{'shape': [1, 1, 1],
                               'dtype': 'float64',
                               'kind': 'var',
                               'values': [1.0]},
                              {'shape': [1, 1, 1],
                               'dtype': 'float32',
                               'kind': 'const',
                               'values': [-1.45]}],
                   'ops': [{'fn': 'concat',
                            'args': [[{'ref': 1}, {'ref': 0}], [0]],
                            'kwargs': {}}],
                   'grad': {'mode': 'none', 'weights': 'ones', 'unconnected': None}}}
PROGRAMS += [
    row("top_k's (values, indices) >= a float64 tensor: TensorFlow converts the tuple with the "
        "tensor's dtype (casting), compares, and fails only summing the bools; adkernel "
        "refused to pack", _F31["topkge"]),
    row("top_k's (values, indices) / an int64 tensor: the tuple cast to int64 as TensorFlow "
        "does (-3.04 -> -3), then true division in float64", _F31["topkdiv64"]),
    row("softmax_cross_entropy_with_logits with watched int64 labels of shape (1,) against "
        "(3, 1) logits: the cast to float cuts the labels (no gradient), so their "
        "broadcasting raises nothing; adkernel raised its broadcast-gradient error",
        _F31["ceint"]),
    row("tape.jacobian(x, x) of an empty trainable=False variable (tf.cast to its own dtype is "
        "x): TensorFlow slices the target without recording (the tape does not watch it), so "
        "None", _F31["castjac"]),
    row("matmul of nn.moments' int64 (mean, variance) and a float64 variable: TensorFlow "
        "converts a on its own (int64) and refuses the pair; adkernel cast the tuple to "
        "float64", _F31["momentsmatmul"]),
    row("concat of a float32 constant and a float64 variable with axis=[0] (a list): "
        "TensorFlow's slow path refuses to convert the variable (ValueError); with axis=0, "
        "or two constants, it raises InvalidArgumentError as adkernel does",
        _F31["concat"], open="a fuzzer class no item names yet"),
]

# session 18, round 2 (seed 2040): TensorFlow's slow conversion path, a variable as its own target
_L32 = [ref(0), ref(0)]
_V64 = inp([-0.5], dtype="float64", kind="var")
PROGRAMS += [
    row("tf.subtract(list of float32 tensors, float64 variable): TensorFlow packs the list as "
        "float32, then refuses to convert the variable (ValueError)",
        prog([inp([0.69]), _V64], [op("subtract", _L32, ref(1))], "none")),
    row("tf.subtract(list of float32 tensors, float64 constant): the constant sets the dtype and "
        "the list is cast to float64",
        prog([inp([0.69]), inp([-0.5], dtype="float64", kind="const")],
             [op("subtract", _L32, ref(1))], "none")),
    row("list of float32 tensors - a float64 variable (the operator): the variable's __rsub__ "
        "converts the list with its dtype",
        prog([inp([0.69]), _V64], [op("__rsub__", ref(1), _L32)], "none")),
    row("tf.add(list of float32 tensors, float64 variable): tf.add converts the list on its own "
        "(InvalidArgumentError)",
        prog([inp([0.69]), _V64], [op("add", _L32, ref(1))], "none")),
    row("tf.divide(list of float32 tensors, float64 variable): tf.divide converts the list with "
        "the variable's dtype",
        prog([inp([0.69]), _V64], [op("divide", _L32, ref(1))], "none")),
    row("tf.math.atan2(list of float32 tensors, float64 variable): ValueError, as subtract",
        prog([inp([0.69]), _V64], [op("math.atan2", _L32, ref(1))], "none")),
    row("concat of a float32 constant and a float64 variable with axis=0: InvalidArgumentError "
        "(the fast path's kernel)",
        prog([inp([1.0]), _V64], [op("concat", [ref(0), ref(1)], 0)], "none")),
    row("concat of two variables of different dtypes with axis=[0]: the first sets the dtype, "
        "the second is refused (ValueError)",
        prog([_V64, inp([1.0], kind="var")], [op("concat", [ref(0), ref(1)], [0])], "none")),
    row("less_equal(top_k's (values, indices), an int32 variable): packing float32 values and "
        "int32 indices fails first (InvalidArgumentError)",
        prog([inp([[0.69, -1.6, -0.57], [1.6, 3.06, -0.56]]),
              inp([[-3]], dtype="int32", kind="var_frozen")],
             [op("math.top_k", ref(0)), op("less_equal", ref(2), ref(1))], "none")),
    row("tape.jacobian of tf.cast(v, v.dtype) (v itself) for a trainable variable: TensorFlow's "
        "slicing reads the variable, so the tape watches it: the identity",
        prog([inp([[1.0]], kind="var")], [op("cast", ref(0), {"dtype": "float32"})],
             "jacobian")),
]

# session 19 (issue 20, final round): signed zeros of trivial reductions, tf.truediv's dtypes
_NEG0_ROW = inp([[-0.0, -0.0]], kind="const")
PROGRAMS += [
    row("reduce_sum over an axis of length 1 keeps -0.0 (TensorFlow reshapes): 1/x is -inf",
        prog([_NEG0_ROW], [op("reduce_sum", ref(0), 0), op("math.reciprocal", ref(1))], "none")),
    row("reduce_sum over an axis of length 2 of -0.0s starts from +0.0: 1/x is +inf",
        prog([_NEG0_ROW], [op("reduce_sum", ref(0), 1), op("math.reciprocal", ref(1))], "none")),
    row("reduce_mean over axes [] and over a tensor of one element keep -0.0: rsqrt is -inf",
        prog([_NEG0_ROW, inp([[-0.0]], dtype="float64", kind="const")],
             [op("reduce_mean", ref(0), []), op("math.rsqrt", ref(2)),
              op("reduce_mean", ref(1)), op("math.rsqrt", ref(4))], "none")),
    row("reduce_sum over axes (0,) of a (1, 2) tensor and keepdims: -0.0 kept",
        prog([_NEG0_ROW], [op("reduce_sum", ref(0), [0], keepdims=True),
                           op("math.reciprocal", ref(1))], "none")),
    row("cumsum never gives -0.0 (TensorFlow's running sums start from +0.0): 1/x is +inf",
        prog([_NEG0_ROW], [op("cumsum", ref(0), 1), op("math.reciprocal", ref(1)),
                           op("cumsum", ref(0), 0, reverse=True),
                           op("math.reciprocal", ref(3))], "none")),
    row("tf.truediv(list of float32 tensors, float64 constant): TypeError (x is converted on "
        "its own; tf.divide converts it with y's dtype)",
        prog([inp([0.69]), inp([-0.5], dtype="float64", kind="const")],
             [op("truediv", _L32, ref(1))], "none")),
    row("tf.truediv(list of float64 tensors, int32 tensor): TypeError, not the list cast to "
        "int32 (-0.5 -> 0) and divided",
        prog([inp([-0.5], dtype="float64"), inp([2], dtype="int32", kind="const")],
             [op("truediv", [ref(0)], ref(1))], "none")),
    row("tf.math.truediv(float32 tensor, list of a float64 tensor): y is packed with x's dtype",
        prog([inp([0.69]), inp([-0.5], dtype="float64")],
             [op("math.truediv", ref(0), [ref(1)])])),
]

# TensorFlow's float64 tanh(0.5) (1 ulp from numpy's) makes a matrix whose first and last
# columns are equal, yet Eigen's LU leaves a 1e-17 pivot there: TensorFlow inverts it
_SING = inp([0.7615941559557649, -0.7615941559557649, 0.7615941559557649, 0.4621171572600098,
             0.4621171572600098, 0.4621171572600098, -0.7615941559557649, 0.4621171572600098,
             -0.7615941559557649], shape=[3, 3], dtype="float64", kind="const")
PROGRAMS += [
    row("linalg.inv of a singular matrix whose LU (TensorFlow's order) ends on a 1e-17 pivot, "
        "not 0: TensorFlow's rounding-noise inverse (LAPACK meets an exact 0 and refused)",
        prog([_SING], [op("linalg.inv", ref(0))], "none")),
    row("linalg.solve with that matrix: TensorFlow's rounding-noise solution",
        prog([_SING, inp([1.0, 0.0, 0.0], shape=[3, 1], dtype="float64", kind="const")],
             [op("linalg.solve", ref(0), ref(1))], "none")),
]
PROGRAMS += [
    row("top_k's (values, indices) + an int32 variable (the variable's __radd__): TensorFlow "
        "packs the named tuple with the variable's dtype (casting), as for a list",
        prog([inp([[0.5, 2.0, -1.0], [1.5, -2.0, 3.0]], kind="const"),
              inp([3], dtype="int32", kind="var")],
             [op("math.top_k", ref(0)), op("__add__", ref(2), ref(1))], "none")),
]
PROGRAMS += [
    row("gather_nd of an empty (2, 0, 3) tensor with one index tuple [[1]] (an empty slice): "
        "TensorFlow refuses any index tuple into empty params (InvalidArgumentError)",
        prog([inp([], shape=[2, 0, 3], kind="const")], [op("gather_nd", ref(0), [[1]])],
             "none")),
]

# seed 3001: concat with a list axis, then gather: TensorFlow's concat gradient fails
CONCAT_SPARSE = (
    "TensorFlow 2.21's gradient of concat with a list axis other than 0 (axis=[2], a rank-1 "
    "tensor) fails when the gradient arriving is gather's IndexedSlices (embedding_lookup, "
    "gather): it builds a Fill with a [1, 1] shape (InvalidArgumentError; ValueError in a "
    "vectorised Jacobian); with axis=2 it works; adkernel gives that gradient for both"
)
_X3 = [inp([[[-1.7]]]), inp([[[0.94]]])]
PROGRAMS += [
    row("Jacobian through concat(axis=[2]) then embedding_lookup: TensorFlow's concat gradient "
        "fails on the IndexedSlices (ValueError from pfor)",
        prog(_X3, [op("concat", [ref(0), ref(1)], [2]),
                   op("nn.embedding_lookup", ref(2), [0])], "jacobian"),
        tf_is_wrong=CONCAT_SPARSE),
    row("gradient through concat(axis=[2]) then embedding_lookup: InvalidArgumentError (Fill)",
        prog(_X3, [op("concat", [ref(0), ref(1)], [2]),
                   op("nn.embedding_lookup", ref(2), [0])], "grad"),
        tf_is_wrong=CONCAT_SPARSE),
    row("gradient through concat(axis=[1]) then gather: InvalidArgumentError (Fill)",
        prog(_X3, [op("concat", [ref(0), ref(1)], [1]), op("gather", ref(2), [0])], "grad"),
        tf_is_wrong=CONCAT_SPARSE),
    row("Jacobian through concat(axis=[1]) then gather: ValueError (pfor)",
        prog(_X3, [op("concat", [ref(0), ref(1)], [1]), op("gather", ref(2), [0])],
             "jacobian"),
        tf_is_wrong=CONCAT_SPARSE),
    row("gradient through concat(axis=2) then embedding_lookup: works in TensorFlow",
        prog(_X3, [op("concat", [ref(0), ref(1)], 2),
                   op("nn.embedding_lookup", ref(2), [0])], "grad")),
]

# seed 3002: a tuple given to embedding_lookup is one table (packed), only a list is sharded
PROGRAMS += [
    row("embedding_lookup(nn.moments(x, [0]), [1]): TensorFlow packs the (mean, variance) tuple "
        "into one (2, 3) table and picks the variance (a list would be two shards of 3 rows); "
        "the gradient goes through the variance",
        prog([inp([[1.0, 2.0, -1.0], [3.0, 0.5, 4.0]])],
             [op("nn.moments", ref(0), [0]), op("nn.embedding_lookup", ref(1), [1])])),
]

# seed 3004: the documented failing Jacobian of an empty matmul, as rows the fuzzer reads
MATMUL_EMPTY_JACOBIAN = (
    "TensorFlow 2.21's tape.jacobian (pfor) of an empty a @ b (a of shape (0, 3)) raises "
    "ValueError: its parallel loop gets the shapes wrong; the Jacobian is empty, of shape "
    "target.shape + source.shape, which adkernel gives"
)
PROGRAMS += [
    row("tape.jacobian of tf.matmul(a, b) with a of shape (0, 3), b watched (3, 2): TensorFlow's "
        "pfor raises ValueError; the empty (0, 2, 3, 2) Jacobian",
        prog([inp([], shape=[0, 3], kind="const"),
              inp([0.16, 1.0, -1.54, 0.0, -1.41, -0.06], shape=[3, 2])],
             [op("matmul", ref(0), ref(1))], "jacobian"),
        tf_is_wrong=MATMUL_EMPTY_JACOBIAN),
    row("the same in float64",
        prog([inp([], shape=[0, 3], dtype="float64", kind="const"),
              inp([0.42, -0.02, 2.8, -0.27, -3.29, -0.96, -0.79, 0.09, -0.17], shape=[3, 3],
                  dtype="float64")],
             [op("matmul", ref(0), ref(1))], "jacobian"),
        tf_is_wrong=MATMUL_EMPTY_JACOBIAN),
]
PROGRAMS += [
    row("det's gradient runs MatrixInverse(adjoint=True), whose pivot test factorises the "
        "transpose: a NaN row is a NaN column there, met after a finite pivot (NaN gradient, "
        "no error)",
        prog([inp([[0.0, 1.0, 1.74], [NAN, NAN, NAN], [NAN, 1.41, 0.76]], dtype="float64")],
             [op("linalg.det", ref(0))])),
    row("det's gradient of a matrix with a NaN column: its transpose has a NaN row; "
        "TensorFlow refuses it when the NaN is met first",
        prog([inp([[NAN, 1.0], [NAN, 2.0]], dtype="float64")], [op("linalg.det", ref(0))])),
    row("softmax_cross_entropy_with_logits with axis=0 and labels broadcast over the other "
        "axes: TensorFlow moves the class axis of both to the end, then broadcasts the rows; "
        "the logits' gradient comes back in the logits' layout",
        prog([inp([[[0.3, -1.2, 0.8]], [[1.5, 0.1, -0.4]]], dtype="float64"),
              inp([[[0.25]], [[0.75]]], dtype="float64", kind="const")],
             [op("nn.softmax_cross_entropy_with_logits", labels=ref(1), logits=ref(0),
                 axis=0)])),
    row("softmax_cross_entropy_with_logits with axis=1, logits (1, 3, 3), labels (1, 3, 1)",
        prog([inp([[[0.3, -1.2, 0.8], [1.5, 0.1, -0.4], [0.0, 2.0, -1.0]]]),
              inp([[[0.2], [0.5], [0.3]]], kind="const")],
             [op("nn.softmax_cross_entropy_with_logits", labels=ref(1), logits=ref(0),
                 axis=1)], "jacobian")),
    row("einsum with one operand over an axis of length 1: TensorFlow reshapes it away "
        "(-0.0 stays -0.0: its reciprocal is -inf)",
        prog([inp([[-0.0, 1.0, -0.0]])], [op("einsum", "ij->j", ref(0)),
                                          op("math.reciprocal", ref(1))])),
    row("einsum with one operand, two length-1 axes summed away",
        prog([inp([[[-0.0], [2.0]]], dtype="float64")], [op("einsum", "kji->j", ref(0)),
                                                          op("math.reciprocal", ref(1))])),
    row("gather with an empty list of indices: TensorFlow converts [] to float32 and "
        "refuses it (InvalidArgumentError)",
        prog([inp([[1.0, 2.0], [3.0, 4.0]])], [op("gather", ref(0), [], axis=1)], "none")),
    row("ones_like in the input's dtype is an op on TensorFlow's tape (OnesLike, no "
        "gradient): det's gradient after it still runs and refuses the singular matrix",
        prog([inp([[0.0, 2.16], [-3.27, -0.55]])], [op("ones_like", ref(0)),
                                                  op("linalg.det", ref(1))])),
    row("zeros_like in another dtype is tf.zeros (not recorded): None, no error",
        prog([inp([[0.0, 2.16], [-3.27, -0.55]])],
             [op("zeros_like", ref(0), dtype={"dtype": "float64"}),
              op("linalg.det", ref(1))])),
]
PROGRAMS += [
    row("seed 3007: ones_like in the input's dtype is recorded (TensorFlow's OnesLike, no "
        "gradient), so det's gradient after it runs and refuses the singular matrix of ones",
        {'inputs': [{'shape': [2, 2],
                     'dtype': 'float32',
                     'kind': 'watched',
                     'values': [0.0, 2.16, -3.27, -0.55]}],
         'ops': [{'fn': 'ones_like',
                  'args': [{'ref': 0}],
                  'kwargs': {'dtype': {'dtype': 'float32'}}},
                 {'fn': 'linalg.det', 'args': [{'ref': 1}], 'kwargs': {}}],
         'grad': {'mode': 'grad', 'weights': 'ones', 'unconnected': None}}),
    row("seed 3007: xlogy's gradient in x is TensorFlow's xlogy(x != 0, y), whose derivative "
        "in y multiplies an infinite upstream (reduce_std's at 0) by 0: NaN",
        {'inputs': [{'shape': [1], 'dtype': 'float32', 'kind': 'watched', 'values': [0.0]},
                    {'shape': [3],
                     'dtype': 'float32',
                     'kind': 'var',
                     'values': [0.47, 0.07, 2.26]}],
         'ops': [{'fn': 'math.reduce_std', 'args': [{'ref': 0}], 'kwargs': {'keepdims': True}},
                 {'fn': 'math.xlogy', 'args': [{'ref': 2}, {'ref': 1}], 'kwargs': {}}],
         'grad': {'mode': 'second', 'weights': 'ones', 'unconnected': None}}),
    row("seed 3007: a tuple holding tensors (nn.moments' pair) before @ is packed on the "
        "tape, as TensorFlow converts it: the gradient reaches the moments' input",
        {'inputs': [{'shape': [1, 1, 3],
                     'dtype': 'float64',
                     'kind': 'watched',
                     'values': [1.0, 0.5, 0.5]},
                    {'shape': [3, 3],
                     'dtype': 'float64',
                     'kind': 'var',
                     'values': [1.0, -1.0, 0.5, 1.0, 1.0, -1.0, 0.5, -1.0, 0.5]}],
         'ops': [{'fn': 'nn.moments', 'args': [{'ref': 0}, [1]], 'kwargs': {}},
                 {'fn': '__matmul__', 'args': [{'ref': 2}, {'ref': 1}], 'kwargs': {}}],
         'grad': {'mode': 'grad', 'weights': 'ones', 'unconnected': None}}),
    row("seed 3007: expm1's gradient is g * exp(x) from x, as TensorFlow's: elu(expm1(x)) at "
        'x = inf has second derivative 0 * inf = NaN',
        {'inputs': [{'shape': [2, 3, 1],
                     'dtype': 'float32',
                     'kind': 'watched',
                     'values': [1.0, 0.0, -0.7, INF, 1.0, -0.79]}],
         'ops': [{'fn': 'math.expm1', 'args': [{'ref': 0}], 'kwargs': {}},
                 {'fn': 'nn.elu', 'args': [{'ref': 1}], 'kwargs': {}}],
         'grad': {'mode': 'second', 'weights': 'ones', 'unconnected': None}}),
]
PROGRAMS += [
    row("seed 3009: tf.shape of a list of tensors of different shapes (clip_by_global_norm's "
        "list): TensorFlow packs it and raises InvalidArgumentError (adkernel's numpy "
        "conversion raised ValueError)",
        prog([inp([[-0.32]], dtype="float64", kind="const")],
             [op("clip_by_global_norm", [ref(0, 0), ref(0)], 1.0), op("shape", ref(1, 0))],
             "none")),
    row("tf.size and tf.rank of a list of tensors are those of the packed tensor",
        prog([inp([1.0, 2.0], kind="const")], [op("size", [ref(0), ref(0)])], "none")),
]
PROGRAMS += [
    row("seed 3012: the gradient of a sum of softmax outputs is 0 (they add up to 1); "
        "TensorFlow's softmax sums to 1 + 1 ulp here, so its gradient is rounding noise, which "
        "sqrt's infinite derivative at 0 turns into -inf",
        prog([inp([[0.93, 0.0]])], [op("sqrt", ref(0)), op("nn.softmax", ref(1), axis=-1)]),
        tf_is_wrong="the exact gradient of the sum of softmax's outputs is 0 (they add up to "
                    "1); TensorFlow 2.21 gives rounding noise (its softmax sums to 1 + 1 ulp), "
                    "which the infinite derivative of sqrt at 0 makes -inf; adkernel's "
                    "softmax gradient is 0 there, and sqrt's rule keeps a zero upstream zero"),
]
