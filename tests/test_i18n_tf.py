"""``tf``, ``tf.function``, ``tf.debugging``, the ``tf`` namespaces and ``tf.keras`` in the
learner's language.

Representative mistakes, run in Chinese, must be explained in Chinese with the identifiers
kept as they are (op, argument and class names, dtypes, shapes, and the GradientTape loop an
out-of-scope error shows, which is code), with the same exception types, and no English
word left; in English they say what they said before (other tests pin more of the English).
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from lang_scan import cjk_characters, code_identifiers, english_words

from adkernel import set_language, tf
from adkernel._namespace import TAPE_LOOP
from adkernel.engine.errors import InvalidArgumentError
from adkernel.engine.i18n import translate
from adkernel.keras import OutOfScopeError

ROOT = Path(__file__).resolve().parents[1]

# name: (code a learner runs, exception type, in the English message, in the Chinese one)
MISTAKES = {
    "missing-tf-name": (
        "tf.reduce_foo(x)", AttributeError,
        "module 'adkernel.tf' has no attribute 'reduce_foo': adkernel does not implement "
        "tf.reduce_foo (see docs/tf-compat.md and docs/ops.md)",
        "模块 'adkernel.tf' 没有属性 'reduce_foo'：adkernel 没有实现 tf.reduce_foo"
        "（参见 docs/tf-compat.md 和 docs/ops.md）"),
    "missing-namespace-name": (
        "tf.linalg.svd(tf.eye(2))", AttributeError,
        "adkernel does not implement tf.linalg.svd",
        "模块 'adkernel.tf.linalg' 没有属性 'svd'：adkernel 没有实现 tf.linalg.svd"),
    "tf.strings": (
        "tf.strings.split(['a b'])", OutOfScopeError,
        "tf.strings.split is out of adkernel's scope: adkernel is an eager tape engine",
        "tf.strings.split 超出了 adkernel 的范围：adkernel 是一个用来学习自动微分的即时执行"
        "梯度带引擎"),
    "tf.ragged": (
        "tf.ragged.constant([[1], [2, 3]])", OutOfScopeError,
        "Pad the rows to one length (tf.pad) and mask them.",
        "请把各行填充到相同长度（tf.pad），再用掩码遮住填充的部分。"),
    "tf.sparse": (
        "tf.sparse.SparseTensor([[0, 0]], [1.0], [2, 2])", OutOfScopeError,
        "Use dense tensors (tf.gather, tf.gather_nd, tf.where).",
        "请使用稠密张量（tf.gather、tf.gather_nd、tf.where）。"),
    "keras-fit-before-compile": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(x, x, epochs=3)",
        ValueError,
        "You must call compile(optimizer=..., loss=...) before fit",
        "调用 fit 之前必须先调用 compile(optimizer=..., loss=...)"),
    "keras-learning-rate-schedule": (
        "opt = tf.keras.optimizers.SGD(tf.keras.optimizers.schedules.ExponentialDecay("
        "0.1, 2, 0.5))\nopt.learning_rate = 0.5", TypeError,
        "was created with a learning-rate schedule as its learning_rate",
        "创建时的 learning_rate 是一个学习率调度器"),
    "tf-while-loop-vars": (
        "tf.while_loop(lambda i: i < 3, lambda i: (i + 1,), [])", ValueError,
        "'loop_vars' must be provided.", "必须提供 `'loop_vars'`。"),
    "keras-dense-features": (
        "layer = tf.keras.layers.Dense(2)\nlayer(tf.ones([1, 3]))\nlayer(tf.ones([1, 4]))",
        InvalidArgumentError,
        "was built for inputs with 3 features (last axis) but got shape [1, 4].",
        "构建时的输入有 3 个特征（最后一个轴），但这次收到的输入形状为 [1, 4]。"),
    "keras-no-gradients": (
        "w = tf.Variable(1.0)\nopt = tf.keras.optimizers.SGD()\nopt.apply_gradients([(None, w)])",
        ValueError,
        "No gradients provided for any variable.",
        "没有为任何变量提供梯度。"),
    "keras-refused-argument": (
        "tf.keras.layers.Dense(4, kernel_regularizer='l2')", NotImplementedError,
        "Dense: the argument 'kernel_regularizer' is not supported by adkernel's tf.keras",
        "Dense：adkernel 的 tf.keras 不支持参数 'kernel_regularizer'（请不要传入；"),
    "debugging-assert-equal": (
        "tf.debugging.assert_equal(tf.constant([1.0, 2.0]), tf.constant([1.0, 3.0]))",
        InvalidArgumentError,
        "Condition x == y did not hold. x = [1.0, 2.0], y = [1.0, 3.0]",
        "条件 x == y 不成立。x = [1.0, 2.0]，y = [1.0, 3.0]"),
    "debugging-check-numerics": (
        "tf.debugging.check_numerics(tf.constant([np.nan, np.inf]), 'x')", InvalidArgumentError,
        "x : Tensor had NaN and Inf values",
        "x：张量中有 NaN 值和无穷大值"),
    "debugging-assert-shapes": (
        "a = tf.ones([2])\nb = tf.ones([3])\n"
        "tf.debugging.assert_shapes([(a, ('n',)), (b, ('n',))])",
        ValueError,
        "dimension 'n' is 2 elsewhere but 3 in axis 0 of a tensor of shape [3].",
        "维度 'n' 在别处是 2，但在形状为 [3] 的张量的第 0 轴上是 3。"),
    "linspace": (
        "tf.linspace(0.0, 1.0, num=-1)", InvalidArgumentError,
        "linspace: num must be >= 0, got -1",
        "linspace：num 必须 >= 0，实际为 -1"),
    "dropout-noise-shape": (
        "tf.nn.dropout(tf.ones([2, 3]), rate=0.5, noise_shape=[4, 1])", InvalidArgumentError,
        "nn.dropout: noise_shape [4, 1] does not broadcast to the tensor's shape [2, 3].",
        "nn.dropout：noise_shape [4, 1] 无法广播到张量的形状 [2, 3]。"),
    "random-categorical": (
        "tf.random.categorical(logits=tf.ones([3]), num_samples=2)", InvalidArgumentError,
        "random.categorical: logits should be a matrix [batch, classes], got shape [3].",
        "random.categorical：logits 应该是形如 [批量大小, 类别数] 的矩阵，实际形状为 [3]。"),
    "tf.function-signature": (
        "f = tf.function(lambda v: v, input_signature=[tf.TensorSpec([None])])\n"
        "f(tf.ones([2, 2]))", TypeError,
        "<lambda>: argument 0 (shape [2, 2], dtype float32) does not match the "
        "input_signature's TensorSpec(shape=(None,), dtype=tf.float32, name=None).",
        "<lambda>：参数 0（形状 [2, 2]，数据类型 float32）与 input_signature 中的 "
        "TensorSpec(shape=(None,), dtype=tf.float32, name=None) 不匹配。"),
    "tf.function-variable": (
        "f = tf.function(lambda x: tf.Variable(1.0) * x)\nf(tf.constant(2.0))", ValueError,
        "tf.function only supports creating tf.Variable objects on the first trace",
        "tf.function 只允许在第一次追踪时创建 tf.Variable"),
}


# Names adkernel makes up for the learner's objects (Keras' layer names): values, not words.
GENERATED_NAMES = {"dense"}


def _error(code: str) -> BaseException:
    namespace = {"tf": tf, "np": np, "x": tf.constant([1.0, 2.0])}
    with pytest.raises(Exception) as info:
        exec(code, namespace)
    return info.value


def _prose(message: str) -> str:
    """The message without the GradientTape loop it shows (code, checked separately)."""
    return message.replace(TAPE_LOOP, "")


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistakes_are_explained_in_chinese(zh_mode, name):
    code, kind, _english, chinese = MISTAKES[name]
    error = _error(code)
    assert type(error) is kind or isinstance(error, kind), type(error)
    message = str(error)
    assert chinese in message
    if isinstance(error, OutOfScopeError):
        assert TAPE_LOOP in message  # the loop stays code, exactly as in English
    assert cjk_characters(_prose(message))
    allowed = code_identifiers(code) | GENERATED_NAMES
    assert english_words(_prose(message), allowed) == [], message


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistakes_stay_english_in_english(name):
    code, kind, english, _chinese = MISTAKES[name]
    error = _error(code)
    assert isinstance(error, kind)
    assert english in str(error)
    assert cjk_characters(str(error)) == []


def test_the_exception_type_does_not_depend_on_the_language():
    for code, *_ in MISTAKES.values():
        english = type(_error(code))
        set_language("zh")
        try:
            chinese = type(_error(code))
        finally:
            set_language(None)
        assert chinese is english, code


def test_switching_language_between_two_calls_changes_the_message():
    code = MISTAKES["debugging-assert-equal"][0]
    first = str(_error(code))
    set_language("zh")
    try:
        second = str(_error(code))
    finally:
        set_language("en")
    third = str(_error(code))
    assert first == third == "Condition x == y did not hold. x = [1.0, 2.0], y = [1.0, 3.0]"
    assert second == "条件 x == y 不成立。x = [1.0, 2.0]，y = [1.0, 3.0]"


def test_out_of_scope_reasons_made_at_import_follow_the_language_of_the_moment():
    assert repr(tf.image) == "<tf.image: out of adkernel's scope (see docs/tf-compat.md)>"
    with pytest.raises(OutOfScopeError, match="adkernel's tensors hold numbers only"):
        tf.strings.length
    set_language("zh")
    try:
        assert repr(tf.image) == "<tf.image：超出 adkernel 的范围（参见 docs/tf-compat.md）>"
        assert repr(tf.math) == "<adkernel tf.math 命名空间>"
        with pytest.raises(OutOfScopeError, match="adkernel 的张量只能存放数字。"):
            tf.strings.length
        with pytest.raises(OutOfScopeError, match="adkernel 用 numpy 在 CPU 上计算。"):
            tf.config.set_visible_devices
    finally:
        set_language(None)
    assert repr(tf.math) == "<adkernel tf.math namespace>"


def test_model_summary_in_chinese(zh_mode):
    model = tf.keras.Sequential([tf.keras.layers.Dense(2, name="hidden")], name="net")
    model(tf.ones([1, 3]))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary()
    assert out.getvalue() == '模型："net"\n  hidden（Dense）：8 个参数\n参数总数：8\n'


def test_model_summary_in_english():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2, name="hidden")], name="net")
    model(tf.ones([1, 3]))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary()
    assert out.getvalue() == 'Model: "net"\n  hidden (Dense): 8 params\nTotal params: 8\n'


# Identifiers tf.po's Chinese quotes bare (argument, method and class names, and names in
# its code examples): code, not English words.
QUOTED_NAMES = {
    "Dense", "Dropout", "Lambda", "axis", "call", "callbacks", "clipnorm", "clipvalue", "data",
    "dtype",
    "inputs", "labels", "linspace", "logits", "loss", "maxval", "mode", "momentum", "num",
    "outputs", "rate", "reduction", "scale", "threshold", "units", "weights",
}


def test_every_message_of_the_tf_catalog_has_chinese_without_english_words():
    from babel.messages import pofile

    path = ROOT / "adkernel" / "locale" / "zh_CN" / "LC_MESSAGES" / "tf.po"
    with open(path, "rb") as fh:
        catalog = pofile.read_po(fh, locale="zh_CN")
    checked = 0
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        chinese = translate(msgid, "zh")
        assert chinese != msgid and cjk_characters(chinese), msgid
        shown = re.sub(r"\{[^{}]*\}", "[0]", chinese)  # a placeholder shows a value
        words = english_words(shown.replace(TAPE_LOOP, ""), QUOTED_NAMES)
        assert words == [], f"{words} in {chinese!r}"
        checked += 1
    assert checked > 90
