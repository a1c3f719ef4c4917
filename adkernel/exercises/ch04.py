"""Exercises of chapter 04 (linear regression).

``from adkernel.exercises import ____, ch04 as ex``
"""

from __future__ import annotations

import math

from . import progress
from ._core import LearnerError, Problem, _short, describe, right, to_array, wrong
from ._core import ____ as ____
from ._feedback import T
from ._regression import descend, loss_at, seed_data

__all__ = ["progress", "q1"]

# (learning rate, epochs): the tutorial's pair first, then hidden ones (all stable)
_RUNS = ((0.1, 100), (0.05, 60), (0.5, 30))


def _values(ctx, value, call_text):
    """The returned pair as two float64 numbers (NaN/inf allowed), or Incorrect."""
    if value is None:
        raise wrong(
            "`{call}` returned `None`: end the function with `return W, b`.",
            "`{call}` 返回了 `None`：在函数末尾写上 `return W, b`。",
            call=call_text,
        )
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise wrong(
            "`{call}` should return the pair `W, b`, but it returned {found}.",
            "`{call}` 应该返回 `W, b` 这一对值，但它返回了 {found}。",
            call=call_text,
            found=describe(value),
        )
    out = []
    for name, v in zip(("W", "b"), value, strict=True):
        try:
            arr = to_array(v)
        except Exception:
            arr = None
        if arr is None or arr.size != 1:
            raise wrong(
                "`{call}` returned a pair whose {name} is {found}; each should be one "
                "number (a variable of shape (1,) is fine).",
                "`{call}` 返回的 {name} 是 {found}；两者都应是一个数（形状为 (1,) 的变量也可以）。",
                call=call_text,
                name=name,
                found=describe(v),
            )
        out.append(float(arr.reshape(())))
    return out


def _learner_error(exc: LearnerError):
    """Turn the usual mistakes inside a training loop into their own messages."""
    error = _short(f"{type(exc.exc).__name__}: {exc.exc}", 200)
    text = str(exc.exc)
    if isinstance(exc.exc, TypeError) and "NoneType" in text:
        return wrong(
            "A gradient was `None` inside your loop ({error}). Either `W = W - …` replaced "
            "your Variable by a plain tensor that the next tape does not watch (update it "
            "in place with `W.assign_sub(lr * dW)`), or the loss was not computed from the "
            "W and b you differentiate: the notebook's `loss_function` uses the global W "
            "and b, so write the loss with your own.",
            "循环中有一个梯度是 `None`（{error}）。要么是 `W = W - …` 把你的变量换成了普通张量，"
            "下一个梯度带不会监视它（请用 `W.assign_sub(lr * dW)` 原地更新）；要么损失不是由你"
            "求导的 W 和 b 算出来的：笔记本里的 `loss_function` 用的是全局的 W 和 b，"
            "请用你自己的 W、b 写出损失。",
            error=error,
        )
    if isinstance(exc.exc, AttributeError) and "assign" in text:
        return wrong(
            "`{error}`: W or b is no longer a Variable. `W = W - …` makes a new tensor; "
            "keep the Variable and update it with `W.assign_sub(lr * dW)`.",
            "`{error}`：W 或 b 已经不是变量了。`W = W - …` 会生成一个新张量；"
            "请保留变量，用 `W.assign_sub(lr * dW)` 更新它。",
            error=error,
        )
    if isinstance(exc.exc, RuntimeError) and "non-persistent" in text:
        return wrong(
            "A tape was asked for a second gradient ({error}). One tape outside the loop "
            "is not enough: open a new `with tf.GradientTape() as tape:` inside the loop, "
            "one per epoch.",
            "同一个梯度带被要求计算第二次梯度（{error}）。在循环外开一个梯度带是不够的："
            "请在循环内部、每个迭代周期都新开一个 `with tf.GradientTape() as tape:`。",
            error=error,
        )
    return None


def _run(ctx, train, lr, epochs):
    try:
        return ctx.call(train, lr, epochs)
    except LearnerError as exc:
        better = _learner_error(exc)
        if better is not None:
            raise better from None
        raise


def _close(a, b, rtol=1e-4):
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-4)


def _check_train(ctx, train):
    if not callable(train):
        raise wrong(
            "`train` should be a function `def train(lr, epochs): ...`, but it is {found}.",
            "`train` 应该是一个函数 `def train(lr, epochs): ...`，但它是 {found}。",
            found=describe(train),
        )
    _, _, W0, b0 = seed_data()
    start_loss = loss_at(W0, b0)
    for k, (lr, epochs) in enumerate(_RUNS):
        call_text = f"train({lr}, {epochs})"
        call = _run(ctx, train, lr, epochs)
        W, b = _values(ctx, call.value, call_text)
        rW, rb, _ = descend(lr, epochs)
        if _close(W, rW) and _close(b, rb):
            if call.gradient_calls == 0:
                raise wrong(
                    "`{call}` returns the right W and b, but no `tape.gradient` call produced "
                    "them. Let the tape compute dW and db: record the loss inside "
                    "`with tf.GradientTape() as tape:` every epoch.",
                    "`{call}` 返回的 W 和 b 是对的，但它们不是由 `tape.gradient` 算出来的。"
                    "请让梯度带计算 dW 和 db：每个迭代周期都在 "
                    "`with tf.GradientTape() as tape:` 中计算损失。",
                    call=call_text,
                )
            continue
        if k > 0:
            raise wrong(
                "`train(0.1, 100)` is right, but `{call}` is not. Does your function use its "
                "arguments `lr` and `epochs`, and start from `W_start`, `b_start` every time "
                "it is called?",
                "`train(0.1, 100)` 是对的，但 `{call}` 不对。你的函数用到参数 `lr` 和 `epochs` "
                "了吗？每次调用都从 `W_start`、`b_start` 出发了吗？",
                call=call_text,
            )
        if not (math.isfinite(W) and math.isfinite(b)):
            raise wrong(
                "After `{call}` W and b are not finite numbers (W = {W}, b = {b}): training "
                "diverged. The tutorial's loss is a mean, `tf.reduce_mean`; a sum over the "
                "100 points makes every step 100 times larger.",
                "`{call}` 之后 W 和 b 不是有限的数（W = {W}，b = {b}）：训练发散了。教程的损失"
                "是平均值 `tf.reduce_mean`；对 100 个点求和会让每一步都大 100 倍。",
                call=call_text,
                W=W,
                b=b,
            )
        if _close(W, rb) and _close(b, rW):
            raise wrong(
                "W and b are swapped: return them in the order `W, b`.",
                "W 和 b 的顺序反了：请按 `W, b` 的顺序返回。",
            )
        if loss_at(W, b) > start_loss:
            raise wrong(
                "With W = {W:.4g} and b = {b:.4g} the loss is larger than at the start: your "
                "steps moved uphill. A gradient points uphill, so subtract it: "
                "`W.assign_sub(lr * dW)`.",
                "W = {W:.4g}、b = {b:.4g} 时的损失比起点还大：你的每一步都在往上坡走。梯度指向"
                "上坡方向，所以要减去它：`W.assign_sub(lr * dW)`。",
                W=W,
                b=b,
            )
        for off in (epochs - 1, epochs + 1):
            oW, ob, _ = descend(lr, off)
            if _close(W, oW) and _close(b, ob):
                raise wrong(
                    "`{call}` made {n} updates instead of {epochs}: run exactly `epochs` "
                    "updates, one per pass of the loop.",
                    "`{call}` 做了 {n} 次更新而不是 {epochs} 次：每轮循环更新一次，"
                    "恰好 `epochs` 次。",
                    call=call_text,
                    n=off,
                    epochs=epochs,
                )
        again = _values(ctx, _run(ctx, train, lr, epochs).value, call_text)
        if not (_close(again[0], W, 1e-6) and _close(again[1], b, 1e-6)):
            raise wrong(
                "Two calls of `{call}` returned different results: your function continues "
                "from the W and b of an earlier run. Create fresh variables from `W_start` "
                "and `b_start` inside `train`.",
                "两次调用 `{call}` 得到了不同的结果：你的函数接着上一次运行的 W 和 b 继续训练。"
                "请在 `train` 内部用 `W_start` 和 `b_start` 新建变量。",
                call=call_text,
            )
        raise wrong(
            "`{call}` returns W = {W:.4g}, b = {b:.4g}, which is not where the tutorial's "
            "loop ends from `W_start`, `b_start`. Each epoch: compute the mean squared error "
            "inside a new tape, take the gradients of W and b, subtract lr × gradient from "
            "both.",
            "`{call}` 返回 W = {W:.4g}、b = {b:.4g}，这不是教程的循环从 `W_start`、`b_start` "
            "出发所到达的位置。每个迭代周期：在新的梯度带中计算均方误差，求 W 和 b 的梯度，"
            "再从两者中减去 lr × 梯度。",
            call=call_text,
            W=W,
            b=b,
        )
    return right(
        "Your loop reproduces the tutorial's run at lr 0.1 for 100 epochs and two hidden "
        "settings, with a fresh tape every epoch.",
        "你的循环在学习率 0.1、100 个迭代周期下重现了教程的结果，在两组隐藏的设置下也正确，"
        "而且每个迭代周期都用了新的梯度带。",
    )


q1 = Problem(
    "ch04",
    1,
    names=["train"],
    checker=_check_train,
    hints=[
        T(
            "Wrap the tutorial's loop in the function: the body of `for epoch in range(epochs):` "
            "is the same four steps (loss in a tape, gradients, two `assign_sub`), with `lr` "
            "instead of 0.1.",
            "把教程的循环放进函数里：`for epoch in range(epochs):` 的循环体还是那四步"
            "（在梯度带中算损失、求梯度、两次 `assign_sub`），只是用 `lr` 代替 0.1。",
        ),
        T(
            "Open a new tape every epoch, and write the loss with the local W and b: "
            "`loss = tf.reduce_mean(tf.square(W * X + b - y))`.",
            "每个迭代周期都新开一个梯度带，并用函数内部的 W 和 b 写出损失："
            "`loss = tf.reduce_mean(tf.square(W * X + b - y))`。",
        ),
    ],
    starter="""
def train(lr, epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    for epoch in range(epochs):
        ____
    return ____
""",
    solution="""
def train(lr, epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    for epoch in range(epochs):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(W * X + b - y))
        dW, db = tape.gradient(loss, [W, b])
        W.assign_sub(lr * dW)
        b.assign_sub(lr * db)
    return W, b
""",
    explanation=T(
        "`train(0.1, 100)` ends at W ≈ 2.4386, b ≈ 0.3796, the tutorial's numbers. The tape is "
        "opened inside the loop because a non-persistent tape gives one gradient, and "
        "`assign_sub` keeps W and b the Variables the next tape watches.",
        "`train(0.1, 100)` 停在 W ≈ 2.4386、b ≈ 0.3796，与教程的数字相同。梯度带要在循环内打开，"
        "因为非持久梯度带只能求一次梯度；`assign_sub` 让 W 和 b 保持为变量，"
        "下一个梯度带才会监视它们。",
    ),
)
