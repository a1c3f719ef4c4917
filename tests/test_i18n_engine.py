"""The engine speaks the learner's language: common mistakes, run in Chinese and in English.

Each mistake is made once in ``zh_mode``: the message is the Chinese written in
``engine.po`` (spot checks of its phrases), carries no English word, still names the
learner's identifiers (variables, shapes, dtypes, op names); and once in English, where the
message is what it was before translation. Exception types never change.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from lang_scan import cjk_characters, english_words

import adkernel
from adkernel import tf
from adkernel.engine import i18n
from adkernel.engine.errors import (
    GradientCheckError,
    InvalidArgumentError,
    NoneGradientWarning,
    NonFiniteGradientError,
    NotDifferentiableError,
    ShapeError,
)
from adkernel.engine.registry import REGISTRY


def _chinese(text: str, *allowed: str) -> None:
    assert cjk_characters(text), text
    assert english_words(text, allowed) == [], text


def _error(fn, kind):
    with pytest.raises(kind) as info:
        fn()
    assert type(info.value) is kind or isinstance(info.value, kind)
    return str(info.value)


# -- a None gradient: the warning and explain ----------------------------------------------

def _none_gradient():
    c = tf.constant(2.0)
    with tf.GradientTape() as tape:
        y = c * c
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = tape.gradient(y, c)
    assert g is None
    (w,) = [w for w in caught if issubclass(w.category, NoneGradientWarning)]
    return str(w.message), tape, y, c


def test_none_gradient_warning_and_explain_in_chinese(zh_mode):
    message, tape, y, c = _none_gradient()
    _chinese(message, "c")
    assert message.startswith("c（一个形状为 ()、数据类型为 float32 的张量）")
    assert "是一个梯度带从未监视过的常量张量" in message
    assert "tape.watch(c)" in message and "c.assign_add(1)" in message
    explained = tape.explain(y, c)
    assert explained == message


def test_none_gradient_warning_in_english_is_unchanged():
    message, *_ = _none_gradient()
    assert message == (
        "c (a tensor of shape () and dtype float32) is a constant tensor the tape never "
        "watched: call tape.watch(c) inside the `with` block before using it, or make it a "
        "tf.Variable (variables are watched automatically). If c was a Variable once, "
        "`c = c + 1` replaced it by a tensor: use c.assign_add(1)."
    )
    assert not cjk_characters(message)


def _explanations():
    """One sentence for each way a gradient can be None (and two where it is not)."""
    x = tf.Variable(3.0, name="x")
    frozen = tf.Variable(1.0, trainable=False, name="frozen")
    k = tf.Variable(3, name="k")
    out = []
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        z = frozen * x
        cut = tf.cast(tf.argmax(tf.stack([x, x])), tf.float32)
        with tape.stop_recording():
            paused = x * 2.0
        const = tf.constant(1.0) * 2.0
    after = x * 3.0
    out += [tape.explain(y, x), tape.explain(z, frozen), tape.explain(cut, x),
            tape.explain(paused, x), tape.explain(after, x), tape.explain(y, k),
            tape.explain(3.0, x), tape.explain(x, x), tape.explain(const, x),
            tape.explain(y, "x")]
    with tf.GradientTape(watch_accessed_variables=False) as tape2:
        w = x * 2.0
    out.append(tape2.explain(w, x))
    x0, x1 = tf.Variable(3.0, name="x0"), tf.Variable(0.0, name="x1")
    with tf.GradientTape(persistent=True) as tape3:
        x1.assign_add(x0)
        y1 = x1 * x1
    with tf.GradientTape(persistent=True) as tape4:
        early = x * 2.0
        tape4.reset()
    out += [tape3.explain(y1, x0), tape4.explain(early, x)]
    return out


def test_every_explanation_is_chinese(zh_mode):
    sentences = _explanations()
    for s in sentences:
        _chinese(s, "x", "frozen", "k")
    assert "目标通过已记录的操作依赖于 x" in sentences[0]
    assert "trainable=False" in sentences[1]
    assert "tf.argmax，它返回整数位置，没有梯度" in sentences[2]
    assert "tape.stop_recording()" in sentences[3]
    assert "梯度带停止记录之后" in sentences[4]
    assert "int32" in sentences[5] and "tf.cast(k, tf.float32)" in sentences[5]
    assert "只被用作一次赋值" in sentences[-2] and "v.assign_add(x0)" in sentences[-2]
    assert "tape.reset() 之前计算的" in sentences[-1] and "x" in sentences[-1]


def test_explanations_follow_the_language_switch():
    english = _explanations()
    with i18n.language("zh"):
        chinese = _explanations()
    again = _explanations()
    assert english == again
    for e, z in zip(english, chinese, strict=True):
        assert e != z
        assert not cjk_characters(e)


# -- a second gradient on a non-persistent tape --------------------------------------------

def _second_gradient():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    return _error(lambda: tape.gradient(y, x), RuntimeError)


def test_second_gradient_in_chinese(zh_mode):
    message = _second_gradient()
    _chinese(message)
    assert message.startswith("非持久的 GradientTape 只能用来计算一组梯度")
    assert "tf.GradientTape(persistent=True)" in message


def test_second_gradient_in_english():
    assert _second_gradient().startswith(
        "A non-persistent GradientTape can only be used to compute one set of gradients")


# -- shapes and dtypes ---------------------------------------------------------------------

def _matmul():
    a, b = tf.ones((2, 3)), tf.ones((2, 3))
    return _error(lambda: tf.matmul(a, b), InvalidArgumentError)


def test_matmul_shape_mismatch_in_chinese(zh_mode):
    message = _matmul()
    _chinese(message)
    assert message == "矩阵大小不兼容：In[0]：[2, 3]，In[1]：[2, 3]。两者相乘时内侧的维度必须相等。"


def test_matmul_shape_mismatch_in_english():
    assert _matmul() == ("Matrix size-incompatible: In[0]: [2, 3], In[1]: [2, 3]. "
                         "The inner dimensions must agree.")


def _assign():
    v = tf.Variable([1.0, 2.0], name="v")
    return _error(lambda: v.assign([1.0, 2.0, 3.0]), ShapeError)


def test_assign_shape_in_chinese(zh_mode):
    message = _assign()
    _chinese(message, "v")
    assert "无法用 tf.Variable.assign() 把值写入变量 'v:0'" in message
    assert "(2,)" in message and "(3,)" in message and "形状不匹配" in message


def test_assign_shape_in_english():
    assert _assign() == (
        "Cannot assign value to variable 'v:0': Shape mismatch. The variable shape (2,), and "
        "the assigned value shape (3,) are incompatible.")


def _dtypes():
    a, b = tf.constant(1.0), tf.constant(np.float64(2.0))
    return _error(lambda: a + b, InvalidArgumentError)


def test_dtype_mismatch_in_chinese(zh_mode):
    message = _dtypes()
    _chinese(message)
    assert message.startswith("无法计算 add：输入 #1（从 0 开始计数）应该是 float32 张量，"
                              "但它是 float64 张量。")
    assert "tf.cast(y, tf.float32)" in message


def test_dtype_mismatch_in_english():
    assert _dtypes().startswith(
        "cannot compute add as input #1(zero-based) was expected to be a float32 tensor but is "
        "a float64 tensor.")


def test_broadcast_error_in_both_languages():
    def add():
        return tf.ones((2, 3)) + tf.ones((2, 4))

    english = _error(add, InvalidArgumentError)
    assert english == ("add: operands could not be broadcast together with shapes (2,3) (2,4)  "
                       "(inputs of shape [2, 3], [2, 4])")
    with i18n.language("zh"):
        chinese = _error(add, InvalidArgumentError)
    _chinese(chinese)
    assert chinese == ("add：这些操作数无法一起广播，它们的形状为 (2,3) (2,4)"
                       "（输入的形状为 [2, 3], [2, 4]）")


def _float_of_vector():
    return _error(lambda: float(tf.constant([1.0, 2.0])), TypeError)


def test_float_of_a_vector_in_chinese(zh_mode):
    message = _float_of_vector()
    _chinese(message)
    assert message.startswith("float() 需要恰好只有一个元素的张量，但这个张量的形状是 (2,)")
    assert "tf.reduce_sum(t)" in message


def test_float_of_a_vector_in_english():
    assert _float_of_vector().startswith(
        "float() needs a tensor with exactly one element, but this one has shape (2,)")


def test_ragged_list_and_bool_in_chinese(zh_mode):
    ragged = _error(lambda: tf.constant([[1.0, 2.0], [3.0]]), ValueError)
    _chinese(ragged)
    assert "[[1.0, 2.0], [3.0]] 的各行长度不同" in ragged
    truth = _error(lambda: bool(tf.constant([1.0, 2.0])), ValueError)
    _chinese(truth)
    assert "tf.reduce_any(t)" in truth


# -- check_gradients -----------------------------------------------------------------------

@tf.custom_gradient
def _wrong_square(x):
    return x * x, lambda upstream: upstream * 3.0  # the derivative is 2x, not 3


def _gradcheck():
    return _error(lambda: adkernel.check_gradients(_wrong_square, [1.0, 2.0]),
                  GradientCheckError)


def test_gradient_check_failure_in_chinese(zh_mode):
    message = _gradcheck()
    _chinese(message)
    assert message.startswith("梯度检验在输入 0 上失败：d out[0] / d x[0] 由梯度带算得 3，"
                              "由中心差分算得 2")
    assert "rtol=1e-05" in message


def test_gradient_check_failure_in_english():
    assert _gradcheck().startswith(
        "gradient check failed for input 0: d out[0] / d x[0] is 3 by the tape but 2 by "
        "central differences")


# -- numpy on watched tensors, NaN gradients, op notes, the tape's text ---------------------

def _numpy_refusal():
    x = tf.Variable(1.0)
    with tf.GradientTape():
        return _error(lambda: np.diff(x * [1.0, 2.0]), NotDifferentiableError)


def test_numpy_refusal_uses_the_lazy_suggestion():
    english = _numpy_refusal()
    assert "Try: x[1:] - x[:-1] (slicing and subtraction are recorded)." in english
    with i18n.language("zh"):
        chinese = _numpy_refusal()
    _chinese(chinese)
    assert "可以试试：x[1:] - x[:-1]（切片和减法都会被记录）。" in chinese


def test_nan_gradient_names_the_op_in_chinese(zh_mode):
    x = tf.Variable(0.0)
    with tf.GradientTape(check_numerics=True) as tape:
        y = tf.sqrt(x)
    message = _error(lambda: tape.gradient(y, x), NonFiniteGradientError)
    assert "操作 'sqrt'" in message
    assert "sqrt 的导数是 1/(2 sqrt(x))，在 x = 0 处为无穷大" in message


def test_op_notes_are_translated_when_shown():
    note = REGISTRY["maximum"].local[0]
    assert note.format("a", "b") == "1 where a ≥ b, else 0"
    with i18n.language("zh"):
        assert note.format("a", "b") == "a ≥ b 处为 1，其余为 0"
    cut = REGISTRY["stop_gradient"].cut
    assert str(cut) == "tf.stop_gradient, which blocks gradients on purpose"
    with i18n.language("zh"):
        assert str(cut) == "tf.stop_gradient，它会有意阻断梯度"


def test_tape_text_in_chinese(zh_mode):
    x = tf.Variable(2.0, name="x")
    with tf.GradientTape() as tape:
        x * 2.0
        text = str(tape)
    _chinese(text, "x")
    assert text.splitlines() == ["<GradientTape：正在记录，1 个操作，监视 1 个>",
                                 "  %0 = mul(x:0, 2)  -> 形状 ()，float32"]


def test_tape_text_and_repr_in_english():
    x = tf.Variable(2.0, name="x")
    with tf.GradientTape() as tape:
        x * 2.0
    assert repr(tape) == "<GradientTape: stopped, 1 ops, 1 watched>"
    assert str(tape).splitlines() == ["<GradientTape: stopped, 1 ops, 1 watched>",
                                      "  %0 = mul(x:0, 2)  -> shape () float32"]


def test_switching_language_between_two_calls():
    x = tf.Variable([1.0, 2.0])
    first = _error(lambda: float(x), TypeError)
    adkernel.set_language("zh")
    try:
        second = _error(lambda: float(x), TypeError)
    finally:
        adkernel.set_language(None)
    third = _error(lambda: float(x), TypeError)
    assert first == third and first != second
    assert cjk_characters(second) and not cjk_characters(first)
