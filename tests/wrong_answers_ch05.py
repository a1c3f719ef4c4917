"""Wrong answers of chapter 05 (see tests/wrong_answers.py)."""

from wrong_answers import Wrong

from adkernel.exercises import ch05

MLP = ch05.q3.solution_code


def _mlp(*swaps: tuple[str, str]) -> str:
    """The reference network with some of its text replaced (each replacement must apply)."""
    code = MLP
    for old, new in swaps:
        assert old in code, old
        code = code.replace(old, new)
    return code


LABELS = "(forward(X).numpy()[:, 0] > 0).astype(int)"
HIDDEN = "tf.tanh(tf.matmul(X, W1) + b1)"
LINEAR = "tf.matmul(X, W1) + b1"  # the hidden layer without its activation

TABLE = {
    "ch05.q1": [
        Wrong("a rate that converges", "diverging_lr = 0.1",
              ("still falls", "double the rate"), ("仍在下降", "加倍")),
        Wrong("a rate that oscillates but settles", "diverging_lr = 0.75",
              ("oscillate", "Go a little higher"), ("振荡", "再稍微调大")),
        Wrong("a negative rate", "diverging_lr = -1.0", ("climbs uphill",), ("上坡",)),
        Wrong("a rate of zero", "diverging_lr = 0", ("never move",), ("根本不动",)),
        Wrong("a string", "diverging_lr = '1.0'",
              ("should be a number", "the string '1.0'"), ("应该是一个数", "字符串")),
        Wrong("the list of rates tried", "diverging_lr = [0.1, 0.5, 1.0]",
              ("should be a number", "a list of 3 items"), ("应该是一个数", "列表")),
        Wrong("a helper that prints instead of returning", """
def first_diverging(rates):
    for lr in rates:
        if lr > 0.81:
            print(lr)

diverging_lr = first_diverging([0.1, 0.5, 1.0])
""", ("`diverging_lr` is `None`", "forget `return`"), ("`diverging_lr` 是 `None`", "`return`")),
        Wrong("a variable holding a diverging rate", "diverging_lr = tf.Variable(1.0)",
              ("diverges",), ("发散",), state="correct"),
    ],
    "ch05.q2": [
        Wrong("a rate that is too slow", "fast_config = (0.1, 50)",
              ("not below 0.25 yet", "bigger steps"), ("还没有低于 0.25", "更大的步子")),
        Wrong("a rate that bounces across the valley", "fast_config = (0.8, 50)",
              ("steps are too large", "overshoots the valley", "from about 0.4 to 0.75"),
              ("步子太大", "越过谷底", "0.4 到 0.75"),
              never=("bigger steps", "更大的步子")),
        Wrong("a rate just above the good ones", "fast_config = (0.78, 50)",
              ("steps are too large", "from about 0.4 to 0.75"), ("步子太大", "0.4 到 0.75"),
              never=("bigger steps", "更大的步子")),
        Wrong("a bouncing rate with too few epochs", "fast_config = (0.8, 10)",
              ("steps are too large", "in 50 epochs, rates from about 0.4 to 0.75"),
              ("步子太大", "50 个迭代周期", "0.4 到 0.75"),
              never=("bigger steps", "更大的步子")),
        Wrong("a good rate with too few epochs", "fast_config = (0.7, 10)",
              ("jumps do die out", "more epochs (up to 50)"), ("逐渐消失", "最多 50 个"),
              never=("bigger steps", "更大的步子", "smaller", "调小")),
        Wrong("a middling rate with too few epochs", "fast_config = (0.6, 10)",
              ("gets there with more epochs",), ("迭代周期再多一些",),
              never=("bigger steps", "更大的步子", "smaller", "调小")),
        Wrong("more epochs than the budget", "fast_config = (0.1, 500)",
              ("500 epochs is over the budget of 50",), ("500 个迭代周期超出了 50 个的预算",)),
        Wrong("a diverging rate", "fast_config = (1.0, 50)",
              ("At lr = 1 training diverges",), ("发散",)),
        Wrong("lr and epochs swapped", "fast_config = (50, 0.5)",
              ("the learning rate first", "swap them"), ("学习率在前", "对调"),
              never=("whole number",)),
        Wrong("a string", "fast_config = '0.5, 50'",
              ("a pair `(lr, epochs)`", "the string"), ("一对值", "字符串")),
        Wrong("only the learning rate", "fast_config = 0.5",
              ("a pair `(lr, epochs)`", "but it is 0.5"), ("一对值",)),
        Wrong("a dict", "fast_config = {'lr': 0.5, 'epochs': 50}",
              ("a pair `(lr, epochs)`", "a dict with keys"), ("一对值", "字典")),
        Wrong("a fraction of an epoch", "fast_config = (0.5, 49.5)",
              ("`epochs` is 49.5", "whole number"), ("`epochs` 是 49.5", "整数"),
              never=("swap",)),
        Wrong("a negative rate", "fast_config = (-0.5, 50)",
              ("does not move downhill", "positive rate"), ("不会往下坡走",)),
        Wrong("numbers as strings", "fast_config = ('0.5', '50')",
              ("`lr` should be a number", "the string '0.5'"), ("`lr` 应该是一个数",)),
    ],
    "ch05.q3": [
        Wrong("predict returns probabilities",
              _mlp((LABELS, "tf.sigmoid(forward(X)).numpy()[:, 0]")),
              ("probabilities, not labels", "above 0.5"), ("概率，不是标签",),
              never=("compare them with 0",)),
        Wrong("predict returns logits", _mlp((LABELS, "forward(X).numpy()")),
              ("If these are logits, compare them with 0",), ("与 0 比较",)),
        Wrong("predict forgets return",
              _mlp(("    return " + LABELS, "    labels = " + LABELS)),
              ("returned `None`", "forget `return`"), ("返回了 `None`", "`return`")),
        Wrong("predict works on X_train", _mlp(("forward(X).numpy()", "forward(X_train).numpy()")),
              ("200 labels", "not from `X_train`"), ("200 个标签", "`X_train`")),
        Wrong("predict treats X as a tensor", _mlp(("forward(X).numpy()", "forward(X.numpy())")),
              ("AttributeError", "forward(X.numpy())"), ("AttributeError", "抛出了")),
        Wrong("train_step rebinds instead of assigning",
              _mlp(("        p.assign_sub(0.5 * g)", "        p = p - 0.5 * g")),
              ("changed none of the parameters", "only makes a new tensor"),
              ("没有任何参数发生变化", "新的张量"),
              never=("no `tape.gradient` call", "guessing")),
        Wrong("a learning rate of 0 in train_step", _mlp(("0.5 * g", "0.0 * g")),
              ("changed none of the parameters", "a learning rate above 0"),
              ("没有任何参数发生变化", "学习率大于 0")),
        Wrong("a parameter left out of the gradients",
              _mlp(("tape.gradient(loss, params)", "tape.gradient(loss, params[:3]) + [0.0]")),
              ("`params[3]` (shape (1,)) unchanged",), ("`params[3]`", "没有变化")),
        Wrong("identical initial units",
              _mlp(("rng.randn(2, 16) * 0.5", "np.full((2, 16), 0.1)"),
                   ("rng.randn(16, 1) * 0.5", "np.full((16, 1), 0.1)")),
              ("same weights", "Initialise the weights randomly"), ("随机",)),
        Wrong("no hidden layer", """
w = tf.Variable(np.zeros((2, 1)), dtype=tf.float32)
c = tf.Variable(np.zeros(1), dtype=tf.float32)
params = [w, c]

def train_step():
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
            labels=Y_train, logits=tf.matmul(X_train, w) + c))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(1.0 * g)
    return loss

def predict(X):
    return ((tf.matmul(X, w) + c).numpy()[:, 0] > 0).astype(int)

for step in range(500):
    train_step()
""", ("a line cannot split the moons", "add a hidden layer"), ("隐藏层",)),
        Wrong("no activation on the hidden layer", _mlp((HIDDEN, LINEAR)),
              ("training has settled", "straight line", "Apply tanh to the hidden layer"),
              ("训练已经停下来了", "直线", "tanh"),
              never=("unchanged", "never trained", "train for more steps", "没有变化")),
        Wrong("no activation, trained for 1000 steps",
              _mlp((HIDDEN, LINEAR), ("range(500)", "range(1000)")),
              ("training has settled", "straight line", "Apply tanh to the hidden layer"),
              ("训练已经停下来了", "直线", "tanh"),
              never=("unchanged", "never trained", "train for more steps", "没有任何参数")),
        Wrong("gradient ascent", _mlp(("0.5 * g", "-1.0 * g")),
              ("right only 11%", "worse than guessing", "89% right", "wrong sign",
               "Is the loss falling"),
              ("只有 11%", "比瞎猜还差", "符号反了", "损失在下降吗"),
              never=("that is guessing", "相当于瞎猜")),
        Wrong("predict compares the wrong way", _mlp(("> 0).astype", "< 0).astype")),
              ("worse than guessing", "97% right", "wrong sign", "logit is above 0"),
              ("比瞎猜还差", "97%", "符号反了", "大于 0 的地方给出 1")),
        Wrong("too few steps", _mlp(("range(500)", "range(30)")),
              ("more steps",), ("多训练",), never=("guessing",)),
        Wrong("the training loop never runs", _mlp(("range(500)", "range(0)")),
              ("guessing", "Is the loss falling"), ("猜",)),
        Wrong("the log of a sigmoid with a large rate", _mlp(
            ("tf.nn.sigmoid_cross_entropy_with_logits(\n"
             "            labels=Y_train, logits=forward(X_train))",
             "-Y_train * tf.math.log(tf.sigmoid(forward(X_train)))"
             " - (1 - Y_train) * tf.math.log(1 - tf.sigmoid(forward(X_train)))"),
            ("0.5 * g", "20.0 * g")),
              ("NaN or inf", "Lower the learning rate"), ("NaN",)),
        Wrong("params grouped by layer",
              _mlp(("params = [W1, b1, W2, b2]", "params = [[W1, b1], [W2, b2]]"),
                   ("tape.gradient(loss, params)", "tape.gradient(loss, [W1, b1, W2, b2])"),
                   ("zip(params, grads)", "zip([W1, b1, W2, b2], grads)")),
              ("`params[0]` holds 2 items itself", "not grouped by layer"),
              ("`params[0]`", "不要按层分组")),
        Wrong("params is one layer's weights",
              _mlp(("tape.gradient(loss, params)", "tape.gradient(loss, [W1, b1, W2, b2])"),
                   ("zip(params, grads)", "zip([W1, b1, W2, b2], grads)")) + "\nparams = W1",
              ("`params` should be the list", "an array of shape (2, 16)"),
              ("`params` 应该是", "形状为 (2, 16) 的数组")),
        Wrong("train_step steps without a tape", MLP + """
def train_step():
    for p in params:
        p.assign_add(0.01 * tf.ones_like(p))
""", ("made no `tape.gradient` call",), ("`tape.gradient`",),
              never=("unchanged",)),
    ],
}
