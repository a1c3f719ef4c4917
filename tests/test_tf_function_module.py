"""tf.function (eager, no graph), tf.Module and tf.TensorSpec against TensorFlow 2.21.

The programs are ``module_cases`` in tests/tf_reference_cases.py; TensorFlow's results are
frozen in tests/tf_reference_values.py (measured once; CI never installs TensorFlow).
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

from adkernel import tf

MODULE = cases.module_cases(tf)


def test_every_case_was_measured():
    assert sorted(MODULE) == sorted(VALUES["module_cases"])


@pytest.mark.parametrize("name", sorted(MODULE))
def test_matches_tensorflow(name):
    assert_matches(MODULE[name](), VALUES["module_cases"][name], name)


def test_function_runs_the_python_body_once_per_trace():
    seen = []

    @tf.function
    def f(x):
        seen.append("traced")  # Python runs while tracing only, as in TensorFlow
        return x + 1

    assert f(tf.constant(1.0)).numpy() == 2.0
    assert f(tf.constant(2.0)).numpy() == 3.0
    assert seen == ["traced"]
    assert f.experimental_get_tracing_count() == 1
    concrete = f.get_concrete_function(tf.TensorSpec([], tf.float32))
    assert concrete(tf.constant(5.0)).numpy() == 6.0
    assert seen == ["traced"]  # the spec matches the first trace: nothing new
    assert f.python_function(tf.constant(0.0)).numpy() == 1.0  # the plain function is kept
    assert seen == ["traced", "traced"]


def test_function_decorator_forms_and_methods():
    def square(x):
        return x * x

    assert tf.function(square)(3.0) == 9.0
    assert tf.function()(square)(3.0) == 9.0
    assert tf.function(autograph=False)(square)(2.0) == 4.0

    class Counter:
        def __init__(self):
            self.n = 0

        @tf.function
        def bump(self, k):
            self.n += k
            return self.n

    a, b = Counter(), Counter()
    a.bump(2)
    b.bump(5)
    assert (a.n, b.n) == (2, 5)
    with pytest.raises(TypeError, match="TensorSpec"):
        tf.function(square, input_signature=[(3,)])


def test_module_is_a_container_with_tensorflows_order():
    class Block(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(np.ones((2, 2), np.float32), name="w")
            self.layers = [tf.Module(name="sub")]
            self.layers[0].b = tf.Variable(0.0, name="b")

        @tf.Module.with_name_scope
        def __call__(self, x):
            return tf.matmul(x, self.w) + self.layers[0].b

    blk = Block(name="blk")
    assert blk.name == "blk" and blk.name_scope.name == "blk/"
    assert [v.name for v in blk.trainable_variables] == ["w:0", "b:0"]
    assert [m.name for m in blk.submodules] == ["sub"]
    y = blk(tf.ones((1, 2)))
    np.testing.assert_allclose(y.numpy(), [[2.0, 2.0]])
    with tf.name_scope("outer") as scope:
        assert scope == "outer/"
    with pytest.raises(ValueError, match="not a valid module name"):
        tf.Module(name="bad name")
