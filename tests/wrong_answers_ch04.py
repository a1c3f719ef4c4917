"""Wrong answers of chapter 04 (see tests/wrong_answers.py): the training loop ``train``."""

from wrong_answers import Wrong

from adkernel.exercises import ch04

STEP = """\
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(W * X + b - y))
        dW, db = tape.gradient(loss, [W, b])
        W.assign_sub(lr * dW)
        b.assign_sub(lr * db)
"""


def _train(step: str = STEP, loop: str = "range(epochs)", last: str = "return W, b",
           start: str = "W = tf.Variable(W_start)\n    b = tf.Variable(b_start)") -> str:
    """The answer cell with one of its parts changed."""
    return (f"def train(lr, epochs):\n    {start}\n    for epoch in {loop}:\n{step}"
            f"    {last}\n")


# the notebook's own loss_function reads the global W and b (an earlier cell)
NOTEBOOK_LOSS = """
W = tf.Variable(W_start)
b = tf.Variable(b_start)
def loss_function():
    return tf.reduce_mean(tf.square(W * X + b - y))
"""
UPHILL = ("moved uphill", "往上坡走")

TABLE = {
    "ch04.q1": [
        Wrong("gradient added", _train(STEP.replace("assign_sub", "assign_add")),
              ("moved uphill", "subtract it"), ("往上坡走", "减去")),
        Wrong("W = W - lr * dW", _train(STEP.replace("W.assign_sub(lr * dW)", "W = W - lr * dW")),
              ("after the first epoch", "no longer watched W or b", "`W.assign_sub(lr * dW)`"),
              ("第一个迭代周期之后", "不再监视 W 或 b", "`W.assign_sub(lr * dW)`")),
        Wrong("the notebook's loss_function",
              _train(STEP.replace("tf.reduce_mean(tf.square(W * X + b - y))", "loss_function()")),
              ("very first epoch", "`loss_function` reads the global W and b"),
              ("第一个迭代周期里", "读取的是全局的 W 和 b"),
              never=("W = W - …",), before=NOTEBOOK_LOSS),
        Wrong("a summed loss", _train(STEP.replace("reduce_mean", "reduce_sum")),
              ("diverged", "loss is a mean"), ("发散", "平均值")),
        Wrong("W and b swapped", _train(last="return b, W"),
              ("swapped", "`W, b`"), ("顺序反了", "`W, b`")),
        Wrong("one update too many", _train(loop="range(epochs + 1)"),
              ("101 updates instead of 100",), ("101", "100")),
        Wrong("epochs ignored", _train(loop="range(100)"),
              ("`train(0.1, 100)` is right", "use its arguments"), ("`lr` 和 `epochs`",)),
        Wrong("one tape outside the loop", """
def train(lr, epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    with tf.GradientTape() as tape:
        for epoch in range(epochs):
            loss = tf.reduce_mean(tf.square(W * X + b - y))
            dW, db = tape.gradient(loss, [W, b])
            W.assign_sub(lr * dW)
            b.assign_sub(lr * db)
    return W, b
""", ("second gradient", "inside the loop"), ("第二次梯度", "在循环内部")),
        Wrong("one persistent tape outside the loop (right numbers)", """
def train(lr, epochs):
    W = tf.Variable(W_start)
    b = tf.Variable(b_start)
    with tf.GradientTape(persistent=True) as tape:
        for epoch in range(epochs):
            loss = tf.reduce_mean(tf.square(W * X + b - y))
            dW, db = tape.gradient(loss, [W, b])
            W.assign_sub(lr * dW)
            b.assign_sub(lr * db)
    return W, b
""", ("returns the right W and b", "kept the records of every epoch",
      "one tape outside the loop", "inside the loop"),
            ("是对的", "保留了每个迭代周期的记录", "在循环外开一个梯度带", "循环内部"),
            never=("fresh tape every epoch", "新的梯度带")),
        Wrong("a persistent tape, new every epoch (right)",
              _train(STEP.replace("GradientTape()", "GradientTape(persistent=True)")),
              ("reproduces the tutorial's run", "fresh tape every epoch"),
              ("重现了教程的结果", "新的梯度带"), state="correct"),
        Wrong("loss without the square",
              _train(STEP.replace("tf.reduce_mean(tf.square(W * X + b - y))",
                                  "tf.reduce_mean(W * X + b - y)")),
              ("not of their squares", "no minimum", "`tf.square`"),
              ("而不是差的平方的平均值", "没有最小值", "`tf.square`"),
              never=("assign_sub", "moved uphill", "往上坡走")),
        Wrong("loss negated, steps subtracted",
              _train(STEP.replace("loss = tf.reduce_mean", "loss = -tf.reduce_mean")),
              ("went below zero", "never does", "nothing negates it"),
              ("变成了负数", "永远不会是负的", "相反数"),
              never=("assign_sub(lr * dW)", "moved uphill", "往上坡走")),
        Wrong("loss with + y (falls, but not the mean squared error)",
              _train(STEP.replace("b - y", "b + y")),
              ("fell", "a different loss", "squared differences between W·X + b and y"),
              ("在下降", "另一个损失", "之差的平方的平均值"),
              never=("assign_sub", "moved uphill", "往上坡走")),
        Wrong("data cell above not run", ch04.q1.solution_code,
              ("`W_start`", "an earlier cell", "Run the cells above"),
              ("`W_start`", "前面的一个单元格", "请先运行上面的单元格"),
              state="stale", before="del W_start, b_start, X, y"),
        Wrong("a typo after a correct run (the learner's own NameError)",
              ch04.q1.solution_code + "\nprint(W_strat)\n",
              ("raised an error", "W_strat"), ("报错", "W_strat"),
              state="stale", never=("an earlier cell", "前面的一个单元格"),
              before=ch04.q1.solution_code),
        Wrong("gradients by hand", """
def train(lr, epochs):
    W, b = float(W_start[0]), float(b_start[0])
    for epoch in range(epochs):
        r = W * X[:, 0] + b - y[:, 0]
        W, b = W - lr * 2 * np.mean(r * X[:, 0]), b - lr * 2 * np.mean(r)
    return W, b
""", ("no `tape.gradient` call",), ("`tape.gradient`",)),
        Wrong("learning rate left out",
              _train(STEP.replace("lr * dW", "dW").replace("lr * db", "db")),
              ("without the learning rate", "multiply each gradient by `lr`"),
              ("不乘学习率", "乘以 `lr`"), never=UPHILL),
        Wrong("return forgotten", _train(last="pass"),
              ("returned `None`", "`return W, b`"), ("`None`", "`return W, b`")),
        Wrong("the loss returned", _train(last="return loss"),
              ("should return the pair `W, b`",), ("`W, b`",)),
        Wrong("global variables carried over", _train(start="global W, b"),
              ("Two calls of `train(0.1, 100)` returned different results",
               "continues from the W and b of an earlier run"),
              ("两次调用", "`W_start`"), never=("use its arguments",), before=NOTEBOOK_LOSS),
        Wrong("a typo in the loss", _train(STEP.replace("b - y", "b - Y")),
              ("raised", "NameError", "name 'Y' is not defined"), ("抛出了", "NameError")),
        Wrong("db used for W", _train(STEP.replace("lr * dW", "lr * db")),
              ("not where the tutorial's loop ends",), ()),
        Wrong("W returned as a number (right)", _train(last="return float(W[0]), float(b[0])"),
              ("reproduces the tutorial's run",), (), state="correct"),
    ],
}
