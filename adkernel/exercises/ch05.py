"""Exercises of chapter 05 (the tutorial's two exercises).

``from adkernel.exercises import ____, ch05 as ex``
"""

from __future__ import annotations

import math

import numpy as np

from . import progress
from ._core import Problem, describe, right, to_array, wrong
from ._core import ____ as ____
from ._feedback import T
from ._regression import descend

__all__ = ["make_moons", "progress", "q1", "q2", "q3"]

TARGET_LOSS = 0.25
BUDGET = 50
ACCURACY = 0.9
HELD_OUT = (1000, 2024)  # points and seed of the checker's own held-out set


def _first_bad(losses) -> int | None:
    for k, v in enumerate(losses):
        if not math.isfinite(v):
            return k
    return None


# -- q1: a learning rate that diverges ------------------------------------------------------
def _check_diverging(ctx, diverging_lr):
    lr = ctx.number(diverging_lr, "diverging_lr")
    if lr < 0:
        raise wrong(
            "A negative learning rate adds the gradient, so it climbs uphill whatever its "
            "size. We want a positive rate whose steps are too large to settle.",
            "负的学习率会加上梯度，无论大小都在往上坡走。我们要找的是一个正的学习率，"
            "它的步子大到无法稳定下来。",
        )
    if lr == 0:
        raise wrong(
            "With a learning rate of 0 the parameters never move. Try a positive rate.",
            "学习率为 0 时参数根本不动。请试一个正的学习率。",
        )
    _, _, losses = descend(lr, 100)
    bad = _first_bad(losses)
    if bad is not None:
        return right(
            "At lr = {lr:g} the loss overflows to a non-finite number at epoch {k}: the "
            "steps overshoot the valley further every time.",
            "学习率为 {lr:g} 时，损失在第 {k} 个迭代周期溢出为非有限数：每一步都越过谷底，"
            "而且越冲越远。",
            lr=lr,
            k=bad,
        )
    if losses[-1] > losses[0]:
        return right(
            "At lr = {lr:g} the loss after 100 epochs ({end:.4g}) is larger than at the start "
            "({start:.4g}): training diverges.",
            "学习率为 {lr:g} 时，100 个迭代周期后的损失（{end:.4g}）比开始时（{start:.4g}）"
            "还大：训练发散了。",
            lr=lr,
            end=losses[-1],
            start=losses[0],
        )
    if lr >= 0.7:
        raise wrong(
            "At lr = {lr:g} the parameters overshoot and oscillate, but the oscillation "
            "dies out and the loss still ends below where it started. Go a little higher.",
            "学习率为 {lr:g} 时，参数会越过谷底来回振荡，但振荡逐渐衰减，损失最终仍低于起点。"
            "再稍微调大一点。",
            lr=lr,
        )
    raise wrong(
        "At lr = {lr:g} the loss still falls over 100 epochs. Go higher: double the rate "
        "until the loss explodes.",
        "学习率为 {lr:g} 时，100 个迭代周期内损失仍在下降。再调大些：把学习率加倍，直到损失爆炸。",
        lr=lr,
    )


q1 = Problem(
    "ch05",
    1,
    names=["diverging_lr"],
    checker=_check_diverging,
    hints=[
        T(
            "Start from 0.1 and double the learning rate (with the explorer or "
            "`history_of(lr, 100)`) until the loss grows instead of shrinking.",
            "从 0.1 开始，把学习率加倍（用训练探索器或 `history_of(lr, 100)`），直到损失不降反升。",
        ),
        T(
            "The limit is 2 divided by the largest curvature of the loss surface, about "
            "2 / 2.48 ≈ 0.8: any rate clearly above it diverges.",
            "临界值是 2 除以损失曲面的最大曲率，约为 2 / 2.48 ≈ 0.8：明显高于它的学习率都会发散。",
        ),
    ],
    starter="""
diverging_lr = ____
""",
    solution="""
diverging_lr = 1.0
""",
    explanation=T(
        "Along the steep direction each step multiplies the distance to the minimum by "
        "1 − lr · 2.48. Above lr ≈ 0.807 that factor is below −1: every step overshoots by "
        "more than it corrects. At lr = 1.0 the loss reaches about 1e35 after 100 epochs.",
        "沿陡峭方向，每一步把到最小值的距离乘以 1 − lr · 2.48。学习率超过约 0.807 时，"
        "这个因子小于 −1：每一步越过的都比纠正的多。学习率为 1.0 时，100 个迭代周期后损失"
        "约为 1e35。",
    ),
)


# -- q2: a fast, stable configuration ---------------------------------------------------------
def _check_fast(ctx, fast_config):
    if not isinstance(fast_config, (tuple, list)) or len(fast_config) != 2:
        raise wrong(
            "`fast_config` should be a pair `(lr, epochs)`, but it is {found}.",
            "`fast_config` 应该是一对值 `(lr, epochs)`，但它是 {found}。",
            found=describe(fast_config),
        )
    lr = ctx.number(fast_config[0], "lr")
    epochs = ctx.number(fast_config[1], "epochs")
    if epochs != int(epochs) or epochs < 1:
        raise wrong(
            "`epochs` is {e:g}; it should be a whole number of epochs, at least 1.",
            "`epochs` 是 {e:g}；它应该是一个不小于 1 的整数。",
            e=epochs,
        )
    epochs = int(epochs)
    if epochs > BUDGET:
        raise wrong(
            "{e} epochs is over the budget of {n}: find a learning rate that gets there "
            "in {n} epochs or fewer.",
            "{e} 个迭代周期超出了 {n} 个的预算：找一个能在 {n} 个迭代周期以内达到目标的学习率。",
            e=epochs,
            n=BUDGET,
        )
    if lr <= 0:
        raise wrong(
            "The learning rate {lr:g} does not move downhill; use a positive rate.",
            "学习率 {lr:g} 不会往下坡走；请用正的学习率。",
            lr=lr,
        )
    _, _, losses = descend(lr, epochs)
    bad = _first_bad(losses)
    if bad is not None or losses[-1] > losses[0]:
        raise wrong(
            "At lr = {lr:g} training diverges: the loss grows instead of shrinking. Stay "
            "below the limit you found in the previous question.",
            "学习率为 {lr:g} 时训练发散：损失不降反升。请留在上一题找到的临界值以下。",
            lr=lr,
        )
    if losses[-1] < TARGET_LOSS:
        return right(
            "After {e} epochs at lr = {lr:g} the loss is {end:.4f}, below {t}.",
            "学习率 {lr:g}、{e} 个迭代周期之后，损失为 {end:.4f}，低于 {t}。",
            e=epochs,
            lr=lr,
            end=losses[-1],
            t=TARGET_LOSS,
        )
    raise wrong(
        "After {e} epochs at lr = {lr:g} the loss is {end:.4f}: not below {t} yet. The slow "
        "part is the long valley floor, where the slope is gentle: bigger steps (or more "
        "epochs, up to {n}) help it along.",
        "学习率 {lr:g}、{e} 个迭代周期之后，损失为 {end:.4f}：还没有低于 {t}。慢的是狭长的谷底，"
        "那里坡度很缓：更大的步子（或者更多迭代周期，最多 {n} 个）能让它走得更快。",
        e=epochs,
        lr=lr,
        end=losses[-1],
        t=TARGET_LOSS,
        n=BUDGET,
    )


q2 = Problem(
    "ch05",
    2,
    names=["fast_config"],
    checker=_check_fast,
    hints=[
        T(
            "At lr = 0.1 the loss drops fast, then crawls along the valley floor. The crawl "
            "is what bigger steps shorten.",
            "学习率为 0.1 时，损失先快速下降，然后沿着谷底缓慢爬行。更大的步子缩短的正是这段爬行。",
        ),
        T(
            "Use all 50 epochs and a learning rate well above 0.1 but safely below the "
            "divergence limit of about 0.8.",
            "用满 50 个迭代周期，学习率取得比 0.1 大得多、但又稳稳低于约 0.8 的发散临界值。",
        ),
    ],
    starter="""
fast_config = (____, ____)
""",
    solution="""
fast_config = (0.5, 50)
""",
    explanation=T(
        "At lr = 0.5 the loss after 50 epochs is about 0.2485 (the best possible is 0.2481). "
        "Any rate from about 0.4 to 0.75 works; 0.3 stops at 0.254 and 0.78 oscillates too much.",
        "学习率 0.5 时，50 个迭代周期后的损失约为 0.2485（最小可能值是 0.2481）。"
        "大约 0.4 到 0.75 之间的学习率都可以；0.3 停在 0.254，0.78 振荡得太厉害。",
    ),
)


# -- q3: a small neural network ----------------------------------------------------------------
def make_moons(n: int, noise: float, seed: int):
    """Two interleaving half circles, ``(X, labels)``; the notebook draws its data the same way."""
    rng = np.random.RandomState(seed)
    t = rng.rand(n) * np.pi
    labels = np.arange(n) % 2
    x0 = np.where(labels == 0, np.cos(t), 1 - np.cos(t))
    x1 = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
    X = np.stack([x0, x1], axis=1) + rng.randn(n, 2) * noise
    return X, labels


def _param_arrays(ctx, params):
    if hasattr(params, "trainable_variables") and not isinstance(params, (list, tuple, dict)):
        params = list(params.trainable_variables)  # a tf.keras model or a tf.Module
    if isinstance(params, dict):
        params = list(params.values())
    if not isinstance(params, (list, tuple)) or not params:
        raise wrong(
            "`params` should be the list of your network's variables, e.g. "
            "`[W1, b1, W2, b2]`, but it is {found}.",
            "`params` 应该是网络中所有变量组成的列表，例如 `[W1, b1, W2, b2]`，但它是 {found}。",
            found=describe(params),
        )
    arrays = []
    for i, p in enumerate(params):
        if not callable(getattr(p, "numpy", None)):
            raise wrong(
                "`params[{i}]` is {found}, not a variable.",
                "`params[{i}]` 是 {found}，不是变量。",
                i=i,
                found=describe(p),
            )
        arrays.append(to_array(p))
    return list(params), arrays


def _identical_units(arrays) -> bool:
    """True when a weight matrix has several columns (units) that are all the same."""
    for a in arrays:
        if a.ndim == 2 and a.shape[1] > 1 and np.allclose(a, a[:, :1]):
            return True
    return False


def _has_hidden_layer(arrays) -> bool:
    return sum(a.ndim == 2 for a in arrays) >= 2


def _labels(ctx, value, n):
    if value is None:
        raise wrong(
            "`predict(X)` returned `None`: did you forget `return`?",
            "`predict(X)` 返回了 `None`：是不是忘了写 `return`？",
        )
    try:
        p = to_array(value)
    except Exception:
        raise wrong(
            "`predict(X)` should return one 0 or 1 per point, but it returned {found}.",
            "`predict(X)` 应该为每个点返回一个 0 或 1，但它返回了 {found}。",
            found=describe(value),
        ) from None
    if p.size != n:
        raise wrong(
            "`predict(X)` for {n} points returned an array of shape {s}: return one 0 or 1 "
            "per point.",
            "对 {n} 个点调用 `predict(X)` 返回了形状为 {s} 的数组：请为每个点返回一个 0 或 1。",
            n=n,
            s=tuple(p.shape),
        )
    p = p.reshape(-1)
    if not np.all(np.isfinite(p)):
        raise wrong(
            "`predict(X)` returns NaN: training blew up. Lower the learning rate, or use "
            "`tf.nn.sigmoid_cross_entropy_with_logits` on the logits instead of taking the "
            "log of a sigmoid yourself.",
            "`predict(X)` 返回了 NaN：训练崩溃了。请降低学习率，或者对 logits 使用 "
            "`tf.nn.sigmoid_cross_entropy_with_logits`，而不是自己对 sigmoid 取对数。",
        )
    if np.all((p == 0) | (p == 1)):
        return p
    if np.all((p >= 0) & (p <= 1)):
        return (p > 0.5).astype(float)
    raise wrong(
        "`predict(X)` returns values from {lo:.3g} to {hi:.3g}; it should return 0 or 1 per "
        "point. If these are logits, compare them with 0.",
        "`predict(X)` 返回的值在 {lo:.3g} 到 {hi:.3g} 之间；它应该为每个点返回 0 或 1。"
        "如果这些是 logits，请把它们与 0 比较。",
        lo=float(p.min()),
        hi=float(p.max()),
    )


def _check_mlp(ctx, params, train_step, predict):
    for name, fn in (("train_step", train_step), ("predict", predict)):
        if not callable(fn):
            raise wrong(
                "`{name}` should be a function, but it is {found}.",
                "`{name}` 应该是一个函数，但它是 {found}。",
                name=name,
                found=describe(fn),
            )
    params, before = _param_arrays(ctx, params)
    if any(not np.all(np.isfinite(a)) for a in before):
        raise wrong(
            "Some of your parameters are NaN or inf: training blew up. Lower the learning "
            "rate, or use `tf.nn.sigmoid_cross_entropy_with_logits` for the loss.",
            "有些参数是 NaN 或 inf：训练崩溃了。请降低学习率，或者用 "
            "`tf.nn.sigmoid_cross_entropy_with_logits` 计算损失。",
        )
    n, seed = HELD_OUT
    X_new, y_new = make_moons(n, 0.2, seed)
    labels = _labels(ctx, ctx.call(predict, X_new.copy()).value, n)
    accuracy = float(np.mean(labels == y_new))
    if accuracy < ACCURACY:
        if _identical_units(before):
            raise wrong(
                "Held-out accuracy {a:.0%}, and all hidden units of a layer have the same "
                "weights: started equal (e.g. all zeros), they receive equal gradients and "
                "stay equal. Initialise the weights randomly.",
                "留出集准确率 {a:.0%}，而且某一层所有隐藏单元的权重都相同：它们从相同的值"
                "（例如全 0）出发，得到相同的梯度，于是一直相同。请随机初始化权重。",
                a=accuracy,
            )
        if accuracy < 0.6:
            raise wrong(
                "On {n} fresh points your network is right {a:.0%} of the time: that is "
                "guessing. Is the loss falling while you train?",
                "在 {n} 个新的点上，你的网络正确率为 {a:.0%}：这相当于瞎猜。训练时损失在下降吗？",
                n=n,
                a=accuracy,
            )
        if not _has_hidden_layer(before):
            raise wrong(
                "On {n} fresh points your model is right {a:.0%} of the time. Without a "
                "hidden layer the boundary is a straight line, and a line cannot split the "
                "moons: add a hidden layer with a nonlinear activation such as tanh.",
                "在 {n} 个新的点上，你的模型正确率为 {a:.0%}。没有隐藏层时，决策边界是一条直线，"
                "而直线分不开两个月牙：请加一个使用非线性激活函数（例如 tanh）的隐藏层。",
                n=n,
                a=accuracy,
            )
        raise wrong(
            "On {n} fresh points your network is right {a:.0%} of the time; {t:.0%} is "
            "expected. A straight boundary gets about 87%: train for more steps (or with a "
            "larger learning rate) until the boundary bends around the moons.",
            "在 {n} 个新的点上，你的网络正确率为 {a:.0%}；要求至少 {t:.0%}。一条直线边界大约能"
            "达到 87%：请多训练一些步（或者用更大的学习率），直到边界绕着月牙弯曲。",
            n=n,
            a=accuracy,
            t=ACCURACY,
        )
    try:
        call = ctx.call(train_step)
        after = [to_array(p) for p in params]
    finally:
        for p, old in zip(params, before, strict=True):
            try:
                p.assign(old.astype(np.asarray(p.numpy()).dtype))
            except Exception:
                pass
    if call.gradient_calls == 0:
        raise wrong(
            "Your network classifies well, but one call of `train_step()` made no "
            "`tape.gradient` call. Compute the gradients of the loss with a tape inside "
            "`train_step`.",
            "你的网络分类效果不错，但调用一次 `train_step()` 时没有调用 `tape.gradient`。"
            "请在 `train_step` 中用梯度带计算损失的梯度。",
        )
    still = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if np.array_equal(a, b)]
    if still:
        raise wrong(
            "One call of `train_step()` left `params[{i}]` (shape {s}) unchanged: every "
            "parameter should take a step. Is it in the list you differentiate and update?",
            "调用一次 `train_step()` 后，`params[{i}]`（形状 {s}）没有变化：每个参数都应该更新。"
            "它在你求导和更新的列表里吗？",
            i=still[0],
            s=tuple(before[still[0]].shape),
        )
    return right(
        "Held-out accuracy {a:.1%} on {n} points your network never saw, and "
        "`train_step()` updates every parameter with gradients from a tape.",
        "在 {n} 个网络从未见过的点上，留出集准确率为 {a:.1%}；而且 `train_step()` 用梯度带"
        "算出的梯度更新了每个参数。",
        a=accuracy,
        n=n,
    )


q3 = Problem(
    "ch05",
    3,
    names=["params", "train_step", "predict"],
    checker=_check_mlp,
    hints=[
        T(
            "A hidden layer of 16 tanh units: `h = tf.tanh(tf.matmul(X, W1) + b1)`, then "
            "logits `tf.matmul(h, W2) + b2`. Start W1 and W2 with small random numbers.",
            "一个有 16 个 tanh 单元的隐藏层：`h = tf.tanh(tf.matmul(X, W1) + b1)`，"
            "然后 logits 为 `tf.matmul(h, W2) + b2`。W1 和 W2 用较小的随机数初始化。",
        ),
        T(
            "Loss: `tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y_train, "
            "logits=forward(X_train)))`; update with lr 0.5 and train for 500 steps. "
            "`predict` returns `forward(X).numpy()[:, 0] > 0`.",
            "损失：`tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y_train, "
            "logits=forward(X_train)))`；用学习率 0.5 更新，训练 500 步。"
            "`predict` 返回 `forward(X).numpy()[:, 0] > 0`。",
        ),
    ],
    starter="""
rng = np.random.RandomState(1)
W1 = ____
b1 = ____
W2 = ____
b2 = ____
params = [W1, b1, W2, b2]

def forward(X):
    return ____

def train_step():
    with tf.GradientTape() as tape:
        loss = ____
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(____)
    return loss

def predict(X):
    return ____

for step in range(____):
    train_step()
""",
    solution="""
rng = np.random.RandomState(1)
W1 = tf.Variable(rng.randn(2, 16) * 0.5, dtype=tf.float32)
b1 = tf.Variable(np.zeros(16), dtype=tf.float32)
W2 = tf.Variable(rng.randn(16, 1) * 0.5, dtype=tf.float32)
b2 = tf.Variable(np.zeros(1), dtype=tf.float32)
params = [W1, b1, W2, b2]

def forward(X):
    return tf.matmul(tf.tanh(tf.matmul(X, W1) + b1), W2) + b2

def train_step():
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
            labels=Y_train, logits=forward(X_train)))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(0.5 * g)
    return loss

def predict(X):
    return (forward(X).numpy()[:, 0] > 0).astype(int)

for step in range(500):
    train_step()
""",
    explanation=T(
        "2 inputs → 16 tanh units → 1 logit, trained for 500 full-batch steps at lr 0.5: about "
        "96% on fresh points, where the straight line of the logistic model gets about 87%.",
        "2 个输入 → 16 个 tanh 单元 → 1 个 logit，以学习率 0.5 做 500 步全批量训练："
        "在新的点上约 96%，而逻辑回归的直线边界约为 87%。",
    ),
)
