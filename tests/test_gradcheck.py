"""``adkernel.check_gradients``: passes on correct gradients, catches wrong VJPs."""

from __future__ import annotations

import numpy as np
import pytest

import adkernel
from adkernel import tf
from adkernel.engine.registry import REGISTRY, OpDef, defop, make_binary, make_unary

# ----- correct functions pass -------------------------------------------------------------


def test_gradient_check_error_is_an_assertion_error():
    assert issubclass(adkernel.GradientCheckError, AssertionError)
    assert issubclass(adkernel.GradientCheckError, adkernel.AdkernelError)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("shape", [(), (1,), (4,), (2, 3), (2, 1, 3)])
def test_unary_compositions_pass(shape, order):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1.5, 1.5, size=shape)
    adkernel.check_gradients(lambda t: tf.sin(t) * tf.exp(tf.tanh(t)) + t * t * t, x,
                             order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize(
    ("xshape", "yshape"),
    [((), ()), ((3,), ()), ((), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((3, 1), (3, 2)),
     ((1,), (2, 2))],
)
def test_broadcasting_binary_functions_pass(xshape, yshape, order):
    rng = np.random.default_rng(2)
    x = rng.uniform(0.5, 2.0, size=xshape)
    y = rng.uniform(-1.0, 1.0, size=yshape)

    def f(a, b):
        return a * tf.sin(b) - b / a + tf.square(a - b)

    adkernel.check_gradients(f, x, y, order=order)


@pytest.mark.parametrize("order", [1, 2])
def test_reductions_and_matmul_pass(order):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, 4))
    b = rng.standard_normal((4, 2))
    adkernel.check_gradients(lambda p, q: tf.reduce_sum(tf.tanh(tf.matmul(p, q)), axis=0),
                             a, b, order=order)
    adkernel.check_gradients(lambda p: tf.reduce_mean(tf.square(p), axis=1), a, order=order)


def test_large_inputs_use_random_directions():
    # input size x output size above the full-Jacobian limit: the <u, J v> test runs.
    x = np.linspace(-1.0, 1.0, 200)
    adkernel.check_gradients(lambda t: tf.sin(t) * t, x)


def test_scalar_output_of_vector_input_passes():
    adkernel.check_gradients(lambda t: tf.reduce_sum(t * t), [0.5, -1.0, 2.0], order=2)


def test_invalid_order_is_rejected():
    with pytest.raises(ValueError, match="order"):
        adkernel.check_gradients(tf.sin, [1.0], order=3)


# ----- deliberately wrong VJPs fail -------------------------------------------------------

_TEMP_OPS = ("_test_sin_right", "_test_sin_off", "_test_mul_off_y", "_test_cube_const",
             "_test_big_sin_off")


@pytest.fixture
def temp_ops():
    """Register test-only ops, and remove them from REGISTRY afterwards."""
    assert not any(name in REGISTRY for name in _TEMP_OPS)

    ops = {}

    @defop("_test_sin_right")
    def sin_right(x):
        """sin(x) (test op, correct VJP)"""
        return np.sin(x)

    @sin_right.defvjp
    def sin_right_vjp(g, out, need, x):
        return (g * np.cos(x),)

    @defop("_test_sin_off")
    def sin_off(x):
        """sin(x) (test op, VJP 0.1 % too large)"""
        return np.sin(x)

    @sin_off.defvjp
    def sin_off_vjp(g, out, need, x):
        return (g * np.cos(x) * 1.001,)

    @defop("_test_big_sin_off")
    def big_sin_off(x):
        """sin(x) (test op, VJP 0.1 % too large), used on a large input"""
        return np.sin(x)

    @big_sin_off.defvjp
    def big_sin_off_vjp(g, out, need, x):
        return (g * np.cos(x) * 1.001,)

    @defop("_test_mul_off_y")
    def mul_off_y(x, y):
        """x * y (test op, gradient for y 0.1 % too large)"""
        return x * y

    @mul_off_y.defvjp
    def mul_off_y_vjp(g, out, need, x, y):
        return g * y, g * x * 1.001

    @defop("_test_cube_const")
    def cube_const(x):
        """x ** 3 (test op whose VJP hides x from the tape)"""
        return x * x * x

    @cube_const.defvjp
    def cube_const_vjp(g, out, need, x):
        # Right value, but np.asarray(x) is a constant to the tape: the VJP does not
        # depend on x as far as an outer tape can see, so d2/dx2 comes out as 0.
        xc = np.asarray(x)
        return (g * 3 * (xc * xc),)

    for op in (sin_right, sin_off, big_sin_off, cube_const):
        assert isinstance(op, OpDef)
        ops[op.name] = make_unary(op)
    ops[mul_off_y.name] = make_binary(mul_off_y)
    try:
        yield ops
    finally:
        for name in _TEMP_OPS:
            REGISTRY.pop(name, None)


def test_control_op_with_correct_vjp_passes(temp_ops):
    f = temp_ops["_test_sin_right"]
    adkernel.check_gradients(f, [0.3, -1.2, 2.0], order=1)
    adkernel.check_gradients(f, [0.3, -1.2, 2.0], order=2)


def test_vjp_off_by_a_factor_fails(temp_ops):
    f = temp_ops["_test_sin_off"]
    with pytest.raises(adkernel.GradientCheckError, match=r"input 0") as info:
        adkernel.check_gradients(f, [0.3, -1.2, 2.0])
    msg = str(info.value)
    assert "tape" in msg and "central differences" in msg
    # and it is caught as a plain AssertionError too
    with pytest.raises(AssertionError):
        adkernel.check_gradients(lambda t: f(t) * 2.0, [[0.5, 1.0], [1.5, -0.5]])


def test_wrong_vjp_is_caught_along_random_directions(temp_ops):
    f = temp_ops["_test_big_sin_off"]
    x = np.linspace(-1.0, 1.0, 200)  # 200 x 200 > full-Jacobian limit
    with pytest.raises(adkernel.GradientCheckError, match="random direction"):
        adkernel.check_gradients(f, x)


def test_wrong_vjp_for_second_input_names_that_input(temp_ops):
    f = temp_ops["_test_mul_off_y"]
    x, y = [0.5, 2.0, -1.0], [1.5, -0.5, 0.7]
    with pytest.raises(adkernel.GradientCheckError, match=r"input 1") as info:
        adkernel.check_gradients(f, x, y)
    assert "input 0" not in str(info.value)
    # broadcasting y: the engine sums the (wrong) gradient back, and it is still caught
    with pytest.raises(adkernel.GradientCheckError, match=r"input 1"):
        adkernel.check_gradients(f, [[0.5, 2.0], [1.0, -1.0]], [1.5])


def test_wrong_second_derivative_is_caught_only_by_order_2(temp_ops):
    cube = temp_ops["_test_cube_const"]
    x = [0.5, -1.0, 1.5]
    adkernel.check_gradients(cube, x, order=1)  # first derivative is right
    with pytest.raises(adkernel.GradientCheckError, match="second-order"):
        adkernel.check_gradients(cube, x, order=2)


def test_temp_ops_fixture_cleans_up(temp_ops):
    assert "_test_sin_off" in REGISTRY


def test_registry_has_no_leftover_test_ops():
    # runs after the fixture-using tests in file order
    assert not any(name in REGISTRY for name in _TEMP_OPS)


def test_checker_accepts_inputs_that_are_not_c_contiguous():
    # A transposed view: the numerical side must perturb its entries, not a copy of them.
    x = np.arange(1.0, 7.0).reshape(2, 3).T
    adkernel.check_gradients(lambda a: tf.reduce_sum(a * a * a), x)
