"""Property tests: random compositions of smooth ops pass the numerical gradient check."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import adkernel
from adkernel import tf

# Smooth unary ops; exp is applied to a bounded input so values stay moderate.
UNARY = {
    "sin": tf.sin,
    "cos": tf.cos,
    "tanh": tf.tanh,
    "exp_tanh": lambda t: tf.exp(tf.tanh(t)),
    "sigmoid": tf.sigmoid,
    "softplus": tf.math.softplus,
    "square": tf.square,
}
BINARY = {"add": tf.add, "sub": tf.subtract, "mul": tf.multiply}

SHAPE_PAIRS = [
    ((), ()),
    ((3,), (3,)),
    ((3,), ()),
    ((), (2,)),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((1,), (2, 2)),
    ((2, 2), (2, 1)),
]


LEAVES = st.sampled_from(["x", "y"])


def nodes(depth: int):
    """An op applied to subtrees: expression trees of depth 1 to ``depth``."""
    sub = trees(depth - 1)
    return st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), sub),
        st.tuples(st.sampled_from(sorted(BINARY)), sub, sub),
    )


def trees(depth: int):
    """A leaf or an expression tree of depth at most ``depth``."""
    if depth == 0:
        return LEAVES
    return st.one_of(LEAVES, nodes(depth))


def evaluate(tree, x, y):
    if tree == "x":
        return x
    if tree == "y":
        return y
    if len(tree) == 2:
        return UNARY[tree[0]](evaluate(tree[1], x, y))
    return BINARY[tree[0]](evaluate(tree[1], x, y), evaluate(tree[2], x, y))


def to_text(tree) -> str:
    if isinstance(tree, str):
        return tree
    return f"{tree[0]}({', '.join(to_text(t) for t in tree[1:])})"


@st.composite
def problems(draw, depth: int = 4, bound: float = 2.0):
    tree = draw(nodes(depth))
    xshape, yshape = draw(st.sampled_from(SHAPE_PAIRS))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.uniform(-bound, bound, size=xshape)
    y = rng.uniform(-bound, bound, size=yshape)
    return tree, x, y


def f_of(tree):
    def f(x, y):
        return evaluate(tree, x, y)

    return f


@settings(max_examples=40, deadline=None, derandomize=True)
@given(problems())
def test_random_compositions_pass_first_order_check(problem):
    tree, x, y = problem
    adkernel.check_gradients(f_of(tree), x, y)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(problems(depth=3, bound=1.5))
def test_random_compositions_pass_second_order_check(problem):
    tree, x, y = problem
    adkernel.check_gradients(f_of(tree), x, y, order=2)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(problems(), st.sampled_from([np.float32, np.float64]))
def test_gradient_has_the_shape_and_dtype_of_each_source(problem, dtype):
    tree, x, y = problem
    xt = tf.constant(x.astype(dtype))
    yt = tf.Variable(y.astype(dtype))
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = f_of(tree)(xt, yt)
    assert out.dtype == tf.as_dtype(dtype)
    gx, gy = tape.gradient(out, [xt, yt], unconnected_gradients="zero")
    for g, s in ((gx, xt), (gy, yt)):
        assert isinstance(g, tf.Tensor), to_text(tree)
        assert g.shape == s.shape, to_text(tree)
        assert g.dtype == s.dtype, to_text(tree)
        assert np.all(np.isfinite(g.numpy())), to_text(tree)
